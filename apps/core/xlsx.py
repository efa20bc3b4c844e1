"""xlsx building blocks. Every exported text cell is written as text, never as a formula."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
HEADER_FONT = Font(bold=True)


def set_text(ws: Worksheet, row: int, col: int, value: Any) -> None:
    """Write a cell so that Excel shows it and never evaluates it (no '=...' formulas)."""
    cell = ws.cell(row=row, column=col)
    if value is None:
        return
    if isinstance(value, bool | int | float | datetime):
        cell.value = value
        return
    cell.value = str(value)
    cell.data_type = "s"


def table_workbook(
    *,
    sheet_title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    title: str | None = None,
    widths: Sequence[int] | None = None,
) -> bytes:
    """One sheet with an optional title line, a header row and data rows; returns xlsx bytes."""
    wb = Workbook()
    ws = wb.active
    if ws is None:  # pragma: no cover - a new Workbook always has one sheet
        ws = wb.create_sheet()
    ws.title = sheet_title[:31]
    row_no = 1
    if title:
        set_text(ws, 1, 1, title)
        ws.cell(row=1, column=1).font = Font(bold=True, size=13)
        row_no = 3
    for col, header in enumerate(headers, start=1):
        set_text(ws, row_no, col, header)
        cell = ws.cell(row=row_no, column=col)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(row=row_no + 1, column=1)
    for values in rows:
        row_no += 1
        for col, value in enumerate(values, start=1):
            set_text(ws, row_no, col, value)
    for col, width in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
