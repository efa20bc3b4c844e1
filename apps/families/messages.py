"""Russian texts of the families app's error codes and its error family."""

from __future__ import annotations

from apps.core.errors import ConflictError, InvalidError

MESSAGES: dict[str, str] = {
    "results_not_accepted": "Результаты ОО по этой работе ещё не приняты: бланки для родителей "
    "появятся после загрузки результатов.",
    "results_processing": "Результаты приняты и обрабатываются: бланки для родителей будут "
    "доступны через несколько минут.",
    "class_missing": "Укажите порядковый номер класса.",
    "class_not_in_results": "В принятых результатах нет участников класса № {number}.",
    "already_informed": "Информирование родителей класса {label} уже отмечено ({informed_at}).",
    "undo_too_late": "Отметку можно отменить только в день, когда она сделана ({day}); "
    "она остаётся в истории ОО.",
}


class FamiliesError(ConflictError):
    """Refused by the state of the procedure (409): results not accepted yet, already marked."""

    messages = MESSAGES


class FamiliesInvalidError(InvalidError):
    """The request itself is wrong (400): no class, a class without results."""

    messages = MESSAGES
