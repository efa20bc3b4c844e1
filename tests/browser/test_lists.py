"""The operator's long lists in the browser: the item bank fits a few
screens, is filtered by campaign (the two sessions of a year named apart), sorted by a header
click (aria-sort) and paged with the filter kept; screenshotted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from apps.campaigns.models import Session
from apps.campaigns.tests.factories import CampaignFactory, SubjectFactory, WorkFactory
from apps.core.listing import PAGE_SIZE
from tests.browser.conftest import log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bank_page_is_filtered_sorted_and_paged(
    world: Any, live_server: Any, page: Any, screenshots_dir: Path
) -> None:
    # given a spring campaign with more works than a page holds and an autumn one of its year
    spring = CampaignFactory()
    autumn = CampaignFactory(year=spring.year, session=Session.AUTUMN, name=spring.name)
    subjects = [SubjectFactory(code=f"s{i}", name=f"Предмет {i}") for i in range(4)]
    pairs = [(s, g) for s in subjects for g in range(4, 12)][: PAGE_SIZE + 3]
    for subject, grade in pairs:
        WorkFactory(campaign=spring, subject=subject, grade=grade)
    WorkFactory(campaign=autumn)
    log_in_as(page, world, "federal", live_server)
    # when the operator opens the bank page
    page.goto(live_server.url + reverse("materials-bank"))
    page.screenshot(path=str(screenshots_dir / "materials-bank-list.png"), full_page=True)
    # then one page of works is shown, a few screens tall, the upload forms folded
    assert page.locator("tr[data-work]").count() == PAGE_SIZE
    assert page.evaluate("document.body.scrollHeight") < 8000
    assert page.locator("details.bank-actions[open]").count() == 0
    # when it picks the autumn campaign by its label
    page.select_option("select[name=campaign]", label=f"ВПР {spring.year}, осень (текущая)")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    # then only the autumn work is left, named by its session
    rows = page.locator("tr[data-work]")
    assert rows.count() == 1
    assert f"(ВПР {spring.year}, осень)" in rows.first.inner_text()
    # when it goes back to the spring works (sorted by work, ascending, by default) and clicks
    # the work header
    page.select_option("select[name=campaign]", label=f"ВПР {spring.year}, весна (текущая)")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert page.get_attribute("th[aria-sort]", "aria-sort") == "ascending"
    with page.expect_navigation():
        page.click("th >> a.sort-link:has-text('Работа')")
    # then the header says so and the highest grade comes first
    assert page.get_attribute("th[aria-sort]", "aria-sort") == "descending"
    assert "11 класс" in page.locator("tr[data-work]").first.inner_text()
    # when it follows «Вперёд»
    with page.expect_navigation():
        page.click("a[rel=next]")
    page.screenshot(path=str(screenshots_dir / "materials-bank-page-2.png"), full_page=True)
    # then the second page keeps the campaign and the sort and holds the rest of the spring
    assert f"campaign={spring.pk}" in page.url
    assert "sort=-work" in page.url
    assert page.locator("tr[data-work]").count() == len(pairs) - PAGE_SIZE
    assert page.get_attribute("th[aria-sort]", "aria-sort") == "descending"
    assert "Страница 2 из 2" in page.inner_text("body")
