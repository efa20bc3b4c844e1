"""Russian texts of the re-checks' error codes and their error family."""

from __future__ import annotations

from apps.core.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError

MESSAGES: dict[str, str] = {
    "recheck_level": (
        "Перепроверку открывает региональный или муниципальный координатор для ОО своей территории."
    ),
    "recheck_empty": "Выберите хотя бы одну ОО с признаками или укажите число случайных ОО.",
    "recheck_school_unknown": "ОО (id {school}) нет среди ОО вашей территории.",
    "recheck_school_not_flagged": (
        "У ОО «{school}» нет признаков необъективности по этой работе: отметьте ОО с "
        "признаками или добавьте её случайным отбором."
    ),
    "recheck_school_not_taking_part": (
        "ОО «{school}» не участвует в работе «{work}» (нет ни комплекта, ни результатов)."
    ),
    "recheck_school_busy": (
        "ОО «{school}» уже в открытой перепроверке работы «{work}» («{review}»)."
    ),
    "recheck_random_count": (
        "Случайных ОО можно выбрать от 0 до {available} (столько ОО территории участвуют в "
        "работе и ещё не выбраны); указано {count}."
    ),
    "recheck_double_share": "Доля работ, проверяемых дважды, — от 0 до 100 %; указано {value}.",
    "recheck_threshold": "Порог расхождения — от 0 до {max} баллов; указано {value}.",
    "recheck_title_long": "Название перепроверки — не длиннее 200 символов.",
    "recheck_field_number": "Поле «{field}»: нужно целое число, указано «{value}».",
    "case_comment_empty": "Напишите текст комментария.",
    "case_comment_long": "Комментарий — не длиннее {max} символов; в нём {length}.",
    "case_closed": "Дело уже закрыто: итог — «{outcome}».",
    "case_not_marked": (
        "Итог можно установить, когда комиссия проверила все работы ОО; сейчас дело в "
        "состоянии «{status}»."
    ),
    "case_not_recheck": (
        "Это дело федеральной проверки: оно закрывается публикацией федеральных баллов."
    ),
    "case_outcome_required": (
        "Выберите итог: «результаты подтверждены», «подтверждены частично» или «результаты "
        "не подтверждены»."
    ),
    "case_close_comment_long": "Комментарий к итогу — не длиннее {max} символов.",
}


class RecheckError(ConflictError):
    messages = MESSAGES


class RecheckInvalidError(InvalidError):
    messages = MESSAGES


class RecheckForbiddenError(ForbiddenError):
    messages = MESSAGES


class RecheckNotFoundError(NotFoundError):
    messages = MESSAGES
