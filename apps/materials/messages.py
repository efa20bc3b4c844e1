"""Russian texts of the materials app's error codes."""

from __future__ import annotations

from datetime import datetime

from apps.core.errors import ConflictError, InvalidError, NotFoundError
from apps.core.instants import format_instant

MESSAGES: dict[str, str] = {
    "bank_empty": "Банк заданий работы «{work}» пуст: сначала загрузите банк.",
    "bank_frozen_item": "Задание с шифром «{item_code}» уже использовано в сформированных "
    "вариантах; менять его нельзя. Добавьте исправленное задание с новым шифром, а старое "
    "уберите из файла.",
    "bank_unknown_format": "Загрузите файл банка в формате .json или .xlsx.",
    "bank_too_few_combinations": "В муниципалитете {municipality} участвуют {schools} ОО; "
    "банк работы позволяет составить только {combinations} различных вариантов, а нужно "
    "не меньше {needed}. Добавьте задания в банк.",
    "generate_collision": "Не удалось составить неповторяющиеся варианты для ОО {school}: "
    "добавьте задания в банк.",
    "kit_not_built": "Архив ещё не собран. Попробуйте позже.",
    "not_encrypted": "Архив этой работы не зашифрован: пароль не нужен.",
    "not_released": "{what}: откроется {at}.",
    "not_released_no_date": "{what}: дата проведения не выбрана — время открытия не назначено.",
    "too_many_codes": "Для {grade} класса нужно {needed} кодов — больше, чем помещается "
    "в пятизначные коды параллели (9999).",
    # ОВЗ marks on participant codes (materials/ovz.py)
    "ovz_unknown_accommodations": "Неизвестные специальные условия: {names}.",
    "ovz_accommodations_without_ovz": "Специальные условия отмечаются только для участника с ОВЗ.",
    "ovz_code_unknown": "Код участника {participant} не найден среди кодов вашей ОО.",
    "ovz_results_uploaded": (
        "Результаты участника с кодом {participant} уже загружены: отметку ОВЗ изменить нельзя."
    ),
    "ovz_no_campaign": "Нет текущей кампании ВПР: отмечать коды участников пока не для чего.",
}

# What changed since a bank file's preview (``ImportStaleError(what=...)``: «данные изменились
# ({what})»).
BANK_CHANGED = "банк работы «{work}»"
WORK_GONE = "работа «{work}» больше недоступна"


class MaterialsError(ConflictError):
    """The materials' state refuses the request (409): an empty bank, a kit not built yet."""

    messages = MESSAGES


class MaterialsInvalidError(InvalidError):
    """The request itself is wrong (400): an unknown condition, a code the school does not have."""

    messages = MESSAGES


class MaterialsNotFoundError(NotFoundError):
    """Asked for something this kit does not have (404): the password of a plain archive."""

    messages = MESSAGES


class NotReleasedError(ConflictError):
    """Asked for something before its release instant (``available_from`` may be None)."""

    messages = MESSAGES

    def __init__(self, what: str, available_from: object | None, place: object = None) -> None:
        if isinstance(available_from, datetime):
            # on the clock of ``place``, the unit the page is about (core.instants)
            super().__init__(
                "not_released",
                context={"available_from": available_from.isoformat()},
                what=what,
                at=format_instant(available_from, place),
            )
        else:
            super().__init__("not_released_no_date", context={"available_from": None}, what=what)
        self.what = what
        self.available_from = available_from
        self.place = place
