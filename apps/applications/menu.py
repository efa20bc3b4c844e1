"""The applications app's menu items: coordinators monitor, schools go to their own application."""

from __future__ import annotations

from apps.applications.actions import ApplicationActions as A
from apps.core.registry import MenuItem
from apps.registration.menu import APPLICATIONS, can

ITEMS = [
    MenuItem(APPLICATIONS, 10, "Заявки ВПР", "application-monitoring", can(A.MONITOR_APPLICATIONS)),
    MenuItem(
        APPLICATIONS,
        11,
        "Заявка ВПР",
        "application-home",
        lambda actor: actor.can(A.VIEW_APPLICATION) and not actor.can(A.MONITOR_APPLICATIONS),
    ),
]
