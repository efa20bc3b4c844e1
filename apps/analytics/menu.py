"""The analytics app's menu item: the reports of the actor's unit and the units below it."""

from __future__ import annotations

from apps.analytics.actions import AnalyticsActions as A
from apps.core.registry import MenuItem
from apps.registration.menu import ANALYTICS, can

ITEMS = [MenuItem(ANALYTICS, 10, "Аналитика", "analytics-index", can(A.VIEW_ANALYTICS))]
