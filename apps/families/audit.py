"""The audit actions of the families app with their Russian names (log and filter).

Registered from the app's ``AppConfig.ready`` (``core.audit_actions.register_audit_actions``);
every ``audit_record(action=...)`` of the app needs a member here
(``apps/core/tests/test_audit_actions.py``).
"""

from __future__ import annotations

from django.db import models

from apps.core.audit_actions import Section

SECTION = Section("families", "Результаты для родителей", order=65)


class FamiliesAudit(models.TextChoices):
    SLIPS_DOWNLOAD = "families.slips_download", "Скачаны бланки результатов для родителей"
    INFORMED_MARK = "families.informed_mark", "Отмечено информирование родителей класса"
    INFORMED_UNDO = "families.informed_undo", "Отменена отметка об информировании родителей"


# The Russian names of this app's kinds of objects in the log.
TARGETS: dict[str, str] = {
    "families.familiesinformed": "отметка об информировании родителей",
}
