"""The shared scene of the objectivity tests, benchmarks and browser tests.

Русский язык 4 класс 2026 (15 form columns, the test bank) at four schools of the shared
`world`: A1a, A1b (municipality A1), A2a (A2) and B1a (region B). Each has an application of
``PARTICIPANTS`` participants, a generated kit (variants 1 and 2) and participant codes
``49SNN`` (S the school's index in ``SCHOOLS``) issued per grade. Region A has a checking
commission of three markers (``t_marker`` of the world and two more); the federal commission
has three markers too. The clock is inside the results upload window (``IN_WINDOW``), so
schools can upload their own scores (``upload_own``).
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook

from apps.campaigns.models import Work
from apps.materials import pdf
from apps.materials.models import Kit, ParticipantCode, Variant
from apps.materials.services.archives import kit_variant_docs
from apps.materials.tests.factories import apply, generate, held, russian4
from apps.registration.access import Actor, actor_for_user
from apps.registration.tests.factories import grant, make_user
from apps.results import selectors as results_sel
from apps.results import services as results_services
from apps.results import xlsx as results_xlsx
from conftest import PASSWORD, World

SYSTEM = Actor.system(reason="tests")
SCHOOLS = ("A1a", "A1b", "A2a", "B1a")
PARTICIPANTS = 12
# Inside Русский язык 4 класс 2026's upload window (period from 11.04.2026, last day 23.05.2026).
IN_WINDOW = dt.datetime(2026, 5, 20, 9, 0, tzinfo=dt.UTC)
HELD_ON = dt.date(2026, 4, 15)


@dataclass
class Scene:
    world: World
    work: Work
    kits: dict[str, Kit] = field(default_factory=dict)
    codes: dict[str, list[str]] = field(default_factory=dict)
    markers: list[Any] = field(default_factory=list)  # region A's commission
    federal_markers: list[Any] = field(default_factory=list)

    def school(self, key: str) -> Any:
        return self.world.schools[key]

    def actor(self, role: str) -> Actor:
        return actor_for_user(self.world.users[role])

    def variants(self, key: str) -> list[Variant]:
        return list(Variant.objects.filter(kit=self.kits[key]).order_by("number"))

    def variant_docs(self, key: str) -> list[pdf.VariantDoc]:
        """What the kit's variant PDFs are rendered from (``pdf.variant_pdf(doc)``)."""
        return kit_variant_docs(actor=SYSTEM, kit=self.kits[key])

    def organizer(self, key: str) -> Actor:
        """The organizer of school ``key`` (A1a's is the world's; others are made on demand)."""
        if key == "A1a":
            return self.actor("school_organizer")
        user = make_user(f"t_org_{key.lower()}", PASSWORD)
        grant(user, "school_organizer", self.school(key))
        return actor_for_user(user)

    def upload_own(self, key: str, rows: list[results_xlsx.Row]) -> Any:
        """The school's own scores, uploaded through the results form as a school does."""
        actor = self.organizer(key)
        school = self.school(key)
        blank = results_services.results_form_download(
            actor=actor, school_id=school.pk, work_id=self.work.pk
        ).content
        work = results_sel.work_get(actor=actor, work_id=self.work.pk)
        spec = results_sel.form_spec(actor=actor, school=school, work=work, action="results.upload")
        wb = load_workbook(io.BytesIO(blank))
        ws = wb["Протокол"]
        for i, row in enumerate(rows):
            for col, value in enumerate(row.values(len(spec.columns)), start=1):
                ws.cell(row=i + 2, column=col).value = value
        out = io.BytesIO()
        wb.save(out)
        return results_services.results_upload(
            actor=actor,
            school_id=school.pk,
            work_id=self.work.pk,
            content=out.getvalue(),
            filename="форма.xlsx",
        )

    def own_rows(self, key: str, seed: int = 1) -> list[results_xlsx.Row]:
        """Deterministic own scores of every code of school ``key`` (variant 1 or 2)."""
        rng = random.Random(seed)
        columns = list(self.work.columns.order_by("position"))
        return [
            results_xlsx.Row(
                code,
                False,
                1 + i % 2,
                tuple(rng.randint(0, c.max_score) for c in columns),
                1,
                rng.choice([3, 4, 5]),
            )
            for i, code in enumerate(self.codes[key])
        ]


def _codes(school: Any, work: Work, index: int) -> list[str]:
    """``49<school index><nn>``: never the codes the portal issues itself (``4NNNN`` counted
    from 40001), and different for each school of the scene."""
    codes = []
    for n in range(1, PARTICIPANTS + 1):
        code = f"49{index}{n:02d}"
        ParticipantCode.objects.create(
            campaign=work.campaign,
            school=school,
            municipality_id=school.municipality_id,
            region_id=school.region_id,
            grade=4,
            class_number=1,
            code=code,
        )
        codes.append(code)
    return codes


def build_scene(world: World) -> Scene:
    work = russian4()
    for key in SCHOOLS:
        apply(world.schools[key], work, participants=PARTICIPANTS)
        held(world.schools[key], work, HELD_ON)
    generate(work)
    scene = Scene(world=world, work=work)
    for index, key in enumerate(SCHOOLS):
        school = world.schools[key]
        scene.kits[key] = Kit.objects.get(school=school, work=work)
        scene.codes[key] = _codes(school, work, index)
    scene.markers = [world.users["marker"]]
    for n in (2, 3):
        user = make_user(f"t_marker{n}", PASSWORD, full_name=f"Эксперт Комиссии {n}")
        grant(user, "marker", world.regions["A"])
        scene.markers.append(user)
    for n in (1, 2, 3):
        user = make_user(f"t_fmarker{n}", PASSWORD, full_name=f"Федеральный эксперт {n}")
        grant(user, "marker", None)
        scene.federal_markers.append(user)
    return scene
