"""The register's files: a school's register as the xlsx the upload takes back, and the summary
of a unit as one sheet."""

from __future__ import annotations

from typing import Any

from apps.classes.register.selectors import Register, Summary, SummaryRow
from apps.classes.register.xlsx import TemplateRow, build_template
from apps.core.xlsx import table_workbook

SUMMARY_PARTS = ("классов", "обучающихся", "из них с ОВЗ")


def register_template(register: Register) -> tuple[bytes, str]:
    """The register's xlsx bytes and its Russian file name."""
    label = register.campaign.label if register.campaign else ""
    content = build_template(
        campaign_label=label,
        grades=register.grades,
        rows=[
            TemplateRow(c.grade, c.letter, c.number, c.pupils, c.pupils_ovz)
            for c in (r.school_class for r in register.rows)
        ],
    )
    return content, f"Реестр классов {register.school.code} {label}.xlsx".replace(",", "")


def summary_workbook(summary: Summary) -> tuple[bytes, str]:
    """The summary as one sheet (a row per school, then per municipality) and its file name."""
    headers = ["Уровень", "Муниципалитет / регион", "Наименование"]
    for grade in summary.grades:
        headers += [f"{grade} кл.: {part}" for part in SUMMARY_PARTS]
    headers += [f"Всего: {part}" for part in SUMMARY_PARTS]

    def line(kind: str, row: SummaryRow) -> list[Any]:
        values: list[Any] = [kind, row.municipality, row.name]
        for cell in [*row.by_grade(summary.grades), row.total]:
            values += [cell.classes, cell.pupils, cell.pupils_ovz]
        return values

    rows = [line("ОО", r) for r in summary.schools]
    rows += [line("Муниципалитет", r) for r in summary.municipalities]
    label = summary.campaign.label if summary.campaign else ""
    content = table_workbook(
        sheet_title="Классы",
        headers=headers,
        rows=rows,
        title=f"Классы и обучающиеся: {label}" if label else "Классы и обучающиеся",
    )
    return content, f"Классы и обучающиеся {label}.xlsx".replace(",", "")
