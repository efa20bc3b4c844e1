"""A school applies in the browser; its municipal coordinator confirms; the school sees the lock."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from apps.applications.models import Application, ApplicationDecision, ApplicationLine
from apps.campaigns.tests.factories import CampaignFactory, SubjectFactory, WorkFactory
from apps.registration.models import SchoolProfile
from apps.registration.tests.factories import (
    MunicipalityFactory,
    RegionFactory,
    SchoolFactory,
    grant,
    make_user,
)
from conftest import need_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Browser-Password-2026"
ONE = [("1", 1, "Б")]


@pytest.fixture(autouse=True)
def _async_unsafe(monkeypatch: pytest.MonkeyPatch) -> None:
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test body are
    # still synchronous. Set for these tests only, so that no other test (e.g. `check --deploy`
    # run in a subprocess) inherits it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    assert os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] == "true"


@pytest.fixture
def seeded(live_server: Any, _async_unsafe: None) -> dict[str, Any]:
    region = RegionFactory(code="66", name="Свердловская область", time_zone="Asia/Yekaterinburg")
    muni = MunicipalityFactory(region=region, code="reg66_m001", name="Город Екатеринбург")
    school = SchoolFactory(
        municipality=muni,
        code="edu660101",
        short_name="МАОУ СОШ № 1",
        full_name="МАОУ «Средняя общеобразовательная школа № 1»",
    )
    SchoolProfile.objects.create(
        school=school,
        school_type=school.school_type,
        settlement_type="city",
        address="г. Екатеринбург, ул. Школьная, 1",
        director_name="Иванова Анна Петровна",
        phone="+7 343 000-00-00",
        email="school1@example.org",
        grades={"4": {"classes": 3, "pupils": 78}, "5": {"classes": 3, "pupils": 75}},
    )
    campaign = CampaignFactory(
        year=2026, application_deadline=timezone.localdate() + dt.timedelta(days=30)
    )
    russian = SubjectFactory()
    math = SubjectFactory(code="math", name="Математика")
    world = SubjectFactory(code="world", name="Окружающий мир")
    for subject, grade in ((russian, 4), (math, 4), (world, 4), (math, 5), (russian, 5)):
        WorkFactory(campaign=campaign, subject=subject, grade=grade, columns=ONE)
    organizer = make_user(school.code, PASSWORD, full_name="Петрова Мария Ивановна")
    grant(organizer, "school_organizer", school)
    coordinator = make_user(muni.code, PASSWORD, full_name="Сидоров Олег Викторович")
    grant(coordinator, "municipal", muni)
    return {"base": live_server.url, "school": school, "campaign": campaign}


def _log_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(PASSWORD)
    _navigate(page, page.get_by_role("button", name="Войти"))


def _navigate(page: Any, locator: Any) -> None:
    """Click a link or submit button and wait for the page it leads to, not the old one."""
    with page.expect_navigation():
        locator.click()
    page.wait_for_load_state("networkidle")


def _menu(page: Any, label: str) -> None:
    _navigate(page, page.locator("header nav.menu").get_by_role("link", name=label, exact=True))


def test_school_applies_municipality_confirms_school_sees_lock(
    seeded: dict[str, Any], page: Any, screenshots_dir: Path
) -> None:
    need_service("Chromium", Path("/usr/bin/chromium").exists())
    base, school = seeded["base"], seeded["school"]

    # given the school organizer in its cabinet
    _log_in(page, base, school.code)
    _menu(page, "Заявка ВПР")
    assert page.locator("main h1").inner_text() == "Заявка на участие в ВПР 2026, весна"
    assert page.get_by_text("заявка не подана").is_visible()

    # when it starts the application, fills two works and submits
    page.get_by_role("button", name="Заполнить заявку").click()
    page.wait_for_url(re.compile(r"/applications/\d+/$"))
    page.get_by_label("Участвует: Русский язык, 4 класс").select_option("да")
    page.get_by_label("Количество участников: Русский язык, 4 класс").fill("76")
    page.get_by_label("Количество классов: Русский язык, 4 класс").fill("3")
    page.get_by_label("Участвует: Математика, 4 класс").select_option("да")
    page.get_by_label("Количество участников: Математика, 4 класс").fill("80")
    page.get_by_label("Количество классов: Математика, 4 класс").fill("3")
    _navigate(page, page.get_by_role("button", name="Сохранить и подать заявку"))

    # then a count above the school profile is refused in Russian, nothing is stored
    alert = page.get_by_role("alert")
    assert "Заявка не сохранена: исправьте ошибки (1)." in alert.inner_text()
    assert "Участников (80) больше, чем обучающихся 4 классов" in page.locator("main").inner_text()
    assert not ApplicationLine.objects.exists()
    page.screenshot(path=str(screenshots_dir / "application_school_error.png"), full_page=True)

    # when it corrects the number and submits
    page.get_by_label("Количество участников: Математика, 4 класс").fill("77")
    _navigate(page, page.get_by_role("button", name="Сохранить и подать заявку"))

    # then the application is submitted
    assert "Заявка подана." in page.locator("ul.messages").inner_text()
    assert page.locator("#app-status").inner_text() == "подана ОО"
    app = Application.objects.get(school=school)
    assert app.status == "submitted"
    page.screenshot(path=str(screenshots_dir / "application_school_submitted.png"), full_page=True)

    # when its municipal coordinator finds it in monitoring and confirms it
    _log_in(page, base, "reg66_m001")
    _menu(page, "Заявки ВПР")
    assert page.locator("main h1").inner_text() == "Заявки ВПР: Город Екатеринбург"
    row = page.locator("#monitoring tbody tr", has_text=school.code)
    assert "подана ОО" in row.inner_text()
    page.screenshot(path=str(screenshots_dir / "application_monitoring.png"), full_page=True)
    _navigate(page, row.get_by_role("link", name=school.short_name))
    page.get_by_label("Комментарий (необязательно)").fill("Проверено")
    _navigate(page, page.get_by_role("button", name="Подтвердить заявку"))

    # then it is confirmed, and the history shows both decisions
    assert page.locator("#app-status").inner_text() == "подтверждена муниципалитетом"
    history = page.locator("#history tbody").inner_text()
    assert "черновик → подана ОО" in history
    assert "подана ОО → подтверждена муниципалитетом" in history
    assert "Проверено" in history
    page.screenshot(path=str(screenshots_dir / "application_confirmed.png"), full_page=True)

    # when the school opens its application again
    _log_in(page, base, school.code)
    _menu(page, "Заявка ВПР")

    # then it sees it locked: the reason, disabled inputs, no save button
    assert page.locator("#app-status").inner_text() == "подтверждена муниципалитетом"
    assert (
        "Заявка подтверждена муниципальным координатором"
        in page.locator("#lock-notice").inner_text()
    )
    assert page.get_by_label("Количество участников: Русский язык, 4 класс").is_disabled()
    assert page.get_by_role("button", name="Сохранить").count() == 0
    page.screenshot(path=str(screenshots_dir / "application_school_locked.png"), full_page=True)
    assert ApplicationDecision.objects.filter(application=app).count() == 2


def test_coordinator_confirms_through_the_summary_file(
    seeded: dict[str, Any], page: Any, screenshots_dir: Path, tmp_path: Path
) -> None:
    import io

    from openpyxl import load_workbook

    need_service("Chromium", Path("/usr/bin/chromium").exists())
    base, school = seeded["base"], seeded["school"]
    # given a school that has not applied, and its municipal coordinator in monitoring
    _log_in(page, base, "reg66_m001")
    _menu(page, "Заявки ВПР")
    assert "заявка не подана" in page.locator("#monitoring").inner_text()

    # when the coordinator downloads the summary, fills the school's grade-4 Russian, confirms
    with page.expect_download() as info:
        page.get_by_role("link", name="Скачайте сводный файл").click()
    download = info.value
    assert download.suggested_filename == "Сводная заявка ВПР 2026, весна reg66_m001.xlsx"
    wb = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert wb["ОО"]["D4"].value == "заявка не подана"
    wb["ОО"]["E4"] = "да"
    lines = wb["Заявки"]
    row = next(r for r in range(4, lines.max_row + 1) if lines.cell(r, 4).value == "Русский язык")
    lines.cell(row, 5).value, lines.cell(row, 6).value, lines.cell(row, 7).value = "да", 70, 3
    # (first with too many participants: the file is refused with its row and column)
    lines.cell(row, 6).value = 900
    wrong = tmp_path / "Сводная заявка с ошибкой.xlsx"
    wb.save(wrong)
    page.set_input_files("#id_file", str(wrong))
    _navigate(page, page.get_by_role("button", name="Загрузить"))
    alert = page.get_by_role("alert").inner_text()
    assert "не принят. Ничего не изменено." in alert
    assert f"{row}\tF\t" in alert
    assert "Участников (900) больше, чем обучающихся 4 классов по опросному листу ОО (78)." in alert
    page.screenshot(path=str(screenshots_dir / "application_summary_error.png"), full_page=True)
    lines.cell(row, 6).value = 70
    filled = tmp_path / "Сводная заявка.xlsx"
    wb.save(filled)
    page.set_input_files("#id_file", str(filled))
    _navigate(page, page.get_by_role("button", name="Загрузить"))

    # then the preview shows what will change, and nothing has changed yet
    main = page.locator("main").inner_text()
    assert "заявка не подана → подтверждена муниципалитетом" in main
    assert "Русский язык, 4 класс: «нет» → «да: 70 уч., 3 кл.»" in main
    assert not Application.objects.exists()
    page.screenshot(path=str(screenshots_dir / "application_summary_preview.png"), full_page=True)

    # when it applies the file
    _navigate(page, page.get_by_role("button", name="Применить изменения"))

    # then the school's application exists, confirmed through xlsx
    assert "Файл применён" in page.locator("ul.messages").inner_text()
    app = Application.objects.get(school=school)
    assert app.status == "confirmed_municipality"
    decision = ApplicationDecision.objects.get(application=app)
    assert (decision.from_status, decision.source) == ("draft", "xlsx")
    page.screenshot(path=str(screenshots_dir / "application_summary_applied.png"), full_page=True)
