"""The demo on any day: seeded on an empty database at several dates (today, 45, 200 and 400 days
ahead, a 29 February), every demo role logs in, and every stage of the ВПР is live somewhere.

Each case pins the clock to noon in Moscow of its day and lets ``seed_demo`` take its default
day from it, so the command's own reading of "today" is what is tested.
"""

from __future__ import annotations

import calendar as std_calendar
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from apps.analytics.models import WorkAggregate
from apps.analytics.selectors import report_get
from apps.applications.selectors import deadline_for
from apps.campaigns import schedule
from apps.campaigns.models import Campaign
from apps.core.scoping import Level
from apps.demo.calendar import demo_calendar
from apps.demo.country import DEMO_ACCOUNTS
from apps.materials.models import Kit
from apps.registration.access import actor_for_user
from apps.registration.constants import Role
from apps.registration.models import School, User
from apps.results import selectors as results_selectors

MOSCOW = ZoneInfo("Europe/Moscow")


def _next_leap_day(after: dt.date) -> dt.date:
    year = after.year if (after.month, after.day) <= (2, 29) else after.year + 1
    while not std_calendar.isleap(year):
        year += 1
    return dt.date(year, 2, 29)


def _days() -> list[tuple[str, dt.date]]:
    today = dt.datetime.now(tz=MOSCOW).date()
    days = [("today", today)]
    days += [(f"+{n}d", today + dt.timedelta(days=n)) for n in (45, 200, 400)]
    return [*days, ("29feb", _next_leap_day(today))]


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=MOSCOW)


def _log_in(username: str) -> tuple[Client, str]:
    """Log in through the login form; the client and the path of the page it lands on."""
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": username, "password": settings.DEMO_PASSWORD},
        follow=True,
    )
    assert response.status_code == 200, username
    assert response.wsgi_request.user.is_authenticated, username
    return client, response.wsgi_request.path


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("label", "day"), _days(), ids=[label for label, _day in _days()])
def test_the_demo_is_live_on_any_day(label: str, day: dt.date) -> None:
    with time_machine.travel(_noon(day), tick=False):
        # given an empty database on that day
        assert not Campaign.objects.exists()
        # when the demo is seeded without naming a day
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        # then the seed prints the calendar of that day
        assert f"Календарь демонстрации на {day:%d.%m.%Y}:" in out.getvalue(), label
        cal = demo_calendar(day)
        current = Campaign.objects.get(is_active=True)
        assert (current.year, current.session) == (cal.current.year, cal.current.session)

        # and every demo role logs in and lands on a page of its own
        clients = {}
        for role, username in DEMO_ACCOUNTS:
            clients[role], landed = _log_in(username)
            assert landed != "/accounts/login/", (label, username)
        school = School.objects.get(code="edu660101")
        organizer = clients[Role.SCHOOL_ORGANIZER]
        assert organizer.get(f"/schools/{school.pk}/materials/").status_code == 200
        assert organizer.get(f"/schools/{school.pk}/schedule/").status_code == 200
        actor = actor_for_user(User.objects.get(username="edu660101"))
        now = timezone.now()
        zone = school.time_zone

        # the work written yesterday (the Saturday before, on a Monday): its results are being
        # uploaded
        russian4 = current.works.get(subject__code="russian", grade=4)
        window = results_selectors.upload_window(
            actor=actor, school=school, work=russian4, sheet=None
        )
        assert window.held_on == cal.written_on("russian")
        assert window.is_open(now), label

        # the encrypted grade-8 archive is published; its password opens tomorrow (the Monday
        # after, on a Saturday) at 07:30
        kit = Kit.objects.get(school=school, work__subject__code="russian", work__grade=8)
        assert kit.work.encrypted_archive
        writes = cal.writes_on("russian")
        password_at = schedule.password_release_at(kit.work, zone, writes)
        assert password_at is not None
        assert password_at > now
        local = password_at.astimezone(ZoneInfo(zone))
        assert (local.date(), local.time()) == (writes, dt.time(7, 30))
        assert schedule.materials_available_at(kit.work, zone, writes) <= now
        password_url = f"/materials/kits/{kit.pk}/password/"
        assert organizer.get(password_url).status_code == 409  # not released yet (ADR 0018)
        # and the same page gives the password the minute after its release
        with time_machine.travel(password_at + dt.timedelta(minutes=1), tick=False):
            revealed = organizer.get(password_url)
            assert revealed.status_code == 200, label
            assert re.search(r"Пароль", revealed.content.decode()), label

        # the finished campaign's analytics are released to the school
        finished = Campaign.objects.get(year=cal.finished.year, session=cal.finished.session)
        aggregate = WorkAggregate.objects.filter(
            work__campaign=finished, level=Level.SCHOOL, unit_id=school.pk
        ).first()
        assert aggregate is not None, label
        report = report_get(actor=actor, pk=aggregate.pk)
        assert report.embargo_until is None
        assert report.rows

        # the upcoming campaign takes applications
        upcoming = Campaign.objects.get(year=cal.upcoming.year, session=cal.upcoming.session)
        assert not deadline_for(campaign=upcoming, zone=zone, now=now).passed
        applications = organizer.get(f"/applications/?campaign={upcoming.pk}")
        assert applications.status_code in (200, 302)


def test_the_cases_cover_a_year_ahead_and_a_leap_day() -> None:
    days = dict(_days())
    assert days["+400d"] - days["today"] == dt.timedelta(days=400)
    assert (days["29feb"].month, days["29feb"].day) == (2, 29)
