"""The school day app's menu items: the school's rooms and placement; the coordinators'
readiness overview."""

from __future__ import annotations

from apps.core.registry import MenuItem
from apps.registration.access import Actor
from apps.registration.menu import MATERIALS, RESULTS, own_school_url
from apps.schoolday.actions import SchoolDayActions as A


def _own_school(actor: Actor) -> bool:
    """The school's own day: its organizer (edits) and technical specialist (reads)."""
    return bool(actor.scope.school_id) and actor.can(A.VIEW_SCHOOL_DAY)


def _coordinators(actor: Actor) -> bool:
    """The readiness of the schools: municipal, regional and federal coordinators."""
    return not actor.scope.school_id and actor.role is not None and actor.can(A.VIEW_SCHOOL_DAY)


ITEMS: list[MenuItem] = [
    MenuItem(
        MATERIALS, 15, "Аудитории и рассадка", own_school_url("schoolday-school"), _own_school
    ),
    # the print planner and the rooms' delivery packets (apps/schoolday/packets/)
    MenuItem(
        MATERIALS,
        16,
        "Что печатать",
        own_school_url("schoolday-print"),
        lambda actor: _own_school(actor) and actor.can(A.PRINT_PACKETS),
    ),
    MenuItem(
        MATERIALS, 55, "Готовность ОО ко дню проведения", "schoolday-readiness", _coordinators
    ),
    # checking of the works (apps/schoolday/checking/): the school and its experts (an expert
    # sees only the codes given to it), the coordinators' progress
    MenuItem(
        RESULTS,
        5,
        "Проверка работ",
        own_school_url("schoolday-checking-school"),
        lambda actor: bool(actor.scope.school_id) and actor.can(A.VIEW_CHECKING),
    ),
    MenuItem(
        RESULTS,
        6,
        "Ход проверки работ",
        "schoolday-checking-progress",
        lambda actor: (
            not actor.scope.school_id and actor.role is not None and actor.can(A.VIEW_CHECKING)
        ),
    ),
]
