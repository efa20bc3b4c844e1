"""The audit actions of the classes app with their Russian names (log and filter).

Registered from the app's ``AppConfig.ready`` (``core.audit_actions.register_audit_actions``);
every ``audit_record(action=...)`` of the app needs a member here
(``apps/core/tests/test_audit_actions.py``).
"""

from __future__ import annotations

from django.db import models

from apps.core.audit_actions import Section

SECTION = Section("classes", "Классы и распределение", order=35)


class ClassesAudit(models.TextChoices):
    CLASS_SAVE = "classes.class_save", "Сохранён класс в реестре"
    CLASS_REMOVE = "classes.class_remove", "Класс убран из реестра"
    REGISTER_UPLOAD = "classes.register_upload", "Загружен файл реестра классов"
    REGISTER_UPLOAD_REJECTED = "classes.register_upload_rejected", "Файл реестра классов отклонён"
    REGISTER_APPLY = "classes.register_apply", "Применён файл реестра классов"
    REGISTER_DISCARD = "classes.register_discard", "Отменена загрузка файла реестра классов"
    REGISTERS_LOAD = "classes.registers_load", "Созданы реестры классов ОО (пакетом)"
    ASSIGNMENT_RUN = "classes.assignment_run", "Выполнено распределение предметов по классам"
    ASSIGNMENT_PUBLISH = "classes.assignment_publish", "Распределение опубликовано"
    ASSIGNMENT_LATE = "classes.assignment_late", "Новому классу назначены предметы"
    DISTRIBUTION_EXPORT = "classes.distribution_export", "Выгружено распределение"
    CLASS_DATE_SET = "classes.date_set", "Назначена дата работы класса"
    CLASS_DATE_MOVE = "classes.date_move", "Координатор перенёс дату работы класса"
    CLASS_FORM_SET = "classes.form_set", "Выбрана форма проведения работы класса"
    CLASS_PARTICIPANTS_SET = (
        "classes.participants_set",
        "Подтверждены участники и формы работ классов",
    )
    TIMETABLE_DOWNLOAD = "classes.timetable_download", "Скачан план-график ОО"
