"""Participant codes follow the register's classes: codes issued per grade before the school
entered its register are re-attached to its classes (oldest first, a used code stays), surplus
ones stay issued without a class, a renumbered class keeps its codes, a removed class's codes
move to the classes that need them, and the migration links the codes issued so far."""

from __future__ import annotations

import importlib
import io
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from openpyxl import load_workbook

from apps.campaigns.models import Work
from apps.classes.models import ClassWork, SchoolClass
from apps.classes.register import services as register
from apps.classes.register.rules import ClassInput
from apps.classes.tests.factories import ClassWorkFactory, SchoolClassFactory
from apps.core.models import AuditEvent
from apps.materials.audit import MaterialsAudit
from apps.materials.models import Kit, ParticipantCode
from apps.materials.services import kit_code_entries, participant_codes_issue
from apps.materials.services.archives import _codes_xlsx
from apps.materials.tests.factories import SYSTEM, apply, generate, russian4
from apps.registration.access import actor_for_user
from apps.results.models import ParticipantResult, ResultSheet, ResultVersion

pytestmark = pytest.mark.django_db


@dataclass
class Setup:
    world: Any
    work: Work

    @property
    def school(self) -> Any:
        return self.world.schools["A1a"]

    def klass(self, letter: str, number: int, pupils: int) -> SchoolClass:
        """A register class of grade 4 writing the work."""
        school_class = SchoolClassFactory(
            campaign=self.work.campaign,
            school=self.school,
            grade=4,
            letter=letter,
            number=number,
            pupils=pupils,
        )
        ClassWorkFactory(school_class=school_class, work=self.work)
        return school_class

    def issue(self) -> list[ParticipantCode]:
        return participant_codes_issue(
            actor=SYSTEM, school_id=self.school.pk, campaign_id=self.work.campaign_id
        )

    def codes(self) -> list[ParticipantCode]:
        return list(
            ParticipantCode.objects.filter(school=self.school, campaign=self.work.campaign)
            .select_related("school_class")
            .order_by("code")
        )

    def per_class(self) -> dict[tuple[str, bool], int]:
        """(class label, reserve) → the codes that belong to the class now."""
        return dict(
            Counter(
                (c.current_class.label, c.reserve)
                for c in self.codes()
                if c.current_class is not None
            )
        )

    def entries(self) -> list[Any]:
        kit = Kit.objects.get(school=self.school, work=self.work)
        return kit_code_entries(actor=SYSTEM, kit=kit, action="materials.download")

    def use(self, code: str) -> None:
        """Results of the work carry ``code`` (an absent participant is enough)."""
        school = self.school
        ids = {
            "school_id": school.pk,
            "municipality_id": school.municipality_id,
            "region_id": school.region_id,
        }
        sheet = ResultSheet.objects.create(
            school=school,
            work=self.work,
            municipality_id=school.municipality_id,
            region_id=school.region_id,
        )
        version = ResultVersion.objects.create(
            sheet=sheet, number=1, source="api", participants=0, absent=1, **ids
        )
        ParticipantResult.objects.create(
            sheet=sheet, version=version, work=self.work, code=code, absent=True, **ids
        )


@pytest.fixture
def setup(world: Any) -> Setup:
    """School A1a applied for Русский язык 4 with 40 participants in 2 classes, and its codes
    were issued per grade (no register yet): 40001–40020 class 1, reserve 40021–40022, 40023–
    40042 class 2, reserve 40043–40044."""
    work = russian4()
    done = Setup(world=world, work=work)
    apply(done.school, work, participants=40, classes=2)
    generate(work)
    return done


