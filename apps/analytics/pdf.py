"""PDF of a unit's «Статистика по отметкам» and «Выполнение заданий». Pure: data in, bytes out.

The Cyrillic font comes from the materials app's PDF building blocks (DejaVu Sans).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from apps.materials.pdf import register_fonts

COLOURS = {
    "sufficient": colors.HexColor("#d9f2d9"),
    "uncertain": colors.HexColor("#fff3c4"),
    "insufficient": colors.HexColor("#f8d0d0"),
}
PDF_FILE_NAME = "Ф3_Статистика по отметкам.pdf"


@dataclass(frozen=True)
class ReportPdf:
    """What the PDF shows: the heading lines and two tables (rows of plain values)."""

    heading: Sequence[str]
    marks_header: Sequence[str]
    marks_rows: Sequence[Sequence[Any]]
    tasks_header: Sequence[str]
    tasks_rows: Sequence[Sequence[Any]]
    tasks_levels: Sequence[Sequence[str]]  # per tasks row, the level of each unit cell
    notes: Sequence[str]


def _text(value: Any) -> str:
    return "—" if value is None else str(value).replace(".", ",")


def report_pdf(data: ReportPdf) -> bytes:
    font = register_fonts()
    title = ParagraphStyle("t", fontName=font, fontSize=13, leading=16)
    body = ParagraphStyle("b", fontName=font, fontSize=8, leading=10)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm
    )
    story: list[Any] = [Paragraph(data.heading[0], title)]
    story += [Paragraph(line, body) for line in data.heading[1:]]
    story.append(Spacer(1, 4 * mm))
    base = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 7),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dce6f1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    marks = [list(data.marks_header)] + [
        [Paragraph(str(r[0]), body), Paragraph(str(r[1]), body)] + [_text(v) for v in r[2:]]
        for r in data.marks_rows
    ]
    story.append(Paragraph("Статистика по отметкам", title))
    story.append(Table(marks, repeatRows=1, style=TableStyle(base)))
    story.append(Spacer(1, 6 * mm))
    story.append(Paragraph("Выполнение заданий (% от максимального балла)", title))
    tasks = [[Paragraph(str(h), body) for h in data.tasks_header]] + [
        [_text(v) for v in r] for r in data.tasks_rows
    ]
    style = list(base)
    first_unit_col = len(data.tasks_header) - len(data.tasks_levels[0]) if data.tasks_levels else 0
    for i, levels in enumerate(data.tasks_levels, start=1):
        for j, level in enumerate(levels):
            if level in COLOURS:
                col = first_unit_col + j
                style.append(("BACKGROUND", (col, i), (col, i), COLOURS[level]))
    story.append(Table(tasks, repeatRows=1, style=TableStyle(style)))
    story += [Paragraph(note, body) for note in data.notes]
    doc.build(story)
    return out.getvalue()
