"""The registers of many schools at once (``classes_bulk_create``): the same classes and works as
``class_create`` / ``class_works_create`` one class at a time, every problem found before
anything is written, the whole call refused for a school out of sight, one audit row scoped to
the smallest unit holding the schools, and reads that do not grow with the schools and
classes."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.campaigns.models import CampaignGrade, Participation
from apps.campaigns.tests.factories import CampaignFactory, SubjectFactory, WorkFactory
from apps.classes.assignment.algorithm import spread
from apps.classes.audit import ClassesAudit
from apps.classes.messages import ClassesError, ClassesInvalidError
from apps.classes.models import AssignmentRun, ClassWork, SchoolClass
from apps.classes.register import bulk, services
from apps.classes.register.rules import ClassInput
from apps.classes.services import class_works_create
from apps.core.models import AuditEvent
from apps.core.scoping import Level
from apps.registration.access import Actor, actor_for_user
from apps.registration.models import School

from .conftest import Setup

REGISTER = [
    ClassInput(4, "а", None, 25, 1),
    ClassInput(4, "Б", 3, 22),
    ClassInput(4, "В", None, 20, 2),
    ClassInput(5, "А", None, 27),
]


def _federal(setup: Setup) -> Actor:
    return actor_for_user(setup.world.users["federal"])


def _bulk(setup: Setup, registers: dict[int, list[ClassInput]]) -> bulk.RegistersCreated:
    return bulk.classes_bulk_create(
        actor=_federal(setup), campaign_id=setup.campaign.pk, registers=registers
    )


def _classes(school: School) -> list[tuple[Any, ...]]:
    rows = SchoolClass.objects.filter(school=school).order_by("pk")
    return [
        (c.grade, c.letter, c.number, c.pupils, c.pupils_ovz, c.is_active, c.municipality_id)
        for c in rows
    ]


def _works(school_class: SchoolClass) -> list[tuple[Any, ...]]:
    rows = ClassWork.objects.filter(school_class=school_class).order_by("pk")
    return [(w.work_id, w.source, w.run_id, w.school_id, w.region_id) for w in rows]


def test_the_bulk_classes_are_those_class_create_makes(setup: Setup) -> None:
    # given two schools of the world: one gets its register class by class, the other in bulk
    one_by_one, at_once = setup.world.schools["A1a"], setup.world.schools["B2b"]
    organizer = setup.organizer
    for data in REGISTER:
        services.class_create(actor=organizer, school_id=one_by_one.pk, data=data)
    # when the same register is written in bulk for the other school
    made = _bulk(setup, {at_once.pk: REGISTER})
    # then the classes are the same (letters cleaned, free numbers taken, counts kept), with the
    # scope columns of their own school
    assert made == bulk.RegistersCreated(schools=1, classes=4, works=6)
    expected = [row[:-1] for row in _classes(one_by_one)]
    assert [row[:-1] for row in _classes(at_once)] == expected
    assert expected[0][:3] == (4, "А", 1)
    assert expected[2][:3] == (4, "В", 2)
    assert {row[-1] for row in _classes(at_once)} == {at_once.municipality_id}
    # and each class has the compulsory works of its grade, in the same order
    pairs = zip(
        SchoolClass.objects.filter(school=one_by_one).order_by("pk"),
        SchoolClass.objects.filter(school=at_once).order_by("pk"),
        strict=True,
    )
    for single, many in pairs:
        works = [(w, s, r) for w, s, r, _school, _region in _works(single)]
        assert [(w, s, r) for w, s, r, _school, _region in _works(many)] == works
        if many.grade == 4:
            assert {(s, r) for *_, s, r in _works(many)} == {(at_once.pk, at_once.region_id)}
    # grade 5 has no compulsory work and there is no published run yet
    assert _works(SchoolClass.objects.get(school=at_once, grade=5)) == []


def test_after_publication_bulk_classes_get_what_class_works_create_draws(setup: Setup) -> None:
    # given grade 5 with four assigned works (two per class) and a published run, and a school
    # whose classes were added after it one by one
    CampaignGrade.objects.filter(campaign=setup.campaign, grade=5).update(assigned_count=2)
    for code in ("biology", "geography", "social"):
        WorkFactory(
            campaign=setup.campaign,
            grade=5,
            subject=SubjectFactory(code=code, name=code),
            participation=Participation.ASSIGNED,
        )
    AssignmentRun.objects.create(
        campaign=setup.campaign,
        seed=20_251,
        status=AssignmentRun.Status.PUBLISHED,
        publish_on=timezone.localdate(),
        published_at=timezone.now(),
    )
    for letter in "АБВ":
        setup.add(grade=5, letter=letter)
    # when three schools get registers of many 5th classes in bulk (one of them the same school)
    keys = ("A1a", "A2b", "B1a")
    five = [ClassInput(5, letter, None, 25) for letter in "ГДЕЖИК"]
    registers = {setup.world.schools[k].pk: five for k in keys}
    registers[setup.world.schools["A2b"].pk] = [*five[:4], ClassInput(4, "А", None, 20)]
    made = _bulk(setup, registers)
    new = list(
        SchoolClass.objects.filter(pk__gt=SchoolClass.objects.order_by("pk")[2].pk).order_by("pk")
    )
    assert made.classes == len(new) == 17
    in_bulk = {c.pk: _works(c) for c in new}
    # then every class has its two assigned works, and each school's spread is at most 1
    for key in keys:
        school = setup.world.schools[key]
        counts = Counter(
            ClassWork.objects.filter(
                school_id=school.pk, source=ClassWork.Source.ASSIGNED, school_class__grade=5
            ).values_list("work_id", flat=True)
        )
        assert spread(counts, _pool5(setup)) <= 1, key
    # and class_works_create, given the same classes one after another, draws the same works
    ClassWork.objects.filter(school_class__in=new).delete()
    for school_class in new:
        class_works_create(school_class=school_class)
    assert {c.pk: _works(c) for c in new} == in_bulk
    # (16 classes of grade 5 with two assigned works; 4А with its two compulsory ones: grade 4
    # assigns nothing in this campaign)
    assert sum(len(w) for w in in_bulk.values()) == made.works == 16 * 2 + 2


def _pool5(setup: Setup) -> list[int]:
    return list(
        setup.campaign.works.filter(grade=5, participation=Participation.ASSIGNED).values_list(
            "pk", flat=True
        )
    )


def test_every_problem_is_listed_and_nothing_is_written(setup: Setup) -> None:
    # given a school with 4А already
    setup.add(letter="А")
    a1a, a1b = setup.world.schools["A1a"], setup.world.schools["A1b"]
    registers = {
        a1b.pk: [ClassInput(4, "А", None, 25), ClassInput(4, "Б", None, 0)],
        a1a.pk: [ClassInput(4, "а", None, 25), ClassInput(9, "А", None, 25)],
    }
    # when the registers are written in bulk
    with pytest.raises(ClassesError) as caught:
        _bulk(setup, registers)
    # then the call is refused as a conflict (a taken letter) naming every problem in order
    error = caught.value
    assert error.code == "registers_refused"
    assert error.status == 409
    codes = [(d["school"], d["class"], d["code"]) for d in error.details]
    assert codes == [
        (a1b.code, "4Б", "pupils_out_of_range"),
        (a1a.code, "4А", "letter_taken"),
        (a1a.code, "9А", "grade_not_in_campaign"),
    ]
    assert error.message.startswith("Реестры классов не записаны, ошибок: 3. Первая — ОО")
    assert a1b.code in error.message
    # and nothing was written
    assert SchoolClass.objects.count() == 1
    assert not AuditEvent.objects.filter(action=ClassesAudit.REGISTERS_LOAD).exists()


def test_values_alone_are_invalid_and_a_duplicate_in_the_batch_is_taken(setup: Setup) -> None:
    a1a = setup.world.schools["A1a"]
    with pytest.raises(ClassesInvalidError) as invalid:
        _bulk(setup, {a1a.pk: [ClassInput(4, "А", 51, 25)]})
    assert invalid.value.status == 400
    assert invalid.value.details[0]["code"] == "number_out_of_range"
    with pytest.raises(ClassesError) as taken:
        _bulk(setup, {a1a.pk: [ClassInput(4, "А", 2, 25), ClassInput(4, "Б", 2, 25)]})
    assert taken.value.details[0]["code"] == "number_taken"
    assert not SchoolClass.objects.exists()


def test_a_school_out_of_sight_or_an_actor_without_the_action_writes_nothing(setup: Setup) -> None:
    a1a = setup.world.schools["A1a"]
    missing = School.objects.order_by("-pk").first().pk + 1  # type: ignore[union-attr]
    with pytest.raises(School.DoesNotExist):
        _bulk(setup, {a1a.pk: REGISTER, missing: REGISTER})
    # the school's organizer keeps its register class by class: it may not write in bulk
    with pytest.raises(type(setup.campaign).DoesNotExist):
        bulk.classes_bulk_create(
            actor=setup.organizer, campaign_id=setup.campaign.pk, registers={a1a.pk: REGISTER}
        )
    assert not SchoolClass.objects.exists()


def test_only_the_current_campaign_is_written(setup: Setup) -> None:
    other = CampaignFactory(is_active=False, year=setup.campaign.year - 1)
    with pytest.raises(ClassesError) as caught:
        bulk.classes_bulk_create(
            actor=_federal(setup),
            campaign_id=other.pk,
            registers={setup.world.schools["A1a"].pk: REGISTER},
        )
    assert caught.value.code == "campaign_not_current"


@pytest.mark.parametrize(
    ("keys", "level", "unit"),
    [
        (("A1a",), Level.SCHOOL, "A1a"),
        (("A1a", "A1b"), Level.MUNICIPALITY, "A1"),
        (("A1a", "A2b"), Level.REGION, "A"),
        (("A1a", "B1a"), Level.FEDERAL, ""),
    ],
)
def test_one_audit_row_per_call_scoped_to_the_unit_holding_its_schools(
    setup: Setup, keys: tuple[str, ...], level: Level, unit: str
) -> None:
    schools = [setup.world.schools[k] for k in keys]
    _bulk(setup, {s.pk: REGISTER for s in schools})
    event = AuditEvent.objects.get(action=ClassesAudit.REGISTERS_LOAD)
    assert event.details["schools"] == len(keys)
    assert event.details["classes"] == 4 * len(keys)
    assert event.details["school_ids"] == sorted(s.pk for s in schools)
    assert event.target_id == str(setup.campaign.pk)
    anchor = setup.world.unit(unit) if unit else None
    scope = (event.region_id, event.municipality_id, event.school_id)
    if level is Level.FEDERAL:
        assert scope == (None, None, None)
    elif level is Level.REGION:
        assert scope == (anchor.pk, None, None)
    elif level is Level.MUNICIPALITY:
        assert scope == (anchor.region_id, anchor.pk, None)
    else:
        assert scope == (anchor.region_id, anchor.municipality_id, anchor.pk)


def test_the_reads_do_not_grow_with_the_schools_and_classes(setup: Setup) -> None:
    def queries(keys: tuple[str, ...], classes: list[ClassInput]) -> int:
        """The queries of one call other than its INSERTs (batched by the backend's limit)."""
        registers = {setup.world.schools[k].pk: classes for k in keys}
        with CaptureQueriesContext(connection) as captured:
            _bulk(setup, registers)
        return sum(not q["sql"].lstrip().upper().startswith("INSERT") for q in captured)

    queries(("A1a",), REGISTER[:1])  # the first call also fills caches (content types)
    small = queries(("A1b",), REGISTER[:1])
    many = [ClassInput(4, letter, None, 25) for letter in "АБВГДЕЖИКЛ"]
    large = queries(("A2a", "A2b", "B1a", "B1b", "B2a", "B2b"), many)
    assert SchoolClass.objects.count() == 2 + 60
    assert large == small
