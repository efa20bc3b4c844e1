"""Monitoring of uploads: expected vs uploaded per work, the late list, xlsx, reminders."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from apps.applications.models import Application, ApplicationLine
from apps.core.models import AuditEvent
from apps.registration.models import SchoolProfile
from apps.results import selectors as sel
from apps.results.tests.conftest import Env


def _apply(school: Any, env: Env, participants: int = 25) -> None:
    application, _ = Application.objects.get_or_create(
        campaign=env.work.campaign,
        school=school,
        defaults={
            "municipality_id": school.municipality_id,
            "region_id": school.region_id,
            "status": "confirmed_municipality",
        },
    )
    ApplicationLine.objects.create(
        application=application,
        work=env.work,
        takes_part=True,
        participants=participants,
        classes=1,
    )


def _profile(school: Any, email: str) -> None:
    SchoolProfile.objects.create(
        school=school,
        school_type=school.school_type,
        settlement_type="city",
        address="ул. Школьная, 1",
        director_name="Директор",
        phone="+7 000 000-00-00",
        email=email,
    )


@pytest.fixture
def monitored(env: Env) -> Env:
    # A1a, A1b (municipality A1) and A2a (A2) applied; A1a has uploaded; B1a (region B) applied.
    for key in ("A1a", "A1b", "A2a", "B1a"):
        _apply(env.world.schools[key], env)
    _profile(env.world.schools["A1b"], "a1b@example.org")
    env.upload(env.filled())
    return env


@pytest.mark.django_db
def test_coordinators_see_expected_and_uploaded_schools_of_their_scope(monitored: Env) -> None:
    env = monitored
    # when the municipal and regional coordinators look at the work
    municipal = sel.monitoring_works(actor=env.actor("municipal"), campaign=env.work.campaign)
    regional = sel.monitoring_works(actor=env.actor("regional"), campaign=env.work.campaign)
    # then each counts only its own schools
    assert [(p.expected, p.uploaded, p.missing, p.participants, p.absent) for p in municipal] == [
        (2, 1, 1, 18, 2)
    ]
    assert [(p.expected, p.uploaded, p.planned) for p in regional] == [(3, 1, 75)]


@pytest.mark.django_db
def test_the_late_list_names_overdue_schools_with_contacts(
    monitored: Env, time_machine: Any
) -> None:
    env = monitored
    # given the deadline has passed
    time_machine.move_to(dt.datetime(2026, 5, 25, 9, 0, tzinfo=dt.UTC), tick=False)
    # when the regional coordinator opens the list of overdue schools
    client = env.world.client_for("regional")
    url = reverse("results-monitoring")
    page = client.get(url, {"work": env.work.pk, "state": "overdue"}).content.decode()
    xlsx = client.get(url, {"work": env.work.pk, "state": "overdue", "format": "xlsx"})
    # then A1b and A2a are listed (with A1b's e-mail), A1a (uploaded) and B1a (region B) are not
    assert env.world.schools["A1b"].code in page
    assert "a1b@example.org" in page
    assert env.world.schools["A2a"].code in page
    assert env.world.schools["A1a"].code not in page
    assert env.world.schools["B1a"].code not in page
    ws = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    codes = {ws.cell(row=r, column=2).value for r in range(4, ws.max_row + 1)}
    assert codes == {env.world.schools["A1b"].code, env.world.schools["A2a"].code}


@pytest.mark.django_db
def test_one_click_reminds_every_school_that_has_not_uploaded(monitored: Env) -> None:
    env = monitored
    # when the municipal coordinator presses «Напомнить»
    client = env.world.client_for("municipal")
    response = client.post(reverse("results-remind"), {"work": env.work.pk}, follow=True)
    # then the one school of its municipality without results (and with an address) gets a mail
    assert [m.to for m in mail.outbox] == [["a1b@example.org"]]
    assert "Последний день загрузки — 23.05.2026" in mail.outbox[0].body
    assert "Напоминания отправлены: 1." in response.content.decode()
    assert AuditEvent.objects.get(action="results.remind").details == {
        "work_id": env.work.pk,
        "sent": 1,
        "without_email": 0,
    }


@pytest.mark.django_db
def test_the_monitoring_page_runs_the_same_queries_however_many_schools(monitored: Env) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    env = monitored
    client = env.world.client_for("regional")
    url = reverse("results-monitoring")

    def count() -> int:
        client.get(url, {"work": env.work.pk})  # warm per-process caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"work": env.work.pk}).status_code == 200
        return len(ctx.captured_queries)

    # given the page's query count with three applied schools in the region
    before = count()
    # when the region's fourth school applies too (with its questionnaire)
    other = env.world.schools["A2b"]
    _apply(other, env)
    _profile(other, "a2b@example.org")
    # then the page still runs the same number of queries (no per-school lookups)
    assert count() == before
    assert before <= 25
