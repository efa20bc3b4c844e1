"""The cabinet menu of every role, pinned: labels, links and sidebar sections in order.

Taken from the menu as it was built by hand in ``context_processors.py``, before each app
declared its own items (``apps/<app>/menu.py``); a change to the menu must change this snapshot.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import RequestFactory

from apps.registration.context_processors import cabinet
from apps.registration.tests.factories import make_user

# role → (section, label, href) in the order the sidebar shows them; {r}, {m}, {s} are the ids
# of the role's region, municipality and school.
MENUS: dict[str, list[tuple[str, str, str]]] = {
    "federal": [
        ("Кабинет", "Кабинет", "/cabinet/"),
        ("Кабинет", "Регионы", "/regions/"),
        ("Кабинет", "Муниципалитеты", "/municipalities/"),
        ("Кабинет", "ОО", "/schools/"),
        ("Кабинет", "Объявления и документы", "/notices/"),
        ("Регистрация", "Выверка списка ОО", "/reconciliation/"),
        ("Регистрация", "Опросные листы ОО", "/profiles/"),
        ("Регистрация", "Мониторинг", "/monitoring/registration/"),
        ("Регистрация", "Файлы с паролями", "/credentials/"),
        ("Заявки и расписание", "Заявки ВПР", "/applications/monitoring/"),
        ("Заявки и расписание", "План-график", "/plan-graph/"),
        ("Заявки и расписание", "Кампании и работы", "/campaigns/"),
        ("Заявки и расписание", "Классы ОО", "/classes/summary/"),
        ("Заявки и расписание", "Даты проведения", "/school-dates/"),
        ("Заявки и расписание", "Резервные дни", "/reserve-days/"),
        ("Заявки и расписание", "Распределение по классам", "/classes/distribution/"),
        ("Материалы", "Банк заданий", "/materials/bank/"),
        ("Материалы", "Сборка материалов", "/materials/builds/"),
        ("Материалы", "Поиск варианта", "/materials/lookup/"),
        ("Материалы", "Скачивания материалов", "/materials/monitoring/"),
        ("Материалы", "Готовность ОО ко дню проведения", "/school-day/readiness/"),
        ("Результаты", "Ход проверки работ", "/school-day/checking/"),
        ("Результаты", "Загрузка результатов", "/results/monitoring/"),
        ("Результаты", "Информирование родителей", "/families/overview/"),
        ("Результаты", "Сканы работ ОО", "/objectivity/scans/"),
        ("Результаты", "Федеральная выборка", "/objectivity/sample/"),
        ("Результаты", "Эксперты комиссии", "/objectivity/commission/"),
        ("Аналитика", "Аналитика", "/analytics/"),
        ("Аналитика", "Перепроверки", "/objectivity/rechecks/"),
        ("Сервис", "Администрирование", "/admin/"),
        ("Сервис", "Журнал действий", "/audit/"),
        ("Сервис", "Мои выгрузки", "/exports/"),
        ("Сервис", "API", "/api/docs/"),
    ],
    "regional": [
        ("Кабинет", "Кабинет", "/cabinet/"),
        ("Кабинет", "Муниципалитеты", "/municipalities/"),
        ("Кабинет", "ОО региона", "/schools/"),
        ("Кабинет", "Объявления и документы", "/notices/"),
        ("Регистрация", "Муниципальные координаторы", "/regions/{r}/coordinators/"),
        ("Регистрация", "Выверка списка ОО", "/reconciliation/"),
        ("Регистрация", "Опросные листы ОО", "/profiles/"),
        ("Регистрация", "Мониторинг", "/monitoring/registration/"),
        ("Регистрация", "Файлы с паролями", "/credentials/"),
        ("Заявки и расписание", "Заявки ВПР", "/applications/monitoring/"),
        ("Заявки и расписание", "План-график", "/plan-graph/"),
        ("Заявки и расписание", "Классы ОО", "/classes/summary/"),
        ("Заявки и расписание", "Даты проведения", "/school-dates/"),
        ("Заявки и расписание", "Резервные дни", "/reserve-days/"),
        ("Заявки и расписание", "Распределение по классам", "/classes/distribution/"),
        ("Материалы", "Скачивания материалов", "/materials/monitoring/"),
        ("Материалы", "Готовность ОО ко дню проведения", "/school-day/readiness/"),
        ("Результаты", "Ход проверки работ", "/school-day/checking/"),
        ("Результаты", "Загрузка результатов", "/results/monitoring/"),
        ("Результаты", "Информирование родителей", "/families/overview/"),
        ("Результаты", "Сканы работ ОО", "/objectivity/scans/"),
        ("Результаты", "ВПР с контролем объективности", "/objectivity/federal-checking/"),
        ("Результаты", "Эксперты комиссии", "/objectivity/commission/"),
        ("Аналитика", "Аналитика", "/analytics/"),
        ("Аналитика", "Перепроверки", "/objectivity/rechecks/"),
        ("Сервис", "Журнал действий", "/audit/"),
        ("Сервис", "Мои выгрузки", "/exports/"),
        ("Сервис", "API", "/api/docs/"),
    ],
    "municipal": [
        ("Кабинет", "Кабинет", "/cabinet/"),
        ("Кабинет", "ОО муниципалитета", "/schools/"),
        ("Кабинет", "Объявления и документы", "/notices/"),
        ("Регистрация", "Организаторы ОО", "/municipalities/{m}/organizers/"),
        ("Регистрация", "Выверка списка ОО", "/reconciliation/"),
        ("Регистрация", "Опросные листы ОО", "/profiles/"),
        ("Регистрация", "Мониторинг", "/monitoring/registration/"),
        ("Регистрация", "Файлы с паролями", "/credentials/"),
        ("Заявки и расписание", "Заявки ВПР", "/applications/monitoring/"),
        ("Заявки и расписание", "План-график", "/plan-graph/"),
        ("Заявки и расписание", "Классы ОО", "/classes/summary/"),
        ("Заявки и расписание", "Даты проведения", "/school-dates/"),
        ("Заявки и расписание", "Резервные дни", "/reserve-days/"),
        ("Заявки и расписание", "Распределение по классам", "/classes/distribution/"),
        ("Материалы", "Скачивания материалов", "/materials/monitoring/"),
        ("Материалы", "Готовность ОО ко дню проведения", "/school-day/readiness/"),
        ("Результаты", "Ход проверки работ", "/school-day/checking/"),
        ("Результаты", "Загрузка результатов", "/results/monitoring/"),
        ("Результаты", "Информирование родителей", "/families/overview/"),
        ("Результаты", "Сканы работ ОО", "/objectivity/scans/"),
        ("Результаты", "ВПР с контролем объективности", "/objectivity/federal-checking/"),
        ("Результаты", "Эксперты комиссии", "/objectivity/commission/"),
        ("Аналитика", "Аналитика", "/analytics/"),
        ("Аналитика", "Перепроверки", "/objectivity/rechecks/"),
        ("Сервис", "Журнал действий", "/audit/"),
        ("Сервис", "Мои выгрузки", "/exports/"),
        ("Сервис", "API", "/api/docs/"),
    ],
    "school_organizer": [
        ("Кабинет", "Кабинет", "/cabinet/"),
        ("Кабинет", "Объявления и документы", "/notices/"),
        ("Регистрация", "Технические специалисты", "/schools/{s}/specialists/"),
        ("Регистрация", "Опросный лист", "/profile/"),
        ("Регистрация", "Файлы с паролями", "/credentials/"),
        ("Заявки и расписание", "Заявка ВПР", "/applications/"),
        ("Заявки и расписание", "План-график", "/plan-graph/"),
        ("Заявки и расписание", "Расписание ВПР", "/schools/{s}/schedule/"),
        ("Заявки и расписание", "Классы и работы", "/classes/school/{s}/"),
        ("Заявки и расписание", "План-график ОО по классам", "/classes/school/{s}/timetable/"),
        ("Материалы", "Материалы ВПР", "/schools/{s}/materials/"),
        ("Материалы", "Аудитории и рассадка", "/school-day/school/{s}/"),
        ("Материалы", "Что печатать", "/school-day/school/{s}/print/"),
        ("Результаты", "Проверка работ", "/school-day/school/{s}/checking/"),
        ("Результаты", "Сканы работ", "/schools/{s}/scans/"),
        ("Результаты", "Результаты ВПР", "/schools/{s}/results/"),
        ("Результаты", "Проверка экспертами ОО на экране", "/objectivity/marking/school/{s}/"),
        ("Результаты", "Результаты для родителей", "/schools/{s}/families/"),
        ("Результаты", "ВПР с контролем объективности", "/objectivity/federal-checking/"),
        ("Аналитика", "Аналитика", "/analytics/"),
        ("Аналитика", "Перепроверки", "/objectivity/rechecks/"),
        ("Сервис", "Мои выгрузки", "/exports/"),
        ("Сервис", "API", "/api/docs/"),
    ],
    "school_tech": [
        ("Кабинет", "Кабинет", "/cabinet/"),
        ("Кабинет", "Объявления и документы", "/notices/"),
        ("Регистрация", "Опросный лист", "/profile/"),
        ("Заявки и расписание", "Заявка ВПР", "/applications/"),
        ("Заявки и расписание", "План-график", "/plan-graph/"),
        ("Заявки и расписание", "Расписание ВПР", "/schools/{s}/schedule/"),
        ("Заявки и расписание", "Классы и работы", "/classes/school/{s}/"),
        ("Заявки и расписание", "План-график ОО по классам", "/classes/school/{s}/timetable/"),
        ("Материалы", "Материалы ВПР", "/schools/{s}/materials/"),
        ("Материалы", "Аудитории и рассадка", "/school-day/school/{s}/"),
        ("Материалы", "Что печатать", "/school-day/school/{s}/print/"),
        ("Результаты", "Проверка работ", "/school-day/school/{s}/checking/"),
        ("Результаты", "Сканы работ", "/schools/{s}/scans/"),
        ("Результаты", "Результаты ВПР", "/schools/{s}/results/"),
        ("Результаты", "Результаты для родителей", "/schools/{s}/families/"),
        ("Результаты", "ВПР с контролем объективности", "/objectivity/federal-checking/"),
        ("Аналитика", "Аналитика", "/analytics/"),
        ("Аналитика", "Перепроверки", "/objectivity/rechecks/"),
        ("Сервис", "Мои выгрузки", "/exports/"),
        ("Сервис", "API", "/api/docs/"),
    ],
    # an expert: its «Работы на проверку» are its cabinet, the school's checking page (its own
    # codes only) and the on-screen marking of what it is given; nothing else of the school's menu
    "expert": [
        ("Кабинет", "Кабинет", "/cabinet/"),
        ("Результаты", "Проверка работ", "/school-day/school/{s}/checking/"),
        ("Результаты", "Проверка работ на экране", "/objectivity/marking/"),
        ("Сервис", "API", "/api/docs/"),
    ],
    # a checking commission's marker: its marking, nothing else
    "marker": [
        ("Кабинет", "Кабинет", "/cabinet/"),
        ("Результаты", "Проверка работ на экране", "/objectivity/marking/"),
        ("Сервис", "API", "/api/docs/"),
    ],
    "none": [
        ("Кабинет", "Кабинет", "/cabinet/"),
        ("Сервис", "API", "/api/docs/"),
    ],
}


def _menu_of(user: Any) -> list[tuple[str, str, str]]:
    request = RequestFactory().get("/")
    request.user = user
    sections = cabinet(request)["menu_sections"]
    return [(section, label, href) for section, links in sections for label, href in links]


def _expected(world: Any, role: str) -> list[tuple[str, str, str]]:
    ids = {
        "r": world.regions["A"].pk,
        "m": world.municipalities["A1"].pk,
        "s": world.schools["A1a"].pk,
    }
    return [(section, label, href.format(**ids)) for section, label, href in MENUS[role]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    ["federal", "regional", "municipal", "school_organizer", "school_tech", "expert", "marker"],
)
def test_the_menu_of_each_role_is_unchanged(world: Any, role: str) -> None:
    # given a user of the role; when the menu is built; then it is the pinned one
    assert _menu_of(world.users[role]) == _expected(world, role)


@pytest.mark.django_db
def test_a_user_without_a_grant_sees_the_cabinet_and_the_api_only(world: Any) -> None:
    nobody = make_user("t_nobody", "Test-Password-2026")
    assert _menu_of(nobody) == _expected(world, "none")


@pytest.mark.django_db
def test_the_page_renders_the_menu_in_the_same_sections_and_order(world: Any) -> None:
    # given the regional coordinator on the cabinet page
    html = world.client_for("regional").get("/cabinet/").content.decode()
    nav = html[html.index('<nav class="menu"') : html.index("</nav>")]
    # then the sidebar shows the pinned sections and links, in order
    titles = re.findall(r'<div class="menu-title">([^<]+)</div>', nav)
    hrefs = re.findall(r'<a href="([^"]+)"', nav)
    expected = _expected(world, "regional")
    assert titles == list(dict.fromkeys(section for section, _, _ in expected))
    assert hrefs == [href for _, _, href in expected]
