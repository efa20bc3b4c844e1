"""Pure xlsx builders of the registration app (no ORM)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from apps.core.xlsx import table_workbook

SCHOOL_LIST_HEADERS = (
    "Код ОО (логин)",
    "Полное наименование",
    "Краткое наименование",
    "Адрес",
    "Тип ОО",
    "Статус",
    "Код муниципалитета",
    "Муниципалитет",
    "Часовой пояс",
)


@dataclass(frozen=True)
class SchoolRow:
    code: str
    full_name: str
    short_name: str
    address: str
    school_type: str
    status: str
    municipality_code: str
    municipality_name: str
    time_zone: str


def school_list_xlsx(*, unit_title: str, rows: Iterable[SchoolRow]) -> bytes:
    return table_workbook(
        sheet_title="Список ОО",
        title=f"Список ОО: {unit_title}",
        headers=SCHOOL_LIST_HEADERS,
        rows=(
            (
                r.code,
                r.full_name,
                r.short_name,
                r.address,
                r.school_type,
                r.status,
                r.municipality_code,
                r.municipality_name,
                r.time_zone,
            )
            for r in rows
        ),
        widths=(14, 60, 30, 50, 18, 14, 16, 40, 22),
    )
