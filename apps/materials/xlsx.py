"""xlsx files of the materials: the participant-code list. Pure: data in, bytes out.

openpyxl stamps the save time into docProps/core.xml and into every zip entry; the archive of
a kit must be byte-identical when rebuilt, so the timestamps are fixed. ``code_list_xlsx``
writes the fixed values as it saves (``_save``: no temporary file, no second pass);
``deterministic`` does the same to a workbook openpyxl saved itself, and is the reference the
tests compare ``_save`` with (test_codes.py: the same bytes).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

from apps.core.xlsx import HEADER_FILL, HEADER_FONT, set_text
from apps.materials.pdf import CodeEntry, code_sections

FIXED_STAMP = "2000-01-01T00:00:00Z"
ZIP_DATE = (2000, 1, 1, 0, 0, 0)
_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
CORE = "docProps/core.xml"
# The permissions openpyxl's entries get: zipfile's default for a name (``writestr``), and a
# worksheet's temporary file (mode 0600, a regular file) that openpyxl adds with ``write``.
_ENTRY_ATTR = 0o600 << 16
_SHEET_ATTR = 0o100600 << 16


def _fixed_entry(name: str, external_attr: int) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = external_attr
    return entry


def _fixed_core(name: str, data: bytes) -> bytes:
    if name == CORE:
        return _STAMP.sub(rb"\g<1>" + FIXED_STAMP.encode() + rb"\g<2>", data)
    return data


def deterministic(content: bytes) -> bytes:
    """The same workbook with fixed timestamps (document properties and zip entries)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = _fixed_core(info.filename, source.read(info.filename))
            target.writestr(_fixed_entry(info.filename, info.external_attr), data)
    return out.getvalue()


class _FixedZip(zipfile.ZipFile):
    """The zip openpyxl writes into, every entry as ``deterministic`` rewrites it."""

    def writestr(
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: Any,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            name, attr = zinfo_or_arcname.filename, zinfo_or_arcname.external_attr
        else:
            name, attr = zinfo_or_arcname, _ENTRY_ATTR
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        super().writestr(_fixed_entry(name, attr), _fixed_core(name, raw))


class _InMemoryWriter(ExcelWriter):  # type: ignore[misc]  # openpyxl has no types
    """openpyxl's writer with each worksheet's XML kept in memory rather than in a temporary
    file (``ExcelWriter.write_worksheet`` otherwise; the workbooks here are never write-only)."""

    def write_worksheet(self, ws: Any) -> None:
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = WorksheetWriter(ws, out=io.BytesIO())
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(_fixed_entry(ws.path[1:], _SHEET_ATTR), writer.read())
        self.manifest.append(ws)


def _save(wb: Workbook) -> bytes:
    """The workbook's bytes with fixed timestamps: ``deterministic(<wb.save()>)`` in one pass."""
    # openpyxl's save stamps the time here; its text becomes FIXED_STAMP all the same
    wb.properties.modified = wb.properties.created
    buffer = io.BytesIO()
    archive = _FixedZip(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    _InMemoryWriter(wb, archive).save()  # closes the archive
    return buffer.getvalue()


CODE_HEADERS = ["Код участника", "Порядковый номер класса", "Резервный код"]
CODE_WIDTHS = [16, 24, 14]


def _code_sheet(ws: Any, title: str, entries: Sequence[CodeEntry]) -> None:
    """A title, a header row and a row per code (``apps.core.xlsx.table_workbook``'s layout)."""
    set_text(ws, 1, 1, title)
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    for col, header in enumerate(CODE_HEADERS, start=1):
        set_text(ws, 3, col, header)
        cell = ws.cell(row=3, column=col)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(row=4, column=1)
    for row_no, c in enumerate(entries, start=4):
        values = [c.code, c.class_number or "", "да" if c.reserve else ""]
        for col, value in enumerate(values, start=1):
            set_text(ws, row_no, col, value)
    for col, width in enumerate(CODE_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def code_list_xlsx(*, title: str, codes: Sequence[CodeEntry]) -> bytes:
    """The codes of a grade as a sheet (code, class number, reserve); no names. With a class
    register (codes carrying class labels), one sheet per class named and titled with its
    label («4А»)."""
    wb = Workbook()
    if not any(c.class_label for c in codes):
        ws = wb.active
        ws.title = "Коды участников"
        _code_sheet(ws, title, codes)
        return _save(wb)
    first = wb.active
    if first is not None:
        wb.remove(first)
    for label, entries in code_sections(codes):
        ws = wb.create_sheet(label[:31] or "Без класса")
        _code_sheet(ws, f"{title}, класс {label}" if label else title, entries)
    return _save(wb)
