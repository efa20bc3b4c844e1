"""The builds page and a school's materials page when kits are missing,
screenshotted: the operator reads what is missing and when builds start, the school reads when
its materials appear (or that they are late) on its own clock. Dates are built from today."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from apps.campaigns.tests.factories import WorkFactory
from apps.materials.tests.factories import apply, generate, russian4
from apps.materials.tests.test_auto_build import KALININGRAD, _dates, _zoned
from tests.browser.conftest import log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_builds_and_school_pages_say_what_is_missing(
    world: Any, live_server: Any, page: Any, screenshots_dir: Path
) -> None:
    # given a Kaliningrad school: one work late (published yesterday, kit composed, no archive),
    # one published in 5 days without a kit, and a work nobody applied for
    school = _zoned(world.schools["A1a"], KALININGRAD)
    late = russian4(**_dates(-1))
    apply(school, late)
    generate(late)
    soon = WorkFactory(grade=5, **_dates(5))
    apply(school, soon)
    WorkFactory(grade=6, **_dates(20))
    # when the operator opens the builds page
    log_in_as(page, world, "federal", live_server)
    page.goto(live_server.url + reverse("materials-builds"))
    page.screenshot(path=str(screenshots_dir / "materials-builds-auto.png"), full_page=True)
    builds = page.inner_text("main") if page.query_selector("main") else page.inner_text("body")
    # then each work says what is missing and the late one is flagged
    assert "Готово 0 из 0" not in builds
    assert "Не собрано к дате публикации" in builds
    assert "Нет заявок" in builds
    assert "начнётся автоматически" in builds
    # when the school opens its materials page
    page.context.clear_cookies()
    log_in_as(page, world, "school_organizer", live_server)
    page.goto(live_server.url + reverse("school-materials", args=[school.pk]))
    page.screenshot(path=str(screenshots_dir / "materials-school-pending.png"), full_page=True)
    text = page.inner_text("body")
    # then it reads when materials appear, or that they are late, on its own clock
    assert "Материалы появятся" in text
    assert "(МСК-1, время ОО)" in text
    assert "задерживается: оператор уведомлён" in text
