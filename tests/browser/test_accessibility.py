"""Accessibility and phone width.

axe-core (npm, package.json) runs on the main pages of every demo role, the login page, the
school questionnaire and the work form: no violation of impact «serious» or «critical» may
remain (the full results go to artifacts/axe/). At phone width (390 px) the cabinet menu starts
collapsed behind «Меню», the content starts on the first screen and no page scrolls sideways
(tables scroll, or stack, inside their card). The skip link is the first thing the keyboard
reaches, and destructive buttons ask before they submit.

axe is injected with ``add_init_script`` (a DevTools script, which the page's
Content-Security-Policy does not govern), so the pages are checked under their real policy.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from apps.campaigns.models import Work
from apps.objectivity.models import MarkTask
from apps.registration.access import actor_for_user
from apps.registration.constants import Role
from apps.registration.models import User
from apps.schoolday.models import ExpertAssignment
from conftest import need_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_RESULTS = Path(settings.BASE_DIR) / "artifacts" / "axe"
BLOCKING = {"serious", "critical"}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
# Pages with their own layout, not the portal's: the Django admin and Swagger UI.
FOREIGN_LAYOUT = ("/admin/", "/api/")

RUN_AXE = """async () => {
  const r = await axe.run(document, {resultTypes: ["violations"]});
  return r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target, html: n.html, summary: n.failureSummary})),
  }));
}"""


def _accounts() -> list[tuple[Role, str]]:
    from apps.demo.country import DEMO_ACCOUNTS

    return [(Role(role), username) for role, username in DEMO_ACCOUNTS]


@pytest.fixture
def demo(live_server: Any) -> str:
    call_command("seed_demo", verbosity=0)
    return str(live_server.url)


@pytest.fixture(scope="module")
def axe_path() -> Path:
    need_service("axe-core", AXE.exists(), f"{AXE} (npm ci, see package.json)")
    return AXE


def _new_page(browser: Any, viewport: dict[str, int], **options: Any) -> Any:
    context = browser.new_context(viewport=viewport, locale="ru-RU", **options)
    context.set_default_timeout(15_000)
    return context.new_page()


def _log_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + reverse("login"))
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(settings.DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Войти").click()
    assert reverse("login") not in page.url, username


def _open(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, (url, response.status)
    page.wait_for_load_state("networkidle")


def _placement_path(school_id: int) -> str:
    """The placement page of the school's first work day (any work's page when it has none)."""
    from apps.classes.models import ClassWork

    dated = (
        ClassWork.objects.filter(school_id=school_id, date__isnull=False)
        .order_by("date", "pk")
        .first()
    )
    if dated is not None and dated.date is not None:
        path = reverse("schoolday-placement", args=[school_id, dated.work_id])
        return f"{path}?date={dated.date.isoformat()}"
    work = Work.objects.order_by("pk").first()
    assert work is not None
    return reverse("schoolday-placement", args=[school_id, work.pk])


def _pages_of(role: Role, username: str) -> dict[str, str]:
    """Name → path of the pages axe checks for a role."""
    pages = {"cabinet": reverse("cabinet")}
    actor = actor_for_user(User.objects.get(username=username))
    school_id = actor.scope.school_id
    if role == Role.MARKER:
        # a commission marker reaches its works to mark and the marking screen of its review
        review_id = (
            MarkTask.objects.filter(marker__username=username)
            .values_list("review_id", flat=True)
            .first()
        )
        assert review_id is not None
        return pages | {
            "marking-screen": reverse("objectivity-marking-screen", args=[review_id]),
        }
    if role == Role.EXPERT:
        # an expert reaches its works to check, the entry of its codes and the checking page
        given = ExpertAssignment.objects.filter(expert__user__username=username).first()
        assert given is not None
        assert school_id
        return pages | {
            "expert-entry": reverse("results-expert-entry", args=[school_id, given.work_id]),
            "checking": reverse("schoolday-checking-school", args=[school_id]),
        }
    if school_id:
        pages |= {
            "questionnaire": reverse("school-profile-edit"),
            "materials": reverse("school-materials", args=[school_id]),
            "schedule": reverse("school-schedule", args=[school_id]),
            "results": reverse("results-school", args=[school_id]),
            "classes": reverse("class-register", args=[school_id]),
            "classes-timetable": reverse("class-timetable", args=[school_id]),
            "school-day": reverse("schoolday-school", args=[school_id]),
            "school-day-rooms": reverse("schoolday-rooms", args=[school_id]),
            "school-day-placement": _placement_path(school_id),
        }
    else:
        pages |= {
            "classes-summary": reverse("class-register-summary"),
            "classes-distribution": reverse("class-distribution"),
            "school-day-readiness": reverse("schoolday-readiness"),
        }
    if role == Role.FEDERAL:
        work = Work.objects.order_by("pk").first()
        assert work is not None
        pages |= {
            "work-edit": reverse("work-edit", args=[work.pk]),
            "work-create": reverse("work-create", args=[work.campaign_id]),
            "builds": reverse("materials-builds"),
            "audit": reverse("audit-list"),
        }
    return pages


def _axe(page: Any, where: str) -> list[str]:
    """Run axe on the open page, save its violations, return the blocking ones as text."""
    violations = page.evaluate(RUN_AXE)
    AXE_RESULTS.mkdir(parents=True, exist_ok=True)
    (AXE_RESULTS / (re.sub(r"[^\w.-]+", "_", where) + ".json")).write_text(
        json.dumps({"page": where, "url": page.url, "violations": violations}, indent=1),
        encoding="utf-8",
    )
    return [
        f"{where}: {v['id']} ({v['impact']}) {v['help']} — "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        + (f" (+{len(v['nodes']) - 5})" if len(v["nodes"]) > 5 else "")
        for v in violations
        if v["impact"] in BLOCKING
    ]


def test_axe_finds_no_serious_violation_on_main_pages(
    demo: str, browser: Any, axe_path: Path
) -> None:
    # given a browser that carries axe-core into every page it opens (policy left in force)
    page = _new_page(browser, DESKTOP)
    page.context.add_init_script(path=str(axe_path))
    blocking: list[str] = []
    checked = 0
    try:
        # when the login page, and then each role's main pages, are checked
        _open(page, demo + reverse("login"))
        blocking += _axe(page, "anonymous-login")
        checked += 1
        # (the checker itself works: an input without a label is caught)
        page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input>')")
        caught = page.evaluate(RUN_AXE)
        assert [v["impact"] for v in caught if v["id"] == "label"] == ["critical"]
        for role, username in _accounts():
            _log_in(page, demo, username)
            for name, path in _pages_of(role, username).items():
                _open(page, demo + path)
                blocking += _axe(page, f"{role}-{name}")
                checked += 1
    finally:
        page.context.close()
    # then axe ran on every page and none has a serious or critical violation
    assert checked >= 14
    assert not blocking, "axe-core, serious/critical:\n" + "\n".join(blocking)


def test_phone_width_collapses_menu_and_never_scrolls_sideways(
    demo: str, browser: Any, screenshots_dir: Path
) -> None:
    # given a phone-sized browser
    page = _new_page(browser, PHONE)
    wide: list[str] = []
    low: list[str] = []
    opened = 0
    try:
        for role, username in _accounts():
            _log_in(page, demo, username)
            links = page.locator("nav.menu a").evaluate_all("(as) => as.map((a) => a.pathname)")
            paths = [p for p in dict.fromkeys([reverse("cabinet"), *links])]
            paths = [p for p in paths if not p.startswith(FOREIGN_LAYOUT)]
            # an expert's menu is its home and the checking (and the API's page); a commission
            # marker's its home and the marking
            few = role in (Role.EXPERT, Role.MARKER)
            assert len(paths) >= (2 if few else 5), (role, paths)
            for path in paths:
                # when each page of the role's menu is opened
                _open(page, demo + path)
                opened += 1
                # then the menu is collapsed, the content starts on the first screen...
                assert not page.locator("nav.menu").is_visible(), (role, path)
                top = page.locator("main").bounding_box()["y"]
                if top > PHONE["height"] / 2:
                    low.append(f"{role} {path}: main starts at {top:.0f}px")
                # ...and the page is no wider than the screen (tables scroll or stack inside)
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > PHONE["width"]:
                    wide.append(f"{role} {path}: {width}px")
                main = page.evaluate(
                    "(m => [m.scrollWidth, m.clientWidth])(document.querySelector('main'))"
                )
                if main[0] > main[1] + 1:
                    wide.append(f"{role} {path}: <main> scrolls sideways ({main[0]} > {main[1]}px)")
            # and «Меню» opens and closes the menu
            _open(page, demo + reverse("cabinet"))
            button = page.get_by_role("button", name="Меню")
            assert button.get_attribute("aria-expanded") == "false"
            button.click()
            assert page.locator("nav.menu").is_visible()
            assert button.get_attribute("aria-expanded") == "true"
            assert page.locator("nav.menu a", has_text="Кабинет").first.is_visible()
            if role == Role.SCHOOL_ORGANIZER:
                page.screenshot(path=str(screenshots_dir / "phone-menu-open.png"))
            button.click()
            assert not page.locator("nav.menu").is_visible()
    finally:
        page.context.close()
    assert opened >= 40
    assert not low, "content below the first half-screen:\n" + "\n".join(low)
    assert not wide, "pages wider than 390px:\n" + "\n".join(wide)


def test_school_pages_at_phone_and_desktop_width(
    demo: str, browser: Any, screenshots_dir: Path
) -> None:
    username = dict(_accounts())[Role.SCHOOL_ORGANIZER]
    for label, viewport in (("390", PHONE), ("1366", DESKTOP)):
        page = _new_page(browser, viewport)
        try:
            _log_in(page, demo, username)
            for name, path in _pages_of(Role.SCHOOL_ORGANIZER, username).items():
                # when each school page is opened at this width
                _open(page, demo + path)
                page.screenshot(
                    path=str(screenshots_dir / f"school-{name}-{label}.png"), full_page=True
                )
                # then every «Скачать» link (materials) is on screen, not scrolled away
                for link in page.get_by_role("link", name="Скачать").all():
                    box = link.bounding_box()
                    assert box is not None
                    assert box["x"] >= 0, (label, name, box)
                    assert box["x"] + box["width"] <= viewport["width"], (label, name, box)
                # and no table overflows the page
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= viewport["width"], (label, name, width)
        finally:
            page.context.close()
    assert (screenshots_dir / "school-materials-390.png").exists()


def test_menu_stays_open_without_javascript(demo: str, browser: Any) -> None:
    # given a phone-sized browser with JavaScript off
    page = _new_page(browser, PHONE, java_script_enabled=False)
    try:
        username = dict(_accounts())[Role.MUNICIPAL]
        page.goto(demo + reverse("login"))
        page.get_by_label("Логин").fill(username)
        page.get_by_label("Пароль").fill(settings.DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Войти").click()
        # when the cabinet opens
        page.goto(demo + reverse("cabinet"))
        # then the menu is simply open and the «Меню» button (useless without JS) is hidden
        assert page.locator("nav.menu").is_visible()
        assert page.locator("nav.menu a").count() >= 5
        assert not page.locator(".menu-button").is_visible()
    finally:
        page.context.close()


def test_skip_link_comes_first_and_focus_is_visible(demo: str, browser: Any) -> None:
    page = _new_page(browser, DESKTOP)
    try:
        _log_in(page, demo, dict(_accounts())[Role.REGIONAL])
        _open(page, demo + reverse("cabinet"))
        # when the keyboard user presses Tab once
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return {text: e.textContent.trim(), href: e.getAttribute('href'),"
            " outline: s.outlineStyle, width: s.outlineWidth,"
            " top: e.getBoundingClientRect().top}; })()"
        )
        # then the skip link has the focus, on screen and with a visible ring
        assert focused["text"] == "Перейти к содержанию"
        assert focused["href"] == "#content"
        assert focused["outline"] != "none"
        assert focused["width"] != "0px"
        assert focused["top"] >= 0
        # and Enter moves the focus to the content, past the menu
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "content"
        page.keyboard.press("Tab")
        inside = page.evaluate("document.querySelector('main').contains(document.activeElement)")
        assert inside
    finally:
        page.context.close()


def test_destructive_button_asks_first(demo: str, browser: Any) -> None:
    # given the school organizer on the page of its technical specialists
    page = _new_page(browser, DESKTOP)
    organizer = dict(_accounts())[Role.SCHOOL_ORGANIZER]
    specialist = dict(_accounts())[Role.SCHOOL_TECH]
    school_id = actor_for_user(User.objects.get(username=organizer)).scope.school_id
    asked: list[str] = []
    answer = {"accept": False}

    def on_dialog(dialog: Any) -> None:
        asked.append(dialog.message)
        if answer["accept"]:
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        _log_in(page, demo, organizer)
        _open(page, demo + reverse("school-specialists", args=[school_id]))
        row = page.locator("tr", has_text=specialist)
        # when «Удалить» is pressed and the question is declined
        row.get_by_role("button", name="Удалить").click()
        page.wait_for_timeout(300)
        # then it named what would happen, and nothing was sent
        assert len(asked) == 1
        assert specialist in asked[0]
        assert "отключена" in asked[0]
        assert User.objects.get(username=specialist).is_active
        # when it is pressed again and accepted
        answer["accept"] = True
        with page.expect_navigation():
            row.get_by_role("button", name="Удалить").click()
        # then the specialist is removed
        assert len(asked) == 2
        assert not User.objects.filter(username=specialist, is_active=True).exists()
    finally:
        page.context.close()
