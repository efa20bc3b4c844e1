"""The grouping of an upload's pages into booklets, and the report (pure, no images)."""

from __future__ import annotations

from apps.materials.pagemark import PageMark, encode
from apps.objectivity.scans.grouping import PageRead, PageStatus, plan_batch

OWN = {"AAAAA-11111": 1, "BBBBB-22222": 2}
FOREIGN = {"CCCCC-33333": "комплект другой ОО"}


def _mark(uid: str, variant: int, page: int, pages: int = 3) -> PageRead:
    mark = PageMark(uid=uid, variant=variant, page=page, pages=pages)
    return PageRead(0, mark, encode(mark), False)


def _reads(*items: PageRead) -> list[PageRead]:
    return [PageRead(i, r.mark, r.text, r.blank) for i, r in enumerate(items, start=1)]


def test_pages_group_into_booklets_in_upload_order() -> None:
    # given two complete copies of variant 1 back to back, then a copy of variant 2 without p. 2
    reads = _reads(
        *(_mark("AAAAA-11111", 1, p) for p in (1, 2, 3)),
        *(_mark("AAAAA-11111", 1, p) for p in (1, 2, 3)),
        _mark("BBBBB-22222", 2, 1),
        _mark("BBBBB-22222", 2, 3),
    )
    # when the pages are planned
    plan = plan_batch(reads, own=OWN, foreign=FOREIGN)
    # then three booklets: a new one at page 1 and at the change of variant
    assert [(b.seq, b.variant_number, b.pages, b.missing) for b in plan.booklets] == [
        (1, 1, [1, 2, 3], []),
        (2, 1, [1, 2, 3], []),
        (3, 2, [1, 3], [2]),
    ]
    assert [p.booklet_seq for p in plan.pages] == [1, 1, 1, 2, 2, 2, 3, 3]
    # and the report names the missing page
    assert plan.report == [
        {
            "kind": "missing",
            "page": None,
            "booklet": 3,
            "detail": "Работа 3 (вариант 2): нет страницы 2 из 3",
        }
    ]


def test_a_page_number_that_does_not_increase_starts_a_new_booklet() -> None:
    # given page 3 then page 2 of the same variant (the first copy lacks page 1... of the second)
    reads = _reads(
        _mark("AAAAA-11111", 1, 1), _mark("AAAAA-11111", 1, 3), _mark("AAAAA-11111", 1, 2)
    )
    plan = plan_batch(reads, own=OWN, foreign=FOREIGN)
    # then two booklets, each missing pages
    assert [(b.pages, b.missing) for b in plan.booklets] == [([1, 3], [2]), ([2], [1, 3])]
    assert plan.report[-1]["detail"] == "Работа 2 (вариант 1): нет страниц 1, 3 из 3"


def test_each_kind_of_problem_page_is_reported_with_its_file_page() -> None:
    # given a blank side, a page of another school's kit, another QR, an unreadable page and a
    # page fed twice
    other = PageMark(uid="CCCCC-33333", variant=1, page=1, pages=3)
    unknown = PageMark(uid="ZZZZZ-99999", variant=1, page=1, pages=3)
    reads = _reads(
        _mark("AAAAA-11111", 1, 1),
        PageRead(0, None, "", True),
        _mark("AAAAA-11111", 1, 2),
        _mark("AAAAA-11111", 1, 2),
        _mark("AAAAA-11111", 1, 3),
        PageRead(0, other, encode(other), False),
        PageRead(0, None, "https://example.org/form", False),
        PageRead(0, None, "", False),
        PageRead(0, unknown, encode(unknown), False),
    )
    plan = plan_batch(reads, own=OWN, foreign=FOREIGN)
    # then every page has its status
    assert [p.status for p in plan.pages] == [
        PageStatus.IDENTIFIED,
        PageStatus.BLANK,
        PageStatus.IDENTIFIED,
        PageStatus.DUPLICATE,
        PageStatus.IDENTIFIED,
        PageStatus.FOREIGN,
        PageStatus.FOREIGN,
        PageStatus.UNREADABLE,
        PageStatus.FOREIGN,
    ]
    # and one complete booklet (the duplicate is not counted twice)
    assert [(b.pages, b.missing) for b in plan.booklets] == [([1, 2, 3], [])]
    details = [r["detail"] for r in plan.report]
    assert details == [
        "Стр. 2 файла: пустая страница",
        "Стр. 4 файла: повтор страницы 2 (вариант 1) — не учтена",
        "Стр. 6 файла: чужая страница — комплект другой ОО",
        "Стр. 7 файла: чужая страница — QR-код не метка ВПР",
        "Стр. 8 файла: метка страницы не прочитана — посмотрите страницу и при необходимости "
        "отсканируйте её заново",
        "Стр. 9 файла: чужая страница — метка неизвестного комплекта",
    ]
    assert plan.count(PageStatus.FOREIGN) == 3


def test_one_page_variants_are_never_duplicates() -> None:
    # given a one-page variant: every copy is «page 1 of 1»
    reads = _reads(*(_mark("AAAAA-11111", 1, 1, pages=1) for _ in range(3)))
    plan = plan_batch(reads, own=OWN, foreign=FOREIGN)
    # then three booklets, nothing reported
    assert len(plan.booklets) == 3
    assert plan.report == []
