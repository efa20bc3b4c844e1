"""Fixtures of the results tests: Русский язык 4 класс 2026 at school A1a of the shared `world`,
with participant codes issued and a chosen day, the clock inside the upload window."""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass
from typing import Any

import pytest
from openpyxl import load_workbook

from apps.campaigns.models import SchoolWorkDate, Work
from apps.campaigns.tests.factories import WorkFactory
from apps.materials.models import ParticipantCode
from apps.registration.access import Actor, actor_for_user
from apps.results import selectors as sel
from apps.results import services, xlsx
from apps.results.models import ParticipantResult, ResultSheet
from conftest import World

# Inside the window: the period started 11.04.2026, the last upload day is 23.05.2026.
IN_WINDOW = dt.datetime(2026, 5, 20, 9, 0, tzinfo=dt.UTC)
HELD_ON = dt.date(2026, 4, 15)
PARTICIPANTS = 20  # codes 40001..40020 in class 1, reserve 40021..40022


def issue_codes(school: Any, work: Work, grade: int, numbers: range, **extra: Any) -> list[str]:
    codes = []
    for n in numbers:
        code = f"{str(grade)[-1] if grade < 10 else grade - 9}{n:04d}"
        ParticipantCode.objects.create(
            campaign=work.campaign,
            school=school,
            municipality_id=school.municipality_id,
            region_id=school.region_id,
            grade=grade,
            code=code,
            **extra,
        )
        codes.append(code)
    return codes


def fill(content: bytes, cells: dict[tuple[int, int], Any], sheet: str = "Протокол") -> bytes:
    """Type values into a workbook with openpyxl, as a school would in a spreadsheet program."""
    wb = load_workbook(io.BytesIO(content))
    ws = wb[sheet]
    for (row, col), value in cells.items():
        ws.cell(row=row, column=col).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass
class Env:
    world: World
    work: Work
    codes: list[str]
    reserve: list[str]

    @property
    def school(self) -> Any:
        return self.world.schools["A1a"]

    def actor(self, role: str = "school_organizer") -> Actor:
        return actor_for_user(self.world.users[role])

    def spec(self) -> xlsx.FormSpec:
        actor = self.actor()
        work = sel.work_get(actor=actor, work_id=self.work.pk)
        return sel.form_spec(actor=actor, school=self.school, work=work, action="results.upload")

    def blank(self) -> bytes:
        return services.results_form_download(
            actor=self.actor(), school_id=self.school.pk, work_id=self.work.pk
        ).content

    def rows(self, seed: int = 1, count: int = PARTICIPANTS, absent: int = 2) -> list[xlsx.Row]:
        """Deterministic participants: the first ``absent`` codes absent, the rest with scores."""
        rng = random.Random(seed)
        columns = self.spec().columns
        out = []
        for i, code in enumerate(self.codes[:count]):
            if i < absent:
                out.append(xlsx.Row(code, True, None, (), 1, None if i % 2 else 0))
                continue
            scores = tuple(
                None if rng.random() < 0.08 else rng.randint(0, c.max_score) for c in columns
            )
            out.append(
                xlsx.Row(code, False, rng.randint(1, 2), scores, 1, rng.choice([0, 2, 3, 4, 5]))
            )
        return out

    def filled(self, rows: list[xlsx.Row] | None = None, base: bytes | None = None) -> bytes:
        """The issued blank form with ``rows`` typed into it (row i+2 for the i-th row)."""
        rows = self.rows() if rows is None else rows
        width = len(self.spec().columns)
        cells: dict[tuple[int, int], Any] = {}
        for i, row in enumerate(rows):
            for col, value in enumerate(row.values(width), start=1):
                cells[(i + 2, col)] = value
        return fill(base if base is not None else self.blank(), cells)

    def upload(self, content: bytes, role: str = "school_organizer", **kwargs: Any) -> Any:
        return services.results_upload(
            actor=self.actor(role),
            school_id=self.school.pk,
            work_id=self.work.pk,
            content=content,
            filename="форма.xlsx",
            **kwargs,
        )

    def stored(self) -> list[ParticipantResult]:
        return list(ParticipantResult.objects.filter(work=self.work).order_by("code"))

    def sheet(self) -> ResultSheet | None:
        return ResultSheet.objects.filter(school=self.school, work=self.work).first()


@pytest.fixture
def env(world: World, time_machine: Any) -> Env:
    time_machine.move_to(IN_WINDOW, tick=False)
    work = WorkFactory()
    school = world.schools["A1a"]
    codes = issue_codes(school, work, 4, range(1, PARTICIPANTS + 1), class_number=1)
    reserve = issue_codes(school, work, 4, range(PARTICIPANTS + 1, PARTICIPANTS + 3), reserve=True)
    SchoolWorkDate.objects.create(
        school=school,
        work=work,
        date=HELD_ON,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )
    return Env(world=world, work=work, codes=codes, reserve=reserve)
