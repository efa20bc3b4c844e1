"""The results slips for families as one printable PDF (reportlab, A4, DejaVu from
``apps/core/pdf.py``). Pure: dataclasses in, bytes out; no ORM.

A cover sheet for the school (what the file holds per class, the absent codes, how to fill in
the names), then for each class its slips, one per participant code who wrote the work: two to
a page with a cut line when they fit, else one. Each slip has an empty line where the school
writes the pupil's name by hand from its paper protocol: the portal never has the name.

Built in reportlab's invariant mode with fixed metadata: the same inputs give the same bytes.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from apps.core.pdf import FONT, register_fonts

PAGE_W, PAGE_H = A4
MARGIN = 14 * mm
FOOTER_H = 12 * mm
GAP = 10 * mm  # between two slips of a page (the cut line runs through it)
AUTHOR = "ВПР-портал"
FILE_STEM = "Результаты для родителей"
NAME_LINE = "Фамилия, имя обучающегося:"
X_NOTE = "«X» — участник не приступал к заданию (0 баллов)."
PERCENT_NOTE = (
    "«В классе, %» и «В регионе, %» — средний процент выполнения задания участниками класса и "
    "региона (от максимального балла за задание)."
)


# --- inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """A task column of the work: its label («2К1») and maximum score."""

    label: str
    max_score: int


@dataclass(frozen=True)
class Slip:
    """One participant's result: scores per task in form order (None: «X»), primary score and
    mark, as the school's individual results (Ф1) show them."""

    code: str
    scores: tuple[int | None, ...]
    primary_score: int
    mark: int


@dataclass(frozen=True)
class ClassBlock:
    """A class's slips, the codes absent from the work (no slip) and the class's completion
    of each task in percent (empty before the results release)."""

    label: str
    slips: tuple[Slip, ...]
    absent: tuple[str, ...] = ()
    percents: tuple[float | None, ...] = ()


@dataclass(frozen=True)
class SlipsDoc:
    """Everything the file says. ``released``: the class's and region's percentages are shown;
    otherwise their cells read ``pending`` («будет доступно после …»)."""

    school: str
    campaign: str  # «ВПР 2026, весна»
    subject: str
    grade: int
    max_score: int
    tasks: tuple[Task, ...]
    classes: tuple[ClassBlock, ...]
    region_percents: tuple[float | None, ...] = ()
    released: bool = False
    pending: str = ""  # «будет доступно после 06.06.2026 00:00 (МСК+2, время ОО)»

    @property
    def work_line(self) -> str:
        """«ВПР 2026, весна. Русский язык. 4 класс»."""
        return f"{self.campaign}. {self.subject}. {self.grade} класс"

    @property
    def slips(self) -> int:
        return sum(len(c.slips) for c in self.classes)


def _bare(label: str) -> str:
    """A class label after the word «Класс»: «4А», or «№ 2» for a class with no register
    label (the reports' «класс № 2»)."""
    return label.removeprefix("класс ").strip()


def file_name(doc: SlipsDoc, class_label: str = "") -> str:
    """«Результаты для родителей_Русский язык 4 класс_ВПР 2026, весна[_4А].pdf»: Russian, with
    no character a file system refuses."""
    parts = [FILE_STEM, f"{doc.subject} {doc.grade} класс", doc.campaign, class_label]
    stem = "_".join(p for p in parts if p)
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", stem)
    stem = re.sub(r"\s+", " ", stem).strip(" .")[:150]
    return f"{stem}.pdf"


def percent_text(value: float | None) -> str:
    """«83,3» (one decimal, a comma), «—» without data."""
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


# --- drawing ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=9.5, leading=12)
    bold = f"{FONT}-Bold"
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
        "pending": ParagraphStyle("pending", parent=base, fontSize=8.5, leading=10.5, alignment=1),
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=11, leading=14),
        "cover": ParagraphStyle("cover", parent=base, fontName=bold, fontSize=14, leading=18),
        "big": ParagraphStyle("big", parent=base, fontName=bold, fontSize=11.5, leading=15),
    }


def _p(xml: str, style: str = "base") -> Paragraph:
    return Paragraph(xml, _styles()[style])


WIDTH = PAGE_W - 2 * MARGIN
_COLS = (0.16, 0.17, 0.17, 0.25, 0.25)  # task, score, maximum, class %, region %


def _table(doc: SlipsDoc, block: ClassBlock, slip: Slip) -> Table:
    header = [
        _p("<b>Задание</b>", "cell"),
        _p("<b>Балл</b>", "cell"),
        _p("<b>Максимум</b>", "cell"),
        _p("<b>В классе, %</b>", "cell"),
        _p("<b>В регионе, %</b>", "cell"),
    ]
    rows: list[list[Any]] = [header]
    for j, task in enumerate(doc.tasks):
        score = slip.scores[j] if j < len(slip.scores) else None
        row: list[Any] = [task.label, "X" if score is None else str(score), str(task.max_score)]
        if doc.released:
            ours = block.percents[j] if j < len(block.percents) else None
            region = doc.region_percents[j] if j < len(doc.region_percents) else None
            row += [percent_text(ours), percent_text(region)]
        else:
            row += ["", ""]
        rows.append(row)
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 8.5),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
        ("ALIGN", (1, 1), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
    ]
    if not doc.released and doc.tasks:
        # One merged cell over both percentage columns of every task row says when they come.
        rows[1][3] = _p(escape(doc.pending), "pending")
        style.append(("SPAN", (3, 1), (4, len(rows) - 1)))
    table = Table(rows, colWidths=[WIDTH * w for w in _COLS], repeatRows=0)
    table.setStyle(TableStyle(style))
    return table


