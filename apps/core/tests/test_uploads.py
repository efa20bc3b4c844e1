from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook

from apps.core.uploads import CellError, SheetLimits, UploadError, read_workbook

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


def test_the_quick_looks_of_the_size_scan_find_what_the_patterns_find(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
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
    for n in range(20_000):
        xml = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        expected = [(m.span(), m.group(1)) for m in uploads._DIMENSION.finditer(xml)]
        assert [(m.span(), m.group(1)) for m in uploads._dimensions(xml)] == expected
        # the classed copy made a piece at a time: references across every kind of seam
        monkeypatch.setattr(uploads, "_CLASSED_PIECE", (1, 2, 3, 5, 8, 13, 256 << 10)[n % 7])
        for limit in limits:
            beyond = uploads._beyond(limit).search(xml) is not None
            assert uploads._beyond_found(xml, limit) == beyond
            found += beyond
    assert found > 200  # the texts do reach beyond the limits


def _exact_part_error(xml: bytes, limits: SheetLimits) -> CellError | None:
    """The declared-size scan of one window as first written (issue 18 made it faster): the
    ``<dimension>`` pattern at every tag, then the far cell by the exact pattern unless every
    cell is written as Excel writes it and none is long enough to reach beyond ``limits``."""
    from apps.core import uploads

    for match in uploads._DIMENSION.finditer(xml):
        ref = match.group(1).decode("ascii", errors="replace")
        rows, columns = uploads._reach(ref)
        if rows > limits.rows or columns > limits.columns:
            return uploads._too_big("Лист", f": его размер указан как {ref}", rows, columns, limits)
    unusual = uploads._UNUSUAL_CELL.search(xml) or uploads._PREFIXED_CELL.search(xml)
    if not unusual and uploads._beyond(limits).search(xml) is None:
        return None
    for cell in uploads._CELL_REF.finditer(xml):
        letters, digits = (g.decode("ascii") for g in cell.groups())
        row, column = int(digits or 0), uploads._column_number(letters)
        if row > limits.rows or column > limits.columns:
            where = f": в нём заполнена ячейка {letters}{digits}"
            return uploads._too_big("Лист", where, row, column, limits)
    return None


def test_the_size_scan_refuses_what_it_refused_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """Crafted sheets (far references, self-closing and inline-string cells, odd and huge
    declared sizes, prefixes, quotes, leading zeros): the scan of a part, its classed copy
    made in pieces of every size, refuses exactly what the scan as first written refused,
    with the same message."""
    import random

    from apps.core import uploads

    rng = random.Random(29)
    cells = [
        '<c r="A1"><v>1</v></c>',
        '<c r="T10001" s="3" t="n"><v>2</v></c>',
        '<c r="B7" t="inlineStr"><is><t>Код</t></is></c>',
        '<c r="GR20000"><v>1</v></c>',
        '<c r="GS1"><v>1</v></c>',
        '<c r="A20001"><v>1</v></c>',
        '<c r="A020000"><v>1</v></c>',
        '<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>',
        '<c r="ZZ9" s="1"/>',
        '<c r="A99999" s="1"/>',
        '<c s="1" r="AB30000"><v>1</v></c>',
        "<c r='H8'><v>1</v></c>",
        '<c r="aa5"><v>1</v></c>',
        '<x:c r="XFD3"><x:v>1</x:v></x:c>',
        '<c r="20001"><v>1</v></c>',
        "<c><v>1</v></c>",
        '<row r="30000">',
        "</row>",
    ]
    dimensions = ["A1:T10001", "A1", "$A$1:$GR$20000", "A:XFD", "", "B2:GS3", "A1:XFD1048576"]
    limits = [SheetLimits(rows=20_000, columns=200), SheetLimits(rows=100, columns=20)]
    refused = 0
    for n in range(3_000):
        parts = [rng.choice(cells) for _ in range(rng.randint(0, 12))]
        if rng.random() < 0.3:
            parts.insert(rng.randint(0, len(parts)), f'<dimension ref="{rng.choice(dimensions)}"/>')
        xml = f"<worksheet><sheetData>{''.join(parts)}</sheetData></worksheet>".encode()
        for limit in limits:
            expected = _exact_part_error(xml, limit)
            monkeypatch.setattr(uploads, "_CLASSED_PIECE", (1, 4, 9, 64, 256 << 10)[n % 5])
            assert uploads._part_error(io.BytesIO(xml), "Лист", limit) == expected
            refused += expected is not None
    assert refused > 1_000
