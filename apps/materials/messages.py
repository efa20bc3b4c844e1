"""Russian texts of the materials app's error codes."""

from __future__ import annotations

from datetime import datetime

from apps.core.errors import ApplicationError

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
    "too_many_codes": "Для {grade} класса нужно {needed} кодов — больше, чем помещается "
    "в пятизначные коды параллели (9999).",
}


class MaterialsError(ApplicationError):
    """A materials rule was broken; the Russian text comes from this app's MESSAGES."""

    @property
    def message(self) -> str:
        return MESSAGES.get(self.code, self.code).format(**self.extra)


class NotReleasedError(Exception):
    """Asked for something before its release instant (``available_from`` may be None)."""

    def __init__(self, what: str, available_from: object | None, place: object = None) -> None:
        super().__init__(what)
        self.what = what
        self.available_from = available_from
        self.place = place  # whose clock the instant is shown on (core.instants)

    @property
    def message(self) -> str:
        from apps.core.instants import format_instant

        if not isinstance(self.available_from, datetime):
            return f"{self.what}: дата проведения не выбрана — время открытия не назначено."
        return f"{self.what}: откроется {format_instant(self.available_from, self.place)}."
