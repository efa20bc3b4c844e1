"""The cabinet menu of the current role (a fixed set of links per role)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from apps.registration.access import A, get_actor
from apps.registration.constants import Role

# The sidebar sections, in the order of the ВПР cycle. Each link is filed under one section.
SECTIONS: tuple[str, ...] = (
    "Кабинет",
    "Регистрация",
    "Заявки и расписание",
    "Материалы",
    "Результаты",
    "Аналитика",
    "Сервис",
)
_SECTION_OF: dict[str, str] = {
    "Кабинет": "Кабинет",
    "Объявления и документы": "Кабинет",
    "Регионы": "Кабинет",
    "Муниципалитеты": "Кабинет",
    "ОО": "Кабинет",
    "ОО региона": "Кабинет",
    "ОО муниципалитета": "Кабинет",
    "Муниципальные координаторы": "Регистрация",
    "Организаторы ОО": "Регистрация",
    "Технические специалисты": "Регистрация",
    "Опросный лист": "Регистрация",
    "Выверка списка ОО": "Регистрация",
    "Опросные листы ОО": "Регистрация",
    "Мониторинг": "Регистрация",
    "Файлы с паролями": "Регистрация",
    "Заявки ВПР": "Заявки и расписание",
    "Заявка ВПР": "Заявки и расписание",
    "План-график": "Заявки и расписание",
    "Кампании и работы": "Заявки и расписание",
    "Расписание ВПР": "Заявки и расписание",
    "Даты проведения": "Заявки и расписание",
    "Резервные дни": "Заявки и расписание",
    "Материалы ВПР": "Материалы",
    "Банк заданий": "Материалы",
    "Сборка материалов": "Материалы",
    "Поиск варианта": "Материалы",
    "Скачивания материалов": "Материалы",
    "Результаты ВПР": "Результаты",
    "Загрузка результатов": "Результаты",
    "Аналитика": "Аналитика",
}


def menu_sections(menu: list[tuple[str, str]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Group (label, url) pairs into the sidebar sections; unknown labels go to «Сервис»."""
    grouped: dict[str, list[tuple[str, str]]] = {name: [] for name in SECTIONS}
    for label, href in menu:
        section = _SECTION_OF.get(label)
        if section is None:
            section = "Аналитика" if "налитик" in label or "тчёт" in label else "Сервис"
        grouped[section].append((label, href))
    return [(name, links) for name, links in grouped.items() if links]


def cabinet(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    actor = get_actor(request)
    menu: list[tuple[str, str]] = [("Кабинет", reverse("cabinet"))]
    scope = actor.scope
    if actor.role == Role.FEDERAL:
        menu += [
            ("Регионы", reverse("region-list")),
            ("Муниципалитеты", reverse("municipality-list")),
            ("ОО", reverse("school-list")),
            ("Администрирование", reverse("admin:index")),
        ]
    elif actor.role == Role.REGIONAL and scope.region_id:
        menu += [
            ("Муниципалитеты", reverse("municipality-list")),
            ("ОО региона", reverse("school-list")),
        ]
    elif actor.role == Role.MUNICIPAL:
        menu += [("ОО муниципалитета", reverse("school-list"))]
    if actor.role == Role.REGIONAL and scope.region_id:
        menu.append(
            (
                "Муниципальные координаторы",
                reverse("municipal-coordinators", args=[scope.region_id]),
            )
        )
    elif actor.role == Role.MUNICIPAL and scope.municipality_id:
        menu.append(("Организаторы ОО", reverse("school-organizers", args=[scope.municipality_id])))
    elif actor.role == Role.SCHOOL_ORGANIZER and scope.school_id:
        menu.append(
            ("Технические специалисты", reverse("school-specialists", args=[scope.school_id]))
        )
    # School profile, reconciliation, monitoring and the audit log (issue 3).
    for action, label, name in (
        (A.EDIT_PROFILE, "Опросный лист", "school-profile-edit"),
        (A.VIEW_SCHOOL_CHANGES, "Выверка списка ОО", "reconciliation-list"),
        (A.VIEW_PROFILES, "Опросные листы ОО", "school-profile-list"),
        (A.VIEW_MONITORING, "Мониторинг", "monitoring-registration"),
        (A.VIEW_AUDIT, "Журнал действий", "audit-list"),
    ):
        if actor.can(action):
            menu.append((label, reverse(name)))
    if actor.can(A.DOWNLOAD_CREDENTIALS):
        menu.append(("Файлы с паролями", reverse("credentials-list")))
    # Applications (issue 4): coordinators monitor, schools go to their own application.
    if actor.can(A.MONITOR_APPLICATIONS):
        menu.append(("Заявки ВПР", reverse("application-monitoring")))
    elif actor.can(A.VIEW_APPLICATION):
        menu.append(("Заявка ВПР", reverse("application-home")))
    # Campaigns (issue 4): the plan-graph for all, the works for the federal operator, the
    # school's own schedule, schools' days and reserve days for coordinators.
    if actor.can(A.VIEW_CAMPAIGNS):
        menu.append(("План-график", reverse("plan-graph")))
    if actor.can(A.MANAGE_CAMPAIGNS):
        menu.append(("Кампании и работы", reverse("campaign-list")))
    if actor.can(A.EDIT_SCHEDULE) and scope.school_id:
        menu.append(("Расписание ВПР", reverse("school-schedule", args=[scope.school_id])))
    elif actor.can(A.VIEW_SCHEDULE):
        menu.append(("Даты проведения", reverse("school-date-list")))
        if actor.can(A.VIEW_RESERVE_DAYS):
            menu.append(("Резервные дни", reverse("reserve-day-list")))
    # Materials (issue 5): the school's own materials page; the operator's bank and builds.
    if actor.can(A.DOWNLOAD_MATERIALS) and scope.school_id:
        menu.append(("Материалы ВПР", reverse("school-materials", args=[scope.school_id])))
    for action, label, name in (
        (A.MANAGE_BANK, "Банк заданий", "materials-bank"),
        (A.GENERATE_MATERIALS, "Сборка материалов", "materials-builds"),
        (A.LOOKUP_VARIANT, "Поиск варианта", "materials-lookup"),
    ):
        if actor.can(action):
            menu.append((label, reverse(name)))
    if actor.can(A.VIEW_MATERIALS) and not scope.school_id:
        menu.append(("Скачивания материалов", reverse("materials-monitoring")))
    # Results (issue 6): the school's own results page; coordinators monitor uploads.
    if actor.can(A.UPLOAD_RESULTS) and scope.school_id:
        menu.append(("Результаты ВПР", reverse("results-school", args=[scope.school_id])))
    elif actor.can(A.MONITOR_RESULTS):
        menu.append(("Загрузка результатов", reverse("results-monitoring")))
    # Analytics (issue 7): the reports of the actor's unit and the units below it.
    if actor.can(A.VIEW_ANALYTICS):
        menu.append(("Аналитика", reverse("analytics-index")))
    # Notices (issue 13): announcements and documents from above; the badge counts the unread.
    if actor.can(A.VIEW_NOTICES):
        menu.append(("Объявления и документы", reverse("notice-list")))
    if actor.can(A.VIEW_JOB):
        menu.append(("Мои выгрузки", reverse("job-list")))
    menu.append(("API", reverse("swagger-ui")))
    return {
        "actor": actor,
        # The default clock of ``{% instant %}``: the actor's own unit (a page about another
        # unit passes that unit, or sets ``place`` in its context).
        "actor_place": actor.unit,
        "cabinet_menu": menu,
        "menu_sections": menu_sections(menu),
        "can_totp": actor.can(A.USE_TOTP),
    }
