"""Fixtures of the school day tests: a school (Moscow zone) with its organizer, technical
specialist and municipal coordinator; a campaign whose works run from ten days after today;
three classes of grade 4 writing Russian on one day and Mathematics (4В in the computer form)
on another; three rooms.

Hand counts of the Russian day (see test_placement): 4А 24 participants (confirmed), 4Б 22
(its pupils), 4В 18 (confirmed); «Кабинет 1» 15 seats, «Кабинет 2» 26, «Кабинет 10» 30 with 12
computers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apps.campaigns.tests.factories import CampaignFactory, SubjectFactory, WorkFactory
from apps.classes.models import ClassWork, SchoolClass
from apps.classes.tests.factories import ClassWorkFactory, SchoolClassFactory
from apps.materials.models import ParticipantCode
from apps.registration.access import Actor, actor_for_user
from apps.registration.models import School, User
from apps.registration.tests.factories import SchoolFactory, grant, make_user
from apps.schoolday.models import Room
from apps.schoolday.tests.factories import RoomFactory

PASSWORD = "Test-Password-2026"


def _work(campaign: Any, code: str, name: str, start: dt.date, **extra: Any) -> Any:
    end = start + dt.timedelta(days=20)
    return WorkFactory(
        campaign=campaign,
        subject=SubjectFactory(code=code, name=name),
        grade=4,
        period_start=start,
        period_end=end,
        recommended_dates=[start.isoformat()],
        materials_publish_date=start - dt.timedelta(days=4),
        results_upload_deadline=end + dt.timedelta(days=7),
        results_release_date=end + dt.timedelta(days=21),
        **extra,
    )


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@dataclass
class Day:
    """The school, its people with accounts, the works, classes, class works and rooms."""

    school: School
    organizer_user: User
    tech_user: User
    municipal_user: User
    russian: Any
    math: Any
    date: dt.date  # the Russian day
    math_date: dt.date
    classes: dict[str, SchoolClass]
    russian_works: dict[str, ClassWork]
    math_works: dict[str, ClassWork]
    rooms: dict[str, Room]

    @property
    def actor(self) -> Actor:
        return actor_for_user(self.organizer_user)

    @property
    def tech(self) -> Actor:
        return actor_for_user(self.tech_user)

    @property
    def municipal(self) -> Actor:
        return actor_for_user(self.municipal_user)

    def codes(self, label: str, count: int, first: int) -> list[str]:
        """Issue ``count`` participant codes to the class from number ``first`` (and one
        reserve code that must never be seated)."""
        school_class = self.classes[label]
        made = [
            ParticipantCode(
                campaign=self.russian.campaign,
                school=self.school,
                grade=school_class.grade,
                class_number=school_class.number,
                school_class=school_class,
                code=str(first + i),
                reserve=False,
                municipality_id=self.school.municipality_id,
                region_id=self.school.region_id,
            )
            for i in range(count)
        ]
        made.append(
            ParticipantCode(
                campaign=self.russian.campaign,
                school=self.school,
                grade=school_class.grade,
                class_number=school_class.number,
                school_class=school_class,
                code=str(first + 500),
                reserve=True,
                municipality_id=self.school.municipality_id,
                region_id=self.school.region_id,
            )
        )
        ParticipantCode.objects.bulk_create(made)
        return [c.code for c in made[:-1]]


@pytest.fixture
def day(db: Any) -> Day:
    today = timezone.localdate()
    # applications closed a month ago, the period opens in ten days (whatever today's date)
    campaign = CampaignFactory(year=today.year, application_deadline=today - dt.timedelta(days=30))
    start = today + dt.timedelta(days=10)
    russian = _work(campaign, "russian", "Русский язык", start)
    math = _work(campaign, "math", "Математика", start, computer_allowed=True)
    school = SchoolFactory(short_name="Школа дня проведения")
    organizer = make_user("t_sd_organizer", PASSWORD)
    grant(organizer, "school_organizer", school)
    tech = make_user("t_sd_tech", PASSWORD)
    grant(tech, "school_tech", school)
    municipal = make_user("t_sd_municipal", PASSWORD)
    grant(municipal, "municipal", school.municipality)
    classes = {
        label: SchoolClassFactory(
            campaign=campaign, school=school, grade=4, letter=label[1], number=n, pupils=pupils
        )
        for label, n, pupils in (("4А", 1, 25), ("4Б", 2, 22), ("4В", 3, 20))
    }
    date = start + dt.timedelta(days=2)
    math_date = start + dt.timedelta(days=5)
    confirmed = {"4А": 24, "4Б": None, "4В": 18}
    russian_works = {
        label: ClassWorkFactory(
            school_class=c, work=russian, date=date, participants=confirmed[label]
        )
        for label, c in classes.items()
    }
    math_works = {
        label: ClassWorkFactory(
            school_class=c,
            work=math,
            date=math_date,
            participants={"4А": 24, "4Б": 22, "4В": 10}[label],
            form=ClassWork.Form.COMPUTER if label == "4В" else ClassWork.Form.PAPER,
        )
        for label, c in classes.items()
    }
    rooms = {
        name: RoomFactory(school=school, name=name, seats=seats, computers=computers)
        for name, seats, computers in (
            ("Кабинет 1", 15, 0),
            ("Кабинет 2", 26, 0),
            ("Кабинет 10", 30, 12),
        )
    }
    return Day(
        school=school,
        organizer_user=organizer,
        tech_user=tech,
        municipal_user=municipal,
        russian=russian,
        math=math,
        date=date,
        math_date=math_date,
        classes=classes,
        russian_works=russian_works,
        math_works=math_works,
        rooms=rooms,
    )
