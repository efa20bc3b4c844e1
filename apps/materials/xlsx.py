"""xlsx files of the materials: the participant-code list. Pure: data in, bytes out.

openpyxl stamps the save time into docProps/core.xml and into every zip entry; the archive of
a kit must be byte-identical when rebuilt, so the timestamps are fixed. ``code_list_xlsx``
writes the fixed values as it saves (``_save``: no temporary file, no second pass);
``deterministic`` does the same to a workbook openpyxl saved itself, and is the reference the
tests compare ``_save`` with (test_codes.py: the same bytes).

The code list itself skips openpyxl per build (``code_list_xlsx``, ADR 0025, 10): every entry
but the sheets' rows is the same for the same sheet names, so openpyxl writes it once per
process and shape (``_template``: the same workbook with no codes and an empty title), and a
build writes only the rows, cell by cell as openpyxl 3.1 with lxml writes them. Text it might
write differently (control characters, over-long cells) goes through openpyxl as before.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import openpyxl
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


def _code_list_openpyxl(*, title: str, codes: Sequence[CodeEntry]) -> bytes:
    """The code list through openpyxl's workbook and writer (``_save``)."""
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


# What openpyxl writes as it is (besides & < > and non-ASCII, escaped below): anything else —
# control characters, which it refuses or lxml escapes its own way, and what XML does not allow
# (surrogates, U+FFFE, U+FFFF: lxml refuses them) — goes through openpyxl.
_UNSAFE_TEXT = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_MAX_CELL = 32767  # openpyxl cuts a longer text
_EMPTY_TITLE_ROW_END = b"</c></row>"
# Freezing the panes at A4 creates that cell: with no codes openpyxl writes row 4 empty.
_EMPTY_ROW_4 = b'<row r="4"></row>'


@dataclass(frozen=True)
class _Template:
    """A code list's workbook with no codes and an empty title, as openpyxl writes it: the
    entries in their order (name, permissions, bytes) and, per sheet, the XML around its rows."""

    entries: tuple[tuple[str, int, bytes], ...]
    sheets: tuple[tuple[str, tuple[bytes, bytes, bytes, bytes]], ...]  # name, ``_sheet_parts``


def _sheet_parts(xml: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """(head, the empty title row, the header row, tail) of a template sheet (no codes)."""
    head, rest = xml.split(b"<sheetData>")
    data, tail = rest.split(b"</sheetData>")
    title_row, header = data.split(b'<row r="3">')
    if (
        head.count(b'<dimension ref="A1:C4"/>') != 1
        or not title_row.endswith(_EMPTY_TITLE_ROW_END)
        or not header.endswith(_EMPTY_ROW_4)
    ):  # pragma: no cover - an openpyxl that writes otherwise fails test_xlsx.py first
        raise ValueError("unexpected openpyxl sheet layout")
    header = b'<row r="3">' + header[: -len(_EMPTY_ROW_4)]
    return head + b"<sheetData>", title_row, header, b"</sheetData>" + tail


@lru_cache(maxsize=64)
def _template(labels: tuple[str, ...] | None) -> _Template:
    """The template of a single sheet (``None``) or of one sheet per class label."""
    wb = Workbook()
    if labels is None:
        ws = wb.active
        ws.title = "Коды участников"
        _code_sheet(ws, "", [])
    else:  # the sheets as ``_code_list_openpyxl`` creates them: names, order, styles
        first = wb.active
        if first is not None:
            wb.remove(first)
        for label in labels:
            _code_sheet(wb.create_sheet(label[:31] or "Без класса"), "", [])
    source = zipfile.ZipFile(io.BytesIO(_save(wb)))
    entries = tuple((i.filename, i.external_attr, source.read(i)) for i in source.infolist())
    sheets = tuple(
        (name, _sheet_parts(data))
        for name, _attr, data in entries
        if name.startswith("xl/worksheets/sheet")
    )
    return _Template(entries, sheets)


def _text_xml(value: str) -> bytes:
    """An inline string's ``<t>`` as lxml writes it (ASCII, character references)."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = b' xml:space="preserve"' if value != value.strip() else b""
    return b"<t" + space + b">" + escaped.encode("ascii", "xmlcharrefreplace") + b"</t>"


def _sheet_rows(title: str, entries: Sequence[CodeEntry]) -> list[tuple[str, Any, Any]] | None:
    """The title and the rows of a sheet as written, or None if openpyxl must write them."""
    rows = [(c.code, c.class_number or "", "да" if c.reserve else "") for c in entries]
    for value in (title, *(v for row in rows for v in row)):
        if type(value) is int:
            continue
        if type(value) is not str or len(value) > _MAX_CELL or _UNSAFE_TEXT.search(value):
            return None
    return [(title, None, None), *rows]


def _sheet_xml(parts: tuple[bytes, bytes, bytes, bytes], rows: list[tuple[str, Any, Any]]) -> bytes:
    head, title_row, header, tail = parts
    title = rows[0][0]
    last = max(4, len(rows) + 2)  # rows: the title, then a row per code from row 4
    out = [head.replace(b'"A1:C4"', f'"A1:C{last}"'.encode(), 1)]
    if title:
        cut = len(title_row) - len(_EMPTY_TITLE_ROW_END)
        out.append(title_row[:cut] + b"<is>" + _text_xml(title) + b"</is>" + title_row[cut:])
    else:
        out.append(title_row)
    out.append(header)
    for row_no, values in enumerate(rows[1:], start=4):
        out.append(f'<row r="{row_no}">'.encode())
        for letter, value in zip("ABC", values, strict=True):
            ref = f"{letter}{row_no}"
            if type(value) is int:
                out.append(f'<c r="{ref}" t="n"><v>{value}</v></c>'.encode())
            elif value == "":
                out.append(f'<c r="{ref}" t="inlineStr"></c>'.encode())
            else:
                out.append(f'<c r="{ref}" t="inlineStr"><is>'.encode())
                out.append(_text_xml(value) + b"</is></c>")
        out.append(b"</row>")
    if len(rows) == 1:
        out.append(_EMPTY_ROW_4)
    out.append(tail)
    return b"".join(out)


def code_list_xlsx(*, title: str, codes: Sequence[CodeEntry]) -> bytes:
    """The codes of a grade as a sheet (code, class number, reserve); no names. With a class
    register (codes carrying class labels), one sheet per class named and titled with its
    label («4А»). The same bytes as ``_code_list_openpyxl`` (test_xlsx.py)."""
    if not any(c.class_label for c in codes):
        labels = None
        sections = [(title, codes)]
    else:
        split = code_sections(codes)
        labels = tuple(label for label, _entries in split)
        sections = [(f"{title}, класс {label}" if label else title, e) for label, e in split]
    sheets = [_sheet_rows(t, e) for t, e in sections]
    if not openpyxl.LXML or any(rows is None for rows in sheets):
        return _code_list_openpyxl(title=title, codes=codes)
    template = _template(labels)
    written = {
        name: _sheet_xml(parts, rows)  # type: ignore[arg-type]  # None is sent to openpyxl above
        for (name, parts), rows in zip(template.sheets, sheets, strict=True)
    }
    buffer = io.BytesIO()
    with _FixedZip(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for name, attr, data in template.entries:
            archive.writestr(_fixed_entry(name, attr), written.get(name, data))
    return buffer.getvalue()
