"""The audit actions of the registration app with their Russian names (log and filter).

Registered from the app's ``AppConfig.ready`` (``core.audit_actions.register_audit_actions``);
every ``audit_record(action=...)`` of the app needs a member here
(``apps/core/tests/test_audit_actions.py``).
"""

from __future__ import annotations

from django.db import models

from apps.core.audit_actions import Section

ACCOUNTS = Section("accounts", "Вход и учётные записи", order=10)
SCHOOLS = Section("schools", "Список ОО и опросные листы", order=20)


class AccountsAudit(models.TextChoices):
    """Logins, passwords, TOTP and accounts down the hierarchy."""

    AUTH_LOGIN = "auth.login", "Вход в систему"
    AUTH_LOGIN_FAILED = "auth.login_failed", "Неудачная попытка входа"
    AUTH_PASSWORD_CHANGE = "auth.password_change", "Смена пароля"
    AUTH_TOTP_ENABLE = "auth.totp_enable", "Включён вход с одноразовым кодом"
    AUTH_TOTP_DISABLE = "auth.totp_disable", "Отключён вход с одноразовым кодом"
    AUTH_TOKEN_REVOKE = "auth.token_revoke", "Отозван ключ доступа к API"
    ACCOUNT_CREATE = "account.create", "Создана учётная запись"
    ACCOUNT_REPLACE = "account.replace", "Учётная запись заменена"
    ACCOUNT_UPDATE = "account.update", "Изменены данные учётной записи"
    ACCOUNT_REISSUE = "account.reissue", "Выдан новый пароль"
    ACCOUNT_DISABLE = "account.disable", "Учётная запись отключена"
    ACCOUNTS_UPLOAD = "accounts.upload", "Загружен файл учётных записей"
    ACCOUNTS_UPLOAD_REJECTED = "accounts.upload_rejected", "Файл учётных записей отклонён"
    ACCOUNTS_APPLY = "accounts.apply", "Применён файл учётных записей"
    ACCOUNTS_DISCARD = "accounts.discard", "Отменена загрузка файла учётных записей"
    CREDENTIALS_DOWNLOAD = "credentials.download", "Скачан файл с паролями"
    CREDENTIALS_EXPIRE = "credentials.expire", "Удалён нескачанный файл с паролями (истёк срок)"


class SchoolsAudit(models.TextChoices):
    """School-list exports and reconciliation, the school profile."""

    EXPORT_DOWNLOAD = "export.download", "Скачана выгрузка"
    SCHOOL_LIST_EXPORT_REQUEST = "school_list.export_request", "Запрошена выгрузка списка ОО"
    SCHOOL_LIST_TEMPLATE_DOWNLOAD = "school_list.template_download", "Скачан список ОО для выверки"
    SCHOOL_LIST_UPLOAD = "school_list.upload", "Загружен файл выверки списка ОО"
    SCHOOL_LIST_UPLOAD_REJECTED = "school_list.upload_rejected", "Файл выверки списка ОО отклонён"
    SCHOOL_LIST_APPLY = "school_list.apply", "Применена выверка списка ОО"
    SCHOOL_LIST_DISCARD = "school_list.discard", "Отменена выверка списка ОО"
    SCHOOL_PROFILE_SAVE = "school_profile.save", "Сохранён опросный лист ОО"