def _audits(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_per_grade_codes_move_to_the_register_classes_and_a_used_one_stays(setup: Setup) -> None:
    # given the per-grade codes, one of them (40001) already carried by results
    before = {c.code: (c.class_number, c.reserve) for c in setup.codes()}
    assert len(before) == 44
    assert before["40001"] == (1, False)
    setup.use("40001")
    # when the school enters its register (4А № 1 of 15, 4Б № 2 of 15, 4В № 3 of 12) and the
    # codes are issued again
    setup.klass("А", 1, 15)
    setup.klass("Б", 2, 15)
    setup.klass("В", 3, 12)
    created = setup.issue()
    codes = {c.code: c for c in setup.codes()}
    # then no code is lost and the 44 codes are re-attached before 5 new ones are appended
    assert set(before) <= set(codes)
    assert sorted(c.code for c in created) == [f"400{n}" for n in range(45, 50)]
    # and each class holds exactly its participants and reserve (10 %, at least one; two for
    # the grade), oldest codes first
    assert setup.per_class() == {
        ("4А", False): 15,
        ("4А", True): 2,
        ("4Б", False): 15,
        ("4Б", True): 2,
        ("4В", False): 12,
        ("4В", True): 2,
    }
    a = sorted(c.code for c in codes.values() if c.current_class and c.current_class.letter == "А")
    assert a == [f"400{n:02d}" for n in [*range(2, 17), 21, 22]]
    # and a class's codes carry its number
    assert {(c.school_class.letter, c.class_number) for c in codes.values() if c.school_class} == {
        ("А", 1),
        ("Б", 2),
        ("В", 3),
    }
    # and the used code keeps its class number, attached to no class
    used = codes["40001"]
    assert (used.school_class_id, used.class_number, used.reserve) == (None, 1, False)
    # and the re-labelling is audited per class, the new codes as an issue
    (moved,) = _audits(MaterialsAudit.MATERIALS_CODES_REATTACH)
    assert moved.details["reattached"] == 43
    assert moved.details["classes"] == [
        {"grade": 4, "class": "4А", "number": 1, "codes": 17},
        {"grade": 4, "class": "4Б", "number": 2, "codes": 17},
        {"grade": 4, "class": "4В", "number": 3, "codes": 9},
    ]
    assert moved.school_id == setup.school.pk
    assert _audits(MaterialsAudit.MATERIALS_CODES_ISSUE)[-1].details["issued"] == 5
    # and the code sheet prints the classes (the used code under the number it keeps)
    labels = Counter(e.class_label for e in setup.entries())
    assert labels == {"4А": 18, "4Б": 17, "4В": 14}


def test_issuing_again_changes_nothing(setup: Setup) -> None:
    # given the codes re-attached once
    setup.klass("А", 1, 15)
    setup.klass("Б", 2, 15)
    setup.issue()
    state = {
        (c.code, c.school_class_id, c.class_number, c.reserve, c.updated_at) for c in setup.codes()
    }
    others = AuditEvent.objects.exclude(action=MaterialsAudit.MATERIALS_GENERATE)
    events = others.count()
    # when issued again (and again through generation)
    assert setup.issue() == []
    generate(setup.work)
    # then no code, class, number or mark changed and nothing more is audited
    after = {
        (c.code, c.school_class_id, c.class_number, c.reserve, c.updated_at) for c in setup.codes()
    }
    assert after == state
    assert others.count() == events


def test_codes_no_class_needs_stay_issued_without_a_class_until_one_does(setup: Setup) -> None:
    # given a register of one class: 4А № 2 of 10 pupils
    setup.klass("А", 2, 10)
    # when the codes are issued again
    assert setup.issue() == []
    codes = setup.codes()
    # then 4А takes 10 participants' codes and 2 reserve, the other 32 stay issued without a
    # class (their per-grade number is cleared: 2 is 4А's now)
    assert setup.per_class() == {("4А", False): 10, ("4А", True): 2}
    spare = [c for c in codes if c.school_class_id is None]
    assert len(spare) == 32
    assert {c.class_number for c in spare} == {None}
    assert [e.class_label for e in setup.entries()] == ["4А"] * 12
    (moved,) = _audits(MaterialsAudit.MATERIALS_CODES_REATTACH)
    assert moved.details["released"] == 32
    # when 4Б (№ 1, 20 pupils) joins the register and the codes are issued again
    setup.klass("Б", 1, 20)
    assert setup.issue() == []
    # then 4Б gets 20 + 2 of the spare codes; no new code is issued
    assert setup.per_class() == {
        ("4А", False): 10,
        ("4А", True): 2,
        ("4Б", False): 20,
        ("4Б", True): 2,
    }
    assert len(setup.codes()) == 44


def test_a_renumbered_class_keeps_its_codes_on_the_code_sheet(setup: Setup) -> None:
    # given a register 4А № 1, 4Б № 2 and codes issued per class
    a = setup.klass("А", 1, 15)
    setup.klass("Б", 2, 15)
    setup.issue()
    codes_a = {c.code for c in setup.codes() if c.school_class_id == a.pk}
    organizer = actor_for_user(setup.world.users["school_organizer"])
    # when the school renumbers 4А to 5 in its register
    register.class_update(actor=organizer, class_id=a.pk, data=ClassInput(4, "А", 5, 15))
    # then the code sheet prints 4А's own codes under number 5 (before any new issue)
    entries = setup.entries()
    assert {e.code for e in entries if e.class_label == "4А"} == codes_a
    assert {e.class_number for e in entries if e.class_label == "4А"} == {5}
    book = load_workbook(io.BytesIO(_codes_xlsx(Kit.objects.get(work=setup.work), entries)))
    numbers = {row[1] for row in book["4А"].iter_rows(min_row=4, values_only=True)}
    assert numbers == {5}
    # and the next issue keeps the codes and brings their stored number in line, unaudited
    moves = len(_audits(MaterialsAudit.MATERIALS_CODES_REATTACH))
    assert setup.issue() == []
    assert {c.class_number for c in setup.codes() if c.code in codes_a} == {5}
    assert len(_audits(MaterialsAudit.MATERIALS_CODES_REATTACH)) == moves


def test_a_removed_class_keeps_its_row_and_its_codes_move_on(setup: Setup) -> None:
    # given a register 4А № 1, 4Б № 2 and codes issued per class
    setup.klass("А", 1, 15)
    b = setup.klass("Б", 2, 15)
    setup.issue()
    codes_b = {c.code for c in setup.codes() if c.school_class_id == b.pk}
    organizer = actor_for_user(setup.world.users["school_organizer"])
    # when the school removes 4Б (its codes hold it: kept inactive, not deleted)
    removed = register.class_remove(actor=organizer, class_id=b.pk)
    assert removed.outcome == register.DEACTIVATED
    assert not SchoolClass.objects.get(pk=b.pk).is_active
    # then 4Б's codes belong to no class and are printed nowhere
    assert {c.current_class_number for c in setup.codes() if c.code in codes_b} == {None}
    assert {e.class_label for e in setup.entries()} == {"4А"}
    # when 4В takes number 2 and the codes are issued again
    setup.klass("В", 2, 15)
    assert setup.issue() == []
    # then 4В holds 4Б's former codes
    assert {c.code for c in setup.codes() if c.current_class_number == 2} == codes_b
    assert setup.per_class()[("4В", False)] == 15


def test_a_class_without_codes_is_still_deleted(setup: Setup) -> None:
    # given a class no code was issued for
    b = setup.klass("Б", 2, 15)
    organizer = actor_for_user(setup.world.users["school_organizer"])
    # when removed, then it is deleted with its works as before
    assert register.class_remove(actor=organizer, class_id=b.pk).outcome == register.DELETED
    assert not SchoolClass.objects.filter(pk=b.pk).exists()
    assert not ClassWork.objects.filter(school_class_id=b.pk).exists()


def test_codes_stay_unique_in_the_school_through_register_changes(setup: Setup) -> None:
    # given a register that grows, is renumbered and shrinks, with an issue after each step
    organizer = actor_for_user(setup.world.users["school_organizer"])
    a = setup.klass("А", 1, 30)
    setup.issue()
    b = setup.klass("Б", 2, 25)
    setup.issue()
    register.class_update(actor=organizer, class_id=a.pk, data=ClassInput(4, "А", 3, 30))
    register.class_update(actor=organizer, class_id=b.pk, data=ClassInput(4, "Б", 1, 25))
    setup.issue()
    register.class_remove(actor=organizer, class_id=a.pk)
    setup.klass("В", 3, 28)
    setup.issue()
    codes = setup.codes()
    # then no code appears twice in the school's grade, and every class has what it needs
    assert len({c.code for c in codes}) == len(codes)
    assert {c.code[0] for c in codes} == {"4"}
    held = setup.per_class()
    assert held[("4Б", False)] >= 25
    assert held[("4В", False)] >= 28
    assert held[("4В", True)] >= 3


def test_the_migration_links_codes_to_the_class_they_were_issued_for(
    world: Any, time_machine: Any
) -> None:
    migration = importlib.import_module("apps.materials.migrations.0004_code_school_class")
    work = russian4()
    school = world.schools["A1a"]

    def code(n: int, number: int | None) -> ParticipantCode:
        return ParticipantCode.objects.create(
            campaign=work.campaign,
            school=school,
            municipality_id=school.municipality_id,
            region_id=school.region_id,
            grade=4,
            class_number=number,
            code=f"4{n:04d}",
        )

    # given a code issued per grade before the register (class number 1) ...
    time_machine.move_to(timezone.now() - timezone.timedelta(days=30), tick=False)
    early = code(1, 1)
    time_machine.move_to(timezone.now() + timezone.timedelta(days=10), tick=False)
    # ... then a register 4А № 1, 4Б № 2 (inactive, removed) and codes issued for them
    a = SchoolClassFactory(campaign=work.campaign, school=school, grade=4, letter="А", number=1)
    SchoolClassFactory(
        campaign=work.campaign, school=school, grade=4, letter="Б", number=2, is_active=False
    )
    time_machine.move_to(timezone.now() + timezone.timedelta(days=1), tick=False)
    later, of_removed, no_class = code(2, 1), code(3, 2), code(4, None)
    # when the migration's data step runs
    migration.link_codes(django_apps, None)
    # then only the code issued after its active class existed is linked to it
    linked = dict(
        ParticipantCode.objects.filter(
            pk__in=[early.pk, later.pk, of_removed.pk, no_class.pk]
        ).values_list("code", "school_class_id")
    )
    assert linked == {
        early.code: None,
        later.code: a.pk,
        of_removed.code: None,
        no_class.code: None,
    }
