"""The coordinator files on the import framework: both kinds registered for the background apply,
the framework's answers for a discard, a second discard, an apply after it and another kind's
upload, on pages and in the API; the apply service the job runs."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from apps.core.imports import import_kind_of
from apps.core.jobs import job_task
from apps.core.models import AuditEvent, ImportBatch
from apps.registration.access import actor_for_user
from apps.registration.accounts import services as svc
from apps.registration.accounts.rules import AccountFileKind
from apps.registration.models import CredentialsFile
from apps.registration.tasks import account_import_apply_task
from apps.registration.tests.accounts.helpers import fill, person, xlsx_upload
from conftest import World

KIND = AccountFileKind.MUNICIPAL_COORDINATORS


def _upload(world: World) -> tuple[Any, ImportBatch]:
    client = world.client_for("regional")
    region = world.regions["A"]
    template = client.get(reverse("municipal-coordinators-template", args=[region.pk])).content
    people = {world.municipalities["A2"].code: person("a2")}
    response = client.post(
        reverse("municipal-coordinators", args=[region.pk]),
        {"file": xlsx_upload(fill(template, KIND, people))},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.order_by("-pk").first()
    assert batch is not None
    return client, batch


def test_both_coordinator_files_are_kinds_applied_in_the_background() -> None:
    # given the kinds registered at start-up
    kinds = [import_kind_of(k.value) for k in AccountFileKind]
    # then each is its file kind, applies through a job, and its job runs the accounts task
    assert [k.code for k in kinds] == [k.value for k in AccountFileKind]
    assert all(k.background for k in kinds)
    assert {k.label for k in kinds} == {"учётным записям"}
    assert all(job_task(k.job_kind) is account_import_apply_task for k in kinds)


@pytest.mark.django_db
def test_a_discarded_upload_is_closed_once_its_file_deleted_and_it_cannot_be_applied(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # given an upload's preview with its stored file
    client, batch = _upload(world)
    assert default_storage.exists(batch.file)
    # when it is discarded through the API
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("api-account-import-discard", args=[batch.pk]))
    # then the answer has the framework's shape, the upload is closed and its file deleted
    assert answer.status_code == 200
    assert answer.json() == {
        "done": True,
        "message": "Загрузка отменена; ничего не изменено.",
        "batch": batch.pk,
        "status": "discarded",
        "credentials_id": None,
        "apply_job": None,
    }
    assert not default_storage.exists(batch.file)
    assert AuditEvent.objects.filter(action="accounts.discard", target_id=str(batch.pk)).exists()
    # when it is discarded again (page) and then applied (API)
    again = client.post(reverse("account-import-discard", args=[batch.pk]), follow=True)
    applied = client.post(reverse("api-account-import-apply", args=[batch.pk]))
    # then both are refused with the reason and nothing else is recorded
    assert "отменить её нельзя" in again.content.decode()
    assert applied.status_code == 200
    assert applied.json()["done"] is False
    assert "применить её нельзя" in applied.json()["message"]
    assert AuditEvent.objects.filter(action="accounts.discard").count() == 1
    assert not AuditEvent.objects.filter(action="accounts.apply").exists()


@pytest.mark.django_db
def test_another_kind_of_upload_is_refused_here(world: World) -> None:
    # given an upload of another kind in the coordinator's scope
    client, batch = _upload(world)
    ImportBatch.objects.filter(pk=batch.pk).update(kind="school_list")
    # when it is applied and discarded through the accounts pages and API
    page = client.post(reverse("account-import-apply", args=[batch.pk]), follow=True)
    api = client.post(reverse("api-account-import-discard", args=[batch.pk]))
    # then both say it is not about accounts, and it stays a preview
    assert "не относится к учётным записям" in page.content.decode()
    assert api.json()["done"] is False
    assert "не относится к учётным записям" in api.json()["message"]
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


@pytest.mark.django_db
def test_the_apply_service_applies_at_once_and_returns_the_credentials_file(world: World) -> None:
    # given an upload creating A2's coordinator
    _, batch = _upload(world)
    actor = actor_for_user(world.users["regional"])
    # when the apply service runs it (as the job does), twice
    outcome = svc.account_import_apply(actor=actor, batch_id=batch.pk)
    again = svc.account_import_apply(actor=actor, batch_id=batch.pk)
    # then it is applied once, with the passwords file as the outcome's result
    assert outcome.done
    assert outcome.message.startswith("Изменения применены. Скачайте файл с паролями")
    assert outcome.result == CredentialsFile.objects.get(batch=batch)
    assert outcome.result.logins == [world.municipalities["A2"].code]
    assert not again.done
    assert "повторное применение ничего не меняет" in again.message
    assert AuditEvent.objects.filter(action="accounts.apply").count() == 1
