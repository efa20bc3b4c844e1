"""A municipal coordinator uploads its schools' organizers in the browser:
template → upload → preview → apply → the credentials file, downloaded once; and, with a real
worker, the upload's page showing the running apply until the credentials link appears."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest

from apps.core import imports as core_imports
from apps.registration import tasks
from apps.registration.access import actor_for_user
from apps.registration.accounts import selectors as sel
from apps.registration.accounts import services as svc
from apps.registration.accounts.rules import AccountFileKind, account_template_xlsx
from apps.registration.models import User
from apps.registration.tests.accounts.helpers import fill, person, read_credentials
from conftest import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page: Any, screenshots_dir: Path, name: str) -> None:
    page.screenshot(path=str(screenshots_dir / f"municipal_upload_{name}.png"), full_page=True)


def test_municipal_coordinator_uploads_organizers_and_downloads_credentials(
    live_server: Any, page: Any, screenshots_dir: Path, tmp_path: Path
) -> None:
    # given the world and the municipal coordinator of A1 logged in
    world = build_world()
    muni = world.municipalities["A1"]
    schools = [world.schools["A1a"], world.schools["A1b"]]
    base = live_server.url
    page.goto(base + "/accounts/login/")
    page.get_by_label("Логин").fill(world.users["municipal"].username)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(f"{base}/municipalities/{muni.pk}/")

    # when it opens its organizers page and downloads the template
    page.get_by_role("link", name="Ответственные организаторы ОО").first.click()
    page.wait_for_url(re.compile(rf"/municipalities/{muni.pk}/organizers/$"))
    _shot(page, screenshots_dir, "1_page")
    with page.expect_download() as info:
        page.get_by_role("link", name="Скачайте шаблон (xlsx)").click()
    template = Path(info.value.path()).read_bytes()
    assert info.value.suggested_filename.endswith(".xlsx")

    # and first uploads a file that is not a spreadsheet
    bad = tmp_path / "список.csv"
    bad.write_text("код;фио\n", encoding="utf-8")
    page.set_input_files("input[type=file]", str(bad))
    with page.expect_navigation():
        page.get_by_role("button", name="Загрузить и проверить").click()
    page.wait_for_load_state("networkidle")
    # then it reads a Russian error and nothing is created
    assert "не является книгой Excel" in page.locator("div.error").inner_text()
    _shot(page, screenshots_dir, "2_error")

    # when it uploads the filled template
    filled = tmp_path / "организаторы.xlsx"
    filled.write_bytes(
        fill(
            template,
            AccountFileKind.SCHOOL_ORGANIZERS,
            {schools[0].code: person("a", replace="Да"), schools[1].code: person("b")},
        )
    )
    page.set_input_files("input[type=file]", str(filled))
    page.get_by_role("button", name="Загрузить и проверить").click()
    page.wait_for_url(re.compile(r"/imports/accounts/\d+/$"))
    # then the preview shows one creation and one replacement before anything changes
    text = page.locator("main").inner_text()
    assert "Проверьте изменения перед применением" in text
    assert "Будет создано: 1" in text
    assert "Будет заменено: 1" in text
    _shot(page, screenshots_dir, "3_preview")
    assert not User.objects.filter(username=schools[0].code).exists()

    # when it applies the changes (and confirms the question naming what will happen)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Применить изменения").click()
    page.wait_for_url(re.compile(r"/credentials/$"))
    _shot(page, screenshots_dir, "4_credentials")
    # and downloads the credentials file
    with page.expect_download() as info:
        page.get_by_role("link", name="Скачать (один раз)").first.click()
    creds = read_credentials(Path(info.value.path()).read_bytes())
    # then both schools' logins are there with their one-time passwords
    assert sorted(creds) == sorted(s.code for s in schools)
    assert User.objects.get(username=schools[0].code).check_password(creds[schools[0].code])
    # and the list now says the file was downloaded, with no link to download it again
    page.reload()
    assert "скачан" in page.locator("table.grid").inner_text()
    assert page.get_by_role("link", name="Скачать (один раз)").count() == 0
    _shot(page, screenshots_dir, "5_downloaded")


def test_the_upload_page_shows_a_running_apply_and_reloads_itself_until_done(
    live_server: Any, page: Any, screenshots_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an uploaded organizers file of A1 and no worker picking up jobs yet
    world = build_world()
    muni = world.municipalities["A1"]
    school = world.schools["A1b"]
    actor = actor_for_user(world.users["municipal"])
    kind = AccountFileKind.SCHOOL_ORGANIZERS
    accounts = sel.unit_accounts_list(actor=actor, kind=kind, unit_id=muni.pk)
    template = account_template_xlsx(
        kind=kind, unit_code=muni.code, unit_name=muni.name, rows=sel.template_rows(accounts)
    )
    content = fill(template, kind, {school.code: person("job")})
    batch = svc.account_import_upload(
        actor=actor,
        kind=kind,
        unit_id=muni.pk,
        name="организаторы.xlsx",
        file=io.BytesIO(content),
        size=len(content),
    )
    queued: list[int] = []

    def no_worker(task: Any, *, job_id: int) -> bool:
        queued.append(job_id)
        return True

    monkeypatch.setattr(core_imports, "job_send", no_worker)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Логин").fill(world.users["municipal"].username)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(re.compile(r"/cabinet/$"))

    # when it applies the upload
    page.goto(f"{live_server.url}/imports/accounts/{batch.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    # (the page posts to itself: the URL already matches, so wait for the new page)
    with page.expect_navigation(url=re.compile(rf"/imports/accounts/{batch.pk}/$")):
        page.get_by_role("button", name="Применить изменения").click()
    # then the page says the apply is running, with no buttons, and nothing is created yet
    assert "Применение файла выполняется…" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Применить изменения").count() == 0
    assert not User.objects.filter(username=school.code).exists()
    _shot(page, screenshots_dir, "6_running")

    # when the worker runs the job
    assert len(queued) == 1
    monkeypatch.undo()
    tasks.account_import_apply_task(job_id=queued[0])
    # then the page reloads by itself and offers the credentials file once
    link = page.get_by_role("link", name="Скачать файл с паролями (один раз)")
    link.wait_for()
    _shot(page, screenshots_dir, "7_applied")
    with page.expect_download() as info:
        link.click()
    creds = read_credentials(Path(info.value.path()).read_bytes())
    assert list(creds) == [school.code]
    assert User.objects.get(username=school.code).check_password(creds[school.code])
