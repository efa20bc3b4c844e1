"""The materials countdown runs on the server's clock and opens the item at zero, in place.

The server's clock is pinned (time-machine, ticking) a few seconds before the demo school's
grade-8 password opens, tomorrow at 07:30 school time; the browser keeps its own, real clock,
hours away from that. The countdown must show the few seconds the server has left (not the PC's
idea of it), and at zero the kit's block must be fetched again and show the password link,
without the page being reloaded.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import time_machine

from apps.campaigns import schedule
from apps.campaigns.models import SchoolWorkDate
from tests.browser.test_materials import _built_demo_kit, _open_logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_countdown_uses_the_server_clock_and_opens_in_place(
    live_server: Any, page: Any, screenshots_dir: Path
) -> None:
    kit = _built_demo_kit()
    day = SchoolWorkDate.objects.get(school_id=kit.school_id, work_id=kit.work_id).date
    password_at = schedule.password_release_at(kit.work, kit.school.time_zone, day)
    assert password_at is not None
    url = f"{live_server.url}/schools/{kit.school_id}/materials/"
    _open_logged_in(page, url)  # logs in (on the real clock)
    with time_machine.travel(password_at - dt.timedelta(seconds=6), tick=True):
        # given the page opened six seconds (server time) before the password opens
        _open_logged_in(page, url)
        row = page.locator(f"#kit-{kit.pk} tr.material-password")
        assert row.get_attribute("data-status") == "not_yet"
        page.evaluate("window.__notReloaded = true")
        # then the countdown shows the server's few seconds, not the PC clock's hours
        text = row.inner_text()
        found = re.search(r"осталось (\d\d):(\d\d):(\d\d)", text)
        assert found, text
        assert found.groups()[:2] == ("00", "00")
        assert int(found[3]) <= 6
        # when the countdown reaches zero, the block is fetched again and shows it open
        page.wait_for_selector(
            f"#kit-{kit.pk} tr.material-password[data-status='available']", timeout=20_000
        )
        page.screenshot(path=str(screenshots_dir / "countdown_opened.png"), full_page=True)
        opened = page.locator(f"#kit-{kit.pk} tr.material-password")
        assert opened.get_by_role("link", name="Показать пароль").count() == 1
        # and the page itself was not reloaded
        assert page.evaluate("window.__notReloaded === true")
