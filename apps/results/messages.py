"""Russian texts of the results app's error codes."""

from __future__ import annotations

from apps.core.errors import ApplicationError

MESSAGES: dict[str, str] = {
    "upload_not_open": "Приём результатов по этой работе ещё не начался: форма сбора "
    "результатов публикуется {at} (местное время ОО).",
    "upload_no_date": "Сначала выберите дату проведения работы в расписании ОО: форма и приём "
    "результатов открываются в день проведения.",
    "upload_closed": "Срок загрузки результатов истёк {at} (местное время ОО). Загрузить "
    "результаты можно, только если муниципальный или региональный координатор откроет приём "
    "для вашей ОО.",
    "form_not_released": "Форма сбора результатов будет доступна {at} (местное время ОО).",
    "reopen_reason": "Укажите причину, по которой приём результатов открывается снова.",
    "reopen_past": "Дата окончания приёма не может быть раньше сегодняшней ({today}).",
    "reopen_too_long": "Приём можно открыть не более чем на {days} дней.",
    "file_missing": "Приложите файл формы сбора результатов (.xlsx).",
    "version_not_found": "Версия результатов не найдена.",
}


class ResultsError(ApplicationError):
    """A results rule was broken; the Russian text comes from this app's MESSAGES."""

    @property
    def message(self) -> str:
        return MESSAGES.get(self.code, self.code).format(**self.extra)
