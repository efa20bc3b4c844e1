"""Fixtures of the timetable tests: a campaign whose works run from ten days after today, a
school in Kamchatka (UTC+12: its day begins while Moscow and UTC are still on the day before) and
its organizer, and the world's school A1a (Moscow) with classes of its own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apps.campaigns import schedule
from apps.campaigns.models import Participation
from apps.campaigns.tests.factories import CampaignFactory, SubjectFactory, WorkFactory
from apps.classes.models import ClassWork, SchoolClass
from apps.classes.tests.factories import ClassWorkFactory, SchoolClassFactory
from apps.registration.access import Actor, actor_for_user
from apps.registration.tests.factories import SchoolFactory, grant, make_user

KAMCHATKA = "Asia/Kamchatka"
PASSWORD = "Test-Password-2026"


def clock(day: dt.date, hour: int, zone: str, minute: int = 0) -> dt.datetime:
    """The UTC instant of ``hour:minute`` on ``day`` in ``zone``."""
    return schedule.at_local(day, dt.time(hour, minute), zone)


@dataclass
class Works:
    """The campaign's works: period from today + 10 days for 20 days."""

    campaign: Any
    russian4: Any  # compulsory, paper only
    math4: Any  # compulsory, computer allowed
    world4: Any  # assigned (Окружающий мир)
    math8: Any  # compulsory, encrypted archive (the 07:30 password)

    @property
    def start(self) -> dt.date:
        return self.russian4.period_start

    @property
    def end(self) -> dt.date:
        return self.russian4.period_end


def _work(campaign: Any, code: str, name: str, grade: int, start: dt.date, **extra: Any) -> Any:
    end = start + dt.timedelta(days=20)
    return WorkFactory(
        campaign=campaign,
        subject=SubjectFactory(code=code, name=name),
        grade=grade,
        period_start=start,
        period_end=end,
        recommended_dates=[start.isoformat()],
        materials_publish_date=start - dt.timedelta(days=3 if grade == 8 else 4),
        results_upload_deadline=end + dt.timedelta(days=7),
        results_release_date=end + dt.timedelta(days=21),
        **extra,
    )


@pytest.fixture
def works(db: Any) -> Works:
    today = timezone.localdate()
    campaign = CampaignFactory(year=today.year)
    start = today + dt.timedelta(days=10)
    return Works(
        campaign=campaign,
        russian4=_work(campaign, "russian", "Русский язык", 4, start),
        math4=_work(campaign, "math", "Математика", 4, start, computer_allowed=True),
        world4=_work(
            campaign, "world", "Окружающий мир", 4, start, participation=Participation.ASSIGNED
        ),
        math8=_work(campaign, "math", "Математика", 8, start),
    )


@dataclass
class ZonedSchool:
    school: Any
    user: Any

    @property
    def actor(self) -> Actor:
        return actor_for_user(self.user)

    def client(self) -> Client:
        """A client logged in now (a session opened before a pinned clock may have expired)."""
        client = Client()
        client.force_login(self.user)
        return client


@pytest.fixture
def kamchatka(db: Any) -> ZonedSchool:
    school = SchoolFactory(
        municipality__region__time_zone=KAMCHATKA,
        municipality__time_zone=KAMCHATKA,
        short_name="Гимназия Камчатки",
    )
    user = make_user("t_kamchatka_classes", PASSWORD)
    grant(user, "school_organizer", school)
    return ZonedSchool(school, user)


def school_class(works: Works, school: Any, grade: int, letter: str, number: int) -> SchoolClass:
    return SchoolClassFactory(
        campaign=works.campaign, school=school, grade=grade, letter=letter, number=number
    )


def class_work(school_class: SchoolClass, work: Any, **extra: Any) -> ClassWork:
    return ClassWorkFactory(school_class=school_class, work=work, **extra)
