"""«Мои выгрузки» updates itself while an export is being prepared (static/js/poll.js): the
queued export turns into a download link without a manual refresh, and polling then stops."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from apps.core.models import Job
from apps.registration.constants import SCHOOL_LIST_EXPORT
from tests.browser.conftest import log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_my_exports_refresh_until_the_file_is_ready(
    world: Any, live_server: Any, page: Any, screenshots_dir: Path
) -> None:
    # given the regional coordinator's school-list export, still queued
    user = world.users["regional"]
    region = world.regions["A"]
    job = Job.objects.create(
        kind=SCHOOL_LIST_EXPORT,
        key=f"{SCHOOL_LIST_EXPORT}:poll-test",
        actor=user,
        status=Job.Status.QUEUED,
        params={"title": region.name},
        region_id=region.pk,
    )
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/exports/" in r.url else None)
    log_in_as(page, world, "regional", live_server)
    page.goto(live_server.url + reverse("job-list"))
    page.evaluate("window.__notReloaded = true")
    assert page.locator("#job-table[data-running]").count() == 1
    assert page.locator("#job-table").get_by_role("link", name="Скачать").count() == 0
    # when the export is done in the background
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, output="exports/poll.xlsx")
    # then, within a few seconds and without a reload, the table shows the download link
    link = page.locator("#job-table").get_by_role("link", name="Скачать")
    link.wait_for(timeout=15_000)
    page.screenshot(path=str(screenshots_dir / "exports-polled.png"), full_page=True)
    assert page.evaluate("window.__notReloaded === true")
    assert page.locator("#job-table[data-running]").count() == 0
    # and polling stops once nothing is running
    fetched = len(requests)
    page.wait_for_timeout(4_000)
    assert len(requests) == fetched
