"""The demo school's grade-8 materials the day before its work and the morning of it
(screenshots).

The demo (``seed_demo``) gives edu660101 a confirmed application in the current campaign and a kit
for Русский язык 8 класс written tomorrow (the encrypted archive); the kit's archive is built
here. Before: today at noon in Moscow (the server's clock pinned by time-machine, which also
moves the live server's thread), the archive downloadable, the password and the criteria shut
with their local opening times and a countdown. After: the server clock on the school's day after
14:00 Moscow, the password shown and the criteria downloadable. The browser keeps its own clock;
no countdown is asserted on the second page, so that does not matter.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from apps.campaigns import schedule
from apps.campaigns.models import SchoolWorkDate
from apps.core.models import Job
from apps.materials import services
from apps.materials.models import Kit
from apps.materials.tasks import kit_build_task
from apps.registration.access import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCHOOL = "edu660101"
MOSCOW = ZoneInfo("Europe/Moscow")
SYSTEM = Actor.system(reason="browser test")


def _built_demo_kit() -> Kit:
    call_command("seed_demo", verbosity=0)
    kit = Kit.objects.select_related("work", "school").get(
        school__code=SCHOOL, work__encrypted_archive=True
    )
    services.kit_build_request(actor=SYSTEM, work_id=kit.work_id, school_id=kit.school_id)
    for job in Job.objects.filter(kind=services.KIT_BUILD):
        kit_build_task(job_id=job.pk)  # idempotent if the eager on_commit already ran it
    kit.refresh_from_db()
    assert kit.status == Kit.Status.READY
    return kit


def _open_logged_in(page: Any, url: str) -> None:
    """Open ``url``; log in as the demo school first if the portal asks for it."""
    page.goto(url)
    if "/accounts/login/" in page.url:
        page.get_by_label("Логин").fill(SCHOOL)
        page.get_by_label("Пароль").fill(settings.DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Войти").click()
        page.goto(url)
    page.wait_for_load_state("networkidle")


def _statuses(page: Any, kit: Kit) -> dict[str, str]:
    rows = page.locator(f"section.card[data-kit='{kit.pk}'] tbody tr")
    return {
        (rows.nth(i).get_attribute("class") or "").removeprefix("material-"): (
            rows.nth(i).get_attribute("data-status") or ""
        )
        for i in range(rows.count())
    }


def test_school_grade8_materials_before_and_on_its_day(
    live_server: Any, page: Any, screenshots_dir: Path
) -> None:
    noon = dt.datetime.combine(dt.datetime.now(tz=MOSCOW).date(), dt.time(12), tzinfo=MOSCOW)
    with time_machine.travel(noon, tick=True):
        # given the demo school's built grade-8 kit, held on its chosen day (tomorrow)
        kit = _built_demo_kit()
        url = f"{live_server.url}/schools/{kit.school_id}/materials/"
        zone = kit.school.time_zone
        day = SchoolWorkDate.objects.get(school_id=kit.school_id, work_id=kit.work_id).date
        assert day == noon.date() + dt.timedelta(days=1)
        password_at = schedule.password_release_at(kit.work, zone, day)
        criteria = schedule.criteria_available_at(kit.work, zone, day)
        assert password_at is not None
        assert criteria is not None

        # when the school opens its materials page the day before
        _open_logged_in(page, url)
        page.screenshot(path=str(screenshots_dir / "materials_before.png"), full_page=True)

        # then the archive is out, the password and criteria are shut with their local opening
        # times and a running countdown
        assert page.locator("main h1").inner_text().strip() == "Материалы ВПР"
        before = _statuses(page, kit)
        assert before["archive"] == "available"
        assert before["codes"] == "available"
        assert before["protocol"] == "available"
        assert before["criteria"] == "not_yet"
        assert before["password"] == "not_yet"
        card = page.locator(f"section.card[data-kit='{kit.pk}']")
        password_row = card.locator("tr.material-password")
        local = password_at.astimezone(ZoneInfo(zone))
        assert local.strftime("%d.%m.%Y 07:30") in password_row.inner_text()
        assert re.search(r"осталось (\d+ дн\. )?\d\d:\d\d:\d\d", password_row.inner_text())
        assert password_row.get_by_role("link").count() == 0

    # when the server's clock reaches the school's day, after the criteria open
    with time_machine.travel(criteria + dt.timedelta(hours=1), tick=True):
        _open_logged_in(page, url)
        page.screenshot(path=str(screenshots_dir / "materials_after.png"), full_page=True)

        # then every item is available, and the archive downloads
        after = _statuses(page, kit)
        assert after == {
            "archive": "available",
            "codes": "available",
            "protocol": "available",
            "criteria": "available",
            "password": "available",
        }
        card = page.locator(f"section.card[data-kit='{kit.pk}']")
        with page.expect_download() as download:
            card.locator("tr.material-archive").get_by_role("link", name="Скачать").click()
        assert download.value.suggested_filename == kit.archive_name
