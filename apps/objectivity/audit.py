"""The audit actions of the objectivity control app with their Russian names (log and filter).

Registered from the app's ``AppConfig.ready`` (``core.audit_actions.register_audit_actions``);
every ``audit_record(action=...)`` of the app needs a member here
(``apps/core/tests/test_audit_actions.py``).
"""

from __future__ import annotations

from django.db import models

from apps.core.audit_actions import Section

SECTION = Section("objectivity", "Контроль объективности", order=62)


class ObjectivityAudit(models.TextChoices):
    SCANS_UPLOAD = "objectivity.scans_upload", "Загружены сканы работ"
    SCANS_PROCESSED = "objectivity.scans_processed", "Сканы работ обработаны"
    SCANS_REPROCESS = "objectivity.scans_reprocess", "Сканы работ поставлены на повторную обработку"
    BOOKLET_CODE = "objectivity.booklet_code", "Введён код участника по скану"
    SAMPLE_DRAW = "objectivity.sample_draw", "Проведена федеральная выборка"
    FEDERAL_PUBLISH = (
        "objectivity.federal_publish",
        "Федеральные баллы стали официальными результатами ОО",
    )
    REVIEW_OPEN = "objectivity.review_open", "Открыта проверка работ комиссией"
    REVIEW_CLOSE = "objectivity.review_close", "Проверка работ комиссией завершена"
    REVIEW_ALLOCATE = "objectivity.review_allocate", "Работы распределены экспертам"
    MARKERS_SET = "objectivity.markers_set", "Изменён состав экспертов проверки"
    MARKER_ACCOUNT_ISSUE = "objectivity.marker_account_issue", "Эксперту комиссии выдан доступ"
    MARKER_ACCOUNT_REISSUE = (
        "objectivity.marker_account_reissue",
        "Эксперту комиссии выдан новый пароль",
    )
    MARKER_ACCOUNT_REVOKE = (
        "objectivity.marker_account_revoke",
        "У эксперта комиссии отозван доступ",
    )
    CASE_STATUS = "objectivity.case_status", "Изменено состояние дела"
    CASE_COMMENT = "objectivity.case_comment", "Добавлен комментарий к делу"
    SCANS_REQUEST = "objectivity.scans_request", "У ОО запрошены сканы работ"
    MARK_ENTER = "objectivity.mark_enter", "Эксперт оценил задание"
