"""The federal sample in the browser: the federal operator draws it on the page and sees the
strata; a sampled school's cabinet tells it that its work is checked federally; after the
publication the school's results page shows the official federal scores with its own beside.

Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from apps.objectivity import conftest as objectivity_fixtures
from apps.objectivity.models import FederalSample
from apps.objectivity.sample import services
from apps.objectivity.sample.tests.helpers import case_of, draw_all, mark_booklets
from apps.objectivity.tests.scene import Scene
from tests.browser.conftest import log_in_as

scene = objectivity_fixtures.scene  # the shared scene's fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_federal_sample_from_the_draw_to_the_official_results(
    page: Any, live_server: Any, scene: Scene, screenshots_dir: Path
) -> None:
    log_in_as(page, scene.world, "federal", live_server)
    page.goto(
        live_server.url + reverse("objectivity-sample") + f"?campaign={scene.work.campaign_id}"
    )
    page.get_by_label("Русский язык, 4 класс").check()
    page.get_by_label("Доля ОО в каждом регионе, %").fill("50")
    page.get_by_label("Зерно выборки (необязательно)").fill("2026")
    page.screenshot(path=str(screenshots_dir / "objectivity-sample-form.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Провести выборку").click()
    sample = FederalSample.objects.get()
    assert sample.seed == 2026
    text = page.locator("main").inner_text()
    assert "Выборка проведена (зерно 2026): работ 1, ОО в выборке по всем работам — 3." in text
    assert page.locator("table.strata tfoot").inner_text().split() == ["Всего", "4", "3"]
    assert page.locator("table.cases tbody tr").count() == 3
    page.screenshot(path=str(screenshots_dir / "objectivity-sample-strata.png"), full_page=True)
    # when the sample is drawn again with every school (nothing done with it yet: replaced)
    review = draw_all(scene)
    log_in_as(page, scene.world, "school_organizer", live_server)
    page.goto(live_server.url + reverse("cabinet"))
    notice = page.get_by_text("проверяется федеральным организатором", exact=False)
    assert notice.count() >= 1
    page.screenshot(path=str(screenshots_dir / "objectivity-sample-notice.png"), full_page=True)
    own = scene.own_rows("A1a")
    scene.upload_own("A1a", own)
    mark_booklets(scene, review, "A1a", len(own))
    services.federal_publish(actor=scene.actor("federal"), case_id=case_of(review, scene, "A1a").pk)
    page.goto(
        live_server.url + reverse("results-work", args=[scene.school("A1a").pk, scene.work.pk])
    )
    assert "Официальные результаты — федеральная проверка" in page.locator("main").inner_text()
    assert page.locator("td.own-total").count() == len(own)
    page.screenshot(path=str(screenshots_dir / "objectivity-federal-results.png"), full_page=True)
