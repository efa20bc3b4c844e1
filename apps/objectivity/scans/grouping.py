"""What the scan job makes of an upload's pages, once each page's mark is read. Pure: no ORM,
no images — the readings in, the pages' statuses, the booklets and the report out.

A page is

* IDENTIFIED — a page mark of a variant of this school's kit for this work;
* FOREIGN — a page mark of another kit (another school, another work) or a QR code that is not a
  page mark at all;
* BLANK — an empty side (duplex scanners send the backs of one-sided sheets);
* UNREADABLE — something is printed or written on it but no mark was read: a person must look;
* DUPLICATE — the same page of the same copy twice in a row (a double-fed sheet).

Identified pages are grouped into booklets (one participant's copy) in upload order: a new
booklet starts at page 1, at a change of variant, or when the page number does not increase.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from apps.materials.pagemark import PageMark


class PageStatus:
    # the values of ScanPage.Status (kept here so this module needs no ORM)
    IDENTIFIED = "identified"
    BLANK = "blank"
    FOREIGN = "foreign"
    UNREADABLE = "unreadable"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class PageRead:
    """What was read from page ``index`` (1-based) of the uploaded file."""

    index: int
    mark: PageMark | None
    text: str  # the QR text as read ("" when none)
    blank: bool


@dataclass
class PagePlan:
    index: int
    status: str
    mark: str = ""
    page_number: int | None = None
    booklet_seq: int | None = None


@dataclass
class BookletPlan:
    seq: int
    uid: str
    variant_number: int
    pages_expected: int
    pages: list[int] = field(default_factory=list)  # page numbers present, in upload order

    @property
    def missing(self) -> list[int]:
        return [p for p in range(1, self.pages_expected + 1) if p not in self.pages]


@dataclass
class Plan:
    pages: list[PagePlan]
    booklets: list[BookletPlan]
    report: list[dict[str, Any]]

    def count(self, status: str) -> int:
        return sum(1 for p in self.pages if p.status == status)


def _pages_word(numbers: Sequence[int]) -> str:
    listed = ", ".join(str(n) for n in numbers)
    return f"страницы {listed}" if len(numbers) == 1 else f"страниц {listed}"


def plan_batch(
    reads: Sequence[PageRead],
    *,
    own: Mapping[str, int],
    foreign: Mapping[str, str],
) -> Plan:
    """Classify and group the pages of one upload.

    ``own`` maps the uids of the kit's variants (this school, this work) to their numbers;
    ``foreign`` maps other known uids to why the page is foreign («комплект другой ОО»); a uid
    in neither is of no kit the portal knows.
    """
    pages: list[PagePlan] = []
    booklets: list[BookletPlan] = []
    report: list[dict[str, Any]] = []
    current: BookletPlan | None = None
    previous_mark: str | None = None  # the mark of the last non-blank page

    def note(kind: str, page: int | None, detail: str, booklet: int | None = None) -> None:
        report.append({"kind": kind, "page": page, "booklet": booklet, "detail": detail})

    for read in reads:
        where = f"Стр. {read.index} файла"
        if read.mark is None:
            if read.text:
                pages.append(PagePlan(read.index, PageStatus.FOREIGN, mark=read.text[:120]))
                note("foreign", read.index, f"{where}: чужая страница — QR-код не метка ВПР")
                previous_mark = None
            elif read.blank:
                pages.append(PagePlan(read.index, PageStatus.BLANK))
                note("blank", read.index, f"{where}: пустая страница")
            else:
                pages.append(PagePlan(read.index, PageStatus.UNREADABLE))
                note(
                    "unreadable",
                    read.index,
                    f"{where}: метка страницы не прочитана — посмотрите страницу и при "
                    "необходимости отсканируйте её заново",
                )
                previous_mark = None
            continue
        mark = read.mark
        text = read.text[:120]
        number = own.get(mark.uid)
        if number is None:
            why = foreign.get(mark.uid, "метка неизвестного комплекта")
            pages.append(PagePlan(read.index, PageStatus.FOREIGN, mark=text))
            note("foreign", read.index, f"{where}: чужая страница — {why}")
            previous_mark = None
            continue
        if number != mark.variant:
            pages.append(PagePlan(read.index, PageStatus.UNREADABLE, mark=text))
            note(
                "unreadable",
                read.index,
                f"{where}: метка повреждена (вариант {mark.variant} вместо {number}) — "
                "посмотрите страницу",
            )
            previous_mark = None
            continue
        if text == previous_mark and mark.pages > 1:
            pages.append(
                PagePlan(read.index, PageStatus.DUPLICATE, mark=text, page_number=mark.page)
            )
            note(
                "duplicate",
                read.index,
                f"{where}: повтор страницы {mark.page} (вариант {mark.variant}) — не учтена",
                current.seq if current else None,
            )
            continue
        previous_mark = text
        if (
            current is None
            or mark.page == 1
            or mark.uid != current.uid
            or mark.page <= current.pages[-1]
        ):
            current = BookletPlan(
                seq=len(booklets) + 1,
                uid=mark.uid,
                variant_number=mark.variant,
                pages_expected=mark.pages,
            )
            booklets.append(current)
        current.pages.append(mark.page)
        pages.append(
            PagePlan(
                read.index,
                PageStatus.IDENTIFIED,
                mark=text,
                page_number=mark.page,
                booklet_seq=current.seq,
            )
        )
    for booklet in booklets:
        missing = booklet.missing
        if missing:
            note(
                "missing",
                None,
                f"Работа {booklet.seq} (вариант {booklet.variant_number}): нет "
                f"{_pages_word(missing)} из {booklet.pages_expected}",
                booklet.seq,
            )
    return Plan(pages=pages, booklets=booklets, report=report)
