from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from apps.core.uploads import SheetLimits, UploadError, read_workbook

LIMITS = SheetLimits(rows=100, columns=20)


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_reads_rows():
    # given a small workbook
    content = _xlsx([["Код", "Имя"], ["edu390101", 5]])
    # when it is read
    sheets = read_workbook(content, limits=LIMITS)
    # then the values come back by 1-based position
    sheet = next(iter(sheets.values()))
    assert sheet.cell(2, 1) == "edu390101"
    assert sheet.cell(2, 2) == 5


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "пустой"),
        (b"name;value\n1;2\n", "не является книгой Excel"),
        (b"\xd0\xcf\x11\xe0garbage", ".xls"),
        (b"PK\x03\x04broken zip", "повреждён"),
    ],
)
def test_refuses_bad_files_in_russian(content, fragment):
    # given a file that is not a readable xlsx
    # when it is read
    with pytest.raises(UploadError) as caught:
        read_workbook(content, limits=LIMITS)
    # then the message says why, in Russian
    assert fragment in str(caught.value)


def test_refuses_big_file():
    # given a file over the limit
    content = b"PK\x03\x04" + b"0" * (11 * 1024 * 1024)
    # when it is read
    with pytest.raises(UploadError) as caught:
        read_workbook(content, limits=LIMITS)
    # then its size and the limit are named
    assert "Файл 11,0 МБ больше допустимых 10 МБ" in str(caught.value)
