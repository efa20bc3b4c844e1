"""The audit actions of the applications app with their Russian names (log and filter).

Registered from the app's ``AppConfig.ready`` (``core.audit_actions.register_audit_actions``);
every ``audit_record(action=...)`` of the app needs a member here
(``apps/core/tests/test_audit_actions.py``).
"""

from __future__ import annotations

from django.db import models

from apps.core.audit_actions import Section

SECTION = Section("applications", "Заявки", order=40)


class ApplicationsAudit(models.TextChoices):
    APPLICATION_OPEN = "application.open", "Открыта заявка"
    APPLICATION_LINES_SAVE = "application.lines_save", "Сохранены строки заявки"
    APPLICATION_SUBMIT = "application.submit", "Заявка отправлена на согласование"
    APPLICATION_CONFIRM = "application.confirm", "Заявка подтверждена"
    APPLICATION_REOPEN = "application.reopen", "Заявка возвращена на доработку"
    APPLICATION_FORM_DOWNLOAD = "application.form_download", "Скачан бланк заявки"
    APPLICATION_UPLOAD = "application.upload", "Загружен файл заявок"
    APPLICATION_UPLOAD_REJECTED = "application.upload_rejected", "Файл заявок отклонён"
    APPLICATION_IMPORT_APPLY = "application.import_apply", "Применён файл заявок"
    APPLICATION_IMPORT_DISCARD = "application.import_discard", "Отменена загрузка файла заявок"
    APPLICATION_SUMMARY_DOWNLOAD = "application.summary_download", "Скачана сводка заявок"
    APPLICATION_MONITORING_EXPORT = (
        "application.monitoring_export",
        "Скачана выгрузка мониторинга заявок",
    )
    APPLICATION_NOT_APPLIED_EXPORT = "application.not_applied_export", "Скачан список ОО без заявок"
