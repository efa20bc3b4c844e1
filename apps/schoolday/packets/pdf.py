"""The delivery packet of one room on one work day as one printable PDF (reportlab, A4, DejaVu
Sans through ``apps/core/pdf.py``). Pure: a ``PacketDoc`` in, bytes out; no ORM.

Pages, numbered «Страница N из M» across the packet:

1. the cover sheet «Доставочный пакет»: school, work, date (with the school's zone), room,
   organizer, observers and the contents checklist with counts;
2. the room's protocol in the materials' protocol layout (codes prefilled, ФИО filled in by
   hand in the school, the organizer named under the table);
3. the room's code sheet: the codes as cards to cut out (the materials' card layout);
4. the labels of the two return packets (ВДП №1: used kits and the filled protocol; ВДП №2:
   unused kits and drafts), cut along the dashed line.

Pupils are codes only: no name is printed anywhere. The layout has fixed heights, so the page
count is known without rendering (``protocol_pages``, ``code_sheet_pages``: the print planner
uses them). Built in reportlab's invariant mode: the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Table, TableStyle

from apps.core.pdf import FONT

# The materials' PDF building blocks: the same protocol table and code cards as the school's
# downloads, so a room's sheets look exactly like the whole school's.
from apps.materials.pdf import (
    CARD_H,
    CARDS_PER_ROW,
    MARGIN,
    PAGE_H,
    PAGE_W,
    PROTOCOL_HEAD_H,
    PROTOCOL_ROW_H,
    CodeEntry,
    WorkInfo,
    code_sections,
    direct_canvas,
    draw_code_cards,
    draw_footer,
    draw_protocol_table,
    para,
    paragraph_at,
)
from apps.schoolday.packets.constants import (
    DRAFT_SHEETS_PER_PARTICIPANT,
    RETURN_PACKETS_PER_ROOM,
)

COVER_PAGES = 1
LABEL_PAGES = 1
TOP = PAGE_H - MARGIN - 4 * mm
BOTTOM = MARGIN + 6 * mm
# Fixed block heights: the page count follows from the number of codes alone.
PROTOCOL_INTRO_H = 44 * mm
PROTOCOL_SIGNATURE_H = 24 * mm
CODE_SHEET_INTRO_H = 26 * mm
SCHOOL_NAME_MAX = 90  # a longer short name is cut, so the intro keeps its height

_PROTOCOL_FIRST_ROWS = int((TOP - PROTOCOL_INTRO_H - PROTOCOL_HEAD_H - BOTTOM) // PROTOCOL_ROW_H)
_PROTOCOL_OTHER_ROWS = int((TOP - PROTOCOL_HEAD_H - BOTTOM) // PROTOCOL_ROW_H)
_CARD_FIRST_ROWS = int((TOP - CODE_SHEET_INTRO_H - BOTTOM) // CARD_H)
_CARD_OTHER_ROWS = int((TOP - BOTTOM) // CARD_H)


@dataclass(frozen=True)
class PacketDoc:
    """Everything printed in one room's packet (adults by name, pupils by code only)."""

    work: WorkInfo
    school_code: str
    school_name: str
    held_on: dt.date
    zone_offset: str  # «МСК+2»: the school's clock
    room: str
    organizer: str  # empty while none is assigned
    observers: tuple[str, ...]
    codes: tuple[CodeEntry, ...]  # the room's codes, class by class
    kit_pages: int  # pages of one kit (the print planner's estimate)

    @property
    def participants(self) -> int:
        return len(self.codes)

    @property
    def day(self) -> str:
        return self.held_on.strftime("%d.%m.%Y")

    @property
    def school(self) -> str:
        name = self.school_name
        if len(name) > SCHOOL_NAME_MAX:
            name = name[: SCHOOL_NAME_MAX - 1] + "…"
        return f"{self.school_code} {name}"

    @property
    def footer(self) -> str:
        return f"ОО {self.school_code} · {self.room} · {self.day}"


# --- page counts (pure, used by the print planner) ----------------------------------------------


