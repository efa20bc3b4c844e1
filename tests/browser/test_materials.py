"""The demo school's materials page before and after its materials open (screenshots).

The demo (``seed_demo``) gives edu660101 a submitted application for the autumn campaign and a
kit for Русский язык 4 класс; the kit's archive is built here. Before: the real date of the demo
(30.11.2026), every item shut with its local opening time and a countdown. After: the server
clock (time-machine, which also moves the live server's thread) on the school's day after the
criteria open, every item downloadable. The browser keeps its own clock; no countdown is left on
the second page, so that does not matter.
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
SYSTEM = Actor.system(reason="browser test")


def _built_demo_kit() -> Kit:
    call_command("seed_demo", verbosity=0)
    kit = Kit.objects.select_related("work", "school").get(school__code=SCHOOL)
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


def _statuses(page: Any) -> dict[str, str]:
    rows = page.locator("section.card tbody tr")
    return {
        (rows.nth(i).get_attribute("class") or "").removeprefix("material-"): (
            rows.nth(i).get_attribute("data-status") or ""
        )
        for i in range(rows.count())
    }


def test_school_materials_before_and_after_release(
    live_server: Any, page: Any, screenshots_dir: Path
) -> None:
    # given the demo school's built kit, held on its chosen day
    kit = _built_demo_kit()
    url = f"{live_server.url}/schools/{kit.school_id}/materials/"
    zone = kit.school.time_zone
    day = SchoolWorkDate.objects.get(school_id=kit.school_id, work_id=kit.work_id).date
    opens = schedule.materials_available_at(kit.work, zone, day)
    criteria = schedule.criteria_available_at(kit.work, zone, day)
    assert criteria is not None

    # when the school opens its materials page on the demo date, before anything opens
    _open_logged_in(page, url)
    page.screenshot(path=str(screenshots_dir / "materials_before.png"), full_page=True)

    # then every item is shut, with the local opening time and a running countdown
    assert page.locator("main h1").inner_text().strip() == "Материалы ВПР"
    before = _statuses(page)
    assert before["archive"] == "not_yet"
    assert before["criteria"] == "not_yet"
    assert before["codes"] == "not_yet"
    assert before["protocol"] == "not_yet"
    archive = page.locator("tr.material-archive")
    assert opens.astimezone(ZoneInfo(zone)).strftime("%d.%m.%Y %H:%M") in archive.inner_text()
    assert re.search(r"осталось \d+ дн\. \d\d:\d\d:\d\d", archive.inner_text())
    assert archive.get_by_role("link", name="Скачать").count() == 0
    # and the works it applied for without materials yet are named (no bank for them in the demo)
    assert "Материалы ещё не сформированы по работам: Математика, 4 класс" in page.inner_text(
        "main"
    )

    # when the server's clock reaches the school's day, after the criteria open
    with time_machine.travel(criteria + dt.timedelta(hours=3), tick=True):
        _open_logged_in(page, url)
        page.screenshot(path=str(screenshots_dir / "materials_after.png"), full_page=True)

        # then every item is available with its download link, and the archive downloads
        after = _statuses(page)
        assert {k: v for k, v in after.items() if k != "password"} == {
            "archive": "available",
            "codes": "available",
            "protocol": "available",
            "criteria": "available",
        }
        assert after.get("password", "not_applicable") == "not_applicable"  # a plain work
        archive = page.locator("tr.material-archive")
        with page.expect_download() as download:
            archive.get_by_role("link", name="Скачать").click()
        assert download.value.suggested_filename == kit.archive_name
