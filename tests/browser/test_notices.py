"""Announcements and documents in the browser: a school sees the unread badge, opens a notice
(which marks it read), downloads its document and sees its coordinators' contacts; the regional
coordinator reads the receipts of its own notice."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from apps.demo import country
from apps.demo.notices import demo_notices_seed
from apps.notices.models import Notice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(settings.DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Войти").click()


def _seed() -> None:
    country.demo_seed(size=country.SMALL)
    country.demo_accounts_ensure()
    demo_notices_seed(today=timezone.localdate())


def test_school_reads_a_notice_and_sees_its_coordinators(
    live_server: Any, page: Any, screenshots_dir: Path
) -> None:
    # given the demo notices (the school has read the federal one only)
    _seed()
    base = live_server.url
    _log_in(page, base, "edu660101")
    # when the school opens «Объявления и документы» from the menu
    link = page.locator("header nav.menu a", has_text="Объявления и документы")
    assert link.locator(".menu-badge").inner_text() == "2"
    link.click()
    page.wait_for_url(re.compile(r"/notices/$"))
    rows = page.locator("table.notice-list tbody tr")
    # then the two unread ones come first, marked
    assert rows.count() == 3
    assert page.locator("tr.notice-unread").count() == 2
    assert "notice-unread" not in (rows.nth(2).get_attribute("class") or "")
    # and its coordinators' contacts are at the bottom of the page
    contacts = page.locator("section.coordinator-contacts")
    assert "Лебедева Ольга Сергеевна" in contacts.inner_text()
    assert "+7 (343) 000-10-66" in contacts.inner_text()
    page.screenshot(path=str(screenshots_dir / "notices-school-list.png"), full_page=True)
    # when it opens the regional memo
    with page.expect_navigation():
        page.get_by_role("link", name="Сроки загрузки результатов в регионе").click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(screenshots_dir / "notices-school-detail.png"), full_page=True)
    # then the badge drops to one and the document downloads under its Russian name
    badge = page.locator("header nav.menu a", has_text="Объявления и документы")
    assert badge.locator(".menu-badge").inner_text() == "1"
    with page.expect_download() as download:
        page.get_by_role("link", name="Памятка по загрузке результатов.txt").click()
    assert download.value.suggested_filename == "Памятка по загрузке результатов.txt"


def test_region_sees_who_has_read_its_notice(
    live_server: Any, page: Any, screenshots_dir: Path
) -> None:
    # given the demo notices
    _seed()
    notice = Notice.objects.get(title="Сроки загрузки результатов в регионе")
    _log_in(page, live_server.url, "reg66")
    # when the regional coordinator opens its notice's receipts
    page.goto(f"{live_server.url}/notices/{notice.pk}/reads/")
    # then it reads the counts per audience level and who has not read it yet
    headings = [h.strip() for h in page.locator("main section.card h2").all_inner_texts()]
    assert headings[0].startswith("Прочитали 1 из ")
    assert headings[0].endswith("муниципалитетов")
    assert re.fullmatch(r"Прочитали 0 из \d+ ОО", headings[1])
    page.screenshot(path=str(screenshots_dir / "notices-region-reads.png"), full_page=True)


def test_municipality_publishes_a_notice_to_its_schools(
    live_server: Any, page: Any, screenshots_dir: Path, tmp_path: Path
) -> None:
    # given the municipal coordinator on the new-notice form
    _seed()
    _log_in(page, live_server.url, "reg66_m001")
    page.goto(f"{live_server.url}/notices/new/")
    # then it may address schools only
    assert page.get_by_label("Образовательным организациям").is_checked()
    assert page.get_by_label("Региональным координаторам").count() == 0
    page.screenshot(path=str(screenshots_dir / "notices-create-form.png"), full_page=True)
    # when it publishes one with a text document
    memo = tmp_path / "Повестка совещания.txt"
    memo.write_text("Повестка: подготовка к ВПР.", encoding="utf-8")
    page.get_by_label("Заголовок").fill("Повестка совещания")
    page.get_by_label("Документ (необязательно)").set_input_files(str(memo))
    with page.expect_navigation():
        page.get_by_role("button", name="Опубликовать").click()
    # then its page shows the document as version 1
    assert page.locator("main h1").inner_text().strip() == "Повестка совещания"
    assert page.get_by_role("link", name="Повестка совещания.txt").count() == 1
