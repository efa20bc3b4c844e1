"""Russian texts of the marking's error codes and its error family."""

from __future__ import annotations

from apps.core.errors import ConflictError, InvalidError, NotFoundError

MESSAGES: dict[str, str] = {
    "review_not_found": "Проверка работ не найдена.",
    "task_not_found": "Задание на проверку не найдено.",
    "school_not_found": "ОО не найдена.",
    "review_closed": "Проверка «{title}» завершена: изменить её нельзя.",
    "marker_unknown": "Пользователь (id {user}) не найден.",
    "marker_not_expert": (
        "{name} — не эксперт по проверке работ этой ОО: в проверку экспертами ОО включают "
        "только её экспертов."
    ),
    "marker_not_commission": (
        "{name} — не эксперт комиссии {unit}: в проверку включают только членов её комиссии."
    ),
    "markers_empty": "Укажите хотя бы одного эксперта проверки.",
    "no_markers": "В проверке нет экспертов: сначала укажите состав экспертов.",
    "double_needs_two": (
        "Доля двойной проверки — {share}%, а эксперт один: для двойной проверки нужно не меньше "
        "двух экспертов."
    ),
    "score_out_of_range": (
        "Задание {label}: балл от 0 до {max}, указано «{score}». Для незаполненного задания "
        "поставьте «X»."
    ),
    "not_your_task": "Это задание передано другому эксперту.",
    "assign_not_third": "Назначить эксперта можно только на третью проверку задания.",
    "assign_entered": "Третья проверка задания уже выполнена: переназначить её нельзя.",
    "assign_not_marker": "Эксперт (id {user}) не участвует в этой проверке.",
    "assign_marked_before": (
        "{name} уже оценивал(а) это задание: третью проверку выполняет другой эксперт."
    ),
    "assign_out_of_unit": "{name} не может проверять работы этой ОО (другой муниципалитет).",
    "school_review_organizer": (
        "Проверку работ экспертами ОО на экране открывает ответственный организатор ОО."
    ),
    "work_not_found": "Работа не найдена.",
    "double_share_out_of_range": "Доля двойной проверки — от 0 до 100 %, указано {share}.",
    "threshold_out_of_range": "Порог расхождения — от 0 до 99 баллов, указано {threshold}.",
    "review_unfinished": (
        "Проверка «{title}» не завершена: без итогового балла осталось заданий — {left}."
    ),
}


class MarkingInvalidError(InvalidError):
    messages = MESSAGES


class MarkingConflictError(ConflictError):
    messages = MESSAGES


class MarkingNotFoundError(NotFoundError):
    messages = MESSAGES
