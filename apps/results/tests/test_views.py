"""The results pages: the school's works, «Проверить» with errors on the sheet copy, upload,
versions with their diff, reopening by a coordinator."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.results.models import ResultReopen, ResultVersion
from apps.results.tests.conftest import Env, fill

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kw(env: Env) -> dict[str, int]:
    return {"school_id": env.school.pk, "work_id": env.work.pk}


def _send(
    env: Env,
    content: bytes,
    *,
    check: bool = False,
    role: str = "school_organizer",
    confirm_dropped: bool = False,
) -> Any:
    client = env.world.client_for(role)
    data: dict[str, Any] = {"file": SimpleUploadedFile("моя форма.xlsx", content, XLSX)}
    data["check" if check else "upload"] = "1"
    if confirm_dropped:
        data["confirm_dropped"] = "1"
    return client.post(reverse("results-upload", kwargs=_kw(env)), data, follow=True)


@pytest.mark.django_db
def test_the_school_page_lists_its_work_and_the_form_downloads(env: Env) -> None:
    client = env.world.client_for("school_organizer")
    # when the organizer opens its results page and the work's page
    listing = client.get(reverse("results-school", kwargs={"school_id": env.school.pk}))
    page = client.get(reverse("results-work", kwargs=_kw(env)))
    form = client.get(reverse("results-form", kwargs=_kw(env)))
    # then the work is listed with its last upload day, and the form has its ФИС ОКО name
    assert listing.status_code == 200
    assert "Русский язык, 4 класс" in listing.content.decode()
    assert "23.05.2026" in listing.content.decode()
    assert page.status_code == 200
    assert "Проверить" in page.content.decode()
    assert form.status_code == 200
    assert form["Cache-Control"] == "private, no-store"
    assert unquote(form["Content-Disposition"]).endswith(
        "Форма сбора результатов Русский язык 4 класс ВПР 2026, весна.xlsx"
    )


@pytest.mark.django_db
def test_check_shows_the_errors_on_a_copy_of_the_sheet_and_stores_nothing(env: Env) -> None:
    # given a form with a wrong score in D7 and a name in A9
    content = fill(env.filled(), {(7, 4): 4, (9, 1): "Смирнов Олег"})
    # when the school presses «Проверить»
    response = _send(env, content, check=True)
    html = response.content.decode()
    # then the errors are listed and the two cells are highlighted on the sheet copy
    assert response.status_code == 200
    assert "Проверка файла «моя форма.xlsx»: найдены ошибки." in html
    assert html.count('class="cell-error"') == 2
    assert "Балл за задание 2: целое число от 0 до 1 или X." in html
    # and the name is never shown back; nothing is stored
    assert "Смирнов" not in html
    assert not ResultVersion.objects.exists()


@pytest.mark.django_db
def test_check_of_a_good_file_says_it_can_be_uploaded(env: Env) -> None:
    response = _send(env, env.filled(), check=True)
    assert "проверен: ошибок нет" in response.content.decode()
    assert not ResultVersion.objects.exists()


@pytest.mark.django_db
def test_upload_in_the_browser_then_a_correction_shows_the_diff(env: Env) -> None:
    # given an accepted upload through the browser
    first = _send(env, env.filled(env.rows(seed=1)))
    assert "Результаты приняты: версия 1" in first.content.decode()
    # when a corrected file (one participant fewer) is uploaded
    second = _send(env, env.filled(env.rows(seed=1, count=19)), confirm_dropped=True)
    assert "версия 2" in second.content.decode()
    # then the municipal coordinator sees both versions and the removed participant
    version = ResultVersion.objects.get(number=2)
    client = env.world.client_for("municipal")
    page = client.get(reverse("results-work", kwargs=_kw(env))).content.decode()
    diff = client.get(reverse("results-version", kwargs={"pk": version.pk})).content.decode()
    assert "История загрузок" in page
    assert "удалено 1" in page
    assert "Изменения по сравнению с версией 1" in diff
    assert "Удалены коды: 40020" in diff
    # and the accepted file can be downloaded as it was uploaded
    file = client.get(reverse("results-version-file", kwargs={"pk": version.pk}))
    assert file.status_code == 200
    assert b"".join(file.streaming_content)[:2] == b"PK"


@pytest.mark.django_db
def test_a_refused_upload_lists_the_errors_and_changes_nothing(env: Env) -> None:
    response = _send(env, fill(env.filled(), {(4, 2): 5}))
    html = response.content.decode()
    assert "не принят. Ничего не изменено." in html
    assert "Вариант — число от 1 до 2 или «отсутствовал»." in html
    assert not ResultVersion.objects.exists()


@pytest.mark.django_db
def test_a_coordinator_reopens_uploads_after_the_deadline(env: Env, time_machine: Any) -> None:
    # given the deadline has passed
    content = env.filled()
    time_machine.move_to(dt.datetime(2026, 5, 25, 9, 0, tzinfo=dt.UTC), tick=False)
    refused = _send(env, content)
    assert "Срок загрузки результатов истёк" in refused.content.decode()
    # when the regional coordinator reopens uploads for the school until 27.05
    client = env.world.client_for("regional")
    response = client.post(
        reverse("results-reopen", kwargs=_kw(env)),
        {"until": "2026-05-27", "reason": "Сбой электроснабжения в день загрузки"},
        follow=True,
    )
    # then it is recorded and the school can upload
    assert "Приём результатов открыт до конца дня 27.05.2026." in response.content.decode()
    assert ResultReopen.objects.get().until_day == dt.date(2026, 5, 27)
    accepted = _send(env, content)
    assert "Результаты приняты: версия 1" in accepted.content.decode()
    assert ResultVersion.objects.get().late
