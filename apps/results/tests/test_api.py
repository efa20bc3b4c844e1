"""The results API: POST /api/v1/schools/{school_id}/results/{work_id}/ with the file."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.results.models import ResultVersion
from apps.results.tests.conftest import Env, fill

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _url(env: Env, name: str = "api-school-results") -> str:
    return reverse(name, kwargs={"school_id": env.school.pk, "work_id": env.work.pk})


def _post(env: Env, content: bytes | None, role: str = "school_tech", **data: Any) -> Any:
    client = env.world.client_for(role)
    if content is not None:
        data["file"] = SimpleUploadedFile("форма.xlsx", content, content_type=XLSX)
    return client.post(_url(env), data)


@pytest.mark.django_db
def test_a_valid_file_is_accepted_and_the_state_shows_it(env: Env) -> None:
    # given a filled form
    content = env.filled()
    # when the technical specialist posts it
    response = _post(env, content)
    # then it is accepted as version 1
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["version"]["number"] == 1
    assert body["version"]["participants"] == 18
    assert body["version"]["absent"] == 2
    assert body["version"]["source"] == "api"
    # and the state lists it, with the deadline and an open window
    state = env.world.client_for("municipal").get(_url(env)).json()
    assert state["current_version"]["number"] == 1
    assert state["upload_open"] is True
    assert state["deadline_at"] == "2026-05-23T21:00:00Z"
    # and posting the same file again creates nothing new
    again = _post(env, content)
    assert again.status_code == 200
    assert again.json()["unchanged"] is True


@pytest.mark.django_db
def test_a_bad_file_answers_400_with_every_error_and_stores_nothing(env: Env) -> None:
    # given a form with two wrong cells
    content = fill(env.filled(), {(4, 3): 5, (6, 1): "Иванов Иван"})
    # when it is posted
    response = _post(env, content)
    # then 400 lists both, with row, column letter and a Russian message
    assert response.status_code == 400
    assert response.json() == {
        "code": "upload_invalid",
        "detail": "Файл не принят; ничего не изменено.",
        "errors": [
            {
                "row": 6,
                "column": "A",
                "message": "Похоже на фамилию или имя участника. В форму вносятся только коды "
                "участников: ФИО в портал не передаются. Удалите эти данные и загрузите файл "
                "снова.",
            },
            {"row": 4, "column": "C", "message": "Балл за задание 1: целое число от 0 до 2 или X."},
        ],
    }
    assert not ResultVersion.objects.exists()


@pytest.mark.django_db
def test_a_dry_run_checks_without_storing(env: Env) -> None:
    # when a good and a bad file are posted with dry_run
    good = _post(env, env.filled(), dry_run="true")
    bad = _post(env, env.blank(), dry_run="true")
    # then the good one is reported clean, the untouched form as not filled, nothing is stored
    assert good.status_code == 200
    assert good.json()["participants"] == 20
    assert good.json()["version"] is None
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["message"].startswith("Форма не заполнена")
    assert not ResultVersion.objects.exists()


@pytest.mark.django_db
def test_a_post_without_a_file_or_after_the_deadline_is_refused(
    env: Env, time_machine: Any
) -> None:
    # when the file is missing
    missing = _post(env, None)
    # then 400 says so in Russian
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["message"] == (
        "Приложите файл формы сбора результатов (.xlsx)."
    )
    # when the deadline has passed
    content = env.filled()
    time_machine.move_to(dt.datetime(2026, 5, 24, 12, 0, tzinfo=dt.UTC), tick=False)
    late = _post(env, content)
    # then 409 explains that a coordinator must reopen uploads
    assert late.status_code == 409
    assert late.json()["code"] == "upload_closed"
    assert not ResultVersion.objects.exists()


@pytest.mark.django_db
def test_coordinators_cannot_upload_and_foreign_schools_are_404(env: Env) -> None:
    # when the municipal coordinator posts a file for its own school
    response = _post(env, env.filled(), role="municipal")
    # then the action is refused
    assert response.status_code == 403
    # and the school cannot post for a sibling school
    other = reverse(
        "api-school-results",
        kwargs={"school_id": env.world.schools["A1b"].pk, "work_id": env.work.pk},
    )
    client = env.world.client_for("school_organizer")
    upload = SimpleUploadedFile("f.xlsx", env.filled(), content_type=XLSX)
    assert client.post(other, {"file": upload}).status_code == 404


@pytest.mark.django_db
def test_the_form_and_the_version_diff_are_served(env: Env) -> None:
    # given two accepted versions
    env.upload(env.filled(env.rows(seed=1)))
    second = env.upload(env.filled(env.rows(seed=2, count=19)), confirm_dropped=True)
    client = env.world.client_for("school_organizer")
    # when the form and the second version are asked for
    form = client.get(_url(env, "api-school-results-form"))
    diff = client.get(reverse("api-result-version", kwargs={"pk": second.version.pk})).json()
    # then the form is the xlsx with its ФИС ОКО name, and the diff lists the changes
    assert form.status_code == 200
    assert "attachment" in form["Content-Disposition"]
    assert b"".join(form.streaming_content).startswith(b"PK")
    assert diff["against"] == 1
    assert diff["removed"] == ["40020"]
    assert diff["changed"]
    assert {"code", "column", "old", "new"} == set(diff["changed"][0])
