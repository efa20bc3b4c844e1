"""Bad files are described as what they are: every error of a context form at
once, another portal file named as such in both directions, a too-big file with its real size.
Files are built in the test with openpyxl; the clock is pinned by the ``env`` fixture."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from apps.core.uploads import MAX_UPLOAD_BYTES, UploadError, read_limited, too_big_message
from apps.results import form_kind as fk
from apps.results.context import xlsx as cx
from apps.results.models import ContextUpload, ResultVersion
from apps.results.tests.conftest import Env
from apps.results.tests.test_context import SCHOOL, answers, blank, fill, upload
from apps.results.xlsx import NAME_MESSAGE

pytestmark = pytest.mark.django_db

CONTEXT_TO_RESULTS = (
    "Это форма контекстных данных, а не форма сбора результатов. Загрузите её на странице "
    "«Контекстные данные»."
)
RESULTS_TO_CONTEXT = (
    "Это форма сбора результатов, а не форма контекстных данных. Загрузите её на странице "
    "работы в разделе «Результаты ВПР»."
)


def _book(*sheets: str, cells: dict[str, list[list[Any]]] | None = None) -> bytes:
    """A workbook with these sheets (and optional rows), as another portal file looks."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    first.title = sheets[0]
    for name in sheets[1:]:
        wb.create_sheet(name)
    for name, rows in (cells or {}).items():
        for row in rows:
            wb[name].append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _messages(exc: pytest.ExceptionInfo[UploadError]) -> list[str]:
    return [str(e) for e in exc.value.errors]


# --- every error of the context form at once ----------------------------------------------


def test_the_context_form_reports_every_error_in_one_upload(env: Env) -> None:
    # given a form with four kinds of mistakes at once: a surname typed into a participant
    # cell, a wrong number on the school sheet, a wrong gender, an unknown code, plus an
    # extra filled sheet
    people = {**answers(4), (2, 6): "Иванова Мария", (3, 3): "мальчик", (5, 1): "99999"}
    school = {**SCHOOL, 5: "много"}
    content = fill(blank(env), school, people)
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content))
    wb.create_sheet("Лист5").append(["заметки"])
    out = io.BytesIO()
    wb.save(out)
    # when it is uploaded once
    with pytest.raises(UploadError) as caught:
        upload(env, out.getvalue())
    # then every one of them is listed, each with its row and column
    errors = {(e.row, e.column_letter): e.message for e in caught.value.errors}
    assert errors[(2, "F")] == f"Лист «Участники»: {NAME_MESSAGE}"
    assert "Число педагогических работников" in errors[(5, "B")]
    assert "пол" in errors[(3, "C")]
    assert "код 99999 не выдавался" in errors[(5, "A")]
    assert any("Лишний лист № 5" in e.message for e in caught.value.errors)
    # and nothing is stored
    assert not ContextUpload.objects.exists()


def test_a_broken_school_sheet_does_not_hide_the_participant_errors(env: Env) -> None:
    # given a form whose school sheet is empty and whose participants have two bad answers
    people = {**answers(3), (2, 4): "может быть", (4, 7): "Учебник"}
    content = fill(blank(env), {}, people)
    # when it is uploaded
    with pytest.raises(UploadError) as caught:
        upload(env, content)
    # then the school-sheet errors and both participant errors come together
    where = {(e.row, e.column_letter) for e in caught.value.errors}
    assert {(2, "B"), (7, "B"), (2, "D"), (4, "G")} <= where


# --- the wrong form, named as such -----------------------------------------------------------


def test_a_context_form_sent_as_the_results_form_is_named(env: Env) -> None:
    # given a filled context form (its service sheet lists textbook lines like «Школа России»)
    content = fill(blank(env), SCHOOL, answers(3))
    # when it is sent to the results upload
    with pytest.raises(UploadError) as caught:
        env.upload(content)
    # then the school is told which form it is and where it goes, and nothing else
    assert _messages(caught) == [CONTEXT_TO_RESULTS]
    assert not ResultVersion.objects.exists()


def test_a_results_form_sent_as_the_context_form_is_named(env: Env) -> None:
    # given a filled results form
    content = env.filled()
    # when it is sent to the context upload
    with pytest.raises(UploadError) as caught:
        upload(env, content)
    # then it is named as the results form
    assert _messages(caught) == [RESULTS_TO_CONTEXT]
    assert not ContextUpload.objects.exists()


def test_the_results_page_shows_the_wrong_form_message(env: Env) -> None:
    # given the school organizer in the browser and a context form
    client = env.world.client_for("school_organizer")
    content = fill(blank(env), SCHOOL, answers(2))
    url = reverse("results-upload", args=[env.school.pk, env.work.pk])
    # when it is uploaded on the results page
    response = client.post(url, {"file": SimpleUploadedFile("форма.xlsx", content)})
    # then the page names the form and does not speak of names on «Служебный»
    page = response.content.decode()
    assert "Это форма контекстных данных, а не форма сбора результатов" in page
    assert "Служебный" not in page


