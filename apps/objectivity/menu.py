"""The objectivity control app's menu items (scans, marking, the federal sample, re-checks).

In the results section a school's items follow its day: the checking of the works (schoolday,
5–6), the scans (7), its experts' on-screen checking (12), then the results (10 and on). The
coordinators' and the federal operator's items come after the results and the families (45+).
"""

from __future__ import annotations

from apps.core.registry import MenuItem
from apps.objectivity.actions import ObjectivityActions as Obj
from apps.registration.access import Actor
from apps.registration.menu import ANALYTICS, RESULTS, own_school_url


def _school(actor: Actor) -> bool:
    return bool(actor.scope.school_id)


def _above_schools(actor: Actor) -> bool:
    return not actor.scope.school_id and actor.role is not None


ITEMS: list[MenuItem] = [
    # scans of the paper works (scans/): the school's own page, the coordinators' list
    MenuItem(
        RESULTS,
        7,
        "Сканы работ",
        own_school_url("objectivity-scans-school"),
        lambda actor: _school(actor) and actor.can(Obj.VIEW_SCANS),
    ),
    MenuItem(
        RESULTS,
        45,
        "Сканы работ ОО",
        "objectivity-scans-unit",
        lambda actor: _above_schools(actor) and actor.can(Obj.VIEW_SCANS),
    ),
    # marking on screen (marking/): a commission's marker or a school's expert; the school's
    # organizer runs its experts' on-screen checking
    MenuItem(
        RESULTS, 11, "Проверка работ на экране", "objectivity-marking", lambda a: a.can(Obj.MARK)
    ),
    MenuItem(
        RESULTS,
        12,
        "Проверка экспертами ОО на экране",
        own_school_url("objectivity-marking-school"),
        lambda actor: _school(actor) and actor.can(Obj.MANAGE_REVIEWS),
    ),
    # the federal sample (sample/): the federal operator's draw; the works checked federally as
    # a school or a coordinator sees them; commission markers' accounts (commission/)
    MenuItem(
        RESULTS, 50, "Федеральная выборка", "objectivity-sample", lambda a: a.can(Obj.DRAW_SAMPLE)
    ),
    MenuItem(
        RESULTS,
        51,
        "ВПР с контролем объективности",
        "objectivity-sample-cases",
        lambda actor: actor.can(Obj.VIEW_REVIEWS) and not actor.can(Obj.DRAW_SAMPLE),
    ),
    MenuItem(
        RESULTS,
        52,
        "Эксперты комиссии",
        "objectivity-commission",
        lambda actor: actor.can(Obj.MANAGE_MARKERS),
    ),
    # re-checks (rechecks/): coordinators' re-checks, a school's cases
    MenuItem(
        ANALYTICS,
        30,
        "Перепроверки",
        "objectivity-rechecks",
        lambda actor: actor.can(Obj.VIEW_REVIEWS),
    ),
]
