"""Reading uploaded spreadsheets safely. Pure: bytes in, rows or cell errors out.

Every rule here yields a Russian message with the row and column where there is one.
Nothing is written anywhere: callers validate everything first, then write atomically.

An uploaded workbook is untrusted: ``read_workbook`` bounds what it may inflate to before
inflating anything, checks every sheet's declared size and cell references against the form's
``SheetLimits``, and parses it in an isolated child process (``apps.core.untrusted``), so a
workbook built to exhaust memory is refused instead of killing the web worker.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import html
import io
import re
import string
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from apps.core.errors import InvalidError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a filled form of 40,000 rows is far below this
XLSX_MAGIC = b"PK\x03\x04"
FORMULA_PREFIXES = ("=", "+", "-", "@")


@dataclass(frozen=True)
class CellError:
    """One problem in an upload; row and column are 1-based as Excel shows them (0 = n/a)."""

    row: int
    column: int
    message: str

    @property
    def column_letter(self) -> str:
        return get_column_letter(self.column) if self.column else ""

    @property
    def where(self) -> str:
        if self.row and self.column:
            return f"строка {self.row}, столбец {self.column_letter}"
        if self.row:
            return f"строка {self.row}"
        return ""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column_letter, "message": self.message}


class UploadError(InvalidError):
    """The upload was refused (400); ``errors`` lists every problem found, by row and column."""

    def __init__(self, errors: Sequence[CellError], code: str = "upload_invalid") -> None:
        super().__init__(code)
        self.errors = list(errors)

    def __str__(self) -> str:
        return "; ".join(str(e) for e in self.errors)

    @property
    def details(self) -> list[dict[str, Any]]:
        return [e.as_dict() for e in self.errors]


def file_error(message: str) -> UploadError:
    return UploadError([CellError(0, 0, message)])


def _megabytes(size: int) -> str:
    """«30,0»: a size in MB with one decimal, written the Russian way."""
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")


def too_big_message(size: int, limit: int = MAX_UPLOAD_BYTES) -> str:
    """«Файл 30,0 МБ больше допустимых 10 МБ.»: the real size of the file and the limit."""
    whole = limit / 1024 / 1024
    allowed = f"{whole:.0f}" if whole.is_integer() else _megabytes(limit)
    return (
        f"Файл {_megabytes(size)} МБ больше допустимых {allowed} МБ. Уменьшите файл (удалите "
        "лишние листы, строки и картинки) и загрузите его снова."
    )


class LimitedUpload(bytes):
    """The bytes read from an upload (at most one past the limit) and the upload's real size,
    so that a refusal names the size of the file sent, not of the part that was read."""

    real_size: int

    def __new__(cls, content: bytes, real_size: int) -> LimitedUpload:
        made = super().__new__(cls, content)
        made.real_size = real_size
        return made


def read_limited(upload: Any, max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    """Read an uploaded file, at most one byte past ``max_bytes`` (``read_workbook`` refuses it
    with the file's real size)."""
    content: bytes = upload.read(max_bytes + 1)
    size = max(int(getattr(upload, "size", 0) or 0), len(content))
    return LimitedUpload(content, size) if size > max_bytes else content


@dataclass(frozen=True)
class Sheet:
    """A sheet's cells as Python values; ``rows[0]`` is Excel row 1."""

    name: str
    rows: list[list[Any]]

    def cell(self, row: int, column: int) -> Any:
        """The value at 1-based (row, column), or None."""
        if row - 1 >= len(self.rows):
            return None
        values = self.rows[row - 1]
        return values[column - 1] if column - 1 < len(values) else None


@dataclass(frozen=True)
class SheetLimits:
    """How far a sheet of one form may reach, counted from A1 (generous, but finite: a reader
    makes every sheet a dense grid of rows × columns)."""

    rows: int
    columns: int


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a big upload's rows are made: tens of
    thousands of lists and rows that hold no cycles, which each collection would walk again
    and which, every few uploads, set off a collection of the process's whole heap (~90 ms at
    10,000 rows). They are collected as young objects once it resumes."""
    if not gc.isenabled():  # paused by the caller already: theirs to resume
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def read_workbook(
    content: bytes, *, limits: SheetLimits, max_bytes: int = MAX_UPLOAD_BYTES
) -> dict[str, Sheet]:
    """Every sheet of an xlsx file, or UploadError with a clear Russian message.

    ``limits`` are the form's: a sheet that reaches beyond them (by a cell or by its declared
    ``<dimension>``) is refused before it is parsed.
    """
    size = getattr(content, "real_size", len(content))
    if size > max_bytes or len(content) > max_bytes:
        raise file_error(too_big_message(max(size, len(content)), max_bytes))
    if not content:
        raise file_error("Файл пустой.")
    if not content.startswith(XLSX_MAGIC):
        if content.startswith(b"\xd0\xcf\x11\xe0"):
            raise file_error(
                "Файл в старом формате .xls. Сохраните его как .xlsx и загрузите снова."
            )
        raise file_error("Файл не является книгой Excel (.xlsx). Загрузите форму в формате .xlsx.")
    from apps.core.untrusted import XLSX_ZIP_LIMITS, isolated, open_zip  # (it imports this module)

    try:
        with open_zip(content, XLSX_ZIP_LIMITS) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise file_error("Файл не является книгой Excel (.xlsx).")
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise file_error(_CANNOT_OPEN) from exc
    parsed = isolated(_parse_workbook, content, limits)
    return {name: Sheet(name=name, rows=rows) for name, rows in parsed.items()}


_CANNOT_OPEN = "Файл повреждён: не удаётся открыть книгу Excel."
_CANNOT_READ = "Файл повреждён: не удаётся прочитать его содержимое."


def _parse_workbook(content: bytes, limits: SheetLimits) -> dict[str, list[list[Any]]]:
    """The rows of every sheet. Runs in the isolated child (``read_workbook``)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        if errors := _declared_size_errors(archive, limits):
            raise UploadError(errors)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheets = {
            name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in workbook.sheet_names
        }
    except MemoryError:
        raise
    except Exception as exc:  # calamine raises several error types for broken parts
        raise file_error("Файл повреждён: не удаётся прочитать листы книги.") from exc
    # Cells without references (rare, but valid) are placed by the reader alone.
    errors = [
        _too_big(name, "", len(rows), max(map(len, rows), default=0), limits)
        for name, rows in sheets.items()
        if len(rows) > limits.rows or any(len(r) > limits.columns for r in rows)
    ]
    if errors:
        raise UploadError(errors)
    return sheets


