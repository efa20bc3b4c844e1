"""The classes in a browser, on the demo (docs/classes.md): the school organizer reads its classes'
works (the assigned ones included), sets a class's day on its plan-graph by class and sees the
day and the release instants labelled with the school's zone; the municipal coordinator reads the
distribution of its unit per subject and grade."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from apps.campaigns.models import Campaign
from apps.classes.models import ClassWork, SchoolClass
from apps.classes.selectors import school_today
from apps.registration.constants import Role, time_zone_label
from apps.registration.models import School

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _account(role: Role) -> str:
    from apps.demo.country import DEMO_ACCOUNTS

    return dict(DEMO_ACCOUNTS)[role]


@pytest.fixture
def demo(live_server: Any) -> str:
    call_command("seed_demo", verbosity=0)
    return str(live_server.url)


def _log_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + reverse("login"))
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(settings.DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Войти").click()
    assert reverse("login") not in page.url, username


def _menu_open(page: Any, label: str) -> None:
    """Follow a header menu item by its label (the menu is how a user finds the page)."""
    link = page.locator("header nav.menu a", has_text=re.compile(rf"^\s*{label}\s*$"))
    assert link.count() == 1, label
    with page.expect_navigation():
        link.first.click()
    page.wait_for_load_state("networkidle")


def _zone(school: School) -> str:
    from apps.campaigns.selectors import school_zone

    return school_zone(school)


def test_organizer_reads_its_classes_and_sets_a_class_day(
    demo: str, page: Any, screenshots_dir: Path
) -> None:
    # given the demo school, its register and the published assignment
    school = School.objects.get(code=_account(Role.SCHOOL_ORGANIZER))
    campaign = Campaign.objects.get(is_active=True)
    classes = SchoolClass.objects.filter(school=school, campaign=campaign, is_active=True)
    assert classes.count() >= 10
    _log_in(page, demo, _account(Role.SCHOOL_ORGANIZER))

    # when the organizer opens «Классы и работы» from the menu
    _menu_open(page, "Классы и работы")
    page.screenshot(path=str(screenshots_dir / "classes-register.png"), full_page=True)
    # then it sees every class with its works, the assigned ones marked
    assert page.locator("main h1").inner_text().startswith("Классы и работы")
    rows = page.locator("main table.grid tbody tr")
    assert rows.count() == classes.count()
    first = page.locator(f"#class-{classes.get(grade=4, letter='А').pk}")
    assert "Русский язык" in first.inner_text()
    assert "по распределению" in first.inner_text()
    assigned = ClassWork.objects.filter(
        school_class__in=classes, source=ClassWork.Source.ASSIGNED
    ).count()
    assert page.locator("main table.grid .badge", has_text="по распределению").count() == assigned

    # when it opens «План-график ОО по классам» and sets a day for 4А's Математика
    _menu_open(page, "План-график ОО по классам")
    zone = _zone(school)
    assert time_zone_label(zone) in page.locator("main").inner_text()
    math = ClassWork.objects.get(
        school_class=classes.get(grade=4, letter="А"), work__subject__code="math"
    )
    assert math.date is None
    local_today = school_today(school)
    day = min(local_today + dt.timedelta(days=2), math.work.period_end)
    assert day > local_today
    row = page.locator(f"#cw-{math.pk}")
    row.get_by_label("Дата проведения, 4А, Математика").fill(day.isoformat())
    with page.expect_navigation():
        row.get_by_role("button", name="Сохранить").click()
    page.wait_for_load_state("networkidle")
    page.locator(f"#cw-{math.pk}").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots_dir / "classes-timetable.png"), full_page=True)

    # then the page shows the day and the release instants, labelled with the school's zone
    math.refresh_from_db()
    assert math.date == day
    text = page.locator(f"#cw-{math.pk}").inner_text()
    assert f"{day:%d.%m.%Y}" in text
    assert "Архив материалов:" in text
    assert "Критерии:" in text
    assert "Загрузка результатов:" in text
    header = page.locator(f"#cw-{math.pk}").locator("xpath=ancestor::table//thead").inner_text()
    assert "Публикации и сроки" in header
    main = page.locator("main").inner_text()
    assert "не сохранен" not in main.lower()


def test_municipal_coordinator_reads_the_distribution(
    demo: str, page: Any, screenshots_dir: Path
) -> None:
    # given the demo municipality's coordinator
    _log_in(page, demo, _account(Role.MUNICIPAL))
    # when it opens «Распределение по классам» from the menu
    _menu_open(page, "Распределение по классам")
    page.screenshot(path=str(screenshots_dir / "classes-distribution.png"), full_page=True)
    # then it sees classes per assigned subject and grade, and the compulsory works
    assert page.locator("main h1").inner_text().startswith("Распределение по классам")
    tables = page.locator("main table.grid")
    assigned = tables.nth(0).locator("tbody tr").all_inner_texts()
    assert assigned
    cells = [r.split("\t") for r in assigned]
    grades = {c[0].strip() for c in cells}
    assert {"4 класс", "5 класс", "10 класс"} <= grades
    assert any(c[:2] == ["4 класс", "Окружающий мир"] for c in cells)
    assert all(int(c[2]) > 0 for c in cells)
    compulsory = tables.nth(1).locator("tbody tr").all_inner_texts()
    assert any("Русский язык" in r for r in compulsory)
    assert "Распределение по кампании ещё не опубликовано" not in page.locator("main").inner_text()
