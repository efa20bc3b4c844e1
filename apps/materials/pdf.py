"""Print-ready PDFs of the materials (reportlab, A4, an embedded Cyrillic TTF). Pure: data in,
bytes out; no ORM.

Every document is built with reportlab's *invariant* mode and fixed metadata, so the same
inputs give byte-identical files (no creation date, a fixed document ID).

The font is DejaVu Sans, found and registered by ``apps/core/pdf.py``.
"""

from __future__ import annotations

import io
import math
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from apps.core.pdf import FONT, FONT_FILES
from apps.core.pdf import register_fonts as _register_fonts
from apps.materials import markup, pagemark, qrmask

PAGE_W, PAGE_H = A4
MARGIN = 15 * mm
HEADER_H = 27 * mm
CODE_BOX_LABEL = "Код участника"
EMPTY_ROW_H = 8 * mm
CODE_DIGITS = 5
AUTHOR = "ВПР-портал"


# --- font subsets, once per process ----------------------------------------------------------
# Every PDF embeds, per face, the subset of DejaVu it uses (reportlab's ``makeSubset``: ~40 KB of
# TrueType, Flate-compressed into the file): ~13 subsets a kit, ~20 % of rendering its PDFs. A
# subset is the list of characters in their order of first use in the document, so documents
# with the same text (headings, instructions, bank texts, the codes' digits in one order) embed
# the same subset. Both the subset and its Flate stream are pure functions of (font file,
# characters): they are kept per process, most recently used first, and a repeated subset costs
# a dictionary look-up. The PDF bytes are the same (zlib is deterministic; test_pdf_speed.py).
FONT_SUBSET_CACHE_SIZE = 256  # ~60 KB an entry (the subset and its Flate stream): ~15 MB
_SubsetEntry = list[Any]  # [subset bytes, its Flate stream or None until first needed]
_subsets: OrderedDict[tuple[str, tuple[int, ...]], _SubsetEntry] = OrderedDict()
_subsets_lock = threading.Lock()


def font_subsets_clear() -> None:
    """Forget the remembered font subsets (tests, bench/materials_build.py)."""
    with _subsets_lock:
        _subsets.clear()


def _subset_get(face: Any, subset: Sequence[int]) -> _SubsetEntry | None:
    """The remembered subset of ``face``, or None."""
    with _subsets_lock:
        key = (str(face.filename), tuple(subset))
        entry = _subsets.get(key)
        if entry is not None:
            _subsets.move_to_end(key)
        return entry


def _subset_entry(face: Any, make: Callable[[Any], bytes], subset: Sequence[int]) -> _SubsetEntry:
    """The remembered subset, made (reportlab's ``makeSubset``) and remembered if new."""
    entry = _subset_get(face, subset)
    if entry is not None:
        return entry
    entry = [make(subset), None]
    with _subsets_lock:
        _subsets[(str(face.filename), tuple(subset))] = entry
        while len(_subsets) > FONT_SUBSET_CACHE_SIZE:
            _subsets.popitem(last=False)
    return entry


class _SubsetFlate:
    """reportlab's FlateDecode filter (``pdfdoc.PDFZCompress``: ``zlib.compress`` at the default
    level) for one remembered subset: compressed on first use, then reused."""

    pdfname = "FlateDecode"

    def __init__(self, entry: _SubsetEntry) -> None:
        self.entry = entry

    def encode(self, content: bytes) -> bytes:
        if content is not self.entry[0]:  # not the remembered subset: plain Flate
            return zlib.compress(content)
        if self.entry[1] is None:
            self.entry[1] = zlib.compress(content)
        compressed: bytes = self.entry[1]
        return compressed

    def decode(self, encoded: bytes) -> bytes:
        return zlib.decompress(encoded)


def _remember_subsets(face: Any) -> None:
    """Route a TrueType face's subsets through the per-process cache (instance attributes
    over reportlab's methods ``makeSubset`` and ``addSubsetObjects``, which calls it)."""
    if getattr(face, "_vpr_subsets", False):
        return
    make, add = face.makeSubset, face.addSubsetObjects

    def make_subset(subset: Sequence[int]) -> bytes:
        content: bytes = _subset_entry(face, make, subset)[0]
        return content

    def add_subset_objects(doc: Any, fontname: str, subset: Sequence[int]) -> Any:
        ref = add(doc, fontname, subset)
        stream = doc.idToObject.get(f"fontFile:{face.filename}({fontname})")
        if stream is not None and stream.filters == [pdfdoc.PDFZCompress]:
            entry = _subset_get(face, subset)  # None when the cache is too small to keep it
            if entry is not None and stream.content is entry[0]:
                stream.filters = [_SubsetFlate(entry)]
        return ref

    face.makeSubset = make_subset
    face.addSubsetObjects = add_subset_objects
    face._vpr_subsets = True


