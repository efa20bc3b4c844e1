"""Russian texts of the applications app's error codes, and the error that uses them."""

from __future__ import annotations

from apps.core.errors import ConflictError

MESSAGES: dict[str, str] = {
    "no_campaign": "Кампания ВПР не найдена: приём заявок не открыт.",
    "school_closed": "ОО {school} закрыта: заявка для неё не принимается.",
    "locked_municipality": "Заявка подтверждена муниципальным координатором и закрыта для "
    "изменений. Чтобы изменить её, обратитесь к муниципальному координатору: он может вернуть "
    "заявку на доработку.",
    "locked_region": "Заявка подтверждена региональным координатором и закрыта для изменений. "
    "Изменить её или вернуть на доработку может только региональный координатор.",
    "deadline_passed": "Приём заявок от ОО завершён: последний день — {deadline} (по местному "
    "времени ОО). Изменения может внести муниципальный координатор.",
    "not_a_transition": "Это действие недоступно для вашей роли.",
    "lines_invalid": "Заявка не сохранена: исправьте ошибки ({count}).",
    "unknown_work": "Работа {work} не входит в кампанию {campaign}.",
    "classes_unconfirmed": "Заявка не подана: не подтверждено число участников ({count}) — "
    "{items}. Укажите участников и форму проведения для каждого класса и сохраните заявку.",
    "not_by_class": "Заявка ОО {school} формируется по работам, а не по классам: у ОО нет "
    "реестра классов по этой кампании.",
}

# A per-work change of an application that is derived from the school's classes.
BY_CLASS_LINES = (
    "Заявка ОО формируется по реестру классов: участники и классы по работе считаются по "
    "классам. Укажите участников каждого класса на странице заявки (или в API строк по классам)."
)

# The application file's import (``apps/applications/imports.py``); the refusals every import
# shares (applied, discarded, not the uploader, stale) are the framework's (``apps.core.imports``).
IMPORT_UNKNOWN_FORM = "Неизвестный вид формы в служебном листе. Скачайте форму заново."
IMPORT_OTHER_LEVEL = "файл загружен в другой роли; загрузите его заново."
IMPORT_SCHOOLS_CHANGED = "изменился список ОО"
IMPORT_APPLIED = "Файл применён: изменено заявок — {schools}, строк — {lines}."
IMPORT_APPLIED_NOTHING = "Файл применён: изменений нет, заявки остались прежними."


class ChainError(ConflictError):
    """The application chain's state refuses the request (409): locked, deadline passed, not a
    transition of this role, stale preview; ``code`` picks the Russian message here."""

    messages = MESSAGES
