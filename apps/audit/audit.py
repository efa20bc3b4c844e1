"""The audit actions of the audit app with their Russian names (log and filter).

Registered from the app's ``AppConfig.ready`` (``core.audit_actions.register_audit_actions``);
every ``audit_record(action=...)`` of the app needs a member here
(``apps/core/tests/test_audit_actions.py``).
"""

from __future__ import annotations

from django.db import models

from apps.core.audit_actions import Section

SECTION = Section("audit", "Журнал действий", order=70)


class AuditLogAudit(models.TextChoices):
    AUDIT_EXPORT = "audit.export", "Выгружен журнал действий"
