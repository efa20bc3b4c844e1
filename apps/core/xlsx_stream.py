"""Streaming xlsx output for large exports: rows are written as they come, never as formulas."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from apps.core.xlsx import HEADER_FILL, HEADER_FONT


def _text_cell(ws: Any, value: Any, *, bold: bool = False, fill: bool = False) -> Any:
    cell = WriteOnlyCell(ws, value=None if value is None else str(value))
    if value is not None:
        # A string starting with '=' would otherwise be stored as a formula: keep it text.
        cell.data_type = "s"
    if bold:
        cell.font = HEADER_FONT if fill else Font(bold=True, size=13)
    if fill:
        cell.fill = HEADER_FILL
    return cell


def stream_table_xlsx(
    target: IO[bytes],
    *,
    sheet_title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    title: str = "",
    widths: Sequence[int] = (),
) -> int:
    """Write one sheet (title line, header row, rows; all cells text) into ``target``.

    Uses openpyxl's write-only mode, so memory stays flat however many rows there are.
    Returns the number of data rows written.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title[:31])
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    if title:
        ws.append([_text_cell(ws, title, bold=True)])
        ws.append([])
    ws.append([_text_cell(ws, h, bold=True, fill=True) for h in headers])
    count = 0
    for values in rows:
        ws.append([_text_cell(ws, v) for v in values])
        count += 1
    wb.save(target)
    return count
