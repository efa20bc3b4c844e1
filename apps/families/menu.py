"""The families app's menu items: the school's slips page; the overview of the levels above."""

from __future__ import annotations

from apps.core.registry import MenuItem
from apps.families.actions import FamiliesActions as A
from apps.registration.access import Actor
from apps.registration.menu import RESULTS, can, own_school_url


def _above_schools(actor: Actor) -> bool:
    return actor.can(A.VIEW_INFORMED) and not actor.can(A.PRINT_SLIPS)


ITEMS = [
    MenuItem(
        RESULTS,
        30,
        "Результаты для родителей",
        own_school_url("families-school"),
        can(A.PRINT_SLIPS),
    ),
    MenuItem(RESULTS, 40, "Информирование родителей", "families-overview", _above_schools),
]
