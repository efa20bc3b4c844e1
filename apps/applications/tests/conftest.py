"""Fixtures of the applications tests: a campaign with three works over the shared `world`."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

import pytest
from openpyxl import load_workbook

from apps.applications import services
from apps.applications.models import Application, ApplicationDecision, ApplicationLine
from apps.applications.rules import RawLine
from apps.campaigns.models import Campaign, Work
from apps.campaigns.tests.factories import CampaignFactory, SubjectFactory, WorkFactory
from apps.core.models import ImportBatch
from apps.registration.access import Actor, actor_for_user
from apps.registration.models import SchoolProfile
from conftest import World

# Before the deadline (20.02.2026) everywhere in Russia.
BEFORE_DEADLINE = dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC)
# After the deadline everywhere in Russia.
AFTER_DEADLINE = dt.datetime(2026, 2, 21, 23, 0, tzinfo=dt.UTC)
ONE_COLUMN = [("1", 1, "Б")]
GRADES = {"4": {"classes": 2, "pupils": 50}, "5": {"classes": 2, "pupils": 48}}


@dataclass
class Chain:
    world: World
    campaign: Campaign
    works: list[Work]
    profiles: dict[str, SchoolProfile] = field(default_factory=dict)

    @property
    def ru4(self) -> Work:
        return self.works[0]

    @property
    def ma4(self) -> Work:
        return self.works[1]

    @property
    def ma5(self) -> Work:
        return self.works[2]

    def actor(self, role: str) -> Actor:
        return actor_for_user(self.world.users[role])

    def school(self, key: str = "A1a") -> Any:
        return self.world.schools[key]

    def open(self, key: str = "A1a", role: str = "school_organizer") -> Application:
        return services.application_open(
            actor=self.actor(role), school_id=self.school(key).pk, campaign_id=self.campaign.pk
        )

    def fill(
        self,
        app: Application,
        role: str = "school_organizer",
        lines: dict[Work, tuple[Any, Any, Any]] | None = None,
    ) -> services.Outcome:
        lines = lines or {self.ru4: ("да", 25, 1), self.ma4: ("да", 24, 1)}
        return services.application_lines_save(
            actor=self.actor(role),
            application_id=app.pk,
            lines={w.pk: RawLine(*values) for w, values in lines.items()},
        )

    def submitted(self, key: str = "A1a") -> Application:
        """An application of the school, filled and submitted by its organizer."""
        app = self.open(key)
        self.fill(app)
        services.application_submit(actor=self.actor("school_organizer"), application_id=app.pk)
        app.refresh_from_db()
        return app


def snapshot() -> dict[str, Any]:
    """Everything an application write could change."""
    return {
        "apps": sorted(Application.objects.values_list("school_id", "status")),
        "lines": sorted(
            ApplicationLine.objects.values_list(
                "application_id", "work_id", "takes_part", "participants", "classes"
            )
        ),
        "decisions": ApplicationDecision.objects.count(),
        "applied_batches": ImportBatch.objects.filter(status=ImportBatch.Status.APPLIED).count(),
    }


def upload(actor: Actor, content: bytes, name: str = "Заявка.xlsx", **kwargs: Any) -> ImportBatch:
    return services.application_import_upload(
        actor=actor, file=io.BytesIO(content), name=name, size=len(content), **kwargs
    )


def edit_xlsx(content: bytes, sheet: str, cells: dict[str, Any]) -> bytes:
    """The workbook with some cells changed (as a user would, protection aside)."""
    wb = load_workbook(io.BytesIO(content))
    ws = wb[sheet]
    for ref, value in cells.items():
        ws[ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def chain(world: World, time_machine: Any) -> Chain:
    time_machine.move_to(BEFORE_DEADLINE, tick=True)
    campaign = CampaignFactory(year=2026, application_deadline=dt.date(2026, 2, 20))
    russian = SubjectFactory()
    math = SubjectFactory(code="math", name="Математика")
    works = [
        WorkFactory(campaign=campaign, subject=russian, grade=4),
        WorkFactory(campaign=campaign, subject=math, grade=4, columns=ONE_COLUMN),
        WorkFactory(campaign=campaign, subject=math, grade=5, columns=ONE_COLUMN),
    ]
    school = world.schools["A1a"]
    profile = SchoolProfile.objects.create(
        school=school,
        school_type=school.school_type,
        settlement_type="city",
        address="г. Тестовск",
        director_name="Директор Тестовый",
        phone="+7 000 000-00-00",
        email="school@example.org",
        grades=GRADES,
    )
    return Chain(world=world, campaign=campaign, works=works, profiles={"A1a": profile})