def _protocol_chunks(count: int) -> list[int]:
    """Rows per protocol page; the signature block may need a page of its own."""
    rows = max(count, 1)
    chunks = [min(rows, _PROTOCOL_FIRST_ROWS)]
    rows -= chunks[0]
    while rows > 0:
        chunks.append(min(rows, _PROTOCOL_OTHER_ROWS))
        rows -= chunks[-1]
    capacity = _PROTOCOL_FIRST_ROWS if len(chunks) == 1 else _PROTOCOL_OTHER_ROWS
    if (capacity - chunks[-1]) * PROTOCOL_ROW_H < PROTOCOL_SIGNATURE_H:
        chunks.append(0)
    return chunks


def protocol_pages(count: int) -> int:
    """Pages of a room's protocol with ``count`` codes."""
    return len(_protocol_chunks(count))


def _card_chunks(count: int) -> list[int]:
    first = _CARD_FIRST_ROWS * CARDS_PER_ROW
    other = _CARD_OTHER_ROWS * CARDS_PER_ROW
    chunks = [min(count, first)]
    rest = count - chunks[0]
    while rest > 0:
        chunks.append(min(rest, other))
        rest -= chunks[-1]
    return chunks


def code_sheet_pages(count: int) -> int:
    """Pages of a room's code sheet with ``count`` codes."""
    return len(_card_chunks(count))


def packet_pages(count: int) -> int:
    """Pages of a whole packet PDF with ``count`` codes."""
    return COVER_PAGES + protocol_pages(count) + code_sheet_pages(count) + LABEL_PAGES


# --- drawing ------------------------------------------------------------------------------------


class _Pages:
    """The canvas with the running page number of the packet."""

    def __init__(self, canvas: rl_canvas.Canvas, total: int, footer: str) -> None:
        self.canvas = canvas
        self.total = total
        self.footer = footer
        self.number = 0

    def finish(self) -> None:
        self.number += 1
        draw_footer(self.canvas, self.number, self.total, self.footer)
        self.canvas.showPage()


def _classes_line(doc: PacketDoc) -> str:
    sections = code_sections(doc.codes)
    parts = [
        f"{label} — {len(entries)}" if label else f"{doc.work.grade} класс — {len(entries)}"
        for label, entries in sections
        if entries
    ]
    return "; ".join(parts)


def _checklist(doc: PacketDoc) -> list[tuple[str, str]]:
    """(item, count) of the contents checklist (Saratov instruction, p. 7)."""
    n = doc.participants
    protocol = protocol_pages(n)
    codes = code_sheet_pages(n)
    return [
        (
            "Индивидуальные комплекты (ИК) по количеству участников в аудитории, "
            "вложенные в отдельный файл",
            f"ИК: {n} шт. (по {doc.kit_pages} стр.)",
        ),
        ("Протокол проведения (коды заполнены, ФИО вписываются от руки)", f"1 ({protocol} стр.)"),
        (
            "Комплект листов с кодами участников (разрезать по пунктиру)",
            f"{n} кодов ({codes} стр.)",
        ),
        (
            f"Черновики (не менее {DRAFT_SHEETS_PER_PARTICIPANT} листов на участника)",
            f"не менее {DRAFT_SHEETS_PER_PARTICIPANT * n} листов",
        ),
        (
            "Возвратные доставочные пакеты: ВДП №1 — использованные ИК и заполненный протокол; "
            "ВДП №2 — неиспользованные ИК и черновики",
            f"{RETURN_PACKETS_PER_ROOM} ВДП",
        ),
    ]


