"""Russian texts of the scans' error codes and their error family."""

from __future__ import annotations

from apps.core.errors import ConflictError, InvalidError

MESSAGES: dict[str, str] = {
    "scan_file_missing": "Выберите файл сканов (PDF, PNG, JPEG или TIFF).",
    "scan_file_empty": "Файл «{name}» пустой.",
    "scan_file_type": (
        "Файл «{name}» — не PDF, PNG, JPEG или TIFF (формат определяется по содержимому, "
        "а не по имени файла). Сохраните сканы в одном из этих форматов."
    ),
    "scan_file_too_big": (
        "Файл «{name}» больше допустимых {limit} МБ. Разделите сканы на несколько файлов."
    ),
    "scan_no_kit": (
        "У ОО нет комплекта материалов работы «{work}»: сканы загружаются только для работ, "
        "которые ОО проводила по комплекту портала."
    ),
    "scan_batch_in_marking": (
        "Загрузка №{batch}: работы из неё уже на проверке у экспертов — обработать её заново "
        "нельзя."
    ),
    "scan_batch_busy": "Загрузка №{batch} уже в очереди или обрабатывается: дождитесь результата.",
    "booklet_code_format": "Код участника — 5 цифр; введено «{value}».",
    "booklet_code_unknown": (
        "Код {value} не выдан ОО для {grade} класса: проверьте код в бланке участника."
    ),
    "booklet_code_taken": (
        "Код {value} уже введён для работы №{seq} загрузки №{batch}: у двух работ одной "
        "загрузки не может быть одного кода. Проверьте бланк обеих работ."
    ),
    "booklet_code_checking": (
        "Работа участника {value} уже проверяется экспертами (загрузка №{batch}, работа №{seq}): "
        "заменить её сканом из новой загрузки нельзя."
    ),
    "booklet_superseded": (
        "Работа №{seq} загрузки №{batch} заменена новой загрузкой: код в ней не вводится."
    ),
    "booklet_in_marking": (
        "Работа №{seq} уже на проверке у экспертов: код участника изменить нельзя."
    ),
}


class ScansInvalidError(InvalidError):
    messages = MESSAGES


class ScansConflictError(ConflictError):
    messages = MESSAGES
