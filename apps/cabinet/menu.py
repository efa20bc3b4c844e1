"""The cabinet's menu item: «Что сделать сейчас», the first link of every role."""

from __future__ import annotations

from apps.core.registry import MenuItem
from apps.registration.menu import CABINET, always

ITEMS = [MenuItem(CABINET, 10, "Кабинет", "cabinet", always)]
