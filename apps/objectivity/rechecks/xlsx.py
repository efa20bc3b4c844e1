"""The gap report as an xlsx workbook: by task, by mark (with the transition matrix), by school,
and the codes found on one side only. Every text cell is written as text (core.xlsx)."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font

from apps.core.xlsx import HEADER_FILL, HEADER_FONT, set_text
from apps.objectivity.rechecks.report import MARKS
from apps.objectivity.rechecks.selectors import GapReportPage


def file_name(page: GapReportPage) -> str:
    """«Перепроверка_<работа>_расхождения.xlsx» (no characters a file system refuses)."""
    work = re.sub(r"[^\w\- ]+", "", str(page.review.work)).strip().replace(" ", "_")
    return f"Перепроверка_{page.review.pk}_{work}_расхождения.xlsx"


def _sheet(wb: Workbook, title: str, heading: str, headers: list[str], rows: list[list]) -> None:  # type: ignore[type-arg]
    ws = wb.create_sheet(title[:31])
    set_text(ws, 1, 1, heading)
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    for col, header in enumerate(headers, start=1):
        set_text(ws, 3, col, header)
        ws.cell(row=3, column=col).font = HEADER_FONT
        ws.cell(row=3, column=col).fill = HEADER_FILL
    for r, values in enumerate(rows, start=4):
        for col, value in enumerate(values, start=1):
            set_text(ws, r, col, value)
    ws.freeze_panes = ws.cell(row=4, column=1)
    for letter in "ABCDEFGH":
        ws.column_dimensions[letter].width = 18
    ws.column_dimensions["A"].width = 32


def gap_workbook(page: GapReportPage) -> bytes:
    r = page.report
    review = page.review
    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    title = f"{review.title} ({review.work})"
    _sheet(
        wb,
        "По заданиям",
        f"{title}: расхождения по заданиям, участников сопоставлено: {r.compared}",
        [
            "Задание",
            "Макс. балл",
            "Средний балл ОО",
            "Средний балл комиссии",
            "Разница (ОО − комиссия)",
            "Доля участников, у которых ОО поставила больше, %",
        ],
        [
            [t.label, t.max_score, t.school_mean, t.commission_mean, t.difference, t.school_higher]
            for t in r.tasks
        ],
    )
    _sheet(
        wb,
        "По отметкам",
        f"{title}: отметки ОО и комиссии; строки — отметка ОО, столбцы — отметка комиссии",
        ["Отметка", "У ОО", "У комиссии", *[f"Комиссия: «{m}»" for m in MARKS]],
        [
            [f"«{m.mark}»", m.school, m.commission, *[r.matrix[m.mark][c] for c in MARKS]]
            for m in r.marks
        ],
    )
    _sheet(
        wb,
        "По ОО",
        f"{title}: по ОО",
        [
            "ОО",
            "Участников сопоставлено",
            "Средняя разница первичного балла (ОО − комиссия)",
            "Отметка понижена, %",
            "Отметка повышена, %",
            "Итог",
        ],
        [
            [s.name, s.compared, s.mean_difference, s.lowered, s.raised, s.outcome or "—"]
            for s in r.schools
        ],
    )
    _sheet(
        wb,
        "Без пары",
        f"{title}: коды, найденные только с одной стороны",
        ["ОО", "Код участника", "Что есть"],
        [[u.name, u.code, "скан работы, нет строки в результатах ОО"] for u in r.booklet_only]
        + [[u.name, u.code, "строка в результатах ОО, нет скана работы"] for u in r.school_only],
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
