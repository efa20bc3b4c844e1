"""The audit actions of the campaigns app with their Russian names (log and filter).

Registered from the app's ``AppConfig.ready`` (``core.audit_actions.register_audit_actions``);
every ``audit_record(action=...)`` of the app needs a member here
(``apps/core/tests/test_audit_actions.py``).
"""

from __future__ import annotations

from django.db import models

from apps.core.audit_actions import Section

SECTION = Section("campaigns", "Кампании, работы и график", order=30)


class CampaignsAudit(models.TextChoices):
    CAMPAIGN_SAVE = "campaign.save", "Сохранена кампания"
    SUBJECT_CREATE = "subject.create", "Добавлен учебный предмет"
    WORK_SAVE = "work.save", "Сохранена работа"
    WORK_DELETE = "work.delete", "Удалена работа"
    WORKS_IMPORT_UPLOAD = "works.import_upload", "Загружен файл работ"
    WORKS_IMPORT_REJECTED = "works.import_rejected", "Файл работ отклонён"
    WORKS_IMPORT_APPLY = "works.import_apply", "Применён файл работ"
    WORKS_IMPORT_DISCARD = "works.import_discard", "Отменена загрузка файла работ"
    SCHEDULE_DATE_SET = "schedule.date_set", "Выбрана дата проведения в ОО"
    SCHEDULE_DATE_MOVE = "schedule.date_move", "Перенесена дата проведения в ОО"
    RESERVE_DAY_REQUEST = "reserve_day.request", "Запрошен резервный день"
    RESERVE_DAY_DECIDE = "reserve_day.decide", "Рассмотрен запрос резервного дня"
    GRADES_SAVE = "campaign.grades_save", "Сохранены параллели и число предметов по распределению"
    WORK_PARTICIPATION_SET = "work.participation_set", "Изменено участие работы в распределении"
