"""The classes app's menu items: the school's classes; the distribution above the schools.

Each sub-domain adds its page here as it lands (``class-register``, ``class-distribution``).
"""

from __future__ import annotations

from apps.classes.actions import ClassActions
from apps.core.registry import MenuItem
from apps.registration.access import Actor
from apps.registration.menu import APPLICATIONS, can, own_school_url


def _school_timetable(actor: Actor) -> bool:
    """The school's own plan-graph by class: its organizer and technical specialist."""
    return bool(actor.scope.school_id) and (
        actor.can(ClassActions.SET_CLASS_DATES) or actor.can(ClassActions.VIEW_CLASSES)
    )


def _own_register(actor: Actor) -> bool:
    """The school's own class register: actors anchored at a school."""
    return bool(actor.scope.school_id) and actor.can(ClassActions.VIEW_CLASSES)


def _registers_summary(actor: Actor) -> bool:
    """The summary of the schools' registers: coordinators above the schools."""
    return not actor.scope.school_id and actor.can(ClassActions.VIEW_CLASSES)


ITEMS: list[MenuItem] = [
    MenuItem(APPLICATIONS, 45, "Классы и работы", own_school_url("class-register"), _own_register),
    MenuItem(APPLICATIONS, 46, "Классы ОО", "class-register-summary", _registers_summary),
    MenuItem(
        APPLICATIONS,
        47,
        "План-график ОО по классам",
        own_school_url("class-timetable"),
        _school_timetable,
    ),
    MenuItem(
        APPLICATIONS,
        75,
        "Распределение по классам",
        "class-distribution",
        can(ClassActions.VIEW_DISTRIBUTION),
    ),
]
