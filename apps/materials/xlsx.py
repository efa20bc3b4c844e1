"""xlsx files of the materials: the participant-code list. Pure: data in, bytes out.

openpyxl stamps the save time into docProps/core.xml and into every zip entry; the archive of
a kit must be byte-identical when rebuilt, so ``deterministic`` rewrites both to fixed values.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from apps.core.xlsx import HEADER_FILL, HEADER_FONT, set_text, table_workbook
from apps.materials.pdf import CodeEntry, code_sections

FIXED_STAMP = "2000-01-01T00:00:00Z"
ZIP_DATE = (2000, 1, 1, 0, 0, 0)
_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def deterministic(content: bytes) -> bytes:
    """The same workbook with fixed timestamps (document properties and zip entries)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _STAMP.sub(rb"\g<1>" + FIXED_STAMP.encode() + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, data)
    return out.getvalue()


CODE_HEADERS = ["Код участника", "Порядковый номер класса", "Резервный код"]
CODE_WIDTHS = [16, 24, 14]


def code_list_xlsx(*, title: str, codes: Sequence[CodeEntry]) -> bytes:
    """The codes of a grade as a sheet (code, class number, reserve); no names. With a class
    register (codes carrying class labels), one sheet per class named and titled with its
    label («4А»)."""
    if not any(c.class_label for c in codes):
        return deterministic(
            table_workbook(
                sheet_title="Коды участников",
                title=title,
                headers=CODE_HEADERS,
                rows=([c.code, c.class_number or "", "да" if c.reserve else ""] for c in codes),
                widths=CODE_WIDTHS,
            )
        )
    wb = Workbook()
    first = wb.active
    if first is not None:
        wb.remove(first)
    for label, entries in code_sections(codes):
        ws = wb.create_sheet(label[:31] or "Без класса")
        set_text(ws, 1, 1, f"{title}, класс {label}" if label else title)
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
    buffer = io.BytesIO()
    wb.save(buffer)
    return deterministic(buffer.getvalue())
