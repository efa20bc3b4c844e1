"""The notices app's menu item (its badge counts the unread: ``notices.context_processors``)."""

from __future__ import annotations

from apps.core.registry import MenuItem
from apps.notices.actions import NoticeActions as A
from apps.registration.menu import CABINET, can

ITEMS = [MenuItem(CABINET, 50, "Объявления и документы", "notice-list", can(A.VIEW_NOTICES))]
