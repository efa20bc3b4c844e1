"""Russian texts of the campaigns app's error codes, and the error that carries them."""

from __future__ import annotations

from apps.core.errors import ConflictError, InvalidError

MESSAGES: dict[str, str] = {
    "campaign_not_active": "Кампания «{campaign}» не является текущей: даты по ней не выбираются.",
    "work_not_for_school": "Работа «{work}» недоступна вашей ОО: её нет в заявке ОО "
    "(или в ОО нет {grade} класса).",
    "date_outside_period": "Дата {date} вне периода проведения работы «{work}» "
    "({start} — {end}). Выберите дату внутри периода или запросите резервный день "
    "у регионального координатора.",
    "date_in_past": "Дата {date} уже прошла (сегодня по местному времени ОО {today}).",
    "date_already_held": "Работа «{work}» уже проведена {date}; дату изменить нельзя.",
    "date_frozen": "Дата проведения {date} по работе «{work}» зафиксирована: ОО выбирает и "
    "меняет день проведения только до конца предыдущего дня (по местному времени ОО). Теперь "
    "перенести его может только муниципальный или региональный координатор, указав причину.",
    "date_locked": "Дату проведения {date} по работе «{work}» перенести нельзя: {released}. "
    "Если работу нужно провести заново, ОО запрашивает резервный день, который согласует "
    "региональный координатор.",
    "date_target_locked": "Назначить {date} днём проведения работы «{work}» нельзя: {released}. "
    "Выберите более поздний день.",
    "move_reason_required": "Укажите причину переноса дня проведения: она записывается в журнал "
    "действий.",
    "reserve_inside_period": "Дата {date} входит в период проведения работы ({start} — {end}): "
    "резервный день не нужен, выберите эту дату в расписании.",
    "reserve_reason_required": "Укажите причину, по которой работу нельзя провести в "
    "установленный период.",
    "reserve_pending_exists": "По работе «{work}» уже есть запрос резервного дня на {date}, "
    "ожидающий решения регионального координатора.",
    "reserve_not_pending": "Решение по запросу уже принято ({status}); изменить его нельзя.",
    "reserve_comment_required": "Укажите комментарий: ОО должна знать причину отказа.",
    "reserve_bad_verdict": "Решение должно быть «согласовано» или «отклонено».",
    "reserve_by_class": "Работу «{work}» в ОО пишут классы: резервный день запрашивается для "
    "классов на странице «План-график ОО по классам» (кнопка «Запросить резервный день»).",
    "work_in_use": "Работу «{work}» нельзя удалить: по ней уже есть заявки, даты или "
    "результаты ОО.",
    "work_exists": "Работа «{work}» в этой кампании уже есть.",
    "work_invalid": "Работа не сохранена: {errors}",
    "campaign_exists": "Кампания {year} года ({session}) уже есть.",
    "campaign_invalid": "Кампания не сохранена: {errors}",
    "subject_exists": "Предмет с таким кодом или наименованием уже есть.",
    "subject_invalid": "Предмет не сохранён: {errors}",
    # the grade configuration of a campaign (campaigns/grades.py)
    "grades_invalid": "Параллели не сохранены: {errors}",
    "grade_in_use": (
        "Нельзя убрать из кампании {grades} класс: в реестрах ОО уже есть классы этих параллелей."
    ),
    "participation_locked": (
        "Распределение по кампании уже опубликовано: изменить участие работы «{work}» нельзя."
    ),
    "participation_invalid": "Участие работы должно быть «обязательная» или «по распределению».",
}

# Why a works file is refused as a whole (``apps/campaigns/imports.py``, the works API).
WORKS_FILE_EMPTY = "Файл пустой."
WORKS_FILE_OLD_XLS = "Файл в старом формате .xls. Сохраните его как .xlsx."
WORKS_FILE_UNKNOWN = "Загрузите файл работ в формате .xlsx или документ JSON."
WORKS_FILE_OR_DOCUMENT = "Передайте file или document."
WORKS_FILE_OTHER_CAMPAIGN = (
    "Файл описывает кампанию {year} года ({session}), а загружается в «{name}» "
    "({campaign_year}, {campaign_session})."
)
WORKS_FILE_DEADLINE = (
    "Последний день подачи заявок должен быть раньше начала первого периода проведения ({first})."
)
# What the works file's apply changes, in the stale refusal (``ImportStaleError(what=...)``).
WORKS_STALE_WHAT = "работы кампании"
WORKS_APPLIED = "Изменения применены."


class CampaignError(ConflictError):
    """The campaign's state refuses the request (409); ``code`` picks the Russian message above."""

    messages = MESSAGES

    def __str__(self) -> str:
        return self.message


class CampaignInvalidError(InvalidError):
    """The request itself is wrong (400): a date outside the period, a reason left empty."""

    messages = MESSAGES

    def __str__(self) -> str:
        return self.message
