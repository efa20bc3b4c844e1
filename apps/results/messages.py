"""Russian texts of the results app's error codes."""

from __future__ import annotations

from apps.core.errors import ConflictError, InvalidError, NotFoundError

MESSAGES: dict[str, str] = {
    "upload_not_open": "Приём результатов по этой работе ещё не начался: он открывается {at}, "
    "вместе с критериями оценивания.",
    "upload_no_date": "Сначала выберите дату проведения работы в расписании ОО: приём "
    "результатов открывается в день проведения.",
    "upload_closed": "Срок загрузки результатов истёк {at}. Загрузить "
    "результаты можно, только если муниципальный или региональный координатор откроет приём "
    "для вашей ОО.",
    "form_not_released": "Форма сбора результатов будет доступна {at}.",
    "reopen_reason": "Укажите причину, по которой приём результатов открывается снова.",
    "reopen_past": "Дата окончания приёма не может быть раньше сегодняшней ({today}).",
    "reopen_too_long": "Приём можно открыть не более чем на {days} дней.",
    "file_missing": "Приложите файл формы сбора результатов (.xlsx).",
    "version_not_found": "Версия результатов не найдена.",
    "checking_no_date": "Ввод баллов экспертами ещё не открыт: в расписании ОО нет дня "
    "проведения этой работы.",
    "checking_not_open": "Ввод баллов экспертами открывается {at}, в день проведения работы.",
    "checking_closed": "Срок проверки работ истёк {at}. Баллы может внести организатор ОО "
    "в таблице результатов.",
    "expert_code_foreign": "Строка {row}: код {value} не передан этому эксперту на проверку. "
    "Баллы вносятся только по кодам, распределённым эксперту.",
    "expert_not_chosen": "Выберите эксперта, за которого вносятся баллы.",
    "observer_unknown": "Общественный наблюдатель не найден среди наблюдателей этой ОО. "
    "Выберите его из списка (раздел «День проведения»: участники дня).",
    "dropped_unconfirmed": "В новой версии нет участников с кодами {codes}: они будут удалены. "
    "Если так и задумано, подтвердите удаление и загрузите результаты снова.",
    "federal_missing_codes": "Нельзя сделать федеральные баллы официальными: нет проверенных "
    "работ участников с кодами {codes}, которые ОО отметила как выполнявших работу. Загрузите "
    "и проверьте сканы этих работ.",
    "federal_unknown_codes": "Коды {codes} не выданы этой ОО по этой работе: проверьте коды, "
    "введённые по сканам.",
    "federal_already": "Федеральные баллы уже стали официальными результатами этой работы ОО "
    "({at}).",
    "federal_empty": "Нет ни одной проверенной работы: публиковать нечего.",
}


class ResultsError(ConflictError):
    """The upload window's state refuses the request (409): not open yet, closed, no date."""

    messages = MESSAGES


class ResultsInvalidError(InvalidError):
    """The request itself is wrong (400): a reopening without a reason or past its limits."""

    messages = MESSAGES


class ResultsNotFoundError(NotFoundError):
    """A version of results that does not exist for this sheet (404)."""

    messages = MESSAGES


MAX_CODES_LISTED = 50


def codes_text(codes: list[str]) -> str:
    """«40001, 40002 и ещё 3» — the codes of a message, at most MAX_CODES_LISTED by name."""
    shown = ", ".join(codes[:MAX_CODES_LISTED])
    rest = len(codes) - MAX_CODES_LISTED
    return f"{shown} и ещё {rest}" if rest > 0 else shown


class DroppedParticipantsError(ResultsError):
    """A replacement would drop participants of the current version and was not confirmed."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(
            "dropped_unconfirmed",
            context={"dropped_codes": list(codes)},
            codes=codes_text(codes),
        )
        self.codes = codes
