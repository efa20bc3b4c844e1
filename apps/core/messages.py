"""Russian texts for error codes raised anywhere in the portal."""

MESSAGES: dict[str, str] = {
    "out_of_scope": "Объект не найден.",
    "forbidden": "У вас нет прав на это действие.",
    "no_role": "Учётной записи не назначена роль. Обратитесь к координатору.",
    "job_unknown_kind": "Неизвестный тип задания: {kind}.",
}