def _cover(pages: _Pages, doc: PacketDoc) -> None:
    canvas = pages.canvas
    y = paragraph_at(canvas, "Доставочный пакет", "title", TOP)
    y = paragraph_at(canvas, escape(doc.work.title), "h2", y)
    facts = [
        ("ОО", doc.school),
        ("Дата проведения", f"{doc.day} (часовой пояс ОО: {doc.zone_offset})"),
        ("Аудитория", doc.room),
        ("Организатор в аудитории", doc.organizer or "не назначен"),
        ("Общественные наблюдатели", ", ".join(doc.observers) or "не назначены"),
        ("Участников в аудитории", f"{doc.participants} ({_classes_line(doc)})"),
    ]
    y -= 2 * mm
    for label, value in facts:
        y = paragraph_at(canvas, f"<b>{escape(label)}:</b> {escape(value)}", "base", y - 1 * mm)
    y = paragraph_at(canvas, "Содержимое пакета", "h2", y - 4 * mm) - 2 * mm
    rows: list[list[object]] = [
        ["", para("Что вложено", "cellb"), para("Количество", "cellb")],
        *(
            ["", para(escape(item), "cell"), para(escape(count), "cell")]
            for item, count in _checklist(doc)
        ),
    ]
    width = PAGE_W - 2 * MARGIN
    table = Table(rows, colWidths=[10 * mm, width - 62 * mm, 52 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")),
                ("TOPPADDING", (0, 1), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 5),
            ]
        )
    )
    _w, height = table.wrapOn(canvas, width, PAGE_H)
    table.drawOn(canvas, MARGIN, y - height)
    # the tick boxes of the checklist
    canvas.setLineWidth(0.8)
    row_top = y
    for row_height in table._rowHeights:
        if row_top != y:
            canvas.rect(MARGIN + 2.5 * mm, row_top - row_height / 2 - 2.5 * mm, 5 * mm, 5 * mm)
        row_top -= row_height
    y -= height + 8 * mm
    for line in (
        "Пакет сформировал (технический специалист): ____________________ / ____________",
        "Пакет получил организатор в аудитории: ____________________ / "
        + (escape(doc.organizer) or "____________"),
        "Время получения: ______ ч ______ мин",
    ):
        y = paragraph_at(canvas, line, "base", y - 4 * mm)
    paragraph_at(
        canvas,
        "ФИО участников на портале не хранятся и в пакет не печатаются: соответствие кода и ФИО "
        "записывается от руки в протоколе проведения, который хранится в ОО.",
        "small",
        y - 8 * mm,
    )
    pages.finish()


def _protocol(pages: _Pages, doc: PacketDoc) -> None:
    canvas = pages.canvas
    rows = [
        (str(n), e.code, e.class_label or str(e.class_number or ""))
        for n, e in enumerate(doc.codes, start=1)
    ]
    start = 0
    chunks = _protocol_chunks(len(rows))
    for index, size in enumerate(chunks):
        y = TOP
        if index == 0:
            intro = [
                (escape(f"Протокол проведения. {doc.work.title}"), "title"),
                (escape(f"ОО: {doc.school}"), "base"),
                (escape(f"Дата проведения: {doc.day}; аудитория: {doc.room}"), "base"),
                (
                    escape(f"Организатор в аудитории: {doc.organizer or '________________'}"),
                    "base",
                ),
                (
                    "Протокол заполняется от руки во время работы и хранится в ОО. ФИО участников "
                    "на портал не передаются и в форму сбора результатов не вносятся.",
                    "small",
                ),
            ]
            for xml, style in intro:
                y = paragraph_at(canvas, xml, style, y)
            y = TOP - PROTOCOL_INTRO_H
        chunk = rows[start : start + size]
        start += size
        if chunk:
            y = draw_protocol_table(canvas, chunk, y)
        if index == len(chunks) - 1:
            canvas.setFont(FONT, 10.5)
            canvas.drawString(
                MARGIN,
                y - 10 * mm,
                f"Организатор в аудитории: ______________________ / {doc.organizer or '________'}",
            )
            canvas.drawString(
                MARGIN, y - 18 * mm, "Общественный наблюдатель: ______________________ / ________"
            )
        pages.finish()


