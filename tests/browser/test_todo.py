"""«Что сделать сейчас»: on a demo day every role's first screen lists its tasks, and every link
on it leads to a working page. Screenshots at desktop (1366 px) and phone (390 px) widths."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.demo.country import DEMO_ACCOUNTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1366, 390)
ERROR_TITLES = ("Страница не найдена", "Доступ запрещён", "Ошибка", "Неверный запрос")

# Lines (title, a piece of its text) each demo role must see on the demo day
# (apps/demo/calendar.py: the live campaign's Русский язык started three days ago).
EXPECTED: dict[str, list[tuple[str, str]]] = {
    "federal": [
        ("Материалы: Математика 4 класс", "не собраны"),
        ("Заявки по стране", "подали"),
        ("Результаты: ждём загрузки", "загружено"),
    ],
    "regional": [
        ("Резервные дни: решить", "запросов на рассмотрении: 1"),
        ("Заявки: не подали", "без поданной заявки"),
    ],
    "municipal": [
        ("Заявки: не подали", "без поданной заявки"),
        ("Результаты: ждём загрузки", "загружено"),
    ],
    "school_organizer": [
        ("Пароль к архиву: Русский язык 8 класс", "будет показан"),
        ("Математика 4 класс", "день не выбран"),
        ("Результаты: Русский язык 4 класс", "загрузить"),
        ("Заявка", "подтверждена регионом"),
    ],
    "school_tech": [
        ("Пароль к архиву: Русский язык 8 класс", "будет показан"),
        ("Результаты: Русский язык 4 класс", "загрузить"),
    ],
}


@pytest.fixture
def demo(live_server: Any) -> str:
    call_command("seed_demo", verbosity=0)
    return str(live_server.url)


def _log_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(settings.DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Войти").click()
    page.wait_for_load_state("networkidle")


def _lines(page: Any) -> list[tuple[str, str, str]]:
    """(title, text, when) of every task line on the page."""
    return [
        (
            li.locator(".todo-title").inner_text().strip(),
            li.locator(".todo-text").inner_text().strip(),
            li.locator(".todo-when").inner_text().strip(),
        )
        for li in page.locator("li.todo-item").all()
    ]


def _assert_page_works(page: Any, base: str, href: str, role: str) -> None:
    response = page.goto(base + href if href.startswith("/") else href)
    assert response is not None, (role, href)
    assert response.status == 200, (role, href, response.status)
    heading = page.locator("main h1").first.inner_text().strip()
    assert heading, (role, href)
    assert not heading.startswith(ERROR_TITLES), (role, href, heading)


def _assert_todo(page: Any, role: str) -> None:
    # then the page is «Что сделать сейчас» with the three groups and the current campaign
    assert page.locator("main h1").inner_text().strip() == "Что сделать сейчас", role
    groups = [h.strip() for h in page.locator("main h2[id^=todo-]").all_inner_texts()]
    assert [g.split(" (")[0] for g in groups] == ["Сейчас", "Скоро", "Сделано"], role
    assert re.search(r"ВПР \d{4}, (весна|осень)", page.locator(".todo-lead").inner_text())
    # and it shows its expected lines, each with a state
    lines = _lines(page)
    for title, text in EXPECTED[role]:
        assert any(t == title and text in x for t, x, _ in lines), (role, title, lines)
    assert all(when for _, _, when in lines), (role, lines)
    # instants are labelled with whose clock they are on
    for _, _, when in lines:
        if re.search(r"\d\d:\d\d", when):
            assert re.search(r"\(МСК[^)]*\)", when), (role, when)


def test_every_role_sees_what_to_do_and_every_link_works(
    demo: str, page: Any, screenshots_dir: Path
) -> None:
    for role, username in DEMO_ACCOUNTS:
        # given a demo account logged in through the form
        _log_in(page, demo, username)

        # when it lands on its first screen
        page.goto(demo + "/")
        # a commission marker's first screen is its works to mark (its /cabinet/ redirects)
        home = r"/objectivity/marking/$" if role == "marker" else r"/cabinet/$"
        page.wait_for_url(re.compile(home))

        if role == "marker":
            # then the federal commission's marker sees its review with tasks left to mark
            assert page.locator("main h1").inner_text().strip() == "Проверка работ на экране"
            assert "Федеральная проверка" in page.locator("main").inner_text()
            assert page.get_by_role("link", name=re.compile(r"^Проверять задание")).count() >= 1
        elif role == "expert":
            # then an expert lands on its works to check with a link to enter the scores, the
            # day labelled with the school's clock
            assert page.locator("main h1").inner_text().strip() == "Работы на проверку"
            rows = page.locator("[data-expert-works] tbody tr")
            assert rows.count() >= 1
            assert "Внести баллы" in rows.first.inner_text()
            assert "время ОО" in page.locator(".todo-lead").inner_text()
        else:
            _assert_todo(page, role)
        if role.startswith("school"):
            lines = _lines(page)
            password = next(w for t, _, w in lines if t.startswith("Пароль к архиву"))
            assert "07:30 (МСК+2, время ОО)" in password, password
            side = page.locator("aside.todo-side").inner_text()
            assert "edu660101" in side, side

        # and screenshots at desktop and phone widths
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(screenshots_dir / f"todo-{role}-{width}.png"), full_page=True)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, (role, width, overflow)
        page.set_viewport_size({"width": 1280, "height": 800})

        # when every link on the page (task lines and the side card) is followed
        links = page.locator("main a[href]")
        found = set(links.evaluate_all("els => els.map(e => e.getAttribute('href'))"))
        # pages of the portal (a mailto: or tel: contact is not a page to open)
        hrefs = sorted(h for h in found if h.startswith("/"))
        assert all(h.startswith(("/", "mailto:", "tel:")) for h in found), found
        assert len(hrefs) >= len(EXPECTED.get(role, [("", "")])), (role, hrefs)
        for href in hrefs:
            # then each answers 200 with a page of its own, not an error page
            _assert_page_works(page, demo, href, role)
