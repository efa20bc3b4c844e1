"""Regional re-checks in the browser: after a re-check of the flagged school has been marked,
the coordinator opens another one at random from the form, the school answers on its case
page, the coordinator reads the gap report, closes the case with its outcome and compares the
region's results with and without the re-checked schools.

One test on purpose: the shared scene is built once (its codes may collide with generated ones
when a school's id ends in 0, which a second transactional build in a module can reach).
Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from apps.objectivity.conftest import scene  # noqa: F401 - fixture
from apps.objectivity.models import Review, ReviewCase
from apps.objectivity.rechecks.tests.test_gap_report import marked  # noqa: F401 - fixture
from apps.objectivity.tests.scene import Scene
from tests.browser.conftest import log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rechecks_from_the_form_to_the_outcome(
    page: Any,
    live_server: Any,
    marked: tuple[Scene, Any],  # noqa: F811 - fixture
    screenshots_dir: Path,
) -> None:
    scene_, review = marked
    url = live_server.url
    # the coordinator opens a random re-check: the flagged A1a is already in one
    log_in_as(page, scene_.world, "regional", live_server)
    page.goto(url + reverse("objectivity-recheck-new") + f"?work={scene_.work.pk}")
    assert "уже в «" in page.locator("main").inner_text()
    assert "Результаты намного выше региональных" in page.locator("main").inner_text()
    page.get_by_label("Ещё случайных ОО", exact=False).fill("1")
    page.get_by_label("Зерно случайного отбора", exact=False).fill("5")
    page.screenshot(path=str(screenshots_dir / "objectivity-recheck-new.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Открыть перепроверку и запросить сканы").click()
    assert "Перепроверка открыта" in page.locator("main").inner_text()
    assert Review.objects.filter(kind=Review.Kind.RECHECK).count() == 2
    page.screenshot(path=str(screenshots_dir / "objectivity-recheck-detail.png"), full_page=True)
    # the school comments on its case of the marked re-check
    case = ReviewCase.objects.get(review=review)
    page.context.clear_cookies()
    log_in_as(page, scene_.world, "school_organizer", live_server)
    page.goto(url + reverse("objectivity-recheck-case", args=[case.pk]))
    page.get_by_label("Комментарий").fill("Просим учесть пояснения к заданию 1.")
    with page.expect_navigation():
        page.get_by_role("button", name="Добавить комментарий").click()
    assert "Просим учесть пояснения к заданию 1." in page.locator("main").inner_text()
    page.screenshot(
        path=str(screenshots_dir / "objectivity-recheck-case-school.png"), full_page=True
    )
    # the coordinator reads the gap report and closes the case
    page.context.clear_cookies()
    log_in_as(page, scene_.world, "regional", live_server)
    page.goto(url + reverse("objectivity-recheck-report", args=[review.pk]))
    assert "Участников сопоставлено: 2" in page.locator("main").inner_text()
    page.screenshot(path=str(screenshots_dir / "objectivity-recheck-report.png"), full_page=True)
    page.goto(url + reverse("objectivity-recheck-case", args=[case.pk]))
    page.get_by_label("результаты не подтверждены").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Закрыть дело").click()
    assert "Дело закрыто: результаты не подтверждены." in page.locator("main").inner_text()
    page.screenshot(
        path=str(screenshots_dir / "objectivity-recheck-case-closed.png"), full_page=True
    )
    # the region's results with and without the school whose results were not confirmed
    page.goto(url + reverse("objectivity-recheck", args=[review.pk]))
    with page.expect_navigation():
        page.get_by_role("link", name="Результаты с перепроверенными ОО и без них").click()
    assert "исключено ОО: 1" in page.locator("main").inner_text()
    page.screenshot(path=str(screenshots_dir / "objectivity-recheck-results.png"), full_page=True)
