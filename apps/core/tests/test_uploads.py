from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook

from apps.core.uploads import SheetLimits, UploadError, read_workbook

LIMITS = SheetLimits(rows=100, columns=20)


def _xlsx(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_reads_rows() -> None:
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
def test_refuses_bad_files_in_russian(content: bytes, fragment: str) -> None:
    # given a file that is not a readable xlsx
    # when it is read
    with pytest.raises(UploadError) as caught:
        read_workbook(content, limits=LIMITS)
    # then the message says why, in Russian
    assert fragment in str(caught.value)


def test_refuses_big_file() -> None:
    # given a file over the limit
    content = b"PK\x03\x04" + b"0" * (11 * 1024 * 1024)
    # when it is read
    with pytest.raises(UploadError) as caught:
        read_workbook(content, limits=LIMITS)
    # then its size and the limit are named
    assert "Файл 11,0 МБ больше допустимых 10 МБ" in str(caught.value)


def test_the_quick_looks_of_the_size_scan_find_what_the_patterns_find() -> None:
    """``_dimensions`` and ``_beyond_found`` (issue 18) answer as ``_DIMENSION.finditer`` and
    ``_beyond(limits).search`` on every text, only faster: random texts of the pieces that
    matter."""
    import random

    from apps.core import uploads

    rng = random.Random(18)
    pieces = [b"<", b"dimension", b" ", b"ref=", b'"', b"'", b"A1", b":", b"x", b">", b"<x:"]
    pieces += [b"B2:C3", *[b'<c r="'] * 4, b"A", b"Z", b"G", b"R", b"S", b"0", b"1", b"2", b"9"]
    limits = [SheetLimits(rows=20_000, columns=200), SheetLimits(rows=7, columns=3)]
    limits += [SheetLimits(rows=1_048_576, columns=16_384), SheetLimits(rows=99, columns=27)]
    found = 0
    for _ in range(20_000):
        xml = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        expected = [(m.span(), m.group(1)) for m in uploads._DIMENSION.finditer(xml)]
        assert [(m.span(), m.group(1)) for m in uploads._dimensions(xml)] == expected
        for limit in limits:
            beyond = uploads._beyond(limit).search(xml) is not None
            assert uploads._beyond_found(xml, limit) == beyond
            found += beyond
    assert found > 200  # the texts do reach beyond the limits
