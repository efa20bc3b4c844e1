"""The audit actions of the school day app with their Russian names (log and filter).

Registered from the app's ``AppConfig.ready`` (``core.audit_actions.register_audit_actions``);
every ``audit_record(action=...)`` of the app needs a member here
(``apps/core/tests/test_audit_actions.py``).
"""

from __future__ import annotations

from django.db import models

from apps.core.audit_actions import Section

SECTION = Section("schoolday", "День проведения", order=36)


class SchoolDayAudit(models.TextChoices):
    ROOM_SAVE = "schoolday.room_save", "Сохранена аудитория"
    ROOM_REMOVE = "schoolday.room_remove", "Аудитория убрана"
    PERSON_SAVE = "schoolday.person_save", "Сохранён участник дня проведения (взрослый)"
    PERSON_REMOVE = "schoolday.person_remove", "Участник дня проведения убран"
    PLACEMENT_PROPOSE = (
        "schoolday.placement_propose",
        "Рассадка по аудиториям составлена автоматически",
    )
    PLACEMENT_SAVE = "schoolday.placement_save", "Изменена рассадка по аудиториям"
    STAFF_SAVE = "schoolday.staff_save", "Назначены организаторы и наблюдатели в аудитории"
    PACKETS_BUILD = "schoolday.packets_build", "Запрошена сборка доставочных пакетов"
    PACKET_DOWNLOAD = "schoolday.packet_download", "Скачан доставочный пакет аудитории"
    CHECKING_AUTO_ASSIGN = (
        "schoolday.checking_auto_assign",
        "Работы участников распределены экспертам автоматически",
    )
    CHECKING_ASSIGN = "schoolday.checking_assign", "Работы участников переданы эксперту"
    CHECKING_UNASSIGN = "schoolday.checking_unassign", "Работы участников сняты с эксперта"
    EXPERT_ACCOUNT_ISSUE = "schoolday.expert_account_issue", "Эксперту выдан доступ к порталу"
    EXPERT_ACCOUNT_REISSUE = (
        "schoolday.expert_account_reissue",
        "Эксперту выдан новый одноразовый пароль",
    )
    EXPERT_ACCOUNT_REVOKE = (
        "schoolday.expert_account_revoke",
        "У эксперта отключён доступ к порталу",
    )
    RECORD_HAND_OUT = "schoolday.record_hand_out", "Материалы выданы в аудитории"
    RECORD_RETURN = "schoolday.record_return", "Материалы возвращены, пакеты запечатаны"
    RECORD_CORRECT = (
        "schoolday.record_correct",
        "Исправлена запись о возврате материалов в аудитории",
    )