def _code_sheet(pages: _Pages, doc: PacketDoc) -> None:
    canvas = pages.canvas
    width = (PAGE_W - 2 * MARGIN) / CARDS_PER_ROW
    start = 0
    for index, size in enumerate(_card_chunks(len(doc.codes))):
        y = TOP
        if index == 0:
            y = paragraph_at(canvas, escape(f"Коды участников: {doc.room}"), "title", y)
            y = paragraph_at(
                canvas, escape(f"{doc.work.title}. ОО {doc.school_code}. {doc.day}"), "base", y
            )
            paragraph_at(
                canvas,
                "Разрежьте лист по пунктирным линиям (✂) и выдайте каждому участнику в аудитории "
                "один код. Участник использует этот код во всех работах.",
                "small",
                y - 1 * mm,
            )
            y = TOP - CODE_SHEET_INTRO_H
        chunk = doc.codes[start : start + size]
        start += size
        draw_code_cards(canvas, doc.work.grade, chunk, y, width)
        pages.finish()


def _label(canvas: rl_canvas.Canvas, doc: PacketDoc, top: float, number: int) -> None:
    height = (TOP - BOTTOM) / 2 - 6 * mm
    canvas.setLineWidth(1.5)
    canvas.rect(MARGIN, top - height, PAGE_W - 2 * MARGIN, height)
    content, count_line = (
        ("Использованные ИК и заполненный протокол", "Использованных ИК: ______"),
        ("Неиспользованные ИК и черновики", "Неиспользованных ИК: ______; черновиков: ______"),
    )[number - 1]
    x = MARGIN + 6 * mm
    width = PAGE_W - 2 * MARGIN - 12 * mm
    y = top - 6 * mm
    lines = [
        (f"Возвратный доставочный пакет (ВДП) №{number}", "title"),
        (f"<b>Вложено:</b> {escape(content)}", "base"),
        (escape(doc.work.title), "base"),
        (escape(f"ОО: {doc.school}"), "base"),
        (escape(f"Дата проведения: {doc.day}; аудитория: {doc.room}"), "base"),
        (count_line, "base"),
        (
            "Организатор в аудитории: ____________________ / "
            + (escape(doc.organizer) or "____________"),
            "base",
        ),
        ("Пакет запечатан: ______ ч ______ мин; подпись: ____________", "base"),
    ]
    for xml, style in lines:
        block = para(xml, style)
        _w, h = block.wrapOn(canvas, width, PAGE_H)
        block.drawOn(canvas, x, y - h)
        y -= h + 2.5 * mm


def _labels(pages: _Pages, doc: PacketDoc) -> None:
    canvas = pages.canvas
    middle = (TOP + BOTTOM) / 2
    _label(canvas, doc, TOP, 1)
    canvas.setDash(3, 3)
    canvas.setLineWidth(0.7)
    canvas.line(MARGIN, middle, PAGE_W - MARGIN, middle)
    canvas.setDash()
    canvas.setFont(FONT, 8)
    canvas.drawString(MARGIN, middle + 1.5 * mm, "✂ разрезать; наклеить на возвратные пакеты")
    _label(canvas, doc, middle - 6 * mm, 2)
    pages.finish()


def packet_pdf(doc: PacketDoc) -> bytes:
    """The room's delivery packet (see the module docstring)."""
    canvas, buffer = direct_canvas(f"Доставочный пакет. {doc.work.title}. {doc.room}")
    pages = _Pages(canvas, packet_pages(doc.participants), doc.footer)
    _cover(pages, doc)
    _protocol(pages, doc)
    _code_sheet(pages, doc)
    _labels(pages, doc)
    canvas.save()
    return buffer.getvalue()


def packet_file_name(doc: PacketDoc) -> str:
    """«Доставочный пакет Русский язык 4 класс 15.04.2026 Кабинет 12 ОО 123456.pdf»."""
    return safe_file_name(
        f"Доставочный пакет {doc.work.subject} {doc.work.grade} класс {doc.day} "
        f"{doc.room} ОО {doc.school_code}.pdf"
    )


def safe_file_name(name: str) -> str:
    """A file name without path separators or control characters."""
    cleaned = "".join("_" if ch in '/\\:*?"<>|' or ord(ch) < 32 else ch for ch in name)
    return " ".join(cleaned.split())
