"""Results monitoring and context-data history in the browser.

The data are the hand-counted scenario of apps/results/tests/test_monitoring.py (`monitored`:
eight schools, one work, the clock at 23.05.2026 20:30 UTC, the last upload day) and the two
context uploads of apps/results/tests/test_context_diff.py (`two_uploads`); their fixtures are
imported, so every number asserted here is the one counted there. Screenshots go to
artifacts/screenshots/.

The live server runs in this process and this test's database transactions are real
(`transaction=True`), so the reminder's on-commit callback queues the Celery task, which runs
eagerly in the server's thread and sends through the locmem backend into `mail.outbox`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from apps.results.context import xlsx as cx
from apps.results.models import ContextUpload
from apps.results.tests.conftest import Env, env  # noqa: F401 - fixture used by the two below
from apps.results.tests.test_context_diff import two_uploads  # noqa: F401 - fixture
from apps.results.tests.test_monitoring import monitored  # noqa: F401 - fixture
from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORK = "Русский язык, 4 класс"
RED = "rgb(139, 26, 16)"  # .bad / .state-overdue in static/css/results.css


def _log_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Войти").click()
    assert "/accounts/login/" not in page.url


def _click(page: Any, locator: Any) -> None:
    """Click a link or submit button and wait for the page it leads to, not the old one."""
    with page.expect_navigation():
        locator.click()
    page.wait_for_load_state("networkidle")


def _menu(page: Any, label: str) -> None:
    _click(page, page.locator("header nav.menu").get_by_role("link", name=label, exact=True))


# Elements of <main> wider than their box (a table scrolled sideways, a form running off).
OVERFLOWING = """() => [...document.querySelectorAll('main .mon-wrap, main form, main')]
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => e.className || e.tagName)"""


def _shot(page: Any, screenshots_dir: Path, name: str) -> None:
    """A full-page screenshot, after checking nothing is cut off at the 1280 px viewport."""
    assert page.evaluate(OVERFLOWING) == [], name
    # From the top: a page opened at #schools would draw the sticky menu halfway down.
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshots_dir / f"{name}.png"), full_page=True)


def _h1(page: Any) -> str:
    return str(page.locator("main h1").inner_text()).strip()


def _units(page: Any) -> Any:
    """The table of the units one level down (the second monitoring table of the page)."""
    return page.locator("table.mon").nth(1)


def _row(table: Any, name: str) -> Any:
    return table.locator("tbody tr").filter(has_text=name)


def _cells(row: Any) -> list[str]:
    """The texts of a row's cells after the unit's name."""
    return [c.strip() for c in row.locator("td").all_inner_texts()[1:]]


def _color(locator: Any) -> str:
    return str(locator.evaluate("e => getComputedStyle(e).color"))


def test_federal_operator_drills_down_region_municipality_school(
    live_server: Any,
    monitored: Env,  # noqa: F811 - the imported fixture
    page: Any,
    screenshots_dir: Path,
) -> None:
    world = monitored.world
    regions, munis, schools = world.regions, world.municipalities, world.schools
    # given the federal operator logged in
    _log_in(page, live_server.url, world.users["federal"].username)

    # when it opens «Загрузка результатов» from the menu and picks the work
    _menu(page, "Загрузка результатов")
    assert _h1(page) == "Загрузка результатов ВПР: Российская Федерация"
    _click(page, page.locator("table.mon").first.get_by_role("link", name=WORK))
    _shot(page, screenshots_dir, "monitoring_federal")

    # then each region has its counts: schools, on time, late, overdue, waiting, context,
    # planned, present, absent (B2a's draft application is not expected)
    units = _units(page)
    assert units.locator("tbody tr").count() == 2
    assert _cells(_row(units, regions["A"].name)) == ["4", "1", "1", "1", "1", "3", "87", "28", "3"]
    assert _cells(_row(units, regions["B"].name)) == ["3", "1", "0", "1", "1", "1", "55", "22", "3"]
    total = [c.strip() for c in units.locator("tfoot td").all_inner_texts()]
    assert total == ["Итого", "7", "2", "1", "2", "2", "4", "142", "50", "6"]
    # and an overdue count is red and links to the late list of its region
    overdue = _row(units, regions["A"].name).locator("td.bad")
    assert overdue.count() == 1
    assert overdue.inner_text().strip() == "1"
    assert _color(overdue) == RED
    assert "state=overdue" in (overdue.locator("a").get_attribute("href") or "")

    # when it clicks region A
    _click(page, units.get_by_role("link", name=regions["A"].name))
    _shot(page, screenshots_dir, "monitoring_region")
    # then the region's municipalities are listed with their counts
    assert _h1(page) == f"Загрузка результатов ВПР: {regions['A'].name}"
    units = _units(page)
    assert units.locator("tbody tr").count() == 2
    assert _cells(_row(units, munis["A1"].name)) == ["2", "1", "0", "1", "0", "2", "45", "18", "2"]
    assert _cells(_row(units, munis["A2"].name)) == ["2", "0", "1", "0", "1", "1", "42", "10", "1"]

    # when it clicks municipality A1
    _click(page, units.get_by_role("link", name=munis["A1"].name))
    _shot(page, screenshots_dir, "monitoring_municipality")
    # then its two schools are listed with their states and counts (no column of schools):
    # state, on time, late, overdue, waiting, context, planned, present, absent
    assert _h1(page) == f"Загрузка результатов ВПР: {munis['A1'].name}"
    units = _units(page)
    assert units.locator("tbody tr").count() == 2
    on_time = _row(units, schools["A1a"].short_name)
    late = _row(units, schools["A1b"].short_name)
    assert _cells(on_time) == ["загружено в срок", "1", "0", "0", "0", "1", "25", "18", "2"]
    assert _cells(late) == ["не загружено, срок истёк", "0", "0", "1", "0", "1", "20", "0", "0"]
    assert _color(late.locator("td.state-overdue")) == RED
    # and each school links to its results page for the work
    href = late.get_by_role("link", name=schools["A1b"].short_name).get_attribute("href")
    assert href == reverse("results-work", args=[schools["A1b"].pk, monitored.work.pk])

    # when it follows the breadcrumbs back up
    crumbs = page.locator("p.crumbs")
    assert crumbs.get_by_role("link").all_inner_texts() == [
        "Российская Федерация",
        regions["A"].name,
    ]
    assert crumbs.locator("[aria-current=page]").inner_text() == munis["A1"].name
    _click(page, crumbs.get_by_role("link", name=regions["A"].name))
    # then it is on the region's page again, still for the work
    assert _h1(page) == f"Загрузка результатов ВПР: {regions['A'].name}"
    assert f"work={monitored.work.pk}" in page.url
    _click(page, page.locator("p.crumbs").get_by_role("link", name="Российская Федерация"))
    assert _h1(page) == "Загрузка результатов ВПР: Российская Федерация"
    assert _units(page).locator("tbody tr").count() == 2


def test_regional_coordinator_lists_late_schools_and_reminds_them(
    live_server: Any,
    monitored: Env,  # noqa: F811 - the imported fixture
    page: Any,
    screenshots_dir: Path,
) -> None:
    world = monitored.world
    muni, schools = world.municipalities["A1"], world.schools
    # given the coordinator of region A logged in, on its municipality A1 for the work
    _log_in(page, live_server.url, world.users["regional"].username)
    _menu(page, "Загрузка результатов")
    assert _h1(page) == f"Загрузка результатов ВПР: {world.regions['A'].name}"
    _click(page, page.locator("table.mon").first.get_by_role("link", name=WORK))
    _click(page, _units(page).get_by_role("link", name=muni.name))
    assert _h1(page) == f"Загрузка результатов ВПР: {muni.name}"

    # when it shows the schools that have not uploaded
    page.get_by_label("Показать").select_option(label="не загрузили")
    _click(page, page.locator("#schools").get_by_role("button", name="Показать"))
    _shot(page, screenshots_dir, "monitoring_municipality_late")

    # then only A1b is listed (A1a uploaded; A2a is late too, but in another municipality),
    # overdue in red, with its deadline and its contacts
    listed = page.locator("#schools table tbody tr")
    assert listed.count() == 1
    cells = [c.strip() for c in listed.first.locator("td").all_inner_texts()]
    assert cells[0] == f"{schools['A1b'].code} {schools['A1b'].short_name}"
    assert cells[1:5] == [muni.name, "20", "23.05.2026", "не загружено, срок истёк"]
    assert cells[5].split("\n") == ["+7 000 000-00-00", "a1b@example.org"]
    assert _color(listed.first.locator("td.state-overdue")) == RED
    assert "Всего: 1" in page.locator("#schools").inner_text()

    # when it presses «Напомнить»
    assert mail.outbox == []
    page.once("dialog", lambda dialog: dialog.accept())
    _click(page, page.get_by_role("button", name=re.compile(r"^Напомнить по e-mail")))

    # then it reads the Russian confirmation, back on the municipality's list
    assert (
        "Напоминания поставлены в очередь отправки: 1." in page.locator("ul.messages").inner_text()
    )
    assert page.url.split("?")[0].endswith(
        reverse("results-monitoring-municipality", kwargs={"municipality_id": muni.pk})
    )
    _shot(page, screenshots_dir, "monitoring_reminded")
    # and exactly that school got the e-mail (sent by the task after the request committed)
    assert [m.to for m in mail.outbox] == [["a1b@example.org"]]
    assert "Срок загрузки истёк 23.05.2026" in mail.outbox[0].body


def test_school_sees_what_changed_between_context_uploads(
    live_server: Any,
    env: Env,  # noqa: F811 - the imported fixture
    two_uploads: tuple[ContextUpload, ContextUpload, list[str]],  # noqa: F811
    page: Any,
    screenshots_dir: Path,
) -> None:
    first, second, codes = two_uploads
    # given the organizer of school A1a, which uploaded its context data twice (42 → 43 teachers)
    _log_in(page, live_server.url, env.world.users["school_organizer"].username)

    # when it opens its context-data page from its results page
    _menu(page, "Результаты ВПР")
    _click(page, page.get_by_role("link", name="Форма сбора контекстных данных об ОО и участниках"))
    _shot(page, screenshots_dir, "context_page")
    # then the current version is 2 with 43 teachers, and both uploads are listed
    assert _h1(page).startswith("Контекстные данные об ОО и участниках")
    assert "Версия 2" in page.locator("main").inner_text()
    teachers = page.locator("table.grid tr").filter(has_text="Число педагогических работников")
    assert teachers.locator("td").inner_text().strip() == "43"
    uploads = page.locator("section.card").filter(has_text="Загрузки").locator("tbody tr")
    assert uploads.count() == 2

    # when it opens what changed in version 2
    _click(page, page.get_by_role("link", name="что изменилось"))
    _shot(page, screenshots_dir, "context_diff")

    # then the page compares it with version 1: the field old → new, and the codes
    assert page.url.endswith(reverse("results-context-version", args=[second.pk]))
    assert _h1(page) == "Контекстные данные: версия 2"
    assert page.locator("main h2").first.inner_text() == "Изменения по сравнению с версией 1"
    field = page.locator("table.grid tbody tr").filter(has_text="Число педагогических работников")
    assert field.locator("td.diff-old").inner_text() == "42"
    assert field.locator("td.diff-new").inner_text() == "43"
    text = page.locator("main").inner_text()
    assert f"Добавлены коды: {codes[3]}" in text
    assert f"Удалены коды: {codes[0]}" in text
    gender = page.locator("table.grid tbody tr").filter(has_text=codes[1])
    assert [c.strip() for c in gender.locator("td").all_inner_texts()[:2]] == [
        codes[1],
        cx.HEAD_GENDER,
    ]
    # and the old value is struck through, the new one green
    assert "line-through" in field.locator("td.diff-old").evaluate(
        "e => getComputedStyle(e).textDecorationLine"
    )
    assert _color(field.locator("td.diff-new")) == "rgb(30, 107, 46)"
    assert first.number == 1