@pytest.mark.parametrize(
    ("sheets", "expected"),
    [
        (
            ("Инструкция", "Заявка", "Служебный"),
            "Это форма-заявка ОО на участие в ВПР, а не форма сбора результатов. Загрузите её "
            "в разделе «Заявка ВПР».",
        ),
        (
            ("Инструкция", "Организаторы ОО", "Служебный"),
            "Это шаблон учётных записей ответственных организаторов ОО, а не форма сбора "
            "результатов. Его загружает координатор в разделе учётных записей.",
        ),
        (
            ("Учётные данные",),
            "Это файл с логинами и паролями, а не форма сбора результатов. Его не загружают "
            "на портал.",
        ),
    ],
)
def test_other_portal_files_sent_as_the_results_form_are_named(
    env: Env, sheets: tuple[str, ...], expected: str
) -> None:
    # given another portal file (its sheets as the portal makes them)
    content = _book(*sheets, cells={sheets[-1]: [["Код ОО", "Иванов Иван Иванович"]]})
    # when it is sent to the results upload
    with pytest.raises(UploadError) as caught:
        env.upload(content)
    # then it is named, and its cells are not read (no name error is shown)
    assert _messages(caught) == [expected]


def test_an_application_form_sent_as_the_context_form_is_named(env: Env) -> None:
    with pytest.raises(UploadError) as caught:
        upload(env, _book("Инструкция", "ОО", "Заявки", "Служебный"))
    assert _messages(caught) == [
        "Это сводный файл заявок, а не форма контекстных данных. Его загружает координатор в "
        "разделе «Заявки ВПР»."
    ]


def test_a_form_with_its_own_sheets_is_never_called_another_form() -> None:
    # a results form that also carries an «ОО» and «Участники» sheet is still a results form
    names = ["Протокол", "Служебный", "ОО", "Участники"]
    assert fk.wrong_form_message(fk.RESULTS, names) is None
    # an unknown workbook is left to the form's own rules
    assert fk.wrong_form_message(fk.RESULTS, ["Лист1"]) is None
    assert fk.wrong_form_message(fk.CONTEXT, ["Лист1"]) is None


def test_the_marking_sheets_are_those_the_portal_makes() -> None:
    # the other apps' sheet names, repeated in form_kind, match their modules
    from apps.applications import xlsx as applications
    from apps.campaigns import xlsx as campaigns
    from apps.materials import bank
    from apps.registration.accounts.rules import AccountFileKind
    from apps.registration.reconciliation import rules as reconciliation
    from apps.results import constants

    by_key = {kind.key: kind.sheets for kind in fk.KINDS}
    assert by_key["results"] == {constants.SHEET_PROTOCOL}
    assert by_key["context"] == {cx.SHEET_SCHOOL, cx.SHEET_PEOPLE}
    assert by_key["application"] == {applications.SHEET_FORM}
    assert by_key["application_summary"] == {applications.SHEET_LINES}
    assert by_key["accounts_municipal"] == {AccountFileKind.MUNICIPAL_COORDINATORS.sheet}
    assert by_key["accounts_school"] == {AccountFileKind.SCHOOL_ORGANIZERS.sheet}
    assert by_key["reconciliation"] == {reconciliation.SHEET_DATA}
    assert by_key["campaign"] == {campaigns.SHEET_WORKS, campaigns.SHEET_COLUMNS}
    assert by_key["bank"] == {bank.SHEET}
    # and no kind's marks are a subset of another's (detection order cannot matter)
    marks = [kind.sheets for kind in fk.KINDS]
    assert all(not (a < b) for a in marks for b in marks)


# --- a too-big file with its real size ------------------------------------------------------


def test_too_big_message_names_the_real_size_and_the_limit() -> None:
    assert too_big_message(30 * 1024 * 1024).startswith("Файл 30,0 МБ больше допустимых 10 МБ.")


def test_a_30_mb_upload_is_described_as_30_mb_not_as_the_part_read(env: Env) -> None:
    # given a 30 MB file (only 10 MB + 1 byte of it is ever read)
    size = 30 * 1024 * 1024
    upload_file = SimpleUploadedFile("большой.xlsx", b"PK\x03\x04" + b"0" * (size - 4))
    content = read_limited(upload_file)
    assert len(content) == MAX_UPLOAD_BYTES + 1
    # when it is checked as a results form
    with pytest.raises(UploadError) as caught:
        env.upload(content)
    # then the refusal names its real size and the limit
    assert _messages(caught)[0].startswith("Файл 30,0 МБ больше допустимых 10 МБ.")


def test_the_context_page_shows_the_real_size(env: Env) -> None:
    # given the school organizer and a 30 MB file
    client = env.world.client_for("school_organizer")
    big = SimpleUploadedFile("большой.xlsx", b"PK\x03\x04" + b"0" * (30 * 1024 * 1024 - 4))
    url = reverse("results-context-upload", args=[env.school.pk])
    # when it is uploaded on the context page
    response = client.post(f"{url}?campaign={env.work.campaign_id}", {"file": big})
    # then the page says how big it is and what is allowed
    assert response.status_code == 400
    assert "Файл 30,0 МБ больше допустимых 10 МБ." in response.content.decode()
