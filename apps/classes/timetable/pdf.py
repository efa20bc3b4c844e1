"""The school's printable plan-graph by class (reportlab, landscape A4, the embedded Cyrillic
font of ``apps/core/pdf.py``). Pure: data in, bytes out; no ORM.

Built in reportlab's invariant mode with fixed metadata, so the same data gives the same bytes.
The instants are shown on the school's clock; their column headers carry the zone label
(«(МСК+9, время ОО)»), as ``core.instants.format_clock`` requires.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from html import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from apps.core.pdf import FONT, register_fonts

PAGE = landscape(A4)
MARGIN = 12 * mm
AUTHOR = "ВПР-портал"
FILE_STEM = "План-график ВПР"
HEADERS = (
    "Класс",
    "Предмет",
    "Дата",
    "День недели",
    "Форма",
    "Архив материалов",
    "Пароль к архиву",
    "Критерии оценивания",
)
# Column widths (mm) of the landscape page's 273 mm text width.
WIDTHS_MM = (16, 50, 26, 26, 32, 40, 40, 40)


@dataclass(frozen=True)
class Row:
    """One class and work, every cell already formatted."""

    school_class: str
    subject: str
    date: str
    weekday: str
    form: str
    materials: str
    password: str
    criteria: str

    def cells(self) -> tuple[str, ...]:
        return (
            self.school_class,
            self.subject,
            self.date,
            self.weekday,
            self.form,
            self.materials,
            self.password,
            self.criteria,
        )


@dataclass(frozen=True)
class TimetableDoc:
    school: str
    campaign: str
    zone_note: str  # «Часовой пояс ОО: …»
    zone_suffix: str  # «(МСК+9, время ОО)» for the instant columns' headers
    rows: tuple[Row, ...]

    @property
    def title(self) -> str:
        campaign = f" ({self.campaign})" if self.campaign else ""
        return f"План-график проведения ВПР в {self.school}{campaign}"


def file_name(school: str, campaign: str) -> str:
    """«План-график ВПР_Школа №1_ВПР 2026, весна.pdf»: no characters a file system refuses."""
    parts = [FILE_STEM, school, campaign]
    stem = "_".join(p for p in parts if p)
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", stem)
    stem = re.sub(r"\s+", " ", stem).strip(" .")[:150]
    return f"{stem}.pdf"


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=11)
    return {
        "base": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=f"{FONT}-Bold", fontSize=14, leading=18, spaceAfter=4
        ),
        "note": ParagraphStyle("note", parent=base, fontSize=9.5, leading=12),
        "head": ParagraphStyle("head", parent=base, fontName=f"{FONT}-Bold", fontSize=8.5),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
    }


def timetable_pdf(doc: TimetableDoc) -> bytes:
    st = _styles()
    suffix = f" {doc.zone_suffix}" if doc.zone_suffix else ""
    header = [
        Paragraph(escape(h + (suffix if i >= 5 else "")), st["head"]) for i, h in enumerate(HEADERS)
    ]
    body = [[Paragraph(escape(c), st["cell"]) for c in row.cells()] for row in doc.rows]
    story: list[Flowable] = [
        Paragraph(escape(doc.title), st["title"]),
        Paragraph(escape(doc.zone_note), st["note"]),
        Spacer(1, 4 * mm),
    ]
    if body:
        table = Table([header, *body], colWidths=[w * mm for w in WIDTHS_MM], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    else:
        story.append(Paragraph("В реестре классов ОО нет работ по этой кампании.", st["note"]))
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=doc.title,
        author=AUTHOR,
        creator=AUTHOR,
        producer=AUTHOR,
        subject=doc.title,
        invariant=1,
    )
    template.build(story)
    return buffer.getvalue()
