"""What changed between two context-data uploads: school-part fields old → new, participant
codes added, removed and changed; visible to the school and its coordinators only."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from apps.registration.tests.factories import grant, make_user
from apps.results import xlsx
from apps.results.context import selectors as ctx_sel
from apps.results.context import xlsx as cx
from apps.results.models import ContextUpload
from apps.results.tests.conftest import Env
from apps.results.tests.test_context import SCHOOL, answers, blank, fill, upload

pytestmark = pytest.mark.django_db

TEACHERS_ROW = 5  # «Число педагогических работников» on the «ОО» sheet


def _codes(content: bytes) -> list[str]:
    people = load_workbook(io.BytesIO(content))[cx.SHEET_PEOPLE]
    return [people.cell(row=r, column=1).value for r in range(2, people.max_row + 1)]


@pytest.fixture
def two_uploads(env: Env) -> tuple[ContextUpload, ContextUpload, list[str]]:
    form = blank(env)
    codes = _codes(form)
    # version 1: 42 teachers, the first three codes answered
    first = upload(env, fill(form, SCHOOL, answers(3)))
    # version 2: 43 teachers; code 1 left empty (removed), code 2's gender changed,
    # code 4 answered (added)
    people = answers(4)
    for col in range(3, 8):
        people.pop((2, col))
    people[(3, 3)] = "ж" if people[(3, 3)] == "м" else "м"
    second = upload(env, fill(form, {**SCHOOL, TEACHERS_ROW: 43}, people))
    return first, second, codes


def test_the_diff_lists_changed_school_fields_and_participant_codes(
    env: Env, two_uploads: tuple[ContextUpload, ContextUpload, list[str]]
) -> None:
    first, second, codes = two_uploads
    # when the school asks what changed in version 2
    base, diff = ctx_sel.context_upload_diff(actor=env.actor(), upload=second)
    # then it is compared with version 1: one school field, one code each way, one changed cell
    assert base is not None
    assert base.pk == first.pk
    teachers = next(f.label for f in cx.SCHOOL_FIELDS if f.key == "teachers")
    assert [(f.label, f.old, f.new) for f in diff.school] == [(teachers, "42", "43")]
    assert diff.participants.added == [codes[3]]
    assert diff.participants.removed == [codes[0]]
    assert [(c.code, c.column) for c in diff.participants.changed] == [(codes[1], cx.HEAD_GENDER)]


def test_the_version_page_shows_the_changes_and_is_linked_from_the_history(
    env: Env, two_uploads: tuple[ContextUpload, ContextUpload, list[str]]
) -> None:
    first, second, codes = two_uploads
    client = env.world.client_for("school_organizer")
    url = reverse("results-context-version", args=[second.pk])
    # when the school opens its context page and follows the link of version 2
    history = client.get(reverse("results-context", args=[env.school.pk])).content.decode()
    page = client.get(url).content.decode()
    # then the page shows the field's old and new value and the codes
    assert url in history
    assert "Изменения по сравнению с версией 1" in page
    assert "Число педагогических работников" in page
    assert '<td class="diff-old">42</td><td class="diff-new">43</td>' in page
    assert f"Добавлены коды: {codes[3]}" in page
    assert f"Удалены коды: {codes[0]}" in page
    assert f"<td>{codes[1]}</td><td>{cx.HEAD_GENDER}</td>" in page
    # and version 1, the first one, says so
    assert (
        "Первая версия"
        in client.get(reverse("results-context-version", args=[first.pk])).content.decode()
    )


def test_comparing_with_a_chosen_version(
    env: Env, two_uploads: tuple[ContextUpload, ContextUpload, list[str]]
) -> None:
    first, second, _codes = two_uploads
    # when version 1 is compared with version 2 (backwards)
    base, diff = ctx_sel.context_upload_diff(actor=env.actor(), upload=first, against_number=2)
    # then the same field change is shown the other way round
    assert base is not None
    assert base.pk == second.pk
    assert [(f.old, f.new) for f in diff.school] == [("43", "42")]


@pytest.mark.parametrize("role", ["municipal", "regional", "federal", "school_tech"])
def test_the_school_and_its_coordinators_see_the_diff(
    env: Env, two_uploads: tuple[ContextUpload, ContextUpload, list[str]], role: str
) -> None:
    _first, second, _codes = two_uploads
    # when a coordinator above the school (or its technical specialist) opens the diff
    response = env.world.client_for(role).get(reverse("results-context-version", args=[second.pk]))
    # then it is shown
    assert response.status_code == 200


@pytest.mark.parametrize(("role", "unit"), [("municipal", "A2"), ("regional", "B")])
def test_a_coordinator_of_another_unit_gets_404(
    env: Env, two_uploads: tuple[ContextUpload, ContextUpload, list[str]], role: str, unit: str
) -> None:
    _first, second, _codes = two_uploads
    # given a coordinator of another municipality (or region)
    user = make_user(f"other_{role}", "x-Password-123")
    grant(user, role, env.world.unit(unit))
    client = Client()
    client.force_login(user)
    # when it asks for school A1a's context diff
    response = client.get(reverse("results-context-version", args=[second.pk]))
    # then it is as good as missing
    assert response.status_code == 404


def test_the_results_diff_still_compares_cells_by_header() -> None:
    # given two results snapshots whose columns moved
    old = {"headers": ["Вариант", "1 (2б)"], "rows": {"40001": ["1", "2"], "40002": ["2", "0"]}}
    new = {"headers": ["1 (2б)", "Вариант"], "rows": {"40001": ["1", "1"], "40003": ["0", "1"]}}
    # when they are compared with the shared row diff
    diff = xlsx.diff(old, new)
    # then cells are matched by header, not position
    assert diff.added == ["40003"]
    assert diff.removed == ["40002"]
    assert [(c.code, c.column, c.old, c.new) for c in diff.changed] == [
        ("40001", "1 (2б)", "2", "1")
    ]