# The parts of SpreadsheetML that place cells: a cell with content and its reference (a
# self-closing <c .../> holds only a style, which readers skip), and a sheet's declared size.
# This exact pattern is slow (half a second for a 10,000-row form), so it reads only sheets
# that ``_far_cell``'s quick look could not clear.
_TAG = rb"<(?:[A-Za-z_][\w.-]*:)?"
_CELL_REF = re.compile(_TAG + rb"c\s[^>]*?\br\s*=\s*[\"']([A-Za-z]*)([0-9]*)[\"'][^>]*(?<!/)>")
_DIMENSION = re.compile(_TAG + rb"dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_REF = re.compile(r"\$?([A-Za-z]*)\$?([0-9]*)")
# Excel's own maximum, for a reference that leaves out its row or its column.
_EXCEL_ROWS, _EXCEL_COLUMNS = 1_048_576, 16_384
# Excel, LibreOffice and openpyxl write every cell as <c r="B7" ...>. A sheet with a cell
# written otherwise (another attribute first, a namespace prefix, lower case) gets the exact scan.
_UNUSUAL_CELL = re.compile(rb'<c\s(?!r="[A-Z0-9])')
_PREFIXED_CELL = re.compile(rb":c[\s>/]")


@functools.lru_cache(maxsize=32)
def _beyond(limits: SheetLimits) -> re.Pattern[bytes]:
    """A cell reference (as Excel writes it) beyond ``limits``, recognised by the regex engine
    alone: a row number or column name longer than the limit's, or as long and sorting after
    it. (Leading zeros make false alarms, which the exact scan then clears.)"""
    row, column = str(limits.rows), get_column_letter(min(limits.columns, _EXCEL_COLUMNS))
    rows = f"[0-9]{{{len(row) + 1},}}|{_after(row, string.digits)}"
    columns = f"[A-Z]{{{len(column) + 1},}}|{_after(column, string.ascii_uppercase)}"
    pattern = f'<c r="(?:[A-Z]*(?:{rows})|(?:{columns})[0-9]*)"'
    return re.compile(pattern.encode("ascii"))


# A reference's letters all written A and its digits 0: how long its parts are, in one pass.
_REF_CLASSES = bytes.maketrans(
    (string.ascii_uppercase + string.digits).encode("ascii"), b"A" * 26 + b"0" * 10
)


@functools.lru_cache(maxsize=32)
def _beyond_starts(limits: SheetLimits) -> tuple[bytes, ...]:
    """How every match of ``_beyond(limits)`` starts, letters written A and digits 0: with as
    many letters as the column limit's name, or with fewer and as many digits as the row
    limit."""
    row, column = str(limits.rows), get_column_letter(min(limits.columns, _EXCEL_COLUMNS))
    return (
        b'<c r="' + b"A" * len(column),
        *(b'<c r="' + b"A" * n + b"0" * len(row) for n in range(len(column))),
    )


# The classed copy is made a piece at a time: a copy of a whole 4 MB window is fresh memory in
# the parse child on every upload (page faults: ~15 ms of a 10,000-row form's isolated parse),
# a piece's memory is reused. Only the speed changes: the same starts, tried the same way.
_CLASSED_PIECE = 256 << 10


def _beyond_found(xml: bytes, limits: SheetLimits) -> bool:
    """Whether ``_beyond(limits)`` matches in ``xml``, tried only where a reference is long
    enough to match (``_beyond_starts`` in the classed text) instead of at every cell."""
    beyond = _beyond(limits)
    starts = _beyond_starts(limits)
    reach = max(map(len, starts))
    for first in range(0, len(xml), _CLASSED_PIECE):
        # the starts at first … first + _CLASSED_PIECE - 1, each seen whole
        count = min(_CLASSED_PIECE, len(xml) - first)
        classed = xml[first : first + count + reach - 1].translate(_REF_CLASSES)
        for start in starts:
            end = count - 1 + len(start)
            at = classed.find(start, 0, end)
            while at != -1:
                if beyond.match(xml, first + at):
                    return True
                at = classed.find(start, at + 1, end)
    return False


def _after(limit: str, alphabet: str) -> str:
    """A regex for the strings of ``len(limit)`` symbols of ``alphabet`` sorting after
    ``limit``: the same first i symbols, then a greater one, then any."""
    first, last = alphabet[0], alphabet[-1]
    choices = []
    for i, symbol in enumerate(limit):
        if symbol != last:
            greater = alphabet[alphabet.index(symbol) + 1]
            rest = len(limit) - i - 1
            choices.append(f"{limit[:i]}[{greater}-{last}][{first}-{last}]{{{rest}}}")
    return "|".join(choices) or "(?!)"


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def _reach(ref: str) -> tuple[int, int]:
    """(row, column) of the far corner of a reference like ``B7`` or ``A1:XFD1048576``."""
    row = column = 0
    for part in ref.split(":"):
        match = _REF.fullmatch(part.strip())
        if match is None:
            return _EXCEL_ROWS, _EXCEL_COLUMNS
        letters, digits = match.groups()
        row = max(row, int(digits) if digits else _EXCEL_ROWS)
        column = max(column, _column_number(letters) if letters else _EXCEL_COLUMNS)
    return row, column


def _far_cell(xml: bytes, limits: SheetLimits) -> tuple[str, int, int] | None:
    """The first cell with content beyond ``limits``: (reference, row, column), or None."""
    usual = not (_UNUSUAL_CELL.search(xml) or _PREFIXED_CELL.search(xml))
    if usual and not _beyond_found(xml, limits):
        return None
    for match in _CELL_REF.finditer(xml):
        letters, digits = (g.decode("ascii") for g in match.groups())
        row, column = int(digits or 0), _column_number(letters)
        if row > limits.rows or column > limits.columns:
            return f"{letters}{digits}", row, column
    return None


def _too_big(sheet: str, where: str, rows: int, columns: int, limits: SheetLimits) -> CellError:
    return CellError(
        0,
        0,
        f"Лист «{sheet}» слишком велик{where} (строк: {rows}, столбцов: {columns}); в этой "
        f"форме допускается не более {limits.rows} строк и {limits.columns} столбцов. Удалите "
        "лишние строки и столбцы и загрузите файл снова.",
    )


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name → sheet name (workbook.xml through its relationships); best effort."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", errors="replace")
    except KeyError:
        return {}
    targets = {}
    for rel in re.finditer(r"<(?:\w+:)?Relationship\b([^>]*)>", rels):
        rel_id = re.search(r'\bId="([^"]*)"', rel.group(1))
        target = re.search(r'\bTarget="([^"]*)"', rel.group(1))
        if rel_id and target:
            path = html.unescape(target.group(1))
            targets[rel_id.group(1)] = path.lstrip("/") if path.startswith("/") else f"xl/{path}"
    names = {}
    for sheet in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)>", workbook):
        name = re.search(r'\bname="([^"]*)"', sheet.group(1))
        rid = re.search(r'\br:id="([^"]*)"', sheet.group(1))
        if name and rid and rid.group(1) in targets:
            names[targets[rid.group(1)]] = html.unescape(name.group(1))
    return names


