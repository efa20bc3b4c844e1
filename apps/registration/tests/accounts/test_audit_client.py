"""Where an action came from: the audit trail takes the address and user agent from the actor's
client, from services that act for a user and from the worker that applies an upload alike."""

from __future__ import annotations

from typing import Any

import pytest

from apps.core.client_ip import Client
from apps.core.models import AuditEvent, Job
from apps.registration.access import actor_for_user
from apps.registration.accounts import services as svc
from apps.registration.tasks import account_import_apply_task
from apps.registration.tests.accounts.helpers import NEW_PASSWORD
from apps.registration.tests.accounts.test_apply_job import _upload
from conftest import World

ASKER = Client(ip="192.0.2.7", user_agent="Тестовый браузер/1.0")


@pytest.mark.django_db
def test_the_apply_job_records_the_client_of_the_person_who_asked(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # given an upload's preview and its coordinator asking from a known address and browser
    _, batch = _upload(world)
    actor = actor_for_user(world.users["municipal"]).with_client(ASKER)
    # when the apply is queued and a worker runs it later
    with django_capture_on_commit_callbacks() as queued:
        asked = svc.account_import_apply_request(actor=actor, batch_id=batch.pk)
    assert asked.job is not None
    job = Job.objects.get(pk=asked.job.pk)
    assert job.params["client"] == {"ip": "192.0.2.7", "user_agent": "Тестовый браузер/1.0"}
    assert len(queued) == 1
    account_import_apply_task(job_id=job.pk)
    # then the worker's audit rows say where the request came from, not the worker's own place
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    rows = AuditEvent.objects.filter(action__in=["account.create", "accounts.apply"])
    assert rows.count() == 2
    assert {(e.user, e.ip, e.user_agent) for e in rows} == {
        (world.users["municipal"], "192.0.2.7", "Тестовый браузер/1.0")
    }


@pytest.mark.django_db
def test_services_acting_for_a_user_record_the_client_they_are_given(world: World) -> None:
    # given a user changing its password and a failed login, each from a known client
    user = world.users["municipal"]
    svc.password_change(user=user, new_password=NEW_PASSWORD, client=ASKER)
    svc.login_failed_record(username="nobody-here", reason="password", client=ASKER)
    # and a failed login recorded without any client (no request behind it)
    svc.login_failed_record(username="nobody-else", reason="password")
    # then the events carry the given address and user agent, and nothing without a client
    change = AuditEvent.objects.get(action="auth.password_change")
    assert (change.user, change.ip, change.user_agent) == (user, "192.0.2.7", ASKER.user_agent)
    failed = AuditEvent.objects.get(action="auth.login_failed", username="nobody-here")
    assert (failed.user, failed.ip, failed.user_agent) == (None, "192.0.2.7", ASKER.user_agent)
    bare = AuditEvent.objects.get(action="auth.login_failed", username="nobody-else")
    assert (bare.ip, bare.user_agent) == (None, "")
