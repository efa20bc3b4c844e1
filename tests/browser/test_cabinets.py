"""Every demo role logs in through the Russian login form and lands on its own cabinet."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.registration.access import actor_for_user
from apps.registration.constants import Role
from apps.registration.models import Municipality, Region, School, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD_LOGIN = "Неверный логин или пароль"

# Header menu labels each role must (and must not) see.
MENU_HAS = {
    Role.FEDERAL: ["Кабинет", "Регионы", "Муниципалитеты", "ОО", "Администрирование"],
    Role.REGIONAL: ["Кабинет", "Муниципалитеты", "ОО региона"],
    Role.MUNICIPAL: ["Кабинет", "ОО муниципалитета"],
    Role.SCHOOL_ORGANIZER: ["Кабинет"],
    Role.SCHOOL_TECH: ["Кабинет"],
    Role.EXPERT: ["Кабинет", "Проверка работ"],
    Role.MARKER: ["Кабинет", "Проверка работ на экране"],
}
MENU_LACKS = {
    Role.FEDERAL: [],
    Role.REGIONAL: ["Регионы", "Администрирование"],
    Role.MUNICIPAL: ["Регионы", "Муниципалитеты", "Администрирование"],
    Role.SCHOOL_ORGANIZER: ["Регионы", "Муниципалитеты", "Администрирование"],
    Role.SCHOOL_TECH: ["Регионы", "Муниципалитеты", "Администрирование"],
    Role.EXPERT: ["Регионы", "Муниципалитеты", "Администрирование", "Заявки", "Материалы"],
    Role.MARKER: ["Регионы", "Муниципалитеты", "ОО", "Администрирование", "Заявки", "Материалы"],
}


def _demo_accounts() -> list[tuple[str, str]]:
    from apps.demo.country import DEMO_ACCOUNTS

    return [(str(role), username) for role, username in DEMO_ACCOUNTS]


def _log_in(page: Any, base: str, username: str, password: str) -> int:
    """Log in from the root page; the HTTP status of the page the form leads to."""
    page.goto(base + "/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(password)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Войти").click()
    page.wait_for_load_state("networkidle")
    return navigation.value.status


def _menu(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("header nav.menu a").all_inner_texts()]


def _expect_cabinet(page: Any, base: str, user: User) -> None:
    """The landing page is «Что сделать сейчас»; its side card leads to the role's own unit,
    found by hand from its grant."""
    actor = actor_for_user(user)
    if actor.role == Role.MARKER:
        # a commission marker's home is its works to mark (its /cabinet/ redirects there)
        assert page.url.removeprefix(base) == "/objectivity/marking/"
        assert page.locator("main h1").inner_text().strip() == "Проверка работ на экране"
        return
    assert page.url.removeprefix(base) == "/cabinet/"
    if actor.role == Role.EXPERT:
        # an expert's home is its works to check; the first leads to the entry of its codes
        assert page.locator("main h1").inner_text().strip() == "Работы на проверку"
        with page.expect_navigation():
            page.locator("[data-expert-works] a").first.click()
        assert page.locator("main h1").inner_text().strip() == "Ввод баллов эксперта"
        return
    assert page.locator("main h1").inner_text().strip() == "Что сделать сейчас"
    with page.expect_navigation():
        page.locator("aside.todo-side a").first.click()
    h1 = page.locator("main h1").inner_text().strip()
    path = page.url.removeprefix(base)
    if actor.role == Role.FEDERAL:
        assert path == "/regions/"
        assert page.title().startswith("Регионы")
        assert "регионы" in h1.lower()
        assert page.locator("table.grid tbody tr td a").count() >= 1
    elif actor.role == Role.REGIONAL:
        region = Region.objects.get(pk=actor.scope.anchor_id)
        assert path == f"/regions/{region.pk}/"
        assert h1 == region.name
        assert page.get_by_role("heading", name="Муниципалитеты").is_visible()
    elif actor.role == Role.MUNICIPAL:
        muni = Municipality.objects.get(pk=actor.scope.anchor_id)
        assert path == f"/municipalities/{muni.pk}/"
        assert h1 == muni.name
        codes = page.locator("table.grid tbody tr td:first-child").all_inner_texts()
        own = set(School.objects.filter(municipality=muni).values_list("code", flat=True))
        assert codes
        assert set(codes) <= own
    else:
        school = School.objects.get(pk=actor.scope.anchor_id)
        assert path == f"/schools/{school.pk}/"
        assert h1 == school.short_name
        assert school.code in page.locator("dl.facts").inner_text()


@pytest.fixture
def demo(live_server: Any) -> str:
    call_command("seed_demo", verbosity=0)
    return live_server.url


def test_demo_accounts_cover_every_role() -> None:
    # given the demo account list
    # when it is read
    roles = {role for role, _ in _demo_accounts()}
    # then each role has a demo login
    assert roles == {
        Role.FEDERAL,
        Role.REGIONAL,
        Role.MUNICIPAL,
        Role.SCHOOL_ORGANIZER,
        Role.SCHOOL_TECH,
        Role.EXPERT,
        Role.MARKER,
    }


def test_every_demo_role_lands_on_its_cabinet(demo: str, page: Any, screenshots_dir: Path) -> None:
    for role, username in _demo_accounts():
        # given a fresh browser session and a seeded demo account
        page.context.clear_cookies()
        user = User.objects.get(username=username)

        # when it logs in through the Russian form
        status = _log_in(page, demo, username, settings.DEMO_PASSWORD)

        # then it lands on its own cabinet, with its role label and menu in the header
        assert status == 200, (role, page.url, status)
        _expect_cabinet(page, demo, user)
        header = page.locator("header.topbar")
        assert header.locator(".role").inner_text().strip() == Role(role).label, role
        assert header.locator(".login").inner_text().strip() == username
        menu = _menu(page)
        assert all(item in menu for item in MENU_HAS[Role(role)]), (role, menu)
        assert not [item for item in MENU_LACKS[Role(role)] if item in menu], (role, menu)
        assert header.get_by_role("button", name="Выйти").is_visible()
        page.screenshot(path=str(screenshots_dir / f"{role}.png"), full_page=True)


def test_wrong_password_gives_one_russian_message(
    demo: str, page: Any, screenshots_dir: Path
) -> None:
    # given a real login with a wrong password, and a login that does not exist
    username = dict(_demo_accounts())[Role.SCHOOL_ORGANIZER]
    texts = []
    for login, password in [(username, "not-the-password"), ("nobody_here", "whatever-1")]:
        page.context.clear_cookies()
        # when each is submitted
        status = _log_in(page, demo, login, password)
        # then the login page stays, saying the same thing in both cases
        assert status == 200
        assert "/accounts/login/" in page.url
        texts.append(page.get_by_role("alert").inner_text().strip())
        assert page.get_by_label("Пароль").input_value() == ""
    assert texts[0] == texts[1]
    assert texts[0].startswith(BAD_LOGIN)
    assert "не найден" not in texts[0].lower()
    assert page.locator("header .role").count() == 0
    page.screenshot(path=str(screenshots_dir / "login_error.png"), full_page=True)


def test_unknown_url_shows_russian_404(demo: str, page: Any, screenshots_dir: Path) -> None:
    # given an anonymous visitor
    # when it opens a page that does not exist
    response = page.goto(demo + "/no-such-page/")
    # then it gets the Russian 404 page
    assert response is not None
    assert response.status == 404
    assert page.locator("main h1").inner_text().strip() == "Страница не найдена"
    assert page.locator("html").get_attribute("lang") == "ru"
    page.screenshot(path=str(screenshots_dir / "404.png"), full_page=True)
