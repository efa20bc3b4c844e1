"""Malicious upload files, crafted byte by byte so that building them costs milliseconds.

* ``cell_range_bomb`` — a 1.5 KB workbook whose only cells are A1 and XFD1048576: a reader that
  makes the sheet a dense grid needs 2^34 cells (half a terabyte in python-calamine);
* ``declared_range_bomb`` and ``edit_sheet`` — a sheet that declares
  ``<dimension ref="A1:XFD1048576"/>`` around few cells (openpyxl's read-only reader pads every
  row, and every missing row up to the last, to the declared width);
* ``unreferenced_cells_bomb`` — cells without ``r`` references, so only the reader knows how
  wide the sheet is;
* ``zeros``, ``zip_bytes`` and ``padded`` — zip members that inflate to any size without the
  test ever holding (or compressing) that many bytes: one deflate block of a mebibyte of zeros,
  flushed so that it does not refer back, repeated;
* ``deadline`` — fails a test that would otherwise hang.
"""

from __future__ import annotations

import io
import re
import signal
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

MIB = 1 << 20

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
_A1 = '<row r="1"><c r="A1" t="inlineStr"><is><t>Код</t></is></c></row>'


@dataclass(frozen=True)
class Member:
    """One zip member: its raw deflate stream, inflated size and CRC-32."""

    name: str
    data: bytes
    size: int
    crc: int


def deflated(name: str, content: bytes) -> Member:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Member(
        name, packer.compress(content) + packer.flush(), len(content), zlib.crc32(content)
    )


@lru_cache(maxsize=8)
def zeros(name: str, mebibytes: int) -> Member:
    """A member of ``mebibytes`` MiB of zero bytes, about 1 KB per MiB compressed."""
    chunk = bytes(MIB)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    # A full flush resets the window, so every later mebibyte compresses to the same bytes.
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    tail = packer.flush()
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(chunk, crc)
    return Member(name, block * mebibytes + tail, mebibytes * MIB, crc)


_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_UTF8, _DEFLATE, _DOS_DATE = 0x800, 8, 0x21  # flags, method, 1 January 1980


def zip_bytes(members: Iterable[Member]) -> bytes:
    """A plain zip (deflate, UTF-8 names) of ``members``, written by hand."""
    out = bytearray()
    central = bytearray()
    count = 0
    for m in members:
        name = m.name.encode("utf-8")
        offset = len(out)
        common = (_UTF8, _DEFLATE, 0, _DOS_DATE, m.crc, len(m.data), m.size, len(name))
        out += _LOCAL.pack(0x04034B50, 20, *common, 0) + name + m.data
        central += _CENTRAL.pack(0x02014B50, 20, 20, *common, 0, 0, 0, 0, 0, offset) + name
        count += 1
    start = len(out)
    out += central
    count = min(count, 0xFFFF)  # zipfile reads the directory by its size, not by this count
    out += _END.pack(0x06054B50, 0, 0, count, count, len(central), start, 0)
    return bytes(out)


def members_of(content: bytes) -> list[Member]:
    """The members of an existing zip (e.g. a real form), recompressed."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [deflated(info.filename, archive.read(info)) for info in archive.infolist()]


def workbook(sheet_xml: str, *, sheet_name: str = "Лист1") -> bytes:
    """A minimal xlsx with one sheet whose XML is ``sheet_xml``."""
    return zip_bytes(
        [
            deflated("[Content_Types].xml", _CONTENT_TYPES.encode()),
            deflated("_rels/.rels", _ROOT_RELS.encode()),
            deflated("xl/workbook.xml", _WORKBOOK.format(name=sheet_name).encode()),
            deflated("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.encode()),
            deflated("xl/worksheets/sheet1.xml", sheet_xml.encode()),
        ]
    )


def sheet(rows: str, *, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{rows}</sheetData></worksheet>"
    )


def cell_range_bomb() -> bytes:
    """Cells A1 and XFD1048576 only: 1,048,576 rows × 16,384 columns to a dense reader."""
    return workbook(sheet(_A1 + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))


def declared_range_bomb() -> bytes:
    """One cell, but the sheet declares it spans A1:XFD1048576."""
    return workbook(sheet(_A1, dimension="A1:XFD1048576"))


def unreferenced_cells_bomb(last_row: int) -> bytes:
    """16,384 cells without references in row 1 and one cell in ``last_row``: only a reader
    that counts the cells learns the sheet is ``last_row`` × 16,384."""
    wide = '<row r="1">' + "<c><v>1</v></c>" * 16_384 + "</row>"
    far = f'<row r="{last_row}"><c r="A{last_row}"><v>1</v></c></row>'
    return workbook(sheet(wide + far))


def edit_sheet(content: bytes, part: str, *, dimension: str, append_rows: str = "") -> bytes:
    """A real workbook whose sheet ``part`` declares ``<dimension ref=dimension/>`` and ends
    with ``append_rows`` (row XML)."""
    members = []
    for m in members_of(content):
        if m.name == part:
            xml = zlib.decompress(m.data, -15).decode("utf-8")
            xml, found = re.subn(
                r"<dimension ref=\"[^\"]*\"\s*/>", f'<dimension ref="{dimension}"/>', xml
            )
            assert found == 1, f"{part} has no <dimension>"
            xml = xml.replace("</sheetData>", append_rows + "</sheetData>")
            m = deflated(part, xml.encode("utf-8"))
        members.append(m)
    return zip_bytes(members)


def padded(content: bytes, mebibytes: int, name: str = "xl/media/padding.bin") -> bytes:
    """A real workbook (or zip) with one more member that inflates to ``mebibytes`` MiB."""
    return zip_bytes([*members_of(content), zeros(name, mebibytes)])


class HungError(Exception):
    """Raised in the test when the code under test runs past its deadline."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail (rather than hang) when the block takes longer than ``seconds`` of wall time.

    A SIGALRM handler raises in the main thread, wherever the Python code under test is; a
    native parser that never returns to the interpreter is not interrupted, so keep this for
    pure-Python loops (openpyxl) and for the code that waits for the isolated child.
    """

    def expire(signum: int, frame: object) -> None:
        raise HungError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