@lru_cache(maxsize=1)
def register_fonts() -> str:
    """The fonts (``apps.core.pdf.register_fonts``), their subsets remembered per process."""
    name = _register_fonts()
    for font in FONT_FILES:
        _remember_subsets(pdfmetrics.getFont(font).face)
    return name


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=10.5, leading=14)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11),
        "title": ParagraphStyle(
            "title", parent=base, fontName=f"{FONT}-Bold", fontSize=14, leading=18, spaceAfter=4
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=f"{FONT}-Bold", fontSize=12, leading=16, spaceBefore=6
        ),
        "task": ParagraphStyle(
            "task", parent=base, fontName=f"{FONT}-Bold", spaceBefore=8, spaceAfter=2
        ),
        "item": ParagraphStyle("item", parent=base, leftIndent=16, bulletIndent=2),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=12),
        "crit": ParagraphStyle("crit", parent=base, leftIndent=12, bulletIndent=14),
        "cellb": ParagraphStyle(
            "cellb", parent=base, fontName=f"{FONT}-Bold", fontSize=9.5, leading=12
        ),
        "code": ParagraphStyle(
            "code",
            parent=base,
            fontName=f"{FONT}-Bold",
            fontSize=20,
            leading=24,
            alignment=TA_CENTER,
        ),
        "center": ParagraphStyle(
            "center", parent=base, fontSize=8, leading=10, alignment=TA_CENTER
        ),
    }


# --- inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkInfo:
    """What every document says about the work."""

    year: int
    subject: str
    grade: int
    duration_minutes: int
    encrypted: bool
    # The session word («весна» / «осень»): two sessions of one year must not print alike.
    session: str = ""

    @property
    def title(self) -> str:
        return self.title_for("")

    def title_for(self, class_label: str) -> str:
        """«ВПР 2026. Русский язык. 4 класс», or with a class «… Класс 4А»."""
        year = f"{self.year}, {self.session}" if self.session else str(self.year)
        # a no-break space: a wrapped title keeps «Класс 4А» on one line
        who = f"Класс\u00a0{class_label}" if class_label else f"{self.grade} класс"
        return f"ВПР {year}. {self.subject}. {who}"


@dataclass(frozen=True)
class TaskSpec:
    label: str
    max_score: int
    text: str  # markup
    answer: str  # markup
    # (file name, bytes) of the images the text and answer refer to as [img:…]
    images: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True)
class VariantDoc:
    work: WorkInfo
    number: int
    uid: str
    tasks: tuple[TaskSpec, ...]


@dataclass(frozen=True)
class CodeEntry:
    code: str
    class_number: int | None
    reserve: bool
    class_label: str = ""  # «4А» for a school with a class register


# --- building blocks -------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _parsed(text: str) -> tuple[markup.Block, ...]:
    return markup.parse(text)


@lru_cache(maxsize=32768)
def _frags(xml: str, style: str) -> tuple[ParagraphStyle, Any]:
    """reportlab's parse of a paragraph, once per process: bank texts recur in every kit."""
    first = Paragraph(xml, _styles()[style])
    return first.style, first.frags


class _Paragraph(Paragraph):  # type: ignore[misc]  # reportlab has no types
    """reportlab's Paragraph, its line breaking done once per width: platypus wraps a paragraph
    in a KeepTogether twice at the same width (to measure the group, then to place it), and
    ``wrap`` depends on the width alone (the height is only returned). A split part is a new
    paragraph and breaks its own lines."""

    _wrapped_width: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if availWidth == self._wrapped_width and "blPara" in self.__dict__:
            return self.width, self.height
        width, height = super().wrap(availWidth, availHeight)
        self._wrapped_width = availWidth
        return width, height


def para(xml: str, style: str = "base", bullet: str | None = None) -> Paragraph:
    """A Paragraph built from cached fragments (reportlab does not mutate them)."""
    st, frags = _frags(xml, style)
    return _Paragraph(xml, st, bulletText=bullet, frags=frags)


MAX_IMAGE_W = PAGE_W - 2 * MARGIN
MAX_IMAGE_H = 90 * mm


@lru_cache(maxsize=256)
def _image_size(content: bytes) -> tuple[float, float]:
    """The drawn size of an image: its pixels at 96 dpi, shrunk to fit the text frame."""
    width, height = ImageReader(io.BytesIO(content)).getSize()
    w, h = width * 72 / 96, height * 72 / 96
    scale = min(1.0, MAX_IMAGE_W / w, MAX_IMAGE_H / h)
    return w * scale, h * scale


def image_flowable(name: str, images: Mapping[str, bytes]) -> Flowable:
    """An image of the bank drawn at its size; a missing one is an error, never a blank."""
    content = images.get(name)
    if content is None:
        raise markup.MarkupError(0, f"нет изображения «{name}».")
    w, h = _image_size(content)
    flowable = Image(io.BytesIO(content), width=w, height=h)
    flowable.hAlign = "LEFT"
    return flowable


