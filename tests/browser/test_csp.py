"""The pages work under the Content-Security-Policy: Chromium reports no violation.

Each demo role opens the main pages of its cabinet: the school its materials (the countdown to
the grade-8 password must tick: a script from a static file), its schedule, results and
analytics; the coordinators their monitoring and a report with bars; the federal operator the
build progress, the admin and the API documentation (Swagger UI served by the portal, which must
render the operations). A violation shows up as a console message and as a
``securitypolicyviolation`` event; both are collected for every page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from apps.registration.constants import Role
from apps.registration.models import School, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCHOOL = "edu660101"  # the demo school: a grade-8 work tomorrow, so its password counts down
# Registered before any page script runs (DevTools injects it; the policy does not apply).
COLLECT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def _account(role: Role) -> str:
    from apps.demo.country import DEMO_ACCOUNTS

    return next(username for r, username in DEMO_ACCOUNTS if r == role)


class Watch:
    """Console messages about the policy, and violation events, of the pages opened."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[str] = []
        page.context.add_init_script(COLLECT)
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def log_in(self, base: str, username: str) -> None:
        self.page.context.clear_cookies()
        self.page.goto(base + reverse("login"))
        self.page.get_by_label("Логин").fill(username)
        self.page.get_by_label("Пароль").fill(settings.DEMO_PASSWORD)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Войти").click()
        assert reverse("login") not in self.page.url, username
        self.check(self.page.url)

    def open(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None
        assert response.status == 200, (url, response.status)
        assert "Content-Security-Policy" in response.headers or (
            "content-security-policy" in response.headers
        ), url
        self.page.wait_for_load_state("networkidle")
        self.check(url)

    def check(self, where: str) -> None:
        events = self.page.evaluate("window.__cspViolations || []")
        assert not events, (where, events)
        assert not self.console, (where, self.console)


@pytest.fixture
def demo(live_server: Any) -> str:
    call_command("seed_demo", verbosity=0)
    return str(live_server.url)


def test_school_pages_work_under_the_policy(demo: str, page: Any, screenshots_dir: Path) -> None:
    watch = Watch(page)
    school = School.objects.get(code=SCHOOL)
    # given the demo school logged in
    watch.log_in(demo, _account(Role.SCHOOL_ORGANIZER))
    # when it opens its materials page
    watch.open(demo + reverse("school-materials", args=[school.pk]))
    # then the countdown to tomorrow's password is filled in and ticks (static script runs)
    countdown = page.locator("tr.material-password .countdown").first
    first = countdown.inner_text()
    assert re.search(r"осталось (\d+ дн\. )?\d\d:\d\d:\d\d", first), first
    page.wait_for_timeout(1500)
    assert countdown.inner_text() != first
    page.screenshot(path=str(screenshots_dir / "csp_school_materials.png"), full_page=True)
    # and its schedule, results and analytics pages open without a violation
    for name in ("school-schedule", "results-school"):
        watch.open(demo + reverse(name, args=[school.pk]))
    watch.open(demo + reverse("analytics-index"))
    watch.check("school pages")


def test_coordinator_pages_work_under_the_policy(
    demo: str, page: Any, screenshots_dir: Path
) -> None:
    watch = Watch(page)
    for role in (Role.MUNICIPAL, Role.REGIONAL):
        # given a coordinator logged in
        watch.log_in(demo, _account(role))
        # when it opens its monitoring pages and the schools' days
        for name in ("monitoring-registration", "results-monitoring", "school-date-list"):
            watch.open(demo + reverse(name))
        # and a statistics report with its bars (widths from classes, not style attributes)
        watch.open(demo + reverse("analytics-index"))
        marks = page.locator("a[href*='/marks/']").first
        watch.open(demo + marks.get_attribute("href"))
        bars = page.locator(".an-stack span")
        assert bars.count() > 0
        assert bars.first.evaluate("e => e.getBoundingClientRect().width") > 0
        page.screenshot(path=str(screenshots_dir / f"csp_{role}_marks.png"), full_page=True)
    watch.check("coordinator pages")


def test_federal_pages_and_the_api_docs_work_under_the_policy(
    demo: str, page: Any, screenshots_dir: Path
) -> None:
    watch = Watch(page)
    assert User.objects.filter(username=_account(Role.FEDERAL)).exists()
    # given the federal operator logged in
    watch.log_in(demo, _account(Role.FEDERAL))
    # when it opens the build progress and the admin
    watch.open(demo + reverse("materials-builds"))
    watch.open(demo + "/admin/")
    # and the API documentation
    watch.open(demo + reverse("swagger-ui"))
    # then Swagger UI renders the operations from the portal's own files, without a violation
    page.locator(".opblock").first.wait_for()
    # Swagger UI renders only the operations near the viewport: scroll through the whole list,
    # collecting the paths it shows
    paths: set[str] = set()
    steady = 0
    for _ in range(300):
        shown = set(page.locator(".opblock-summary-path").all_inner_texts())
        steady = steady + 1 if shown <= paths else 0
        paths |= shown
        if steady >= 8:
            break
        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(50)
    assert len(paths) > 10
    assert any(p.replace("\u200b", "") == "/api/v1/me/" for p in paths)
    page.mouse.wheel(0, -(10**6))
    page.screenshot(path=str(screenshots_dir / "csp_api_docs.png"))
    watch.check("federal pages")
