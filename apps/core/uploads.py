"""Reading uploaded spreadsheets safely. Pure: bytes in, rows or cell errors out.

Every rule here yields a Russian message with the row and column where there is one.
Nothing is written anywhere: callers validate everything first, then write atomically.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter

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


class UploadError(Exception):
    """The upload was refused; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[CellError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = list(errors)


def file_error(message: str) -> UploadError:
    return UploadError([CellError(0, 0, message)])


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


def read_workbook(content: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> dict[str, Sheet]:
    """Every sheet of an xlsx file, or UploadError with a clear Russian message."""
    if len(content) > max_bytes:
        raise file_error(
            f"Файл слишком большой ({len(content) / 1024 / 1024:.1f} МБ); "
            f"допускается не более {max_bytes // 1024 // 1024} МБ."
        )
    if not content:
        raise file_error("Файл пустой.")
    if not content.startswith(XLSX_MAGIC):
        if content.startswith(b"\xd0\xcf\x11\xe0"):
            raise file_error(
                "Файл в старом формате .xls. Сохраните его как .xlsx и загрузите снова."
            )
        raise file_error("Файл не является книгой Excel (.xlsx). Загрузите форму в формате .xlsx.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise file_error("Файл не является книгой Excel (.xlsx).")
            if archive.testzip() is not None:
                raise file_error("Файл повреждён: не удаётся прочитать его содержимое.")
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        # testzip() lets a broken deflate stream escape as zlib.error
        raise file_error("Файл повреждён: не удаётся открыть книгу Excel.") from exc
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return {
            name: Sheet(
                name=name, rows=workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            )
            for name in workbook.sheet_names
        }
    except Exception as exc:  # calamine raises several error types for broken parts
        raise file_error("Файл повреждён: не удаётся прочитать листы книги.") from exc


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
