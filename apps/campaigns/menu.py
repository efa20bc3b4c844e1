"""The campaigns app's menu items: the plan-graph for all, the works for the federal operator,
the school's own schedule, and the schools' days and reserve days above the schools."""

from __future__ import annotations

from apps.campaigns.actions import CampaignActions as A
from apps.core.registry import MenuItem
from apps.registration.access import Actor
from apps.registration.menu import APPLICATIONS, can, own_school_url


def _own_schedule(actor: Actor) -> bool:
    return actor.can(A.EDIT_SCHEDULE) and bool(actor.scope.school_id)


def _schools_days(actor: Actor) -> bool:
    return actor.can(A.VIEW_SCHEDULE) and not _own_schedule(actor)


ITEMS = [
    MenuItem(APPLICATIONS, 20, "План-график", "plan-graph", can(A.VIEW_CAMPAIGNS)),
    MenuItem(APPLICATIONS, 30, "Кампании и работы", "campaign-list", can(A.MANAGE_CAMPAIGNS)),
    MenuItem(
        APPLICATIONS, 40, "Расписание ВПР", own_school_url("school-schedule"), can(A.EDIT_SCHEDULE)
    ),
    MenuItem(APPLICATIONS, 50, "Даты проведения", "school-date-list", _schools_days),
    MenuItem(
        APPLICATIONS,
        60,
        "Резервные дни",
        "reserve-day-list",
        lambda actor: _schools_days(actor) and actor.can(A.VIEW_RESERVE_DAYS),
    ),
]
