"""Russian texts of the federal sample's error codes and its error family."""

from __future__ import annotations

from apps.core.errors import ConflictError, InvalidError, NotFoundError

MESSAGES: dict[str, str] = {
    "sample_not_found": "Федеральная выборка не найдена.",
    "case_not_found": "ОО в федеральной выборке не найдена.",
    "works_empty": "Отметьте хотя бы одну работу для выборки.",
    "work_foreign": "Работа (id {work}) не относится к кампании «{campaign}».",
    "share_range": "Доля ОО в выборке — число больше 0 и не больше 100 (%), указано «{share}».",
    "min_range": "Минимум ОО на регион — целое число от 0 до 1000, указано «{value}».",
    "seed_range": "Зерно выборки — целое неотрицательное число меньше 2^62, указано «{value}».",
    "population_empty": "Ни одна ОО не участвует в выбранных работах (нет комплектов "
    "материалов): выбирать не из чего.",
    "sample_in_use": "Федеральная выборка кампании «{campaign}» уже проведена {at}, и по ней "
    "уже идёт работа (загружены сканы или начата проверка): провести выборку заново нельзя.",
    "case_not_federal": "Работы ОО {school} в этом деле проверяет не федеральный организатор: "
    "опубликовать можно только баллы федеральной проверки.",
    "case_closed": "Результаты ОО {school} по этой работе уже опубликованы {at}.",
    "not_marked": "Не все работы ОО {school} проверены: нет итоговых баллов у работ с кодами "
    "{codes}.",
    "no_booklets": "У ОО {school} нет проверенных работ по сканам: сначала загрузите сканы и "
    "проверьте работы.",
    "booklet_no_code": "У {count} работ ОО {school} по сканам не введён код участника: введите "
    "коды на странице сканов.",
    "code_twice": "Коды {codes} введены у нескольких работ по сканам ОО {school}: исправьте коды.",
}


class SampleError(ConflictError):
    """The state of the sample refuses the request (409)."""

    messages = MESSAGES


class SampleInvalidError(InvalidError):
    """The request itself is wrong (400)."""

    messages = MESSAGES


class SampleNotFoundError(NotFoundError):
    """A sample or case outside the actor's scope (404)."""

    messages = MESSAGES
