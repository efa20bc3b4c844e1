"""Applying an accounts upload in the background: one job per upload, applied once, all or nothing.

Test transactions never commit, so on-commit callbacks (the queued task) are captured with
``django_capture_on_commit_callbacks`` and run when the test says, as a worker would. The test
marked ``transaction=True`` lets them run on commit, eagerly, as with `make run`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from apps.core import imports as core_imports
from apps.core.models import AuditEvent, ImportBatch, Job
from apps.core.services import JOB_LEASE
from apps.registration.access import actor_for_user
from apps.registration.accounts import imports as account_kinds
from apps.registration.accounts import services as svc
from apps.registration.accounts.rules import AccountFileKind
from apps.registration.models import CredentialsFile, User
from apps.registration.tasks import account_import_apply_task, import_job_actor
from apps.registration.tests.accounts.helpers import fill, person, read_credentials, xlsx_upload
from conftest import World

KIND = AccountFileKind.SCHOOL_ORGANIZERS
EFFECTS = ("account.create", "account.replace", "account.update", "accounts.apply")


def _upload(world: World) -> tuple[Any, ImportBatch]:
    """The municipal coordinator of A1 uploads: A1a's organizer replaced, A1b's created."""
    client = world.client_for("municipal")
    muni = world.municipalities["A1"]
    template = client.get(reverse("school-organizers-template", args=[muni.pk])).content
    people = {
        world.schools["A1a"].code: person("a", replace="Да"),
        world.schools["A1b"].code: person("b"),
    }
    response = client.post(
        reverse("school-organizers", args=[muni.pk]),
        {"file": xlsx_upload(fill(template, KIND, people))},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.order_by("-pk").first()
    assert batch is not None
    return client, batch


def _effects() -> list[str]:
    return sorted(AuditEvent.objects.filter(action__in=EFFECTS).values_list("action", flat=True))


def _job(batch: ImportBatch) -> Job:
    job = core_imports.import_apply_job(
        account_kinds.SCHOOL_ORGANIZERS,
        actor=actor_for_user(batch.actor),
        batch_id=batch.pk,
    )
    assert job is not None
    return job


def _run(job: Job) -> Job | None:
    """What the task runs: the framework's apply as the person who asked."""
    return core_imports.import_apply_run(job_id=job.pk, actor_of=import_job_actor)


