"""Credentials files: downloaded once, passwords never stored in plaintext, re-issue."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.models import AuditEvent
from apps.registration.accounts.rules import CredentialRow, credentials_xlsx
from apps.registration.models import CredentialsFile, User
from apps.registration.tests.accounts.helpers import (
    download_latest_credentials,
    person,
    read_credentials,
)

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.BinaryField)


def _all_stored_text() -> str:
    """Every text, JSON and bytes column of every table, as one string."""
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            columns = [f.column for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
            if not columns:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            cols = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {cols} FROM {table}")  # noqa: S608 - names from the models
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value).decode("latin-1"))
                    elif value is not None:
                        chunks.append(str(value))
    return "\n".join(chunks)


@pytest.mark.django_db
def test_credentials_download_once_and_no_plaintext_password_in_the_database(world):
    # given the federal operator issued a regional coordinator and a re-issue for region B
    federal = world.client_for("federal")
    region = world.regions["B"]
    federal.post(reverse("region-coordinator", args=[region.pk]), {**person(1), "mode": "replace"})
    cf = CredentialsFile.objects.get()
    # when it downloads the file
    first = federal.get(reverse("credentials-download", args=[cf.pk]))
    # then it gets the xlsx with the login and a one-time password
    assert first.status_code == 200
    issued = read_credentials(first.content)
    login = f"reg{region.code}"
    assert list(issued) == [login]
    password = issued[login]
    assert len(password) >= 12
    assert User.objects.get(username=login).check_password(password)
    # when it downloads the file a second time
    second = federal.get(reverse("credentials-download", args=[cf.pk]))
    # then it is refused with a clear Russian message and no file
    assert second.status_code == 410
    assert "уже был скачан" in second.content.decode()
    assert "выдайте новый пароль" in second.content.decode()
    # and the API says the same
    api = federal.get(reverse("api-credentials-download", args=[cf.pk]))
    assert api.status_code == 410
    assert "уже был скачан" in api.json()["detail"]
    # and the password is nowhere in the database, nor the encrypted payload any more
    cf.refresh_from_db()
    assert cf.payload == ""
    stored = _all_stored_text()
    assert password not in stored
    assert password.replace("-", "") not in stored
    # and exactly one download is audited
    assert (
        AuditEvent.objects.filter(action="credentials.download", target_id=str(cf.pk)).count() == 1
    )


@pytest.mark.django_db
def test_pending_credentials_are_encrypted_at_rest(world):
    # given a file issued but not downloaded yet
    federal = world.client_for("federal")
    federal.post(
        reverse("region-coordinator", args=[world.regions["B"].pk]),
        {**person(2), "mode": "replace"},
    )
    cf = CredentialsFile.objects.get()
    # when the database is read
    stored = _all_stored_text()
    # then the payload is a Fernet token and the login is not inside it in clear
    assert cf.payload.startswith("gAAAA")
    assert f"reg{world.regions['B'].code}" not in cf.payload
    # and downloading it then shows the password, which is absent from the database
    password = read_credentials(
        federal.get(reverse("credentials-download", args=[cf.pk])).content
    ).popitem()[1]
    assert password not in stored


@pytest.mark.django_db
def test_reissue_resets_the_password_and_writes_a_new_file(world):
    # given a municipal coordinator who has set its own password
    regional = world.client_for("regional")
    municipality = world.municipalities["A1"]
    old_user = world.users["municipal"]
    # when its regional coordinator re-issues the password of the municipality's account
    response = regional.post(
        reverse("municipality-coordinator-reissue", args=[municipality.pk]),
        {"back": reverse("municipal-coordinators", args=[world.regions["A"].pk])},
    )
    # then a new file holds a new one-time password that works, and the old one does not
    assert response.status_code == 302
    creds = download_latest_credentials(regional, world.users["regional"])
    assert list(creds) == [old_user.username]
    old_user.refresh_from_db()
    assert old_user.must_change_password
    assert old_user.check_password(creds[old_user.username])
    assert not old_user.check_password("Test-Password-2026")
    assert AuditEvent.objects.filter(action="account.reissue").count() == 1


@pytest.mark.django_db
def test_municipal_coordinator_never_sees_the_file_with_its_own_password(world):
    # given the regional coordinator re-issued the municipal coordinator's password
    regional = world.client_for("regional")
    regional.post(reverse("municipality-coordinator-reissue", args=[world.municipalities["A1"].pk]))
    cf = CredentialsFile.objects.get()
    municipal = world.users["municipal"]
    User.objects.filter(pk=municipal.pk).update(must_change_password=False)
    client = Client()
    client.force_login(User.objects.get(pk=municipal.pk))
    # when the municipal coordinator tries to download it
    response = client.get(reverse("credentials-download", args=[cf.pk]))
    # then the file is as good as missing for it
    assert response.status_code == 404
    cf.refresh_from_db()
    assert cf.downloaded_at is None


def test_exports_never_emit_a_formula_cell():
    # given a stored ФИО that looks like a formula
    evil = '=HYPERLINK("http://evil.example","нажми")'
    # when it is written to a credentials file
    content = credentials_xlsx(
        title="Пароли", rows=[CredentialRow(unit=evil, full_name=evil, login="x", password="=1+1")]
    )
    # then every such cell is a string cell, not a formula
    ws = load_workbook(io.BytesIO(content)).active
    assert ws is not None
    for col in (1, 2, 4):
        cell = ws.cell(row=5, column=col)
        assert cell.data_type == "s"
        assert str(cell.value).startswith("=")


@pytest.mark.django_db
def test_template_writes_a_stored_formula_like_name_as_text(world):
    # given a municipal coordinator whose stored ФИО starts with '='
    user = world.users["municipal"]
    user.full_name = '=HYPERLINK("http://evil.example","x")'
    user.save()
    # when the regional coordinator downloads the template
    response = world.client_for("regional").get(
        reverse("municipal-coordinators-template", args=[world.regions["A"].pk])
    )
    # then that cell is a string cell
    ws = load_workbook(io.BytesIO(response.content))["Координаторы"]
    cells = [c for row in ws.iter_rows(min_row=4) for c in row if c.value == user.full_name]
    assert len(cells) == 1
    assert cells[0].data_type == "s"


@pytest.mark.django_db
def test_expired_credentials_payloads_are_purged_by_the_periodic_task(world):
    # given two files issued by the federal operator: one past its expiry, one still valid
    from datetime import timedelta

    from django.utils import timezone

    from apps.registration.tasks import credentials_purge_task
    from vpr_portal.celery import app

    federal = world.client_for("federal")
    for n, key in ((3, "A"), (4, "B")):
        federal.post(
            reverse("region-coordinator", args=[world.regions[key].pk]),
            {**person(n), "mode": "replace"},
        )
    expired, valid = CredentialsFile.objects.order_by("pk")
    CredentialsFile.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    # when the beat task runs (it is scheduled hourly)
    assert "registration.credentials_purge" in app.conf.beat_schedule
    wiped = credentials_purge_task.delay().get()
    # then only the expired payload is wiped, once, with one audit event
    assert wiped == 1
    expired.refresh_from_db()
    valid.refresh_from_db()
    assert expired.payload == ""
    assert expired.downloaded_at is None
    assert valid.payload.startswith("gAAAA")
    events = AuditEvent.objects.filter(action="credentials.expire")
    assert [e.target_id for e in events] == [str(expired.pk)]
    assert events.get().region_id == expired.region_id  # the file's own scope
    # and a second run changes nothing
    assert credentials_purge_task.delay().get() == 0
    assert AuditEvent.objects.filter(action="credentials.expire").count() == 1
    # and the purged file's download still says it expired, not that it was downloaded
    response = federal.get(reverse("credentials-download", args=[expired.pk]))
    assert response.status_code == 410
    assert "уже был скачан" not in response.content.decode()
    assert "Срок хранения файла с паролями истёк" in response.content.decode()
    # and the valid one still downloads
    assert federal.get(reverse("credentials-download", args=[valid.pk])).status_code == 200
