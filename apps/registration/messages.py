"""Russian texts of the registration app's error codes, and the errors that carry them."""

from __future__ import annotations

from typing import Any

from apps.core.errors import ConflictError, GoneError, InvalidError

MESSAGES: dict[str, str] = {
    # accounts and credentials
    "credentials_already_downloaded": "Файл с паролями уже был скачан {at} (логин {by}). "
    "Повторно скачать его нельзя: пароли в нём не хранятся. Если пароль утерян, выдайте новый "
    "пароль — прежний перестанет действовать.",
    "credentials_expired": "Срок хранения файла с паролями истёк {at}. Выдайте новые пароли.",
    "login_taken": "Логин {login} уже занят другой учётной записью. Обратитесь к федеральному "
    "оператору.",
    "no_account": "У подразделения {unit} нет действующей учётной записи.",
    "specialist_not_found": "Технический специалист не найден.",
    "totp_bad_code": "Неверный или устаревший код. Введите текущий код из приложения.",
    "totp_not_started": "Сначала начните подключение входа с кодом.",
    # API tokens and lockouts
    "totp_required": "Введите одноразовый код из приложения (поле «code»): для этой учётной "
    "записи включён вход с кодом.",
    "login_locked": "Слишком много неудачных попыток входа. Попробуйте снова через 15 минут.",
    # school-list reconciliation
    "school_list_empty": "В файле нет ни одной строки с ОО. Заполните лист «Список ОО».",
    "school_codes_exhausted": "В регионе {region} не осталось свободных кодов ОО "
    "(edu{region}0001–edu{region}9999). Обратитесь к федеральному оператору.",
}


def text(code: str, **extra: Any) -> str:
    """The Russian text of ``code`` where no error is raised (a form's error, a warning)."""
    return MESSAGES[code].format(**extra)


class RegistrationError(ConflictError):
    """The accounts' state refuses the request (409): a login taken, a stale preview."""

    messages = MESSAGES


class RegistrationInvalidError(InvalidError):
    """The request itself is wrong (400): a wrong one-time code."""

    messages = MESSAGES


class CredentialsGoneError(GoneError):
    """A credentials file already downloaded or past its expiry (410)."""

    messages = MESSAGES
