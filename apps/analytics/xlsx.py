"""xlsx of the analytics reports, named like ФИС ОКО. Pure: an ``ExportReport`` in, bytes out.

One writer for every report: the header block (title, «ВПР <YYYY> <Предмет> <N> класс», the
unit, the maximum primary score, the date), then each table section with its threshold fills,
then the notes. Text goes through ``set_text`` (never a formula); numbers stay numbers.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from apps.analytics.exports import ExportReport
from apps.core.xlsx import HEADER_FILL, HEADER_FONT, set_text

# The page's threshold colours (static/css/analytics.css).
FILLS = {
    "sufficient": PatternFill("solid", fgColor="D9F2D9"),
    "uncertain": PatternFill("solid", fgColor="FFF3C4"),
    "insufficient": PatternFill("solid", fgColor="F8D0D0"),
}
FIRST_TABLE_ROW = 7


def file_name(report: ExportReport) -> str:
    return f"{report.file_stem}.xlsx"


def report_workbook(report: ExportReport) -> bytes:
    """«РУ 4 Статистика по отметкам»: a header block, the sections, the notes (no formulas)."""
    wb = Workbook()
    ws = wb.active
    if ws is None:  # pragma: no cover - a new Workbook always has one sheet
        ws = wb.create_sheet()
    ws.title = report.sheet_title
    set_text(ws, 1, 1, report.title)
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    set_text(ws, 2, 1, report.work_line)
    set_text(ws, 3, 1, report.unit_line)
    set_text(ws, 4, 1, f"Максимальный первичный балл: {report.max_score}")
    set_text(ws, 5, 1, f"Дата формирования: {report.generated_on:%d.%m.%Y}")
    widths: dict[int, int] = {}
    row_no = FIRST_TABLE_ROW
    wrap = Alignment(wrap_text=True, vertical="top")
    for section in report.sections:
        if section.caption:
            set_text(ws, row_no, 1, section.caption)
            ws.cell(row=row_no, column=1).font = Font(bold=True)
            row_no += 1
        for header in section.header:
            for col, value in enumerate(header, start=1):
                set_text(ws, row_no, col, value)
                cell = ws.cell(row=row_no, column=col)
                cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, wrap
                widths[col] = max(widths.get(col, 8), min(len(str(value or "")), 18))
            row_no += 1
        for i, values in enumerate(section.rows):
            levels = section.levels[i] if i < len(section.levels) else ()
            for col, value in enumerate(values, start=1):
                set_text(ws, row_no, col, value)
                cell = ws.cell(row=row_no, column=col)
                if isinstance(value, float):
                    cell.number_format = "0.0"
                level = levels[col - 1] if col - 1 < len(levels) else ""
                if level in FILLS:
                    cell.fill = FILLS[level]
                widths[col] = max(widths.get(col, 8), min(len(str(value or "")) + 2, 60))
            row_no += 1
        row_no += 1
    for note in report.notes:
        set_text(ws, row_no, 1, note)
        row_no += 1
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
