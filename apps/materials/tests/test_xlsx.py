"""The participant-code xlsx: written in one pass with fixed timestamps (``xlsx._save``), it is
the same bytes as openpyxl's own save made deterministic afterwards (the way it was built
before issue 18), with and without a class register, and it reads back."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Sequence

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from apps.core.xlsx import HEADER_FILL, HEADER_FONT, set_text, table_workbook
from apps.materials import xlsx
from apps.materials.pdf import CodeEntry, code_sections

TITLE = "Коды участников ВПР, 4 класс, ОО edu1"


def _reference(title: str, codes: Sequence[CodeEntry]) -> bytes:
    """The code list as it was built before: openpyxl's ``save`` (a temporary file for the
    sheet, the time stamped), then ``deterministic``."""
    if not any(c.class_label for c in codes):
        return xlsx.deterministic(
            table_workbook(
                sheet_title="Коды участников",
                title=title,
                headers=xlsx.CODE_HEADERS,
                rows=([c.code, c.class_number or "", "да" if c.reserve else ""] for c in codes),
                widths=xlsx.CODE_WIDTHS,
            )
        )
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for label, entries in code_sections(codes):
        ws = wb.create_sheet(label[:31] or "Без класса")
        set_text(ws, 1, 1, f"{title}, класс {label}" if label else title)
        ws.cell(row=1, column=1).font = Font(bold=True, size=13)
        for col, header in enumerate(xlsx.CODE_HEADERS, start=1):
            set_text(ws, 3, col, header)
            cell = ws.cell(row=3, column=col)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = ws.cell(row=4, column=1)
        for row_no, c in enumerate(entries, start=4):
            for col, value in enumerate(
                [c.code, c.class_number or "", "да" if c.reserve else ""], start=1
            ):
                set_text(ws, row_no, col, value)
        for col, width in enumerate(xlsx.CODE_WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(col)].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return xlsx.deterministic(buffer.getvalue())


GRADE = [CodeEntry(f"{40000 + n}", 1 + n // 25, n % 25 > 21) for n in range(75)]
BY_CLASS = [
    CodeEntry(f"{50000 + n}", 1 + n // 20, n % 20 > 16, f"4{'АБВ'[n // 20]}") for n in range(60)
]
NO_CLASS = [CodeEntry("=1+1", None, False), CodeEntry("12345", None, True)]


@pytest.mark.parametrize(
    "codes", [GRADE, BY_CLASS, NO_CLASS, []], ids=["grade", "classes", "bare", "none"]
)
def test_the_code_list_is_openpyxls_save_made_deterministic(codes: list[CodeEntry]) -> None:
    # given a code list, built now
    built = xlsx.code_list_xlsx(title=TITLE, codes=codes)
    # when it is built the way it was before, a second later (openpyxl stamps the time)
    time.sleep(1.1)
    reference = _reference(TITLE, codes)
    # then the bytes are the same, and every entry carries the fixed date
    assert built == reference
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(built)).infolist()} == {xlsx.ZIP_DATE}
    assert xlsx.FIXED_STAMP.encode() in zipfile.ZipFile(io.BytesIO(built)).read(xlsx.CORE)


def test_the_code_list_reads_back() -> None:
    book = load_workbook(io.BytesIO(xlsx.code_list_xlsx(title=TITLE, codes=BY_CLASS)))
    assert book.sheetnames == ["4А", "4Б", "4В"]
    sheet = book["4Б"]
    assert sheet["A1"].value == f"{TITLE}, класс 4Б"
    assert [c.value for c in sheet[4]] == ["50020", 2, None]
    assert sheet["A1"].data_type == "s"
    assert sheet.freeze_panes == "A4"
