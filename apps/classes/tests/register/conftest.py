"""The class register's test data: the current campaign with grades 4 (two compulsory works and
a pool of one assigned) and 5 (assigned only), the world's school A1a and its organizer."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from openpyxl import Workbook

from apps.campaigns.models import Campaign, Participation
from apps.campaigns.tests.factories import CampaignFactory, SubjectFactory, WorkFactory
from apps.classes.register import services
from apps.classes.register.rules import ClassInput
from apps.classes.register.xlsx import HEADERS, SHEET
from apps.classes.tests.factories import CampaignGradeFactory
from apps.registration.access import Actor, actor_for_user
from conftest import World


@dataclass
class Setup:
    world: World
    campaign: Campaign
    works: dict[str, Any]

    @property
    def school(self) -> Any:
        return self.world.schools["A1a"]

    @property
    def organizer(self) -> Actor:
        return actor_for_user(self.world.users["school_organizer"])

    def add(
        self,
        grade: int = 4,
        letter: str = "А",
        number: int | None = None,
        pupils: int = 25,
        ovz: int = 0,
    ) -> Any:
        return services.class_create(
            actor=self.organizer,
            school_id=self.school.pk,
            data=ClassInput(grade, letter, number, pupils, ovz),
        )


@pytest.fixture
def setup(world: World) -> Setup:
    campaign = CampaignFactory(is_active=True)
    CampaignGradeFactory(campaign=campaign, grade=4, assigned_count=1)
    CampaignGradeFactory(campaign=campaign, grade=5, assigned_count=1)
    works = {
        "russian4": WorkFactory(campaign=campaign, grade=4),
        "math4": WorkFactory(
            campaign=campaign, grade=4, subject=SubjectFactory(code="math", name="Математика")
        ),
        "world4": WorkFactory(
            campaign=campaign,
            grade=4,
            subject=SubjectFactory(code="world", name="Окружающий мир"),
            participation=Participation.ASSIGNED,
        ),
        "history5": WorkFactory(
            campaign=campaign,
            grade=5,
            subject=SubjectFactory(code="history", name="История"),
            participation=Participation.ASSIGNED,
        ),
    }
    return Setup(world, campaign, works)


def register_file(
    rows: list[list[Any]], *, headers: list[str] | None = None, sheet: str = SHEET
) -> bytes:
    """An xlsx register file with the given data rows under the header row."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    ws.append(headers or [h for h, _ in HEADERS])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
