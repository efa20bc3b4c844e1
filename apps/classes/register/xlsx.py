"""The class register as an xlsx file: the template a school downloads (its current classes) and
the reading of a filled one into rows or cell errors. Pure: values in, bytes or rows out.

Sheet «Классы»: Параллель, Литера, Порядковый номер, Обучающихся, Из них с ОВЗ (a row per
class); sheet «Инструкция» explains the columns. Every problem is a ``CellError`` naming the row
and column; the caller changes nothing if there is one.
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from apps.classes.models import MAX_CLASS_NUMBER, MAX_PUPILS
from apps.classes.register import rules
from apps.classes.register.rules import ClassInput
from apps.core.errors import DomainError
from apps.core.uploads import CellError, SheetLimits, UploadError, read_workbook, text
from apps.core.xlsx import HEADER_FILL, HEADER_FONT, set_text

SHEET = "Классы"
SHEET_HELP = "Инструкция"
HEADERS: tuple[tuple[str, int], ...] = (
    ("Параллель", 11),
    ("Литера", 9),
    ("Порядковый номер", 12),
    ("Обучающихся", 13),
    ("Из них с ОВЗ", 13),
)
COL_GRADE, COL_LETTER, COL_NUMBER, COL_PUPILS, COL_OVZ = 1, 2, 3, 4, 5
# A school has at most a few dozen classes; beyond this the file is refused unparsed.
SHEET_LIMITS = SheetLimits(rows=1_000, columns=20)
TEMPLATE_ROWS = 200  # rows the data validation covers

NO_SHEET = "В файле нет листа «{sheet}». Скачайте шаблон реестра классов и заполните его."
BAD_HEADER = "Ожидается заголовок «{header}»; указано «{value}». Не меняйте строку заголовков."
NOT_WHOLE = "«{header}» — целое число; указано «{value}»."
REQUIRED = "Не заполнено: «{header}»."
DUPLICATE_LETTER = "Класс {label} указан в файле дважды (также строка {other})."
DUPLICATE_NUMBER = (
    "Порядковый номер {number} в {grade} классах указан дважды (также строка {other})."
)

_WHOLE = re.compile(r"^-?\d+$")


def _instructions(campaign_label: str, grades: Sequence[int]) -> tuple[str, ...]:
    shown = ", ".join(str(g) for g in grades) or "—"
    return (
        f"Реестр классов ОО для кампании «{campaign_label}». Параллели кампании: {shown}.",
        "",
        "Лист «Классы»: одна строка на класс. Файл — весь реестр ОО: классы, которых нет в "
        "файле, будут убраны из реестра; перед применением портал покажет, что изменится.",
        "Параллель — номер класса (например, 4). Литера — буква или номер класса в параллели "
        "(А, Б, 1…). Класс определяется параллелью и литерой.",
        f"Порядковый номер — номер класса в форме сбора результатов (от 1 до "
        f"{MAX_CLASS_NUMBER}, в параллели не повторяется); если не указан, присваивается "
        "первый свободный.",
        f"Обучающихся — от 1 до {MAX_PUPILS}. Из них с ОВЗ — от 0 до числа обучающихся. "
        "Фамилии и имена обучающихся не указываются.",
        "Класс, у работ которого уже назначены даты проведения, убрать из реестра нельзя.",
    )


@dataclass(frozen=True)
class TemplateRow:
    grade: int
    letter: str
    number: int
    pupils: int
    pupils_ovz: int


# A template cell check: column, validation type, operator, bounds (formula1, formula2), error.
_Check = tuple[int, str, str | None, str, str | None, str]


def _checks(grades: Sequence[int]) -> tuple[_Check, ...]:
    """The template's cell checks, one per column (the header is the error's title)."""
    return (
        (
            COL_GRADE,
            "list",
            None,
            '"' + ",".join(str(g) for g in grades) + '"',
            None,
            "Выберите параллель кампании из списка.",
        ),
        (COL_LETTER, "textLength", "between", "1", "8", "Литера — от 1 до 8 букв или цифр."),
        (
            COL_NUMBER,
            "whole",
            "between",
            "1",
            str(MAX_CLASS_NUMBER),
            f"Порядковый номер — целое число от 1 до {MAX_CLASS_NUMBER}.",
        ),
        (
            COL_PUPILS,
            "whole",
            "between",
            "1",
            str(MAX_PUPILS),
            f"Обучающихся — целое число от 1 до {MAX_PUPILS}.",
        ),
        (
            COL_OVZ,
            "whole",
            "between",
            "0",
            str(MAX_PUPILS),
            "С ОВЗ — целое число от 0 до числа обучающихся.",
        ),
    )


def build_template(
    *, campaign_label: str, grades: Sequence[int], rows: Iterable[TemplateRow]
) -> bytes:
    """The school's register file with its current classes and cell checks."""
    wb = Workbook()
    ws = wb.active
    if ws is None:  # pragma: no cover - a new Workbook always has one sheet
        ws = wb.create_sheet()
    ws.title = SHEET
    for col, (header, width) in enumerate(HEADERS, start=1):
        set_text(ws, 1, col, header)
        cell = ws.cell(row=1, column=col)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    for row_no, row in enumerate(rows, start=2):
        for col, value in enumerate(
            (row.grade, row.letter, row.number, row.pupils, row.pupils_ovz), start=1
        ):
            set_text(ws, row_no, col, value)
    last = TEMPLATE_ROWS + 1
    for col, kind, operator, low, high, error in _checks(grades):
        check = DataValidation(
            type=kind,
            operator=operator,
            formula1=low,
            formula2=high,
            allow_blank=True,
            errorTitle=HEADERS[col - 1][0],
            error=error,
        )
        letter = get_column_letter(col)
        check.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(check)
    help_sheet = wb.create_sheet(SHEET_HELP)
    help_sheet.column_dimensions["A"].width = 110
    for row_no, line in enumerate(_instructions(campaign_label, grades), start=1):
        set_text(help_sheet, row_no, 1, line)
        help_sheet.cell(row=row_no, column=1).alignment = Alignment(wrap_text=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class FileRow:
    """One class of the file, checked on its own; ``row`` is its Excel row."""

    row: int
    data: ClassInput


def _whole(value: Any, row: int, col: int, errors: list[CellError]) -> int | None:
    raw = text(value)
    if not raw:
        return None
    if not _WHOLE.match(raw):
        errors.append(
            CellError(row, col, NOT_WHOLE.format(header=HEADERS[col - 1][0], value=raw[:50]))
        )
        return None
    return int(raw)


def _add(errors: list[CellError], row: int, col: int, error: DomainError | None) -> None:
    if error is not None:
        errors.append(CellError(row, col, error.message))


def read_rows(content: bytes, *, grades: Collection[int], campaign_label: str) -> list[FileRow]:
    """The classes of a register file, each checked alone and against the others of the file
    (duplicate letters or numbers); ``UploadError`` listing every problem."""
    sheets = read_workbook(content, limits=SHEET_LIMITS)
    sheet = sheets.get(SHEET)
    if sheet is None:
        raise UploadError([CellError(0, 0, NO_SHEET.format(sheet=SHEET))])
    errors: list[CellError] = []
    for col, (header, _) in enumerate(HEADERS, start=1):
        value = text(sheet.cell(1, col))
        if value.casefold() != header.casefold():
            errors.append(CellError(1, col, BAD_HEADER.format(header=header, value=value)))
    if errors:
        raise UploadError(errors)
    rows: list[FileRow] = []
    letters: dict[tuple[int, str], int] = {}
    numbers: dict[tuple[int, int], int] = {}
    for row_no in range(2, len(sheet.rows) + 1):
        cells = [sheet.cell(row_no, c) for c in range(1, len(HEADERS) + 1)]
        if all(not text(v) for v in cells):
            continue
        before = len(errors)
        grade = _whole(cells[0], row_no, COL_GRADE, errors)
        letter = rules.letter_clean(text(cells[1]))
        number = _whole(cells[2], row_no, COL_NUMBER, errors)
        pupils = _whole(cells[3], row_no, COL_PUPILS, errors)
        ovz = _whole(cells[4], row_no, COL_OVZ, errors)
        errors.extend(
            CellError(row_no, col, REQUIRED.format(header=HEADERS[col - 1][0]))
            for col in (COL_GRADE, COL_LETTER, COL_PUPILS)
            if not text(cells[col - 1])
        )
        if grade is not None:
            _add(errors, row_no, COL_GRADE, rules.check_grade(grade, grades, campaign_label))
        if letter:
            _add(errors, row_no, COL_LETTER, rules.check_letter(letter))
        _add(errors, row_no, COL_NUMBER, rules.check_number(number))
        if pupils is not None:
            _add(errors, row_no, COL_PUPILS, rules.check_pupils(pupils))
            _add(errors, row_no, COL_OVZ, rules.check_ovz(ovz or 0, pupils))
        if grade is not None and letter:
            other = letters.setdefault((grade, letter), row_no)
            if other != row_no:
                errors.append(
                    CellError(
                        row_no,
                        COL_LETTER,
                        DUPLICATE_LETTER.format(label=f"{grade}{letter}", other=other),
                    )
                )
        if grade is not None and number is not None:
            other = numbers.setdefault((grade, number), row_no)
            if other != row_no:
                errors.append(
                    CellError(
                        row_no,
                        COL_NUMBER,
                        DUPLICATE_NUMBER.format(number=number, grade=grade, other=other),
                    )
                )
        if len(errors) == before and grade is not None and pupils is not None:
            data = ClassInput(grade, letter, number, pupils, ovz or 0)
            rows.append(FileRow(row_no, data))
    if errors:
        raise UploadError(errors)
    return rows
