"""Russian texts of the notices app's error codes."""

from __future__ import annotations

from apps.core.errors import InvalidError

MESSAGES: dict[str, str] = {
    "title_missing": "Укажите заголовок объявления.",
    "title_too_long": "Заголовок объявления не длиннее {limit} символов.",
    "audience_missing": "Выберите, кому адресовано объявление: регионам, муниципалитетам или ОО.",
    "audience_not_below": "{level} может адресовать объявление только уровням ниже своего: "
    "{allowed}.",
    "file_missing": "Приложите файл документа.",
    "file_empty": "Файл «{name}» пустой.",
    "file_too_big": "Файл «{name}» слишком большой: {size}. Допустимо не больше {limit}.",
    "file_type": "Файл «{name}» не принят: допустимы файлы {allowed}.",
    "file_content": "Файл «{name}» не похож на файл {ext}: проверьте, что он не повреждён "
    "и расширение указано верно.",
    "file_name_too_long": "Имя файла «{name}» длиннее {limit} символов: сократите его.",
    "campaign_unknown": "Кампания не найдена.",
}


class NoticeError(InvalidError):
    """A notice or its file is not acceptable (400); the Russian text comes from MESSAGES."""

    messages = MESSAGES
