"""The distribution of works over classes as an xlsx file (pure: a Distribution → bytes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apps.core.xlsx import table_workbook

if TYPE_CHECKING:
    from apps.classes.assignment.selectors import Distribution

HEADERS = [
    "Параллель",
    "Предмет",
    "Основание",
    "Классов",
    "Обучающихся",
    "Из них с ОВЗ",
]
SOURCE_LABELS = {"compulsory": "обязательная", "assigned": "по распределению"}


def distribution_filename(found: Distribution) -> str:
    return f"Распределение по классам {found.campaign.label} {found.unit_label}.xlsx".replace(
        "/", "-"
    )


def distribution_workbook(found: Distribution) -> bytes:
    rows = [
        [r.grade, r.subject, SOURCE_LABELS[r.source], r.classes, r.pupils, r.pupils_ovz]
        for r in [*found.assigned, *found.compulsory]
    ]
    title = f"Распределение предметов по классам: {found.campaign.label}, {found.unit_label}"
    if not found.assigned_visible:
        title += " (распределение ещё не опубликовано: только обязательные работы)"
    return table_workbook(
        sheet_title="Распределение",
        headers=HEADERS,
        rows=rows,
        title=title,
        widths=[11, 32, 18, 10, 13, 13],
    )
