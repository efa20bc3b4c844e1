"""Fixtures of the assignment tests: a campaign dated from today with grade 4 (two compulsory
works, one of three assigned) and grade 5 (two of four assigned), and classes in the world."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from apps.campaigns.models import Campaign, CampaignGrade, Participation, Work
from apps.campaigns.tests.factories import CampaignFactory, SubjectFactory, WorkFactory
from apps.classes.models import SchoolClass
from apps.classes.tests.factories import SchoolClassFactory
from apps.registration.access import Actor, actor_for_user
from conftest import World

PERIOD_AHEAD = 30  # the first period starts a month from today

GRADE_WORKS: dict[int, list[tuple[str, str, str]]] = {
    4: [
        ("russian", "Русский язык", Participation.COMPULSORY),
        ("math", "Математика", Participation.COMPULSORY),
        ("world", "Окружающий мир", Participation.ASSIGNED),
        ("reading", "Литературное чтение", Participation.ASSIGNED),
        ("english", "Иностранный язык", Participation.ASSIGNED),
    ],
    5: [
        ("history", "История", Participation.ASSIGNED),
        ("biology", "Биология", Participation.ASSIGNED),
        ("geography", "География", Participation.ASSIGNED),
        ("social", "Обществознание", Participation.ASSIGNED),
    ],
}
COUNTS = {4: 1, 5: 2}


@dataclass
class Setup:
    world: World
    campaign: Campaign
    works: dict[tuple[int, str], Work] = field(default_factory=dict)
    letters: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def first_day(self) -> dt.date:
        return min(w.period_start for w in self.works.values())

    @property
    def publish_on(self) -> dt.date:
        return self.first_day - dt.timedelta(days=7)

    def actor(self, role: str) -> Actor:
        return actor_for_user(self.world.users[role])

    def add_class(self, school_key: str, grade: int, pupils: int = 25, ovz: int = 0) -> Any:
        school = self.world.schools[school_key]
        n = self.letters.get((school.pk, grade), 0) + 1
        self.letters[(school.pk, grade)] = n
        return SchoolClassFactory(
            campaign=self.campaign,
            school=school,
            grade=grade,
            letter="АБВГДЕЖИКЛМН"[n - 1],
            number=n,
            pupils=pupils,
            pupils_ovz=ovz,
        )

    def fill(self, per_school: dict[str, dict[int, int]]) -> list[SchoolClass]:
        made = []
        for key, grades in per_school.items():
            for grade, n in grades.items():
                made += [self.add_class(key, grade, pupils=20 + i, ovz=i % 2) for i in range(n)]
        return made


def build_setup(world: World) -> Setup:
    today = timezone.localdate()
    campaign = CampaignFactory(
        year=today.year + 1, application_deadline=today + dt.timedelta(days=10), grades=[]
    )
    setup = Setup(world, campaign)
    start = today + dt.timedelta(days=PERIOD_AHEAD)
    for grade, works in GRADE_WORKS.items():
        CampaignGrade.objects.create(campaign=campaign, grade=grade, assigned_count=COUNTS[grade])
        for code, name, participation in works:
            setup.works[(grade, code)] = WorkFactory(
                campaign=campaign,
                subject=SubjectFactory(code=code, name=name),
                grade=grade,
                participation=participation,
                period_start=start,
                period_end=start + dt.timedelta(days=30),
                recommended_dates=[],
                results_upload_deadline=start + dt.timedelta(days=40),
                results_release_date=start + dt.timedelta(days=50),
            )
    return setup


@pytest.fixture
def setup(world: World) -> Setup:
    return build_setup(world)