def _declared_size_errors(archive: zipfile.ZipFile, limits: SheetLimits) -> list[CellError]:
    """Read every part once (checking its CRC, as ``testzip`` would) and refuse each sheet
    whose ``<dimension>`` or whose farthest cell lies beyond ``limits``."""
    names = _sheet_names(archive)
    errors: list[CellError] = []
    for info in archive.infolist():
        scan = info.filename.lower().endswith(".xml")
        sheet = names.get(info.filename, info.filename)
        try:
            with archive.open(info) as member:
                error = _part_error(member, sheet, limits) if scan else _drain(member)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
            raise file_error(_CANNOT_READ) from exc
        except (zlib.error, EOFError) as exc:
            raise file_error(_CANNOT_OPEN) from exc
        if error is not None:
            errors.append(error)
    return errors


# Parts are read in windows, so a 100 MB sheet is never held whole; consecutive windows overlap
# by more than a start tag (one split across windows is still caught by the child's limits).
_WINDOW, _OVERLAP = 4 << 20, 1024


def _drain(member: IO[bytes]) -> CellError | None:
    """Read a part that is not XML to its end, only for its CRC check."""
    while member.read(_WINDOW):
        pass
    return None


def _dimensions(xml: bytes) -> Iterator[re.Match[bytes]]:
    """The matches of ``_DIMENSION.finditer(xml)``, found without trying the pattern at every
    tag of the part: each match is the last ``<`` before a «dimension» (the tag and its prefix
    hold no ``<``), so the pattern is tried only there, from where the previous match ended."""
    end = 0
    found = xml.find(b"dimension")
    while found != -1:
        start = xml.rfind(b"<", end, found)
        match = _DIMENSION.match(xml, start) if start != -1 else None
        if match is not None:
            yield match
            end = match.end()
        found = xml.find(b"dimension", max(end, found + 1))


def _part_error(member: IO[bytes], sheet: str, limits: SheetLimits) -> CellError | None:
    tail = b""
    while chunk := member.read(_WINDOW):
        xml, tail = tail + chunk, chunk[-_OVERLAP:]
        for match in _dimensions(xml):
            ref = match.group(1).decode("ascii", errors="replace")
            rows, columns = _reach(ref)
            if rows > limits.rows or columns > limits.columns:
                return _too_big(sheet, f": его размер указан как {ref}", rows, columns, limits)
        if (far := _far_cell(xml, limits)) is not None:
            ref, row, column = far
            return _too_big(sheet, f": в нём заполнена ячейка {ref}", row, column, limits)
    return None


def text(value: Any) -> str:
    """A cell as stripped text; whole floats lose their '.0' (Excel stores numbers as floats)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def looks_like_formula(value: Any) -> bool:
    """True for text that Excel would run as a formula if written back unescaped."""
    return isinstance(value, str) and value.strip().startswith(FORMULA_PREFIXES[:1])