def markup_flowables(
    text: str, style: str = "base", images: Mapping[str, bytes] | None = None
) -> list[Flowable]:
    """Flowables of a markup text (parsed once per process and text, and so are its
    paragraphs: ``para``)."""
    out: list[Flowable] = []
    for block in _parsed(text):
        if isinstance(block, markup.ImageRef):
            out.append(image_flowable(block.name, images or {}))
        elif isinstance(block, markup.Paragraph):
            out.append(para("<br/>".join(markup.inline_xml(ln) for ln in block.lines), style))
        elif isinstance(block, markup.NumberedList):
            out.extend(
                para(markup.inline_xml(line), "item", f"{n}.")
                for n, line in enumerate(block.items, start=1)
            )
        else:
            rows = [
                [
                    para(markup.inline_xml(cell), "cellb" if block.header and r == 0 else "cell")
                    for cell in row
                ]
                for r, row in enumerate(block.rows)
            ]
            # Empty rows are for the participant to write in: give them a writable height.
            heights = [
                EMPTY_ROW_H
                if all(not "".join(r[0] for r in cell).strip() for cell in row)
                else None
                for row in block.rows
            ]
            table = Table(rows, hAlign="LEFT", rowHeights=heights)
            commands: list[Any] = [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
            if block.header:
                commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")))
            table.setStyle(TableStyle(commands))
            out.append(Spacer(1, 2))
            out.append(table)
            out.append(Spacer(1, 2))
    return out


PageHook = Callable[[rl_canvas.Canvas, int, int], None]


def _numbered_canvas(footer_left: str, on_total: PageHook | None = None) -> type[rl_canvas.Canvas]:
    """A canvas that writes «Страница N из M» on every page once M is known, and calls
    ``on_total(canvas, N, M)`` there (the page mark of a variant needs M too)."""

    class NumberedCanvas(rl_canvas.Canvas):  # type: ignore[misc]  # reportlab has no types
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's API
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(FONT, 8.5)
                self.drawCentredString(
                    PAGE_W / 2, 9 * mm, f"Страница {self._pageNumber} из {total}"
                )
                if footer_left:
                    self.drawString(MARGIN, 9 * mm, footer_left)
                if on_total is not None:
                    on_total(self, self._pageNumber, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def _build(
    story: list[Flowable],
    *,
    title: str,
    header: Callable[[rl_canvas.Canvas, Any], None] | None = None,
    footer_left: str = "",
    top: float = MARGIN + 4 * mm,
    on_total: PageHook | None = None,
) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=top,
        bottomMargin=MARGIN + 3 * mm,
        title=title,
        author=AUTHOR,
        creator=AUTHOR,
        producer=AUTHOR,
        subject=title,
        invariant=1,
    )

    def on_page(canvas: rl_canvas.Canvas, document: Any) -> None:
        if header is not None:
            canvas.saveState()
            header(canvas, document)
            canvas.restoreState()

    doc.build(
        story,
        onFirstPage=on_page,
        onLaterPages=on_page,
        canvasmaker=_numbered_canvas(footer_left, on_total),
    )
    return buffer.getvalue()


def draw_code_box(canvas: rl_canvas.Canvas, *, right: float, top: float) -> None:
    """The «Код участника» label over five empty cells, right-aligned at (right, top)."""
    cell = 8 * mm
    left = right - CODE_DIGITS * cell
    canvas.setFont(f"{FONT}-Bold", 9)
    canvas.drawString(left, top - 3.5 * mm, CODE_BOX_LABEL)
    canvas.setLineWidth(1)
    for i in range(CODE_DIGITS):
        canvas.rect(left + i * cell, top - 5 * mm - cell, cell, cell)


# --- the page mark (docs/objectivity/page-marks.md) ------------------------------------------
# Where the header of a variant page puts things, in points from the page's top-left corner.
HEADER_TOP = 10 * mm
CODE_BOX_CELL = 8 * mm
CODE_BOX_LEFT = PAGE_W - MARGIN - CODE_DIGITS * CODE_BOX_CELL
# The QR symbol (its modules; the quiet zone around it is the blank header) beside the code box.
QR_SIZE = 18 * mm
QR_GAP = 3 * mm
QR_LEFT = CODE_BOX_LEFT - QR_GAP - QR_SIZE
QR_TOP = HEADER_TOP
QR_LEVEL = "M"  # 15 % of the symbol may be lost (a pen stroke, a fold) and still be read
HEADER_RULE = HEADER_TOP + 20 * mm  # the line under the header, 2 mm (~3 modules) under the QR

# Fractions of the page (left, top, right, bottom), from the top-left corner: the code box with
# its label and a margin (what a person reads the participant code from), and the QR symbol
# (what a scan is registered by).
CODE_BOX_FRACTIONS = (
    (CODE_BOX_LEFT - 2 * mm) / PAGE_W,
    (HEADER_TOP - 1 * mm) / PAGE_H,
    (PAGE_W - MARGIN + 2 * mm) / PAGE_W,
    (HEADER_TOP + 5 * mm + CODE_BOX_CELL + 2 * mm) / PAGE_H,
)
QR_BOX_FRACTIONS = (
    QR_LEFT / PAGE_W,
    QR_TOP / PAGE_H,
    (QR_LEFT + QR_SIZE) / PAGE_W,
    (QR_TOP + QR_SIZE) / PAGE_H,
)


@lru_cache(maxsize=4096)
def _qr_runs(text: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """The QR of ``text`` (reportlab's encoder, level ``QR_LEVEL``): its module count and the
    dark runs of each row as (row, first column, length)."""
    widget = QrCodeWidget(text, barLevel=QR_LEVEL, barBorder=0)
    qrmask.make(widget.qr)  # reportlab's make(), its mask search ~10x faster (same modules)
    runs: list[tuple[int, int, int]] = []
    for r, row in enumerate(widget.qr.modules):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                runs.append((r, start, c - start))
            else:
                c += 1
    return widget.qr.getModuleCount(), tuple(runs)


def draw_page_mark(canvas: rl_canvas.Canvas, mark: pagemark.PageMark) -> None:
    """The QR of ``mark`` at its place in the header: one filled path of the dark runs of each
    row (~150 rectangles in one path, not a drawing object per module)."""
    count, runs = _qr_runs(pagemark.encode(mark))
    module = QR_SIZE / count
    left, top = QR_LEFT, PAGE_H - QR_TOP
    path = canvas.beginPath()
    for row, col, length in runs:
        path.rect(left + col * module, top - (row + 1) * module, length * module, module)
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _variant_header(doc: VariantDoc) -> Callable[[rl_canvas.Canvas, Any], None]:
    def header(canvas: rl_canvas.Canvas, _document: Any) -> None:
        top = PAGE_H - HEADER_TOP
        # A long title («…Иностранный язык (английский язык). 11 класс») is set smaller rather
        # than run under the page mark.
        room = QR_LEFT - 2 * mm - MARGIN
        width = max(1.0, pdfmetrics.stringWidth(doc.work.title, f"{FONT}-Bold", 10))
        canvas.setFont(f"{FONT}-Bold", max(7.0, min(10.0, 10 * room / width)))
        canvas.drawString(MARGIN, top - 3.5 * mm, doc.work.title)
        canvas.setFont(f"{FONT}-Bold", 15)
        canvas.drawString(MARGIN, top - 10 * mm, f"Вариант {doc.number}")
        canvas.setFont(FONT, 8.5)
        canvas.drawString(MARGIN, top - 15 * mm, f"Идентификатор варианта: {doc.uid}")
        draw_code_box(canvas, right=PAGE_W - MARGIN, top=top)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, PAGE_H - HEADER_RULE, PAGE_W - MARGIN, PAGE_H - HEADER_RULE)

    return header


def _variant_mark(doc: VariantDoc) -> PageHook:
    def mark(canvas: rl_canvas.Canvas, page: int, pages: int) -> None:
        draw_page_mark(canvas, pagemark.PageMark(doc.uid, doc.number, page, pages))

    return mark


@dataclass(frozen=True)
class TaskRegion:
    """Where (part of) a task block lands: ``page`` (1-based) and its vertical extent as fractions
    of the page height from the top (``top < bottom``), from the task's heading to the bottom of
    its answer field."""

    page: int
    top: float
    bottom: float


class _Probe(Flowable):  # type: ignore[misc]  # reportlab has no types
    """A zero-size flowable that records where it is drawn: (label, edge, page, y from the
    bottom in points). It draws nothing, so the PDF is the same with or without a listener."""

    def __init__(self, sink: list[tuple[str, str, int, float]] | None, label: str, edge: str):
        super().__init__()
        self.sink, self.label, self.edge = sink, label, edge

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def drawOn(self, canvas: rl_canvas.Canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802, N803
        if self.sink is not None:
            self.sink.append((self.label, self.edge, canvas.getPageNumber(), y))

    def draw(self) -> None:
        pass


class AnswerField(Flowable):  # type: ignore[misc]  # reportlab has no types
    """«Ответ:» and a box of ``lines`` lines (drawn directly: no table layout per task)."""

    LINE_H = 9 * mm
    LABEL_W = 18 * mm

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.lines = lines

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.lines * self.LINE_H

    def draw(self) -> None:
        canvas = self.canv
        height = self.lines * self.LINE_H
        canvas.setFont(f"{FONT}-Bold", 9.5)
        canvas.drawString(2, height - self.LINE_H / 2 - 3, "Ответ:")
        canvas.setLineWidth(0.8)
        canvas.rect(self.LABEL_W, 0, self.width - self.LABEL_W, height)
        canvas.setLineWidth(0.4)
        canvas.setStrokeColor(colors.grey)
        for i in range(1, self.lines):
            canvas.line(self.LABEL_W, i * self.LINE_H, self.width, i * self.LINE_H)


def _answer_field(lines: int) -> Flowable:
    return AnswerField(lines)


def variant_pdf(doc: VariantDoc) -> bytes:
    """One variant: the header with the work, variant number, identifier, the page mark (QR) and
    the code box on every page; «Страница N из M»; each task with an answer field."""
    return _variant_render(doc, None)


@lru_cache(maxsize=64)
def variant_task_regions(doc: VariantDoc) -> dict[str, list[TaskRegion]]:
    """Where each task of the variant lands in its PDF, by task (form column) label: one region,
    or one per page when a task is split over pages. Found by rendering the same story as
    ``variant_pdf`` with zero-size probes listening, so it always matches the printed pages."""
    sink: list[tuple[str, str, int, float]] = []
    _variant_render(doc, sink)
    frame_top = PAGE_H - (HEADER_TOP + HEADER_H) - 6  # the frame's top padding is 6 pt
    frame_bottom = MARGIN + 3 * mm + 6
    starts: dict[str, tuple[int, float]] = {}
    regions: dict[str, list[TaskRegion]] = {}
    for label, edge, page, y in sink:
        if edge == "start":
            starts[label] = (page, y)
            continue
        first_page, first_y = starts[label]
        parts = regions.setdefault(label, [])
        for p in range(first_page, page + 1):
            high = first_y if p == first_page else frame_top
            low = y if p == page else frame_bottom
            parts.append(
                TaskRegion(p, round((PAGE_H - high) / PAGE_H, 4), round((PAGE_H - low) / PAGE_H, 4))
            )
    return regions


def _variant_render(doc: VariantDoc, sink: list[tuple[str, str, int, float]] | None) -> bytes:
    # Every paragraph through the per-process cache of parsed fragments (para): the same
    # heading, task and bank texts recur in every variant of every kit.
    story: list[Flowable] = [
        para(
            f"Всероссийская проверочная работа. {doc.work.subject}. {doc.work.grade} класс",
            "title",
        ),
        para(
            f"На выполнение работы отводится {doc.work.duration_minutes} минут. Работа содержит "
            f"{len(doc.tasks)} заданий. Ответы записывайте в поля «Ответ». Перепишите свой код "
            f"участника в поле «{CODE_BOX_LABEL}» на каждой странице.",
            "base",
        ),
    ]
    for task in doc.tasks:
        points = "балл" if task.max_score == 1 else "балла" if task.max_score < 5 else "баллов"
        block: list[Flowable] = [
            _Probe(sink, task.label, "start"),
            para(f"Задание {task.label} <font size=8.5>({task.max_score} {points})</font>", "task"),
        ]
        block += markup_flowables(task.text, images=dict(task.images))
        block.append(Spacer(1, 3))
        block.append(_answer_field(1 if task.max_score <= 1 else 2))
        block.append(_Probe(sink, task.label, "end"))
        story.append(KeepTogether(block))
    return _build(
        story,
        title=f"{doc.work.title}. Вариант {doc.number}",
        header=_variant_header(doc),
        footer_left=f"Вариант {doc.number} · {doc.uid}",
        top=HEADER_TOP + HEADER_H,
        on_total=_variant_mark(doc),
    )


def criteria_pdf(work: WorkInfo, variants: Sequence[VariantDoc], school_code: str) -> bytes:
    """Answers and scoring criteria of every variant of a kit."""
    st = _styles()
    story: list[Flowable] = [
        Paragraph(f"Критерии оценивания. {work.title}", st["title"]),
        Paragraph(
            f"ОО: {school_code}. Документ для экспертов; участникам не выдаётся.", st["small"]
        ),
    ]
    # A plain list rather than a table: the same content at a fraction of the layout cost.
    for variant in variants:
        story.append(Paragraph(f"Вариант {variant.number} (идентификатор {variant.uid})", st["h2"]))
        for t in variant.tasks:
            story.append(
                para(f"Задание {escape(t.label)} · максимальный балл {t.max_score}", "task")
            )
            story += markup_flowables(t.answer, "crit", images=dict(t.images))
    return _build(story, title=f"Критерии оценивания. {work.title}", footer_left=work.title)


def instruction_pdf(work: WorkInfo) -> bytes:
    """The school's instruction for holding the work (same for every school of the work)."""
    st = _styles()
    release = (
        "Архив зашифрован. Пароль появится в личном кабинете ОО в день проведения работы в 07:30 "
        "по местному времени. Форма сбора результатов размещается вместе с архивом, критерии "
        "оценивания — после 14:00 по московскому времени в день проведения."
        if work.encrypted
        else "Архив не зашифрован. Критерии оценивания и форма сбора результатов размещаются в "
        "личном кабинете ОО в первый день периода проведения работы."
    )
    steps = [
        "Скачайте архив с материалами заранее, до дня проведения работы. " + release,
        "Распечатайте варианты на всех участников (варианты 1, 2, … раздаются поочерёдно), "
        "бумажный протокол и лист с кодами участников.",
        "Разрежьте лист с кодами по пунктирным линиям. Выдайте каждому участнику один код "
        "(произвольно из имеющихся). Участник получает один и тот же код на все работы.",
        "Во время работы заполните бумажный протокол: соответствие кода и ФИО участника. "
        "Протокол хранится в ОО и никуда не передаётся.",
        f"Каждый участник переписывает код в поле «{CODE_BOX_LABEL}» на каждой странице. "
        f"Продолжительность работы — {work.duration_minutes} минут.",
        "По окончании соберите все комплекты, проверьте ответы по критериям и внесите в форму "
        "сбора результатов коды, номера вариантов и баллы. ФИО в форму не вносятся.",
        "Загрузите форму сбора результатов в личном кабинете в срок, указанный в плане-графике.",
    ]
    story: list[Flowable] = [
        Paragraph(f"Инструкция по проведению. {work.title}", st["title"]),
        Spacer(1, 4),
    ]
    story += [Paragraph(s, st["item"], bulletText=f"{n}.") for n, s in enumerate(steps, start=1)]
    story += [
        Spacer(1, 8),
        Paragraph(
            "Целостность архива подтверждает файл manifest.json с подписью manifest.sig "
            "(Ed25519). Проверить подпись можно в личном кабинете: раздел «Материалы».",
            st["small"],
        ),
    ]
    return _build(story, title=f"Инструкция. {work.title}", footer_left=work.title)


def _class_label(grade: int, entry: CodeEntry) -> str:
    label = f"{grade} класс"
    if entry.class_label:
        label = f"класс {entry.class_label}"
    elif entry.class_number:
        label += f" (класс № {entry.class_number})"
    if entry.reserve:
        label += ", резерв"
    return label


def direct_canvas(title: str) -> tuple[rl_canvas.Canvas, io.BytesIO]:
    """A bare canvas for documents drawn directly (no layout engine: several times faster)."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = rl_canvas.Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor(AUTHOR)
    canvas.setCreator(AUTHOR)
    canvas.setProducer(AUTHOR)
    canvas.setSubject(title)
    return canvas, buffer


def draw_footer(canvas: rl_canvas.Canvas, page: int, pages: int, left: str) -> None:
    """The page footer: «Страница N из M» centred, ``left`` at the left margin."""
    canvas.setFont(FONT, 8.5)
    canvas.drawCentredString(PAGE_W / 2, 9 * mm, f"Страница {page} из {pages}")
    canvas.drawString(MARGIN, 9 * mm, left)


def paragraph_at(canvas: rl_canvas.Canvas, xml: str, style: str, y: float) -> float:
    """Draw a wrapped paragraph with its top at ``y``; returns the y below it."""
    block = para(xml, style)
    h: float
    _w, h = block.wrapOn(canvas, PAGE_W - 2 * MARGIN, PAGE_H)
    block.drawOn(canvas, MARGIN, y - h)
    return y - h


CARD_H = 24 * mm
CARDS_PER_ROW = 4


def code_sections(codes: Sequence[CodeEntry]) -> list[tuple[str, list[CodeEntry]]]:
    """The codes by class («4А»), in their order, when they carry class labels (a school with a
    class register); otherwise one section without a label."""
    if not any(e.class_label for e in codes):
        return [("", list(codes))]
    out: list[tuple[str, list[CodeEntry]]] = []
    for entry in codes:
        if not out or out[-1][0] != entry.class_label:
            out.append((entry.class_label, []))
        out[-1][1].append(entry)
    return out


def code_sheet_pdf(
    *, year: int, grade: int, school_code: str, codes: Sequence[CodeEntry], session: str = ""
) -> bytes:
    """The participant codes of a grade as cards to cut along the dashed lines; with a class
    register, each class on its own page(s) titled with its label («4А»)."""
    when = f"{year}, {session}" if session else str(year)
    title = f"Коды участников ВПР {when}. {grade} класс. ОО {school_code}"
    canvas, buffer = direct_canvas(title)
    top = PAGE_H - MARGIN - 4 * mm
    bottom = MARGIN + 6 * mm
    first_rows = int((top - 22 * mm - bottom) // CARD_H)
    other_rows = int((top - bottom) // CARD_H)
    width = (PAGE_W - 2 * MARGIN) / CARDS_PER_ROW

    def pages_of(count: int) -> int:
        rows = math.ceil(count / CARDS_PER_ROW)
        return 1 if rows <= first_rows else 1 + math.ceil((rows - first_rows) / other_rows)

    sections = code_sections(codes)
    total = sum(pages_of(len(entries)) for _label, entries in sections)
    page_no = 0
    for label, entries in sections:
        heading = f"Коды участников ВПР {when}. Класс {label}. ОО {school_code}" if label else title
        footer = f"ОО {school_code}, класс {label}" if label else f"ОО {school_code}"
        index = 0
        for page in range(1, pages_of(len(entries)) + 1):
            page_no += 1
            y = top
            if page == 1:
                y = paragraph_at(canvas, escape(heading), "title", y)
                y = paragraph_at(
                    canvas,
                    "Разрежьте лист по пунктирным линиям (✂) и выдайте каждому участнику один "
                    "код. Участник использует этот код во всех работах. Резервные коды — для "
                    "участников, не учтённых в заявке.",
                    "small",
                    y - 1 * mm,
                )
                y = top - 22 * mm
                if not entries:
                    paragraph_at(
                        canvas, "Коды участников ещё не выданы: заявка ОО не подана.", "base", y
                    )
            capacity = (first_rows if page == 1 else other_rows) * CARDS_PER_ROW
            chunk = entries[index : index + capacity]
            index += len(chunk)
            draw_code_cards(canvas, grade, chunk, y, width)
            draw_footer(canvas, page_no, total, footer)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def draw_code_cards(
    canvas: rl_canvas.Canvas, grade: int, chunk: Sequence[CodeEntry], y: float, width: float
) -> None:
    """One page of cut-out code cards (``CARDS_PER_ROW`` per row) with their top at ``y``."""
    canvas.setDash(3, 3)
    canvas.setLineWidth(0.7)
    for n, entry in enumerate(chunk):
        row, col = divmod(n, CARDS_PER_ROW)
        x = MARGIN + col * width
        cell_top = y - row * CARD_H
        # Cut lines: the top and left of every card, the right and bottom of the last ones.
        canvas.line(x, cell_top, x + width, cell_top)
        canvas.line(x, cell_top, x, cell_top - CARD_H)
        if col == CARDS_PER_ROW - 1 or n == len(chunk) - 1:
            canvas.line(x + width, cell_top, x + width, cell_top - CARD_H)
        if n + CARDS_PER_ROW >= len(chunk):
            canvas.line(x, cell_top - CARD_H, x + width, cell_top - CARD_H)
        centre = x + width / 2
        canvas.setFont(FONT, 8)
        canvas.drawCentredString(centre, cell_top - 6 * mm, CODE_BOX_LABEL)
        canvas.setFont(f"{FONT}-Bold", 20)
        canvas.drawCentredString(centre, cell_top - 14 * mm, entry.code)
        canvas.setFont(FONT, 8)
        canvas.drawCentredString(centre, cell_top - 19.5 * mm, _class_label(grade, entry))
    canvas.setDash()


EMPTY_PROTOCOL_ROWS = 25
PROTOCOL_HEADERS = (
    "№",
    "Код участника",
    "ФИО участника",
    "Класс",
    "Вариант",
    "Отметка об отсутствии",
)
PROTOCOL_WIDTHS = (10 * mm, 25 * mm, 71 * mm, 16 * mm, 22 * mm, 36 * mm)
PROTOCOL_ROW_H = 8 * mm
PROTOCOL_HEAD_H: float = 11 * mm


def _protocol_header(canvas: rl_canvas.Canvas, y: float) -> float:
    canvas.setFillColor(colors.HexColor("#E8E8E8"))
    canvas.rect(MARGIN, y - PROTOCOL_HEAD_H, sum(PROTOCOL_WIDTHS), PROTOCOL_HEAD_H, fill=1)
    canvas.setFillColor(colors.black)
    x = MARGIN
    canvas.setFont(f"{FONT}-Bold", 9)
    for label, width in zip(PROTOCOL_HEADERS, PROTOCOL_WIDTHS, strict=True):
        canvas.rect(x, y - PROTOCOL_HEAD_H, width, PROTOCOL_HEAD_H)
        words = (
            label.split(" ", 1)
            if pdfmetrics.stringWidth(label, f"{FONT}-Bold", 9) > width - 4
            else [label]
        )
        for i, line in enumerate(words):
            canvas.drawString(x + 2, y - 4.5 * mm - i * 3.6 * mm, line)
        x += width
    return y - PROTOCOL_HEAD_H


def _protocol_rows(entries: Sequence[CodeEntry]) -> list[tuple[str, str, str]]:
    rows = [
        (str(n), e.code, e.class_label or str(e.class_number or ""))
        for n, e in enumerate(entries, start=1)
    ]
    if not rows:  # no codes issued yet: still a template, with empty rows to fill by hand
        rows = [(str(n), "", "") for n in range(1, EMPTY_PROTOCOL_ROWS + 1)]
    return rows


def protocol_pdf(
    *, work: WorkInfo, school_code: str, school_name: str, codes: Sequence[CodeEntry]
) -> bytes:
    """The paper protocol: codes prefilled, ФИО left empty (filled by hand, kept in the school);
    with a class register, one protocol per class on its own page(s), titled with its label."""
    title = f"Протокол проведения. {work.title}"
    canvas, buffer = direct_canvas(title)
    top = PAGE_H - MARGIN - 4 * mm
    bottom = MARGIN + 6 * mm
    signature = 14 * mm
    other = int((top - PROTOCOL_HEAD_H - bottom) // PROTOCOL_ROW_H)

    def intro_of(heading: str) -> list[tuple[str, str, float]]:
        """The paragraphs above the table: (markup, style, gap before)."""
        return [
            (escape(heading), "title", 0),
            (escape(f"ОО: {school_code} {school_name}"), "base", 0),
            ("Дата проведения: ____________  Аудитория: ________", "base", 0),
            (
                "Протокол заполняется от руки во время работы и хранится в ОО. ФИО участников "
                "на портал не передаются и в форму сбора результатов не вносятся.",
                "small",
                1 * mm,
            ),
        ]

    def intro_height(paragraphs: list[tuple[str, str, float]]) -> float:
        """At least 30 mm; more when a long title (a long subject name) wraps."""
        height: float = sum(
            gap + para(xml, style).wrap(PAGE_W - 2 * MARGIN, PAGE_H)[1]
            for xml, style, gap in paragraphs
        )
        least: float = 30 * mm
        needed: float = height + 2 * mm
        return max(least, needed)

    def pages_of(count: int, first: int) -> int:
        pages = 1 if count <= first else 1 + math.ceil((count - first) / other)
        # The signature line goes under the table; it may need a page of its own.
        last_rows = count - (first if pages > 1 else 0) - max(0, pages - 2) * other
        room = (first if pages == 1 else other) - last_rows
        return pages + 1 if room * PROTOCOL_ROW_H < signature else pages

    sections = []
    for label, entries in code_sections(codes):
        heading = f"Протокол проведения. {work.title_for(label)}" if label else title
        paragraphs = intro_of(heading)
        intro = intro_height(paragraphs)
        first = int((top - intro - PROTOCOL_HEAD_H - bottom) // PROTOCOL_ROW_H)
        rows = _protocol_rows(entries)
        sections.append((label, rows, paragraphs, intro, first, pages_of(len(rows), first)))
    total = sum(section[-1] for section in sections)
    page_no = 0
    for label, rows, paragraphs, intro, first, pages in sections:
        footer = f"ОО {school_code}, класс {label}" if label else f"ОО {school_code}"
        index = 0
        for page in range(1, pages + 1):
            page_no += 1
            y = top
            if page == 1:
                for xml, style, gap in paragraphs:
                    y = paragraph_at(canvas, xml, style, y - gap)
                y = top - intro
            capacity = first if page == 1 else other
            chunk = rows[index : index + capacity]
            index += len(chunk)
            if chunk:
                y = draw_protocol_table(canvas, chunk, y)
            if page == pages:
                canvas.setFont(FONT, 10.5)
                canvas.drawString(
                    MARGIN,
                    y - 10 * mm,
                    "Организатор в аудитории: ______________________ / ______________",
                )
            draw_footer(canvas, page_no, total, footer)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def draw_protocol_table(
    canvas: rl_canvas.Canvas, chunk: Sequence[tuple[str, str, str]], y: float
) -> float:
    """The header and rows of one page of the protocol; returns the y under the table."""
    y = _protocol_header(canvas, y)
    # The grid as whole lines (far fewer drawing operations than a box per cell).
    lows: list[float] = [y - i * PROTOCOL_ROW_H for i in range(len(chunk) + 1)]
    canvas.setLineWidth(0.5)
    for level in lows:
        canvas.line(MARGIN, level, MARGIN + sum(PROTOCOL_WIDTHS), level)
    x = MARGIN
    for width in (0, *PROTOCOL_WIDTHS):
        x += width
        canvas.line(x, lows[0], x, lows[-1])
    text = canvas.beginText()
    text.setFont(FONT, 10)
    for i, (number, code, class_label) in enumerate(chunk):
        base = lows[i] - 5.5 * mm
        for value, offset in ((number, 0), (code, 1), (class_label, 3)):
            if value:
                left = MARGIN + sum(PROTOCOL_WIDTHS[:offset]) + 2
                text.setTextOrigin(left, base)
                text.textOut(value)
    canvas.drawText(text)
    return lows[-1]