@pytest.mark.django_db
def test_a_double_click_and_a_redelivered_task_apply_the_upload_once(
    world: World, django_capture_on_commit_callbacks: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # given an upload, and «Применить» pressed twice before any worker ran
    client, batch = _upload(world)
    url = reverse("account-import-apply", args=[batch.pk])
    with django_capture_on_commit_callbacks() as queued:
        first = client.post(url)
        second = client.post(url)
    users = User.objects.count()
    # then one job is queued for the upload and nothing is applied yet
    assert first.status_code == second.status_code == 302
    assert first["Location"] == reverse("account-import-detail", args=[batch.pk])
    job = _job(batch)
    assert Job.objects.filter(kind=account_kinds.SCHOOL_ORGANIZERS.job_kind).count() == 1
    assert job.key == f"{KIND.value}:{batch.pk}"
    assert job.status == Job.Status.QUEUED
    assert job.actor == world.users["municipal"]
    assert _effects() == []

    # when the task runs twice, and then both queued messages are delivered as well
    with caplog.at_level(logging.DEBUG):
        account_import_apply_task(job_id=job.pk)
        account_import_apply_task(job_id=job.pk)
        for callback in queued:
            callback()
    # then it is applied once: two new accounts (the replacement, A1b's), one credentials file,
    # one audit row per effect
    batch.refresh_from_db()
    job.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    assert (job.status, job.attempts, job.error) == (Job.Status.DONE, 1, "")
    assert User.objects.count() == users + 2
    assert _effects() == ["account.create", "account.replace", "accounts.apply"]
    assert CredentialsFile.objects.filter(batch=batch).count() == 1
    # and the audit rows say where the request came from, as for a synchronous apply
    created = AuditEvent.objects.get(action="account.create")
    assert (created.user, created.ip) == (world.users["municipal"], "127.0.0.1")

    # when the credentials file is downloaded
    cf = CredentialsFile.objects.get(batch=batch)
    creds = read_credentials(client.get(reverse("credentials-download", args=[cf.pk])).content)
    # then it holds both schools' passwords, which appear in no job field and no log line
    assert sorted(creds) == sorted([world.schools["A1a"].code, world.schools["A1b"].code])
    job.refresh_from_db()
    stored = json.dumps(job.params, ensure_ascii=False) + job.error + job.output
    for password in creds.values():
        assert password not in stored
        assert password not in caplog.text


@pytest.mark.django_db
def test_a_failure_in_the_middle_leaves_nothing_applied_and_a_russian_error(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a queued apply, and account creation that breaks on the second account
    client, batch = _upload(world)
    with django_capture_on_commit_callbacks():
        client.post(reverse("account-import-apply", args=[batch.pk]))
    job = _job(batch)
    real: Callable[..., Any] = svc._create_account
    calls: list[str] = []

    def breaking(**kwargs: Any) -> Any:
        calls.append(kwargs["login"])
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(svc, "_create_account", breaking)
    users = set(User.objects.values_list("username", "is_active"))
    old_organizer = world.users["school_organizer"]

    # when the job runs
    account_import_apply_task(job_id=job.pk)
    # then the first account was written and rolled back with the rest: nothing changed
    assert len(calls) == 2
    assert set(User.objects.values_list("username", "is_active")) == users
    old_organizer.refresh_from_db()
    assert old_organizer.is_active
    assert _effects() == []
    assert not CredentialsFile.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW
    # and the job failed for good with a Russian message that names no internals
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == core_imports.APPLY_FAILED
    assert "Ничего не изменено" in job.error
    assert "disk full" not in job.error
    # and the upload's page shows the error and lets the user try again
    page = client.get(reverse("account-import-detail", args=[batch.pk])).content.decode()
    assert core_imports.APPLY_FAILED.split(";")[0] in page
    assert "Применить изменения" in page

    # when the fault is gone and the user presses «Применить» again
    monkeypatch.setattr(svc, "_create_account", real)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account-import-apply", args=[batch.pk]))
    # then the same job applies the upload
    job.refresh_from_db()
    batch.refresh_from_db()
    assert (job.status, job.error) == (Job.Status.DONE, "")
    assert batch.status == ImportBatch.Status.APPLIED
    assert _effects() == ["account.create", "account.replace", "accounts.apply"]


@pytest.mark.django_db
def test_a_preview_made_stale_while_queued_fails_the_job_and_changes_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # given a queued apply replacing A1a's organizer
    client, batch = _upload(world)
    with django_capture_on_commit_callbacks():
        client.post(reverse("account-import-apply", args=[batch.pk]))
    # when that organizer's data changes before the worker runs the job
    organizer = world.users["school_organizer"]
    User.objects.filter(pk=organizer.pk).update(full_name="Другой Человек Иванович")
    users = User.objects.count()
    account_import_apply_task(job_id=_job(batch).pk)
    # then the whole apply is refused with the Russian reason, and nothing changed
    job = _job(batch)
    assert job.status == Job.Status.FAILED
    assert "данные изменились" in job.error
    assert User.objects.count() == users
    assert _effects() == []
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


@pytest.mark.django_db
def test_a_transient_database_error_requeues_the_job_until_the_last_attempt(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a queued apply and a database that drops the connection while writing
    client, batch = _upload(world)
    with django_capture_on_commit_callbacks():
        client.post(reverse("account-import-apply", args=[batch.pk]))
    job = _job(batch)

    def dropped(**kwargs: Any) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(svc, "_create_account", dropped)
    users = User.objects.count()
    # when the job runs
    with pytest.raises(OperationalError):
        _run(job)
    # then the error goes up (the task retries it) and the job waits in the queue again
    job.refresh_from_db()
    assert (job.status, job.attempts, job.lease_until) == (Job.Status.QUEUED, 1, None)
    assert User.objects.count() == users

    # when the error persists until the last attempt
    Job.objects.filter(pk=job.pk).update(attempts=core_imports.APPLY_MAX_ATTEMPTS - 1)
    _run(job)
    # then the job fails for good with a Russian message, and still nothing changed
    job.refresh_from_db()
    assert (job.status, job.error) == (Job.Status.FAILED, core_imports.APPLY_DB_BUSY)
    assert User.objects.count() == users
    assert _effects() == []


@pytest.mark.django_db
def test_the_page_shows_the_apply_running_then_the_credentials_link(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # given an upload's preview
    client, batch = _upload(world)
    detail = reverse("account-import-detail", args=[batch.pk])
    with django_capture_on_commit_callbacks(execute=True):
        # when the user applies it and no worker has run the job yet
        response = client.post(reverse("account-import-apply", args=[batch.pk]))
        assert response["Location"] == detail
        page = client.get(detail)
        # then the upload's page says it is running, reloads itself, and offers no buttons
        text = page.content.decode()
        assert "Применение файла выполняется…" in text
        assert page["Refresh"] == "3"
        assert "Применить изменения</button>" not in text
        assert "Отменить загрузку" not in text
        # and a discard is refused while a worker holds the job
        Job.objects.filter(pk=_job(batch).pk).update(
            status=Job.Status.RUNNING, lease_until=timezone.now() + JOB_LEASE
        )
        refused = client.post(reverse("account-import-discard", args=[batch.pk]), follow=True)
        assert core_imports.APPLY_RUNNING in refused.content.decode()
        Job.objects.filter(pk=_job(batch).pk).update(status=Job.Status.QUEUED, lease_until=None)
    # when the worker has run it and the page reloads
    page = client.get(detail)
    # then it shows the applied upload and the one-time credentials link
    text = page.content.decode()
    assert "Изменения применены" in text
    assert "Refresh" not in page
    cf = CredentialsFile.objects.get(batch=batch)
    assert reverse("credentials-download", args=[cf.pk]) in text
    creds = read_credentials(client.get(reverse("credentials-download", args=[cf.pk])).content)
    new = world.schools["A1b"].code
    assert User.objects.get(username=new).check_password(creds[new])


@pytest.mark.django_db(transaction=True)
def test_with_eager_tasks_the_apply_answers_as_before(world: World) -> None:
    # given an upload's preview and eager tasks that run as the request's transaction commits
    client, batch = _upload(world)
    # when the user applies it
    response = client.post(reverse("account-import-apply", args=[batch.pk]), follow=True)
    # then, as before the job existed, it lands on its credentials files with the message
    assert response.redirect_chain[-1][0] == reverse("credentials-list")
    text = response.content.decode()
    assert "Изменения применены. Скачайте файл с паролями" in text
    cf = CredentialsFile.objects.get(batch=batch)
    creds = read_credentials(client.get(reverse("credentials-download", args=[cf.pk])).content)
    assert sorted(creds) == sorted([world.schools["A1a"].code, world.schools["A1b"].code])
    assert _job(batch).status == Job.Status.DONE


@pytest.mark.django_db
def test_the_api_answers_202_and_the_upload_tells_when_it_is_applied(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # given an upload's preview
    client, batch = _upload(world)
    with django_capture_on_commit_callbacks(execute=True):
        # when the API is asked to apply it and no worker has run the job yet
        response = client.post(reverse("api-account-import-apply", args=[batch.pk]))
        # then it is accepted with the job's state and where to poll
        assert response.status_code == 202, response.content
        body = response.json()
        assert body["done"] is False
        assert body["batch"] == batch.pk
        assert body["status"] == "preview"
        assert body["apply_job"]["status"] == "queued"
        assert response["Location"] == reverse("api-account-import-detail", args=[batch.pk])
        location = response["Location"]
    # when the worker has run it and the client polls
    polled = client.get(location).json()
    listed = client.get(reverse("api-account-imports")).json()
    # then the upload is applied, the job done, and the credentials file named
    assert polled["status"] == "applied"
    assert polled["apply_job"]["status"] == "done"
    cf = CredentialsFile.objects.get(batch=batch)
    assert polled["credentials_id"] == cf.pk
    assert [b["apply_job"]["status"] for b in listed if b["id"] == batch.pk] == ["done"]
    # and asking again applies nothing (200, done false, with the reason)
    again = client.post(reverse("api-account-import-apply", args=[batch.pk]))
    assert again.status_code == 200
    assert again.json()["done"] is False
    assert "повторное применение ничего не меняет" in again.json()["message"]
    assert _effects() == ["account.create", "account.replace", "accounts.apply"]
