"""``audit_record`` inserts with Django's own INSERT compiled once (issue 18): the row is the row
``save()`` writes, in one statement, inside the caller's transaction, and only ever new."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.client_ip import Client
from apps.core.models import AuditEvent
from apps.core.services import _audit_insert, audit_record
from apps.registration.access import actor_for_user
from apps.registration.tests.factories import SchoolFactory, grant, make_user

pytestmark = pytest.mark.django_db


def _columns(event: AuditEvent) -> dict[str, object]:
    return {
        f.attname: getattr(event, f.attname)
        for f in AuditEvent._meta.concrete_fields
        if f.attname not in ("id", "at")
    }


def test_the_row_is_the_row_save_writes() -> None:
    # given a school organizer acting from an address, and a target
    school = SchoolFactory()
    user = make_user("org", "Test-Password-2026")
    grant(user, "school_organizer", school)
    actor = actor_for_user(user).with_client(Client(ip="10.1.2.3", user_agent="Браузер/1.0"))
    details = {"work_id": 7, "причина": "проверка", "nested": {"list": [1, 2.5, None, "х"]}}
    before = timezone.now()
    # when an event is recorded, twice (the second reuses the compiled statement)
    with CaptureQueriesContext(connection) as queries:
        first = audit_record(actor=actor, action="test.first", target=school, details=details)
    second = audit_record(actor=actor, action="test.second")
    # and the same values are saved through the ORM
    reference = AuditEvent(**_columns(first))
    reference.save()
    # then each insert is one statement, the instances are saved ones, and the stored rows equal
    # the ORM's, the instant set on insert
    assert len(queries) == 1
    assert first.pk is not None
    assert second.pk > first.pk
    assert first._state.adding is False
    stored = AuditEvent.objects.get(pk=first.pk)
    assert _columns(stored) == _columns(AuditEvent.objects.get(pk=reference.pk))
    assert stored.details == details
    assert stored.ip == "10.1.2.3"
    assert stored.user_agent == "Браузер/1.0"
    assert stored.target_type == "registration.school"
    assert stored.target_id == str(school.pk)
    assert stored.school_id == school.pk
    assert before - dt.timedelta(seconds=1) <= stored.at <= timezone.now()
    assert stored.at == first.at
    assert AuditEvent.objects.get(pk=second.pk).ip == "10.1.2.3"


def test_an_event_goes_with_its_transaction_and_is_never_rewritten() -> None:
    actor = actor_for_user(make_user("nobody", "Test-Password-2026"))

    # when an event is recorded in a transaction that is rolled back
    def record_then_fail() -> None:
        with transaction.atomic():
            audit_record(actor=actor, action="test.rolled_back")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        record_then_fail()
    # then it is gone with it
    assert not AuditEvent.objects.filter(action="test.rolled_back").exists()
    # and an event already stored is not inserted again
    event = audit_record(actor=actor, action="test.kept")
    with pytest.raises(PermissionError):
        _audit_insert(event)
    assert AuditEvent.objects.filter(action="test.kept").count() == 1
