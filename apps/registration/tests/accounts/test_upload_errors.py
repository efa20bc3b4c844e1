"""Bad coordinator files: a clear Russian message (row and column where there is one), no change."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.models import AuditEvent, ImportBatch
from apps.registration.accounts.rules import AccountFileKind
from apps.registration.models import MunicipalityGrant, RegionGrant, SchoolGrant, User
from apps.registration.tests.accounts.helpers import fill, person, xlsx_upload
from conftest import need_service

KIND = AccountFileKind.MUNICIPAL_COORDINATORS


def _state():
    return (
        User.objects.count(),
        RegionGrant.objects.count()
        + MunicipalityGrant.objects.count()
        + SchoolGrant.objects.count(),
        ImportBatch.objects.count(),
    )


def _template(client, region):
    response = client.get(reverse("municipal-coordinators-template", args=[region.pk]))
    assert response.status_code == 200
    return response.content


def _with_cell(content: bytes, row: int, col: int, value, *, as_text: bool = False) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    cell = wb[KIND.sheet].cell(row=row, column=col)
    cell.value = value
    if as_text:  # a text cell that merely starts with '=' (what a careless paste leaves)
        cell.data_type = "s"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _upload(client, region, content: bytes, name: str = "координаторы.xlsx"):
    return client.post(
        reverse("municipal-coordinators", args=[region.pk]), {"file": xlsx_upload(content, name)}
    )


def _bad_files(world, client):
    region = world.regions["A"]
    m1, m2 = world.municipalities["A1"].code, world.municipalities["A2"].code
    template = _template(client, region)
    good = fill(template, KIND, {m1: person(1)})
    other_region = _template(world.client_for("federal"), world.regions["B"])
    broken = bytearray(good)
    broken[len(broken) // 2 : len(broken) // 2 + 200] = b"\x00" * 200
    duplicate = _with_cell(fill(template, KIND, {m1: person(1), m2: person(2)}), 5, 1, m1)
    return {
        "not_xlsx": (b"code;name\nreg01_m001;x\n", "не является книгой Excel"),
        "corrupted": (bytes(broken), "повреждён"),
        "other_region": (
            fill(other_region, KIND, {world.municipalities["B1"].code: person(1)}),
            "Файл составлен для подразделения",
        ),
        "unknown_code": (
            _with_cell(good, 4, 1, "reg99_m999"),
            "строка 4, столбец A: код reg99_m999 не найден",
        ),
        "foreign_code": (
            _with_cell(good, 4, 1, world.municipalities["B1"].code),
            "строка 4, столбец A: код",
        ),
        "duplicate": (duplicate, "строка 5, столбец A: код " + m1 + " повторяется"),
        "empty_required": (
            fill(template, KIND, {m1: person(1, position="")}),
            "строка 4, столбец E: не заполнено поле «Должность»",
        ),
        "equals_text": (
            _with_cell(good, 4, 4, '=HYPERLINK("http://x","y")', as_text=True),
            "строка 4, столбец D: значение начинается со знака «=»",
        ),
        "formula_cell": (
            _with_cell(good, 4, 5, "=1+1"),
            "строка 4, столбец E: в ячейке формула",
        ),
        "bad_email": (
            fill(template, KIND, {m1: person(1, email="не-почта")}),
            "строка 4, столбец G: адрес электронной почты указан неверно",
        ),
        "bad_replace": (
            fill(template, KIND, {m1: person(1, replace="Может быть")}),
            "строка 4, столбец H: допустимы значения «Да» или «Нет»",
        ),
        "nothing_filled": (template, "не заполнено ни одной строки"),
        "wrong_kind": (
            world.client_for("municipal")
            .get(reverse("school-organizers-template", args=[world.municipalities["A1"].pk]))
            .content,
            "Это файл «Ответственные организаторы ОО»",
        ),
        "huge": (
            b"PK\x03\x04" + b"\x00" * (50 * 1024 * 1024),
            "Файл 50,0 МБ больше допустимых 10 МБ",
        ),
    }


CASES = [
    "not_xlsx",
    "corrupted",
    "other_region",
    "unknown_code",
    "foreign_code",
    "duplicate",
    "empty_required",
    "equals_text",
    "formula_cell",
    "bad_email",
    "bad_replace",
    "nothing_filled",
    "wrong_kind",
    "huge",
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
def test_bad_file_is_refused_with_a_russian_message_and_changes_nothing(world, case):
    # given the regional coordinator of A and a bad file
    client = world.client_for("regional")
    content, fragment = _bad_files(world, client)[case]
    before = _state()
    audit_before = AuditEvent.objects.filter(action="accounts.upload_rejected").count()
    # when it uploads the file
    response = _upload(client, world.regions["A"], content)
    # then the page says what is wrong, in Russian, and nothing changed
    assert response.status_code == 200
    body = response.content.decode()
    assert "не принят" in body
    assert fragment in body, body[body.find('class="error"') :][:1500]
    assert _state() == before
    # and the refused upload is audited once
    after = AuditEvent.objects.filter(action="accounts.upload_rejected").count()
    assert after == audit_before + 1


@pytest.mark.django_db
def test_api_upload_of_a_bad_file_lists_errors_by_row_and_column(world):
    # given a file with an empty required cell
    client = world.client_for("regional")
    region = world.regions["A"]
    content = fill(
        _template(client, region), KIND, {world.municipalities["A1"].code: person(1, phone="")}
    )
    before = _state()
    # when it is uploaded through the API
    response = client.post(
        reverse("api-account-imports"),
        {"kind": KIND.value, "unit_id": region.pk, "file": xlsx_upload(content)},
    )
    # then the answer lists the error with its row and column and nothing changed
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 4, "column": "F", "message": "не заполнено поле «Телефон»."}
    ]
    assert _state() == before


@pytest.mark.django_db
def test_file_saved_by_libreoffice_is_accepted(world, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    need_service("LibreOffice", soffice is not None, "apt-get install libreoffice-calc")
    # given a template filled by the coordinator and saved again by LibreOffice Calc
    client = world.client_for("regional")
    region = world.regions["A"]
    m1 = world.municipalities["A1"].code
    source = tmp_path / "in" / "координаторы.xlsx"
    source.parent.mkdir()
    source.write_bytes(fill(_template(client, region), KIND, {m1: person(1)}))
    out = tmp_path / "out"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = (out / source.name).read_bytes()
    assert converted != source.read_bytes()
    with zipfile.ZipFile(io.BytesIO(converted)) as archive:
        assert "LibreOffice" in archive.read("docProps/app.xml").decode()
    # when it is uploaded
    response = _upload(client, region, converted)
    # then it is accepted and previewed like any other
    assert response.status_code == 302, response.content.decode()[:3000]
    batch = ImportBatch.objects.get()
    assert [r["code"] for r in batch.preview["rows"]] == [m1]
    assert batch.preview["rows"][0]["person"]["phone"] == "+7 (343) 123-45-67"
