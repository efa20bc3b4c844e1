"""Every action the audit log records, with its Russian name and the section it belongs to.

One mapping, one place: a new ``audit_record(action=...)`` needs a line here, or
``apps/core/tests/test_audit_actions.py`` fails. The audit filter offers exactly these actions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    label: str


ACCOUNTS = Section("accounts", "Вход и учётные записи")
SCHOOLS = Section("schools", "Список ОО и опросные листы")
CAMPAIGNS = Section("campaigns", "Кампании, работы и график")
APPLICATIONS = Section("applications", "Заявки")
MATERIALS = Section("materials", "Материалы")
RESULTS = Section("results", "Результаты")
AUDIT = Section("audit", "Журнал действий")

SECTIONS: list[Section] = [
    ACCOUNTS,
    SCHOOLS,
    CAMPAIGNS,
    APPLICATIONS,
    MATERIALS,
    RESULTS,
    AUDIT,
]


@dataclass(frozen=True)
class AuditAction:
    code: str
    label: str
    section: Section


def _actions(section: Section, labels: dict[str, str]) -> dict[str, AuditAction]:
    return {code: AuditAction(code, label, section) for code, label in labels.items()}


AUDIT_ACTIONS: dict[str, AuditAction] = {
    **_actions(
        ACCOUNTS,
        {
            "auth.login": "Вход в систему",
            "auth.login_failed": "Неудачная попытка входа",
            "auth.password_change": "Смена пароля",
            "auth.totp_enable": "Включён вход с одноразовым кодом",
            "auth.totp_disable": "Отключён вход с одноразовым кодом",
            "auth.token_revoke": "Отозван ключ доступа к API",
            "account.create": "Создана учётная запись",
            "account.replace": "Учётная запись заменена",
            "account.update": "Изменены данные учётной записи",
            "account.reissue": "Выдан новый пароль",
            "account.disable": "Учётная запись отключена",
            "accounts.upload": "Загружен файл учётных записей",
            "accounts.upload_rejected": "Файл учётных записей отклонён",
            "accounts.apply": "Применён файл учётных записей",
            "accounts.discard": "Отменена загрузка файла учётных записей",
            "credentials.download": "Скачан файл с паролями",
            "credentials.expire": "Удалён нескачанный файл с паролями (истёк срок)",
        },
    ),
    **_actions(
        SCHOOLS,
        {
            "export.download": "Скачана выгрузка",
            "school_list.export_request": "Запрошена выгрузка списка ОО",
            "school_list.template_download": "Скачан список ОО для выверки",
            "school_list.upload": "Загружен файл выверки списка ОО",
            "school_list.upload_rejected": "Файл выверки списка ОО отклонён",
            "school_list.apply": "Применена выверка списка ОО",
            "school_list.discard": "Отменена выверка списка ОО",
            "school_profile.save": "Сохранён опросный лист ОО",
        },
    ),
    **_actions(
        CAMPAIGNS,
        {
            "campaign.save": "Сохранена кампания",
            "subject.create": "Добавлен учебный предмет",
            "work.save": "Сохранена работа",
            "work.delete": "Удалена работа",
            "works.import_upload": "Загружен файл работ",
            "works.import_rejected": "Файл работ отклонён",
            "works.import_apply": "Применён файл работ",
            "works.import_discard": "Отменена загрузка файла работ",
            "schedule.date_set": "Выбрана дата проведения в ОО",
            "schedule.date_move": "Перенесена дата проведения в ОО",
            "reserve_day.request": "Запрошен резервный день",
            "reserve_day.decide": "Рассмотрен запрос резервного дня",
        },
    ),
    **_actions(
        APPLICATIONS,
        {
            "application.open": "Открыта заявка",
            "application.lines_save": "Сохранены строки заявки",
            "application.submit": "Заявка отправлена на согласование",
            "application.confirm": "Заявка подтверждена",
            "application.reopen": "Заявка возвращена на доработку",
            "application.form_download": "Скачан бланк заявки",
            "application.upload": "Загружен файл заявок",
            "application.upload_rejected": "Файл заявок отклонён",
            "application.import_apply": "Применён файл заявок",
            "application.import_discard": "Отменена загрузка файла заявок",
            "application.summary_download": "Скачана сводка заявок",
            "application.monitoring_export": "Скачана выгрузка мониторинга заявок",
            "application.not_applied_export": "Скачан список ОО без заявок",
        },
    ),
    **_actions(
        MATERIALS,
        {
            "materials.bank_upload": "Загружен файл банка заданий",
            "materials.bank_upload_rejected": "Файл банка заданий отклонён",
            "materials.bank_apply": "Применён файл банка заданий",
            "materials.bank_discard": "Отменена загрузка файла банка заданий",
            "materials.bank_import": "Обновлён банк заданий",
            "materials.bank_export": "Выгружен банк заданий",
            "materials.file_attach": "Добавлен файл к банку заданий",
            "materials.file_remove": "Удалён файл банка заданий",
            "materials.codes_issue": "Выданы коды участников",
            "materials.generate": "Сформированы варианты",
            "materials.build_request": "Запрошена сборка материалов",
            "materials.build_cancel": "Отменена сборка материалов",
            "materials.auto_build": "Автоматически запущена сборка материалов",
            "materials.auto_build_failed": "Автоматический запуск сборки материалов не удался",
            "materials.archive_download": "Скачан архив с материалами",
            "materials.criteria_download": "Скачаны критерии оценивания",
            "materials.codes_download": "Скачан лист с кодами участников",
            "materials.protocol_download": "Скачан макет протокола",
            "materials.password_view": "Просмотрен пароль к архиву",
            "materials.variant_lookup": "Найден вариант по коду участника",
        },
    ),
    **_actions(
        RESULTS,
        {
            "results.form_download": "Скачана форма для результатов",
            "results.upload": "Загрузка результатов",
            "results.upload_unchanged": "Повторная загрузка результатов без изменений",
            "results.upload_rejected": "Файл результатов отклонён",
            "results.upload_refused": "Загрузка результатов вне срока отклонена",
            "results.reopen": "Приём результатов открыт повторно",
            "results.remind": "Разослано напоминание о результатах",
            "results.context_form_download": "Скачана форма контекстных данных",
            "results.context_upload": "Загрузка контекстных данных",
            "results.context_upload_refused": "Загрузка контекстных данных вне срока отклонена",
            "results.demo_seed": "Загружены демонстрационные результаты",
        },
    ),
    **_actions(AUDIT, {"audit.export": "Выгружен журнал действий"}),
}

SECTION_PREFIX = "section:"
OTHER = Section("other", "Другие действия")

# Flat views for apps that add their own names at start-up (``AppConfig.ready``); prefer
# ``register`` below, which also gives the app's actions their own section in the filter.
ACTION_LABELS: dict[str, str] = {code: a.label for code, a in AUDIT_ACTIONS.items()}
# Russian names of kinds of objects, where the model's own verbose name does not fit.
TARGET_LABELS: dict[str, str] = {}


def register(section: Section, labels: dict[str, str]) -> None:
    """Add an app's actions under its own section (called from the app's ``ready``)."""
    if section.key not in {s.key for s in SECTIONS}:
        SECTIONS.append(section)
    AUDIT_ACTIONS.update(_actions(section, labels))
    ACTION_LABELS.update(labels)


def all_actions() -> list[AuditAction]:
    """Every known action, those added only to ``ACTION_LABELS`` under «Другие действия»."""
    extra = [
        AuditAction(code, label, OTHER)
        for code, label in ACTION_LABELS.items()
        if code not in AUDIT_ACTIONS
    ]
    return [*AUDIT_ACTIONS.values(), *extra]


def action_label(code: str) -> str:
    """The Russian name of an action (an unknown, retired code shows as itself)."""
    known = AUDIT_ACTIONS.get(code)
    return known.label if known is not None else ACTION_LABELS.get(code, code)


def section_codes(key: str) -> list[str]:
    return [a.code for a in all_actions() if a.section.key == key]


def filter_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The audit filter's options grouped by section: «all of the section» first, then by name."""
    groups = []
    actions_all = all_actions()
    for section in [*SECTIONS, OTHER]:
        actions = sorted(
            (a for a in actions_all if a.section.key == section.key), key=lambda a: a.label
        )
        if not actions:
            continue
        options = [(f"{SECTION_PREFIX}{section.key}", f"Все действия раздела «{section.label}»")]
        options += [(a.code, a.label) for a in actions]
        groups.append((section.label, options))
    return groups
