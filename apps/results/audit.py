"""The audit actions of the results app with their Russian names (log and filter).

Registered from the app's ``AppConfig.ready`` (``core.audit_actions.register_audit_actions``);
every ``audit_record(action=...)`` of the app needs a member here
(``apps/core/tests/test_audit_actions.py``).
"""

from __future__ import annotations

from django.db import models

from apps.core.audit_actions import Section

SECTION = Section("results", "Результаты", order=60)


class ResultsAudit(models.TextChoices):
    RESULTS_FORM_DOWNLOAD = "results.form_download", "Скачана форма для результатов"
    RESULTS_UPLOAD = "results.upload", "Загрузка результатов"
    RESULTS_UPLOAD_UNCHANGED = (
        "results.upload_unchanged",
        "Повторная загрузка результатов без изменений",
    )
    RESULTS_UPLOAD_REJECTED = "results.upload_rejected", "Файл результатов отклонён"
    RESULTS_UPLOAD_REFUSED = "results.upload_refused", "Загрузка результатов вне срока отклонена"
    RESULTS_EXPERT_ENTRY = "results.expert_entry", "Эксперт внёс баллы (черновик)"
    RESULTS_REOPEN = "results.reopen", "Приём результатов открыт повторно"
    RESULTS_REMIND = "results.remind", "Разослано напоминание о результатах"
    RESULTS_CONTEXT_FORM_DOWNLOAD = (
        "results.context_form_download",
        "Скачана форма контекстных данных",
    )
    RESULTS_CONTEXT_UPLOAD = "results.context_upload", "Загрузка контекстных данных"
    RESULTS_CONTEXT_UPLOAD_REFUSED = (
        "results.context_upload_refused",
        "Загрузка контекстных данных вне срока отклонена",
    )
    # Recorded by the demo (local and test settings only) as the results app would.
    RESULTS_DEMO_SEED = "results.demo_seed", "Загружены демонстрационные результаты"
