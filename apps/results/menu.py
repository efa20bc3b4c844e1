"""The results app's menu items: the school's own results page; coordinators monitor uploads."""

from __future__ import annotations

from apps.core.registry import MenuItem
from apps.registration.access import Actor
from apps.registration.menu import RESULTS, can, own_school_url
from apps.results.actions import ResultsActions as A


def _school_uploads(actor: Actor) -> bool:
    return actor.can(A.UPLOAD_RESULTS) and bool(actor.scope.school_id)


ITEMS = [
    MenuItem(
        RESULTS, 10, "Результаты ВПР", own_school_url("results-school"), can(A.UPLOAD_RESULTS)
    ),
    MenuItem(
        RESULTS,
        20,
        "Загрузка результатов",
        "results-monitoring",
        lambda actor: actor.can(A.MONITOR_RESULTS) and not _school_uploads(actor),
    ),
]
