"""xlsx of the analytics reports, named like ФИС ОКО. Pure: dataclasses in, bytes out."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from apps.core.xlsx import HEADER_FILL, HEADER_FONT, set_text

# Subject abbreviations of ФИС ОКО's sheet names («РУ 4 Статистика по отметкам»).
SUBJECT_ABBREVIATIONS = {
    "russian": "РУ",
    "math": "МА",
    "mathematics": "МА",
    "world": "ОМ",
    "history": "ИС",
    "biology": "БИ",
    "geography": "ГЕ",
    "social": "ОБ",
    "physics": "ФИ",
    "chemistry": "ХИ",
    "english": "АЯ",
    "german": "НЯ",
    "french": "ФЯ",
    "informatics": "ИН",
    "literature": "ЛИ",
}
MARKS_FILE_NAME = "Ф3_Статистика по отметкам.xlsx"


def subject_abbreviation(code: str, name: str) -> str:
    return SUBJECT_ABBREVIATIONS.get(code) or name[:2].upper()


@dataclass(frozen=True)
class MarksSheet:
    """Статистика по отметкам of one unit, ready to write."""

    subject_code: str
    subject_name: str
    grade: int
    year: int
    max_score: int
    generated_on: dt.date
    rows: Sequence[Sequence[Any]]  # level label, name, schools, participants, %2..%5


def marks_workbook(sheet: MarksSheet) -> bytes:
    """«РУ 4 Статистика по отметкам»: a header block, then one line per unit (no formulas)."""
    wb = Workbook()
    ws = wb.active
    if ws is None:  # pragma: no cover - a new Workbook always has one sheet
        ws = wb.create_sheet()
    abbreviation = subject_abbreviation(sheet.subject_code, sheet.subject_name)
    ws.title = f"{abbreviation} {sheet.grade} Статистика по отметкам"[:31]
    set_text(ws, 1, 1, "Статистика по отметкам")
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    set_text(ws, 2, 1, f"ВПР {sheet.year} {sheet.subject_name} {sheet.grade} класс")
    set_text(ws, 3, 1, f"Максимальный первичный балл: {sheet.max_score}")
    set_text(ws, 4, 1, f"Дата формирования: {sheet.generated_on:%d.%m.%Y}")
    headers = ["Уровень", "Наименование", "Кол-во ОО", "Кол-во участников", "2", "3", "4", "5"]
    for col, header in enumerate(headers, start=1):
        set_text(ws, 6, col, header)
        ws.cell(row=6, column=col).font = HEADER_FONT
        ws.cell(row=6, column=col).fill = HEADER_FILL
    for i, values in enumerate(sheet.rows, start=7):
        for col, value in enumerate(values, start=1):
            set_text(ws, i, col, value)
    ws.column_dimensions["B"].width = 50
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
