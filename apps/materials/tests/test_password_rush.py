"""The 07:30 password path (issue 18): one read for the kit and its gate, a fixed query budget
per request, and the same answers as the full kit view in every case of the school's day."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.campaigns.models import ReserveDayRequest
from apps.core.models import AuditEvent
from apps.materials import selectors
from apps.materials.models import Kit
from apps.materials.tests.factories import apply, generate, grade8, held
from apps.registration.access import A, actor_for_user
from apps.registration.services_tokens import api_token_issue
from apps.registration.tests.factories import (
    MunicipalityFactory,
    RegionFactory,
    SchoolFactory,
    grant,
    make_user,
)

pytestmark = pytest.mark.django_db

ZONE = "Asia/Yekaterinburg"


def _school_kit(work, zone: str = ZONE):  # type: ignore[no-untyped-def]
    region = RegionFactory(time_zone=zone)
    school = SchoolFactory(municipality=MunicipalityFactory(region=region), time_zone=zone)
    user = make_user(f"org_{school.code}", "Test-Password-2026")
    grant(user, "school_organizer", school)
    apply(school, work)
    return school, user


def _at(day: dt.date, hour: int, minute: int, zone: str = ZONE) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(zone))


def test_password_release_is_the_kit_views_in_every_case_of_the_day() -> None:
    # given four schools of one grade-8 work: a chosen day, an approved reserve day, a pending
    # reserve day, and no day at all
    work = grade8()
    schools = [_school_kit(work) for _ in range(4)]
    generate(work)
    day = work.period_start + dt.timedelta(days=1)
    held(schools[0][0], work, day)
    for school, status in ((schools[1][0], "approved"), (schools[2][0], "pending")):
        reserve = ReserveDayRequest.objects.create(
            school=school,
            municipality_id=school.municipality_id,
            region_id=school.region_id,
            work=work,
            requested_date=work.period_end + dt.timedelta(days=3),
            reason="карантин",
            status=status,
            requested_by=schools[0][1],
        )
        row = held(school, work, reserve.requested_date)
        row.reserve = reserve
        row.save(update_fields=["reserve"])
    # when each school's password gate is read both ways
    seen = []
    for school, user in schools:
        actor = actor_for_user(user)
        kit_id = Kit.objects.get(school=school, work=work).pk
        full = selectors.kit_view(actor=actor, kit_id=kit_id, action=A.VIEW_ARCHIVE_PASSWORD)
        kit, release = selectors.kit_password_view(
            actor=actor, kit_id=kit_id, action=A.VIEW_ARCHIVE_PASSWORD
        )
        # then the one-query read gives the same kit and the same instant, on the same clock
        assert kit.pk == full.kit.pk
        assert release == full.releases.password
        seen.append(release.at)
    # and the cases differ as the rules say: 07:30 local on the day or the approved reserve
    # day, nothing scheduled for a pending reserve day or no day
    assert seen[0] == _at(day, 7, 30)
    assert seen[1] == _at(work.period_end + dt.timedelta(days=3), 7, 30)
    assert seen[2] is None
    assert seen[3] is None


def test_a_password_request_costs_five_queries_and_one_audit_row() -> None:
    # given a school organizer with an API token, its kit held today
    work = grade8()
    school, user = _school_kit(work)
    generate(work)
    kit = Kit.objects.get(school=school, work=work)
    day = work.period_start + dt.timedelta(days=1)
    held(school, work, day)
    url = reverse("api-kit-password", args=[kit.pk])
    with time_machine.travel(_at(day, 7, 31), tick=False):
        token, _ = api_token_issue(user=user)
        client = Client()
        # when its information system asks for the password at 07:31 local
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, HTTP_AUTHORIZATION=f"Token {token}")
    # then it is answered, not cached by anyone, with five queries: the token with its user,
    # the user's grants, its school, the kit with its gate, the audit row
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert len(queries) == 5, [q["sql"][:80] for q in queries.captured_queries]
    assert (
        AuditEvent.objects.filter(action="materials.password_view", school_id=school.pk).count()
        == 1
    )


def test_the_gate_and_the_scope_still_hold_on_the_fast_path() -> None:
    # given two schools of one work in the same zone, both holding it on the same day
    work = grade8()
    (school, user), (other, _) = _school_kit(work), _school_kit(work)
    generate(work)
    day = work.period_start + dt.timedelta(days=1)
    held(school, work, day)
    held(other, work, day)
    own = reverse("api-kit-password", args=[Kit.objects.get(school=school, work=work).pk])
    foreign = reverse("api-kit-password", args=[Kit.objects.get(school=other, work=work).pk])
    # when the school asks one minute before 07:30 local, then at 07:30
    with time_machine.travel(_at(day, 7, 29), tick=False):
        token, _ = api_token_issue(user=user)
        auth = f"Token {token}"
        early = Client().get(own, HTTP_AUTHORIZATION=auth)
    with time_machine.travel(_at(day, 7, 30), tick=False):
        on_time = Client().get(own, HTTP_AUTHORIZATION=auth)
        # and for the other school's kit
        across = Client().get(foreign, HTTP_AUTHORIZATION=auth)
    # then the password comes at 07:30 and never for another school's kit
    assert early.status_code == 409
    assert early.json()["context"]["available_from"] == f"{day.isoformat()}T07:30:00+05:00"
    assert on_time.status_code == 200
    assert across.status_code == 404
    assert AuditEvent.objects.filter(action="materials.password_view").count() == 1


def test_the_password_page_reads_no_deferred_column() -> None:
    # given a school organizer logged in in the browser at 07:30 of its day
    work = grade8()
    school, user = _school_kit(work)
    generate(work)
    kit = Kit.objects.get(school=school, work=work)
    day = work.period_start + dt.timedelta(days=1)
    held(school, work, day)
    fetched: list[tuple[str, Any]] = []
    refresh = Model.refresh_from_db

    def spy(self: Model, *args: Any, **kwargs: Any) -> None:
        fetched.append((type(self).__name__, kwargs.get("fields")))
        refresh(self, *args, **kwargs)

    with time_machine.travel(_at(day, 7, 30), tick=False):
        client = Client()
        client.force_login(user)
        # when it opens the password page
        with (
            CaptureQueriesContext(connection) as queries,
            patch.object(Model, "refresh_from_db", spy),
        ):
            page = client.get(reverse("kit-password", args=[kit.pk]))
    # then the page names the work and the archive, with the kit read once and no deferred
    # column of the kit, its work, subject or school fetched afterwards
    assert page.status_code == 200
    assert kit.archive_name in page.content.decode() or not kit.archive_name
    assert f"{work.grade} класс" in page.content.decode()
    assert 'class="secret"' in page.content.decode()
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum(1 for q in sql if ' FROM "materials_kit"' in q) == 1
    assert fetched == []
