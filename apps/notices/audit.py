"""The audit actions of the notices app with their Russian names (log and filter).

Registered from the app's ``AppConfig.ready`` (``core.audit_actions.register_audit_actions``);
every ``audit_record(action=...)`` of the app needs a member here
(``apps/core/tests/test_audit_actions.py``).
"""

from __future__ import annotations

from django.db import models

from apps.core.audit_actions import Section

SECTION = Section("notices", "Объявления и документы", order=80)


class NoticesAudit(models.TextChoices):
    NOTICE_PUBLISH = "notice.publish", "Опубликовано объявление"
    NOTICE_FILE_VERSION = "notice.file_version", "Загружена новая версия документа объявления"
    NOTICE_READ = "notice.read", "Прочитано объявление"
    NOTICE_FILE_DOWNLOAD = "notice.file_download", "Скачан документ объявления"


# The Russian names of this app's kinds of objects in the log.
TARGETS: dict[str, str] = {
    "notices.notice": "объявление",
    "notices.noticefile": "документ объявления",
}