def _slip_parts(doc: SlipsDoc, block: ClassBlock, slip: Slip) -> list[Any]:
    school = f" · {escape(doc.school)}" if doc.school else ""
    return [
        _p("Результаты всероссийской проверочной работы", "title"),
        _p(f"{escape(doc.work_line)}{school}", "small"),
        _p(
            f"Код участника: <b>{escape(slip.code)}</b>&nbsp;&nbsp;&nbsp;&nbsp;"
            f"Класс: <b>{escape(_bare(block.label))}</b>",
            "big",
        ),
        _p(f"{NAME_LINE} {'_' * 58}"),
        _table(doc, block, slip),
        _p(
            f"Первичный балл: <b>{slip.primary_score}</b> из {doc.max_score}"
            f"&nbsp;&nbsp;&nbsp;&nbsp;Отметка: <b>«{slip.mark}»</b>",
            "big",
        ),
        _p(f"{X_NOTE} {PERCENT_NOTE}", "small"),
    ]


_SPACE = 2.2 * mm  # between the parts of a slip


def _height(parts: list[Any], canvas: rl_canvas.Canvas) -> float:
    total = 0.0
    for part in parts:
        _w, h = part.wrapOn(canvas, WIDTH, PAGE_H)
        total += h + _SPACE
    return total


def _draw(parts: list[Any], canvas: rl_canvas.Canvas, top: float) -> None:
    y = top
    for part in parts:
        _w, h = part.wrapOn(canvas, WIDTH, PAGE_H)
        part.drawOn(canvas, MARGIN, y - h)
        y -= h + _SPACE


def _cut_line(canvas: rl_canvas.Canvas, y: float) -> None:
    canvas.saveState()
    canvas.setDash(3, 3)
    canvas.setStrokeColor(colors.grey)
    canvas.line(MARGIN / 2, y, PAGE_W - MARGIN / 2, y)
    canvas.setFont(FONT, 7)
    canvas.setFillColor(colors.grey)
    canvas.drawRightString(PAGE_W - MARGIN, y + 1.2 * mm, "линия отреза")
    canvas.restoreState()


def _cover(doc: SlipsDoc, canvas: rl_canvas.Canvas) -> None:
    lines: list[Any] = [
        _p("Бланки результатов ВПР для родителей (законных представителей)", "cover"),
        _p(f"{escape(doc.work_line)}" + (f" · {escape(doc.school)}" if doc.school else "")),
        _p(f"Бланков в файле: <b>{doc.slips}</b> (по одному на участника, выполнявшего работу)."),
    ]
    for block in doc.classes:
        absent = ", ".join(block.absent) if block.absent else "нет"
        lines.append(
            _p(
                f"Класс <b>{escape(_bare(block.label))}</b>: бланков {len(block.slips)}; "
                f"отсутствовали (бланк не печатается): {escape(absent)}."
            )
        )
    lines += [
        _p(
            "Перед выдачей впишите в каждый бланк фамилию и имя обучающегося, сверив код "
            "участника с бумажным протоколом ОО. Соответствие кодов и ФИО хранится только в ОО: "
            "портал ФИО не получает и не хранит."
        ),
        _p(
            "Проценты выполнения заданий в классе и в регионе указаны."
            if doc.released
            else f"Проценты выполнения заданий в классе и в регионе {escape(doc.pending)}: "
            "до этого в бланках они не печатаются."
        ),
        _p("Этот лист остаётся в ОО.", "small"),
    ]
    _draw(lines, canvas, PAGE_H - MARGIN)


def _footer(canvas: rl_canvas.Canvas, page: int, pages: int, left: str) -> None:
    canvas.setFont(FONT, 7.5)
    canvas.drawCentredString(PAGE_W / 2, 7 * mm, f"Страница {page} из {pages}")
    canvas.drawString(MARGIN, 7 * mm, left)


def slips_pdf(doc: SlipsDoc) -> bytes:
    """The cover sheet, then every class's slips (a class starts on a new page)."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = rl_canvas.Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    title = f"{FILE_STEM}. {doc.work_line}"
    for setter in (canvas.setTitle, canvas.setSubject):
        setter(title)
    for setter in (canvas.setAuthor, canvas.setCreator, canvas.setProducer):
        setter(AUTHOR)
    # Two slips to a page, cut at the middle (A5 halves), when one fits in half a page.
    half = PAGE_H / 2 - GAP / 2 - MARGIN - FOOTER_H
    pages: list[list[list[Any]]] = []  # each page: its slips' parts
    for block in doc.classes:
        page: list[list[Any]] = []
        for slip in block.slips:
            parts = _slip_parts(doc, block, slip)
            if page and (len(page) == 2 or _height(page[0], canvas) > half):
                pages.append(page)
                page = []
            page.append(parts)
        if page:
            pages.append(page)
    total = 1 + len(pages)
    _cover(doc, canvas)
    _footer(canvas, 1, total, doc.work_line)
    canvas.showPage()
    for number, page in enumerate(pages, start=2):
        _draw(page[0], canvas, PAGE_H - MARGIN)
        if len(page) == 2:
            _cut_line(canvas, PAGE_H / 2)
            _draw(page[1], canvas, PAGE_H / 2 - GAP / 2)
        _footer(canvas, number, total, doc.work_line)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
