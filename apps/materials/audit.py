"""The audit actions of the materials app with their Russian names (log and filter).

Registered from the app's ``AppConfig.ready`` (``core.audit_actions.register_audit_actions``);
every ``audit_record(action=...)`` of the app needs a member here
(``apps/core/tests/test_audit_actions.py``).
"""

from __future__ import annotations

from django.db import models

from apps.core.audit_actions import Section

SECTION = Section("materials", "Материалы", order=50)


class MaterialsAudit(models.TextChoices):
    MATERIALS_BANK_UPLOAD = "materials.bank_upload", "Загружен файл банка заданий"
    MATERIALS_BANK_UPLOAD_REJECTED = "materials.bank_upload_rejected", "Файл банка заданий отклонён"
    MATERIALS_BANK_APPLY = "materials.bank_apply", "Применён файл банка заданий"
    MATERIALS_BANK_DISCARD = "materials.bank_discard", "Отменена загрузка файла банка заданий"
    MATERIALS_BANK_IMPORT = "materials.bank_import", "Обновлён банк заданий"
    MATERIALS_BANK_EXPORT = "materials.bank_export", "Выгружен банк заданий"
    MATERIALS_FILE_ATTACH = "materials.file_attach", "Добавлен файл к банку заданий"
    MATERIALS_FILE_REMOVE = "materials.file_remove", "Удалён файл банка заданий"
    MATERIALS_CODES_ISSUE = "materials.codes_issue", "Выданы коды участников"
    MATERIALS_CODES_REATTACH = (
        "materials.codes_reattach",
        "Коды участников перенесены в классы реестра",
    )
    MATERIALS_GENERATE = "materials.generate", "Сформированы варианты"
    MATERIALS_BUILD_REQUEST = "materials.build_request", "Запрошена сборка материалов"
    MATERIALS_BUILD_CANCEL = "materials.build_cancel", "Отменена сборка материалов"
    MATERIALS_AUTO_BUILD = "materials.auto_build", "Автоматически запущена сборка материалов"
    MATERIALS_AUTO_BUILD_FAILED = (
        "materials.auto_build_failed",
        "Автоматический запуск сборки материалов не удался",
    )
    MATERIALS_ARCHIVE_DOWNLOAD = "materials.archive_download", "Скачан архив с материалами"
    MATERIALS_CRITERIA_DOWNLOAD = "materials.criteria_download", "Скачаны критерии оценивания"
    MATERIALS_CODES_DOWNLOAD = "materials.codes_download", "Скачан лист с кодами участников"
    MATERIALS_PROTOCOL_DOWNLOAD = "materials.protocol_download", "Скачан макет протокола"
    MATERIALS_PASSWORD_VIEW = "materials.password_view", "Просмотрен пароль к архиву"
    MATERIALS_VARIANT_LOOKUP = "materials.variant_lookup", "Найден вариант по коду участника"
    MATERIALS_OVZ_MARK = "materials.ovz_mark", "Изменена отметка ОВЗ кода участника"
