"""The audit log's menu item."""

from __future__ import annotations

from apps.audit.actions import AuditLogActions as A
from apps.core.registry import MenuItem
from apps.registration.menu import SERVICE, can

ITEMS = [MenuItem(SERVICE, 20, "Журнал действий", "audit-list", can(A.VIEW_AUDIT))]
