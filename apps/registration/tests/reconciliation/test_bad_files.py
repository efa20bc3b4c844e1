"""Every bad reconciliation file gets a clear Russian message (row and column where there is one)
and changes nothing: no school, no batch; only the refusal is audited."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.models import AuditEvent, ImportBatch
from apps.registration.reconciliation import rules as rc
from apps.registration.tests.reconciliation.helpers import (
    XLSX,
    edit,
    new_school,
    snapshot,
    template,
)

pytestmark = pytest.mark.django_db


def _with_real_formula(content: bytes, code: str) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    ws = wb[rc.SHEET_DATA]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == code)
    ws.cell(row=row, column=4).value = '=CONCATENATE("ул. ","Новая")'  # a real formula
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _row_of(content: bytes, code: str) -> int:
    ws = load_workbook(io.BytesIO(content))[rc.SHEET_DATA]
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == code)


# name → (builds the file from (world, the A1 file), expected fragments of the message)
CASES: dict[str, tuple[Callable[[Any, bytes], bytes], list[str]]] = {
    "not_xlsx": (
        lambda w, f: "Код;Наименование\nedu1;Школа\n".encode(),
        ["не является книгой Excel"],
    ),
    "old_xls": (lambda w, f: b"\xd0\xcf\x11\xe0" + b"\0" * 600, [".xls", ".xlsx"]),
    "corrupted_xlsx": (lambda w, f: f[: len(f) // 2], ["повреждён"]),
    "file_of_another_municipality": (
        lambda w, f: template(w.users["_a2"]),
        ["другой единицы"],
    ),
    "codes_of_another_unit": (
        lambda w, f: edit(template(w.users["_a2"]), drop_service_sheet=True),
        ["строка 4, столбец A", "нет в списке ОО муниципалитета"],
    ),
    "unknown_code": (
        lambda w, f: edit(f, set_cells={}, add=[new_school(**{rc.CODE.header: "edu999999"})]),
        ["строка 6, столбец A", "ОО с кодом edu999999 нет в списке"],
    ),
    "bad_code_shape": (
        lambda w, f: edit(f, add=[new_school(**{rc.CODE.header: "школа-1"})]),
        ["строка 6, столбец A", "неверного вида"],
    ),
    "duplicate_rows": (
        lambda w, f: edit(f, duplicate_code=w.schools["A1a"].code),
        ["строка 6, столбец A", "уже указана в строке 4"],
    ),
    "duplicate_new_rows": (
        lambda w, f: edit(f, add=[new_school(), new_school()]),
        ["строка 7, столбец B", "уже указана в строке 6"],
    ),
    "empty_required_cells": (
        lambda w, f: edit(f, set_cells={(w.schools["A1a"].code, rc.SHORT_NAME.header): None}),
        ["строка 4, столбец C", "не заполнен столбец «Краткое наименование»"],
    ),
    "unknown_type": (
        lambda w, f: edit(f, set_cells={(w.schools["A1a"].code, rc.SCHOOL_TYPE.header): "Школа"}),
        ["строка 4, столбец E", "недопустимое значение «Школа»"],
    ),
    "text_starting_with_equals": (
        lambda w, f: _string_formula(f, w.schools["A1b"].code),
        ["строка 5, столбец B", "формула"],
    ),
    "real_formula": (
        lambda w, f: _with_real_formula(f, w.schools["A1a"].code),
        ["строка 4, столбец D", "формула"],
    ),
    "closed_new_school": (
        lambda w, f: edit(f, add=[new_school(**{rc.STATUS.header: "Закрыта"})]),
        ["строка 6, столбец F", "новая ОО не может быть закрытой"],
    ),
    "missing_columns": (
        lambda w, f: _drop_header(f, rc.STATUS.header),
        ["нет столбцов «Статус»"],
    ),
    "no_rows": (lambda w, f: _only_header(f), ["нет ни одной строки"]),
}


def _string_formula(content: bytes, code: str) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    ws = wb[rc.SHEET_DATA]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == code)
    cell = ws.cell(row=row, column=2)
    cell.value = "=1+2"
    cell.data_type = "s"  # typed as text, still starts with '='
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _drop_header(content: bytes, header: str) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    ws = wb[rc.SHEET_DATA]
    for cell in ws[3]:
        if cell.value == header:
            cell.value = "Примечание"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _only_header(content: bytes) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    ws = wb[rc.SHEET_DATA]
    ws.delete_rows(4, ws.max_row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def setup(world):
    from apps.registration.tests.factories import grant, make_user

    other = make_user("t_municipal_a2", "x-Password-123")
    grant(other, "municipal", world.municipalities["A2"])
    world.users["_a2"] = other
    return world, template(world.users["municipal"])


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_is_refused_in_russian_and_changes_nothing(setup, case):
    # given a bad file for municipality A1
    world, good = setup
    build, fragments = CASES[case]
    content = build(world, good)
    if case == "file_of_another_municipality":
        fragments = ["другой единицы", world.municipalities["A2"].code]
    client = world.client_for("municipal")
    schools, batches, audits = snapshot(), ImportBatch.objects.count(), AuditEvent.objects.count()
    # when the municipal coordinator uploads it
    response = client.post(
        reverse("reconciliation-upload"),
        {"file": SimpleUploadedFile("выверка.xlsx", content, content_type=XLSX)},
    )
    # then the page names the problem in Russian, with row and column where there is one
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ничего не изменено" in html
    for fragment in fragments:
        assert fragment in html, f"{case}: {fragment!r} not in the page"
    # and nothing changed: schools, batches; only the refusal is audited, once
    assert snapshot() == schools
    assert ImportBatch.objects.count() == batches
    assert AuditEvent.objects.count() == audits + 1
    assert AuditEvent.objects.first().action == "school_list.upload_rejected"


def test_a_50_mb_file_is_refused_before_it_is_read(setup):
    # given a 50 MB upload
    world, _ = setup
    content = b"PK\x03\x04" + b"\0" * (50 * 1024 * 1024)
    schools, batches = snapshot(), ImportBatch.objects.count()
    # when it is uploaded
    response = world.client_for("municipal").post(
        reverse("reconciliation-upload"),
        {"file": SimpleUploadedFile("big.xlsx", content, content_type=XLSX)},
    )
    # then the size is named in Russian and nothing changes
    html = response.content.decode()
    assert response.status_code == 400
    assert "Файл 50,0 МБ больше допустимых 10 МБ" in html
    assert snapshot() == schools
    assert ImportBatch.objects.count() == batches


def test_rejected_rows_are_listed_with_the_rest_of_the_preview(setup):
    # given a file with one good change and one unknown code
    world, good = setup
    code = world.schools["A1b"].code
    content = edit(
        good,
        set_cells={(code, rc.ADDRESS.header): "ул. Новая, 5"},
        add=[new_school(**{rc.CODE.header: "edu999999"})],
    )
    # when it is uploaded
    response = world.client_for("municipal").post(
        reverse("reconciliation-upload"),
        {"file": SimpleUploadedFile("выверка.xlsx", content, content_type=XLSX)},
    )
    # then the refusal shows the rejected row and what the rest would have changed
    html = response.content.decode()
    assert "отклонено строк: <strong>1</strong>" in html
    assert "«ул. Новая, 5»" in html
    assert "Применить изменения" not in html
