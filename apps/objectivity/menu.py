"""The objectivity control app's menu items (scans, marking, the federal sample, re-checks)."""

from __future__ import annotations

from apps.core.registry import MenuItem

ITEMS: list[MenuItem] = []
