"""PDF of the analytics reports. Pure: ``ExportReport``s in, bytes out.

One writer for every report (landscape A4): the header block, the chart (the histogram with the
scale's boundaries, or the marks of the compared units), each table section with threshold
colours, the notes. Tables wider than a page are split into column blocks that repeat their
key columns. The Cyrillic font (DejaVu Sans) comes from ``apps/core/pdf.py``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from apps.analytics.exports import ExportReport, HistogramChart, MarksChart, Section
from apps.core.pdf import register_fonts

# The page's colours (static/css/analytics.css): threshold levels and marks «2»..«5».
COLOURS = {
    "sufficient": colors.HexColor("#d9f2d9"),
    "uncertain": colors.HexColor("#fff3c4"),
    "insufficient": colors.HexColor("#f8d0d0"),
}
MARK_COLOURS = {
    2: colors.HexColor("#d9534f"),
    3: colors.HexColor("#f0ad4e"),
    4: colors.HexColor("#8cc269"),
    5: colors.HexColor("#3a8f3a"),
}
PAGE = landscape(A4)
MARGIN = 12 * mm
WIDTH = PAGE[0] - 2 * MARGIN
MAX_COLUMNS = 16  # a wider table is split into column blocks
FONT_SIZE = 7
CELL_PADDING = 4
COMBINED_STEM = "Отчёты"


def file_name(report: ExportReport) -> str:
    return f"{report.file_stem}.pdf"


def combined_file_name(report: ExportReport) -> str:
    """«Отчёты_Математика 4_МО Белоярский.pdf»."""
    from apps.analytics.exports import safe_file_name

    parts = [COMBINED_STEM, report.file_work or report.work_line, report.file_unit]
    return f"{safe_file_name('_'.join(p for p in parts if p))}.pdf"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return f"−{-value}"
    return str(value)


def report_pdf(reports: Sequence[ExportReport]) -> bytes:
    """One document with each report from a new page."""
    font = register_fonts()
    styles = {
        "title": ParagraphStyle("t", fontName=f"{font}-Bold", fontSize=13, leading=16),
        "caption": ParagraphStyle("c", fontName=f"{font}-Bold", fontSize=9, leading=12),
        "body": ParagraphStyle("b", fontName=font, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=FONT_SIZE, leading=8.5),
        "head": ParagraphStyle("h", fontName=f"{font}-Bold", fontSize=FONT_SIZE, leading=8.5),
    }
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=reports[0].title if len(reports) == 1 else COMBINED_STEM,
        author="ВПР-портал",
    )
    story: list[Any] = []
    for i, report in enumerate(reports):
        if i:
            story.append(PageBreak())
        story += _report_story(report, font, styles)
    doc.build(story)
    return out.getvalue()


def _report_story(report: ExportReport, font: str, styles: dict[str, Any]) -> list[Any]:
    story: list[Any] = [
        Paragraph(f"{report.file_stem.replace('_', '. ', 1)}", styles["title"]),
        Paragraph(f"{report.work_line}. {_escape(report.unit_line)}", styles["body"]),
        Paragraph(
            f"Максимальный первичный балл: {report.max_score}. "
            f"Дата формирования: {report.generated_on:%d.%m.%Y}",
            styles["body"],
        ),
        Spacer(1, 3 * mm),
    ]
    if isinstance(report.chart, HistogramChart):
        story += [_histogram(report.chart, font), Spacer(1, 3 * mm)]
    elif isinstance(report.chart, MarksChart) and report.chart.rows:
        story += [_marks_chart(report.chart, font), Spacer(1, 3 * mm)]
    for section in report.sections:
        story += _section(section, font, styles)
    story += [Paragraph(_escape(note), styles["body"]) for note in report.notes]
    return story


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(section: Section, font: str, styles: dict[str, Any]) -> list[Any]:
    width = max((len(r) for r in [*section.header, *section.rows]), default=0)
    if not width:
        return []
    keys = min(section.key_columns, width)
    per_block = max(MAX_COLUMNS - keys, 1)
    blocks = [
        list(range(keys)) + list(range(start, min(start + per_block, width)))
        for start in range(keys, width, per_block)
    ] or [list(range(width))]
    story: list[Any] = []
    for n, cols in enumerate(blocks):
        caption = section.caption
        if len(blocks) > 1:
            caption = f"{caption} (часть {n + 1} из {len(blocks)})".strip()
        table = _table(section, cols, font, styles)
        head: list[Any] = [CondPageBreak(25 * mm)]
        if caption:
            head.append(Paragraph(_escape(caption), styles["caption"]))
        story += [KeepTogether([*head, Spacer(1, 1 * mm)]), table, Spacer(1, 4 * mm)]
    return story


def _cell(row: Sequence[Any], j: int) -> Any:
    return row[j] if j < len(row) else None


def _table(section: Section, cols: list[int], font: str, styles: dict[str, Any]) -> Table:
    headers = [[_cell(h, j) for j in cols] for h in section.header]
    body = [[_cell(r, j) for j in cols] for r in section.rows]
    numeric = [
        all(isinstance(r[k], int | float) or r[k] is None for r in body) for k in range(len(cols))
    ]
    pad = 2 * CELL_PADDING + 2
    widths, floors = [], []
    for k in range(len(cols)):
        texts = [_text(r[k]) for r in body]
        longest = max((stringWidth(t, font, FONT_SIZE) for t in texts), default=0)
        words = [w for t in texts for w in t.split()]
        heads = [w for h in headers for w in _text(h[k]).split()]
        word = max(
            [stringWidth(w, font, FONT_SIZE) for w in words]
            + [stringWidth(w, f"{font}-Bold", FONT_SIZE) for w in heads]
            + [6 * mm],
        )
        floors.append(word + pad)
        widths.append(min(max(longest, word) + pad, 75 * mm))
    total = sum(widths)
    if total > WIDTH:
        # Shrink the columns that can wrap, towards their longest word, all by the same share.
        slack = sum(w - f for w, f in zip(widths, floors, strict=True))
        if slack > 0:
            cut = min(1.0, (total - WIDTH) / slack)
            widths = [w - (w - f) * cut for w, f in zip(widths, floors, strict=True)]
    data: list[list[Any]] = [
        [Paragraph(_escape(_text(v)), styles["head"]) for v in h] for h in headers
    ]
    data += [
        [
            _text(v) if numeric[k] else Paragraph(_escape(_text(v)), styles["cell"])
            for k, v in enumerate(row)
        ]
        for row in body
    ]
    top = len(headers)
    style: list[Any] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), FONT_SIZE),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("BACKGROUND", (0, 0), (-1, top - 1), colors.HexColor("#dce6f1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    for k, num in enumerate(numeric):
        if num:
            style.append(("ALIGN", (k, top), (k, -1), "RIGHT"))
    for i in range(len(body)):
        levels = section.levels[i] if i < len(section.levels) else ()
        for k, j in enumerate(cols):
            level = levels[j] if j < len(levels) else ""
            if level in COLOURS:
                style.append(("BACKGROUND", (k, top + i), (k, top + i), COLOURS[level]))
    return Table(data, colWidths=widths, repeatRows=top, style=TableStyle(style), hAlign="LEFT")


def _histogram(chart: HistogramChart, font: str) -> Drawing:
    """Bars of the % of participants per primary score, coloured by mark; the scale's
    boundaries as dashed lines labelled with the mark they open."""
    left, bottom, tall = 34.0, 26.0, 130.0
    count = max(len(chart.bars), 1)
    step = min(40.0, (WIDTH - left - 10) / count)
    drawing = Drawing(left + step * count + 10, bottom + tall + 26)
    top = max((b[2] for b in chart.bars), default=0.0) or 1.0
    for k in range(5):
        y = bottom + tall * k / 4
        drawing.add(Line(left, y, left + step * count, y, strokeColor=colors.HexColor("#e3e8ee")))
        label = f"{top * k / 4:.0f}"
        drawing.add(String(left - 4, y - 2.5, label, fontName=font, fontSize=7, textAnchor="end"))
    drawing.add(
        String(2, bottom + tall + 14, "% участников", fontName=font, fontSize=7, textAnchor="start")
    )
    every = max(1, round(count / 40))
    for score, number, share, mark in chart.bars:
        x = left + step * score
        height = tall * share / top
        drawing.add(
            Rect(
                x + 1,
                bottom,
                max(step - 2, 0.5),
                height,
                fillColor=MARK_COLOURS.get(mark, colors.grey),
                strokeColor=None,
            )
        )
        if number and step >= 9:
            drawing.add(
                String(
                    x + step / 2,
                    bottom + height + 2,
                    str(number),
                    fontName=font,
                    fontSize=6,
                    textAnchor="middle",
                )
            )
        if score % every == 0:
            drawing.add(
                String(
                    x + step / 2,
                    bottom - 10,
                    str(score),
                    fontName=font,
                    fontSize=7,
                    textAnchor="middle",
                )
            )
    drawing.add(
        String(
            left + step * count,
            bottom - 21,
            "первичный балл",
            fontName=font,
            fontSize=7,
            textAnchor="end",
        )
    )
    for mark, score in chart.boundaries:
        x = left + step * score
        drawing.add(
            Line(x, bottom, x, bottom + tall + 8, strokeColor=colors.black, strokeDashArray=[3, 2])
        )
        drawing.add(
            String(x + 2, bottom + tall + 2, f"«{mark}»", fontName=f"{font}-Bold", fontSize=8)
        )
    return drawing


def _marks_chart(chart: MarksChart, font: str) -> Drawing:
    """A stacked bar of the marks «2»..«5» (% of participants) per compared unit."""
    label_w, bar_w, row_h = 230.0, WIDTH - 240.0, 16.0
    height = row_h * len(chart.rows) + 18
    drawing = Drawing(WIDTH, height)
    for i, (label, percents) in enumerate(chart.rows):
        y = height - 18 - row_h * (i + 1) + 3
        short = label if len(label) <= 55 else label[:54] + "…"
        drawing.add(String(0, y + 3, short, fontName=font, fontSize=7))
        x = label_w
        for mark, value in zip((2, 3, 4, 5), percents, strict=True):
            if not value:
                continue
            w = bar_w * value / 100.0
            drawing.add(
                Rect(x, y, w, row_h - 5, fillColor=MARK_COLOURS[mark], strokeColor=colors.white)
            )
            if w > 22:
                drawing.add(
                    String(
                        x + w / 2,
                        y + 3,
                        _text(value),
                        fontName=font,
                        fontSize=6.5,
                        textAnchor="middle",
                        fillColor=colors.white if mark != 3 else colors.black,
                    )
                )
            x += w
    x = label_w
    for mark in (2, 3, 4, 5):
        drawing.add(Rect(x, height - 10, 8, 8, fillColor=MARK_COLOURS[mark], strokeColor=None))
        drawing.add(String(x + 11, height - 9, f"«{mark}», %", fontName=font, fontSize=7))
        x += 60
    return drawing
