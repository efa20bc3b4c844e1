"""Each analytics report opens in the browser for a school and a regional coordinator.

The small hand-built data set of the analytics tests (schools A1a and A2a of region A, B1a of
region B; one work, 3 columns, maximum 6) is loaded; every number asserted below is counted by
hand from apps/analytics/tests/factories.py. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from apps.analytics.models import WorkAggregate
from apps.analytics.services import analytics_school_refresh
from apps.analytics.tests.factories import A1A, A2A, B1A, put_results, small_work
from apps.core.scoping import Level
from conftest import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def loaded(world: World) -> Any:
    """The small data set, results released yesterday, refreshed school by school."""
    work = small_work()
    work.results_release_date = timezone.localdate() - dt.timedelta(days=1)
    work.save(update_fields=["results_release_date"])
    for key, rows in (("A1a", A1A), ("A2a", A2A), ("B1a", B1A)):
        put_results(world.schools[key], work, rows)
        analytics_school_refresh(school_id=world.schools[key].pk, work_id=work.pk)
    return work


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Войти").click()
    assert "/accounts/login/" not in page.url


def _open(page: Any, url: str, shot: Path) -> str:
    """Open a report, check its status, save a full-page screenshot; the main text."""
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, (url, response.status)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(shot), full_page=True)
    return page.locator("main").inner_text()


def _row(page: Any, table: str, first: str) -> list[str]:
    """The cells of the first row of a table whose text contains ``first``."""
    row = page.locator(f"{table} tbody tr").filter(has_text=re.compile(re.escape(first))).first
    return [c.strip() for c in row.locator("th, td").all_inner_texts()]


def _h1(page: Any) -> str:
    return page.locator("main h1").inner_text().strip()


def test_school_opens_each_report(
    live_server: Any, world: World, loaded: Any, page: Any, screenshots_dir: Path
) -> None:
    # given the organizer of school A1a (6 participants, 1 absent) and its aggregate
    school = world.schools["A1a"]
    agg = WorkAggregate.objects.get(work=loaded, level=Level.SCHOOL, unit_id=school.pk)
    base = f"{live_server.url}/analytics/{agg.pk}"
    _log_in(page, live_server.url, world.users["school_organizer"].username)

    def shot(report: str) -> Path:
        return screenshots_dir / f"analytics_school_{report}.png"

    # when it opens «Статистика по отметкам»
    text = _open(page, f"{base}/marks/", shot("marks"))
    # then the school's row is compared with its municipality, region and Вся выборка
    assert _h1(page) == "Статистика по отметкам"
    assert "ВПР 2026, весна · Русский язык 4 класс" in text
    assert _row(page, "table.an-table", "Вся выборка")[2:8] == [
        "3",
        "14",
        "28,6",
        "21,4",
        "28,6",
        "21,4",
    ]
    assert _row(page, "table.an-table", school.short_name)[3:8] == [
        "6",
        "16,7",
        "33,3",
        "33,3",
        "16,7",
    ]
    # and it links its xlsx, its PDF and all reports in one PDF
    downloads = page.locator(".an-actions a")
    assert downloads.all_inner_texts() == [
        "Ф3_Статистика по отметкам.xlsx",
        "PDF",
        "Все отчёты (PDF)",
    ]
    assert downloads.first.get_attribute("href") == f"/analytics/{agg.pk}/marks.xlsx"

    # when it opens «Распределение первичных баллов»
    _open(page, f"{base}/scores/", shot("scores"))
    # then the counts of scores 0..6 are 0, 1, 0, 2, 1, 1, 1, boundaries 2, 4, 6 in red
    assert _h1(page) == "Распределение первичных баллов"
    assert _row(page, "table.an-table", "Участников")[1:] == ["0", "1", "0", "2", "1", "1", "1"]
    assert page.locator("svg line.an-boundary").count() == 3

    # when it opens «Выполнение заданий»
    _open(page, f"{base}/tasks/", shot("tasks"))
    # then the school's column shows 83,3 / 66,7 / 33,3 % of the maximum (10, 8, 4 of 12)
    assert _h1(page) == "Выполнение заданий"
    rows = page.locator("table.an-table tbody tr")
    assert [rows.nth(i).locator("td").last.inner_text().strip() for i in range(3)] == [
        "83,3",
        "66,7",
        "33,3",
    ]

    # when it opens «Сравнение отметок с отметками по журналу»
    text = _open(page, f"{base}/journal/", shot("journal"))
    # then 2 lowered, 2 confirmed, 1 raised, 1 without a journal mark, 1 gap of 2+ marks
    assert _h1(page) == "Сравнение отметок с отметками по журналу"
    assert _row(page, "table.an-table", school.short_name)[2:] == [
        "2",
        "40,0",
        "2",
        "40,0",
        "1",
        "20,0",
        "1",
        "1",
    ]
    # and the one participant with a gap of two marks is listed by code only
    assert _row(page, "table.an-gaps", "40005") == ["40005", "2", "4", "−2"]
    assert page.locator("table.an-gaps tbody tr").count() == 1

    # when it opens «Достижение планируемых результатов»
    _open(page, f"{base}/topics/", shot("topics"))
    # then «Орфография» is 75,0 % (18 of 24) and «Текст» 33,3 % (4 of 12)
    assert _h1(page) == "Достижение планируемых результатов"
    assert _row(page, "table.an-table", "Орфография")[-1] == "75,0"
    assert _row(page, "table.an-table", "Текст")[-1] == "33,3"

    # when it opens «Выполнение заданий группами участников»
    _open(page, f"{base}/groups/", shot("groups"))
    # then the group «4» (2 participants) did 100 / 100 / 25 %
    assert _h1(page) == "Выполнение заданий группами участников"
    assert _row(page, "table.an-table", "«4»")[1:] == ["2", "100,0", "100,0", "25,0"]

    # when it opens «Индивидуальные результаты»
    text = _open(page, f"{base}/individual/", shot("individual"))
    # then each code is listed, the absent one as such, «X» as X
    assert _h1(page) == "Индивидуальные результаты"
    assert _row(page, "table.an-table", "40005")[:8] == ["40005", "1", "1", "1", "0", "X", "1", "2"]
    assert "отсутствовал" in _row(page, "table.an-table", "40007")[-1]
    # and there is no objectivity report for a school
    assert page.locator(".an-nav a", has_text="Признаки необъективности").count() == 0


def test_regional_coordinator_opens_each_report(
    live_server: Any, world: World, loaded: Any, page: Any, screenshots_dir: Path
) -> None:
    # given the coordinator of region A (schools A1a, A2a: 12 participants) and its aggregate
    region = world.regions["A"]
    agg = WorkAggregate.objects.get(work=loaded, level=Level.REGION, unit_id=region.pk)
    base = f"{live_server.url}/analytics/{agg.pk}"
    _log_in(page, live_server.url, world.users["regional"].username)

    def shot(report: str) -> Path:
        return screenshots_dir / f"analytics_regional_{report}.png"

    # when it opens «Статистика по отметкам»
    text = _open(page, f"{base}/marks/", shot("marks"))
    # then the region's row: 2 schools, 12 participants, 25 / 25 / 33,3 / 16,7 %
    assert _h1(page) == "Статистика по отметкам"
    assert "ВПР 2026, весна · Русский язык 4 класс" in text
    assert _row(page, "table.an-table", region.name)[2:8] == [
        "2",
        "12",
        "25,0",
        "25,0",
        "33,3",
        "16,7",
    ]
    # and its two municipalities are listed, not region B's
    assert page.locator("table.an-table tbody tr").count() == 4
    assert world.municipalities["B1"].name not in text

    # when it opens «Распределение первичных баллов»
    _open(page, f"{base}/scores/", shot("scores"))
    # then the counts of scores 0..6 are 1, 2, 1, 2, 3, 1, 2
    assert _h1(page) == "Распределение первичных баллов"
    assert _row(page, "table.an-table", "Участников")[1:] == ["1", "2", "1", "2", "3", "1", "2"]

    # when it opens «Выполнение заданий»
    _open(page, f"{base}/tasks/", shot("tasks"))
    # then the region did 75,0 (sufficient) / 58,3 (uncertain) / 29,2 (uncertain) %
    assert _h1(page) == "Выполнение заданий"
    rows = page.locator("table.an-table tbody tr")
    cells = [rows.nth(i).locator("td").nth(3) for i in range(3)]
    assert [c.inner_text().strip() for c in cells] == ["75,0", "58,3", "29,2"]
    assert "an-sufficient" in (cells[0].get_attribute("class") or "")
    assert "an-uncertain" in (cells[1].get_attribute("class") or "")

    # when it opens «Сравнение отметок с отметками по журналу»
    text = _open(page, f"{base}/journal/", shot("journal"))
    # then 3 lowered, 4 confirmed, 3 raised, 2 without a mark, 2 gaps; no codes at this level
    assert _h1(page) == "Сравнение отметок с отметками по журналу"
    assert _row(page, "table.an-table", region.name)[2:] == [
        "3",
        "30,0",
        "4",
        "40,0",
        "3",
        "30,0",
        "2",
        "2",
    ]
    assert page.locator("table.an-gaps").count() == 0
    assert "40005" not in text
    # and its schools with such gaps are listed instead, 1 of 5 with a journal mark each
    schools = page.locator("table.an-gap-schools tbody tr")
    assert schools.count() == 2
    assert _row(page, "table.an-gap-schools", world.schools["A1a"].short_name)[1:] == [
        "5",
        "1",
        "20,0",
    ]
    # and the report's downloads are linked
    assert page.locator(".an-actions a").first.inner_text() == (
        "Ф5_Сравнение отметок с отметками по журналу.xlsx"
    )

    # when it opens «Достижение планируемых результатов»
    _open(page, f"{base}/topics/", shot("topics"))
    # then the region's «Орфография» is 66,7 % (32 of 48) and «Текст» 29,2 % (7 of 24)
    assert _h1(page) == "Достижение планируемых результатов"
    assert _row(page, "table.an-table", "Орфография")[4] == "66,7"
    assert _row(page, "table.an-table", "Текст")[4] == "29,2"

    # when it opens «Выполнение заданий группами участников»
    _open(page, f"{base}/groups/", shot("groups"))
    # then the region's group «5» (2 participants) did every task in full
    assert _h1(page) == "Выполнение заданий группами участников"
    assert _row(page, "table.an-table", "«5»")[1:] == ["2", "100,0", "100,0", "100,0"]

    # when it opens «Признаки необъективности результатов»
    text = _open(page, f"{base}/objectivity/", shot("objectivity"))
    # then both schools of the region are listed and none of region B
    assert _h1(page) == "Признаки необъективности результатов"
    assert world.schools["A1a"].short_name in text
    assert world.schools["A2a"].short_name in text
    assert world.schools["B1a"].short_name not in text
    # and a coordinator has no individual results
    assert page.locator(".an-nav a", has_text="Индивидуальные результаты").count() == 0
