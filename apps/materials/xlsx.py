"""xlsx files of the materials: the participant-code list. Pure: data in, bytes out.

openpyxl stamps the save time into docProps/core.xml and into every zip entry; the archive of
a kit must be byte-identical when rebuilt, so ``deterministic`` rewrites both to fixed values.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

from apps.core.xlsx import table_workbook
from apps.materials.pdf import CodeEntry

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


def code_list_xlsx(*, title: str, codes: Sequence[CodeEntry]) -> bytes:
    """The codes of a grade as a sheet (code, class number, reserve); no names."""
    return deterministic(
        table_workbook(
            sheet_title="Коды участников",
            title=title,
            headers=["Код участника", "Порядковый номер класса", "Резервный код"],
            rows=([c.code, c.class_number or "", "да" if c.reserve else ""] for c in codes),
            widths=[16, 24, 14],
        )
    )
