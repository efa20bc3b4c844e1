"""Russian texts for error codes raised anywhere in the portal."""

MESSAGES: dict[str, str] = {
    "out_of_scope": "Объект не найден.",
    "forbidden": "У вас нет прав на это действие.",
    "no_role": "Учётной записи не назначена роль. Обратитесь к координатору.",
    "job_unknown_kind": "Неизвестный тип задания: {kind}.",
    # accounts and credentials (registration, issue 3)
    "credentials_already_downloaded": "Файл с паролями уже был скачан {at} (логин {by}). "
    "Повторно скачать его нельзя: пароли в нём не хранятся. Если пароль утерян, выдайте новый "
    "пароль — прежний перестанет действовать.",
    "credentials_expired": "Срок хранения файла с паролями истёк {at}. Выдайте новые пароли.",
    "import_not_preview": "Эта загрузка уже {status}; применить её нельзя.",
    "import_stale": "С момента предпросмотра данные изменились (строка {row}: {unit}). "
    "Загрузите файл заново и проверьте предпросмотр.",
    "login_taken": "Логин {login} уже занят другой учётной записью. Обратитесь к федеральному "
    "оператору.",
    "no_account": "У подразделения {unit} нет действующей учётной записи.",
    "specialist_not_found": "Технический специалист не найден.",
    "totp_bad_code": "Неверный или устаревший код. Введите текущий код из приложения.",
    "totp_not_started": "Сначала начните подключение входа с кодом.",
    # API tokens and lockouts (registration, issue 12)
    "totp_required": "Введите одноразовый код из приложения (поле «code»): для этой учётной "
    "записи включён вход с кодом.",
    "login_locked": "Слишком много неудачных попыток входа. Попробуйте снова через 15 минут.",
    # school-list reconciliation (registration, issue 3)
    "school_codes_exhausted": "В регионе {region} не осталось свободных кодов ОО "
    "(edu{region}0001–edu{region}9999). Обратитесь к федеральному оператору.",
}
