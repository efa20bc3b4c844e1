"""The browser entry: the same table and rules in the browser, with drafts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from apps.results import xlsx
from apps.results.models import ResultDraft, ResultVersion, Source
from apps.results.tests.conftest import Env


def _post(env: Env, rows: list[list[str]], button: str, **extra: Any) -> Any:
    data: dict[str, Any] = {"rows": str(len(rows)), button: "1", **extra}
    for i, line in enumerate(rows):
        for c, value in enumerate(line, start=1):
            data[f"c{i}_{c}"] = value
    client = env.world.client_for("school_organizer")
    url = reverse("results-entry", kwargs={"school_id": env.school.pk, "work_id": env.work.pk})
    return client.post(url, data, follow=True)


def _table(env: Env, count: int = 3) -> list[list[str]]:
    width = len(env.spec().columns)
    return [
        [str(v) if v is not None else "" for v in r.values(width)] for r in env.rows(count=count)
    ]


@pytest.mark.django_db
def test_the_table_starts_with_the_issued_codes(env: Env) -> None:
    client = env.world.client_for("school_tech")
    url = reverse("results-entry", kwargs={"school_id": env.school.pk, "work_id": env.work.pk})
    html = client.get(url).content.decode()
    assert html.count('class="code"') == 22
    assert 'value="40022"' in html


@pytest.mark.django_db
def test_a_draft_is_kept_and_shown_again_but_not_submitted(env: Env) -> None:
    # when the school saves a half-filled table
    rows = _table(env)
    response = _post(env, rows, "save")
    # then the draft is stored and shown, with no results accepted
    assert "Черновик сохранён" in response.content.decode()
    assert ResultDraft.objects.get().cells[2][:2] == rows[2][:2]
    assert not ResultVersion.objects.exists()


@pytest.mark.django_db
def test_a_draft_with_a_name_is_refused_and_the_name_not_sent_back(env: Env) -> None:
    rows = _table(env)
    rows[1][0] = "Иванова Анна"
    html = _post(env, rows, "save").content.decode()
    assert "Похоже на фамилию или имя участника" in html
    assert "Иванова" not in html
    assert not ResultDraft.objects.exists()


@pytest.mark.django_db
def test_submitting_applies_the_same_rules_and_replaces_atomically(env: Env) -> None:
    # given a table with a score above its maximum in the third row (form row 4, column D)
    rows = _table(env)
    rows[2][3] = "5"
    refused = _post(env, rows, "submit").content.decode()
    assert "Балл за задание 2: целое число от 0 до 1 или X." in refused
    assert not ResultVersion.objects.exists()
    # when it is corrected and submitted
    rows[2][3] = "1"
    _post(env, rows, "save")
    _post(env, rows, "submit")
    # then the results are accepted as a browser version and the draft is gone
    version = ResultVersion.objects.get()
    assert version.source == Source.BROWSER
    assert [r.code for r in env.stored()] == ["40001", "40002", "40003"]
    assert env.stored()[2].scores[1] == 1
    assert not ResultDraft.objects.exists()
    # and the version keeps the table as a filled form that reads back to the same rows
    with default_storage.open(version.file, "rb") as handle:
        kept = xlsx.read_form(handle.read(), env.spec())
    assert [(r.code, r.scores) for r in kept.rows] == [
        (r.code, tuple(r.scores)) for r in env.stored()
    ]
