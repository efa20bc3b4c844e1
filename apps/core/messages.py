"""Russian texts of core's own error codes; each app keeps its texts in its ``messages.py``."""

MESSAGES: dict[str, str] = {
    "out_of_scope": "Объект не найден.",
    "forbidden": "У вас нет прав на это действие.",
    "no_role": "Учётной записи не назначена роль. Обратитесь к координатору.",
    "job_unknown_kind": "Неизвестный тип задания: {kind}.",
    # the answers of the one exception handler (core.drf) to what DRF and Django raise
    "upload_invalid": "Файл не принят; ничего не изменено.",
    "upload_check_failed": "Файл не прошёл проверку.",
    "invalid": "Проверьте введённые данные.",
    "parse_error": "Неверный запрос.",
    "bad_request": "Неверный запрос.",
    "not_authenticated": "Требуется вход в систему.",
    "not_found": "Объект не найден.",
    "method_not_allowed": "Метод не поддерживается.",
    "throttled": "Слишком много запросов. Повторите позже.",
}
