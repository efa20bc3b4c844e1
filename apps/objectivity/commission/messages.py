"""Russian texts of the commission accounts' error codes and its error family."""

from __future__ import annotations

from apps.core.errors import ConflictError, InvalidError, NotFoundError

MESSAGES: dict[str, str] = {
    "marker_not_found": "Эксперт комиссии не найден.",
    "name_required": "Укажите ФИО эксперта комиссии.",
    "name_too_long": "ФИО эксперта — не длиннее 300 знаков.",
    "email_invalid": "Адрес электронной почты «{value}» указан неверно.",
    "login_taken": "Логин {login} уже занят: повторите выдачу доступа.",
    "marker_inactive": "У эксперта {login} доступ уже отозван.",
}


class CommissionError(ConflictError):
    messages = MESSAGES


class CommissionInvalidError(InvalidError):
    messages = MESSAGES


class CommissionNotFoundError(NotFoundError):
    messages = MESSAGES
