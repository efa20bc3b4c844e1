"""The coordinators' readiness overview: counts per school and work day equal what the school
assigned, per unit one level below, and only units in the coordinator's scope."""

from __future__ import annotations

from typing import Any

import pytest

from apps.classes.tests.factories import ClassWorkFactory, SchoolClassFactory
from apps.registration.access import actor_for_user
from apps.registration.tests.factories import SchoolFactory, grant, make_user
from apps.schoolday.checking import services as checking
from apps.schoolday.models import Person
from apps.schoolday.overview import selectors
from apps.schoolday.placement import services as placement
from apps.schoolday.tests.conftest import PASSWORD, Day
from apps.schoolday.tests.factories import PersonFactory


def _ready_russian(day: Day) -> None:
    """Place the Russian day, staff every room, and add an expert for each class."""
    sittings = placement.placement_propose(
        actor=day.actor, school_id=day.school.pk, work_id=day.russian.pk, date=day.date
    )
    observer = PersonFactory(school=day.school, duty=Person.Duty.OBSERVER)
    organizers = PersonFactory.create_batch(len(sittings), school=day.school)
    placement.staff_save(
        actor=day.actor,
        school_id=day.school.pk,
        work_id=day.russian.pk,
        date=day.date,
        staff=[
            placement.StaffInput(s.room_id, o.pk, (observer.pk,))
            for s, o in zip(sittings, organizers, strict=True)
        ],
    )


def _row(overview: selectors.Overview, day: Day, work: Any) -> selectors.DayReadiness:
    return next(r for r in overview.rows if r.school_id == day.school.pk and r.work == work)


@pytest.mark.django_db
def test_the_counts_of_a_school_day_follow_what_the_school_assigned(day: Day) -> None:
    # given nothing assigned yet
    overview = selectors.readiness(actor=day.municipal)
    row = _row(overview, day, day.russian)
    assert (row.classes, row.participants, row.placed, row.rooms) == (3, 64, 0, 0)
    assert not (row.placed_ok)
    assert not (row.organizers_ok)
    assert not (row.observers_ok)
    assert not (row.experts_ok)
    # when the Russian day is placed and staffed, and an expert who teaches 4А is added
    _ready_russian(day)
    PersonFactory(
        school=day.school,
        duty=Person.Duty.EXPERT,
        subjects=[day.russian.subject],
        teaches=[day.classes["4А"]],
    )
    row = _row(selectors.readiness(actor=day.municipal), day, day.russian)
    # then all participants are placed in three rooms, each with an organizer and observer
    assert (row.placed, row.rooms, row.rooms_with_organizer, row.rooms_with_observer) == (
        64,
        3,
        3,
        3,
    )
    assert row.placed_ok
    assert row.organizers_ok
    assert row.observers_ok
    # and the one expert cannot check 4А, the class they teach: not ready yet
    assert (row.experts, row.classes_with_expert) == (1, 2)
    assert not row.experts_ok
    assert not row.ready
    # when a second expert of the subject joins: still not ready until the codes are given
    PersonFactory(school=day.school, duty=Person.Duty.EXPERT, subjects=[day.russian.subject])
    for label, first in (("4А", 10001), ("4Б", 20001), ("4В", 30001)):
        day.codes(label, 2, first)
    assert not _row(selectors.readiness(actor=day.municipal), day, day.russian).experts_ok
    # when every code of the day is given to an expert (apps/schoolday/checking/)
    checking.checking_auto_assign(actor=day.actor, school_id=day.school.pk, work_id=day.russian.pk)
    overview = selectors.readiness(actor=day.municipal)
    row = _row(overview, day, day.russian)
    # then the day is ready; the Mathematics day is not
    assert row.experts_ok
    assert row.ready
    assert not _row(overview, day, day.math).ready
    assert (overview.total.days, overview.total.ready, overview.total.placed) == (2, 1, 1)
    # and the filters narrow the list, never the counts
    ready = selectors.readiness(actor=day.municipal, state=selectors.READY)
    assert [(r.work, r.date) for r in ready.rows] == [(day.russian, day.date)]
    assert ready.total.days == 2
    only_math = selectors.readiness(actor=day.municipal, work_id=day.math.pk)
    assert [r.work for r in only_math.rows] == [day.math]


@pytest.mark.django_db
def test_counts_per_unit_below_and_only_in_scope(day: Day) -> None:
    # given a school of another municipality of the same region, with a day of its own
    other = SchoolFactory(municipality__region=day.school.region, short_name="Другая школа")
    other_class = SchoolClassFactory(campaign=day.russian.campaign, school=other, grade=4)
    ClassWorkFactory(school_class=other_class, work=day.russian, date=day.date)
    regional = make_user("t_sd_regional", PASSWORD)
    grant(regional, "regional", day.school.region)
    _ready_russian(day)
    # when the regional coordinator reads the overview
    overview = selectors.readiness(actor=actor_for_user(regional))
    # then both municipalities are counted, each with its own schools and days
    assert overview.unit_label == "Муниципалитет"
    by_unit = {u.id: (u.schools, u.days, u.placed, u.organizers) for u in overview.units}
    assert by_unit[day.school.municipality_id] == (1, 2, 1, 1)
    assert by_unit[other.municipality_id] == (1, 1, 0, 0)
    assert overview.total.schools == 2
    # and one school's page of the overview holds that school only
    one = selectors.readiness(actor=actor_for_user(regional), school_id=other.pk)
    assert {r.school_id for r in one.rows} == {other.pk}
    assert (one.total.days, one.total.placed) == (1, 0)
    # and the municipal coordinator sees only its own school
    mine = selectors.readiness(actor=day.municipal)
    assert {r.school_id for r in mine.rows} == {day.school.pk}
    assert mine.units == []
    # and the federal level counts per region
    federal = make_user("t_sd_federal", PASSWORD)
    grant(federal, "federal", None)
    national = selectors.readiness(actor=actor_for_user(federal))
    assert national.unit_label == "Регион"
    assert {u.id: u.days for u in national.units}[day.school.region_id] == 3


@pytest.mark.django_db
def test_a_class_moved_to_another_day_no_longer_counts_as_placed(day: Day) -> None:
    # given the Russian day placed
    _ready_russian(day)
    # when 4В moves to another day
    cw = day.russian_works["4В"]
    cw.date = day.math_date
    cw.save(update_fields=["date"])
    overview = selectors.readiness(actor=day.municipal, work_id=day.russian.pk)
    first = next(r for r in overview.rows if r.date == day.date)
    moved = next(r for r in overview.rows if r.date == day.math_date)
    # then the first day still counts its two classes placed, the new day has nothing placed
    assert (first.participants, first.placed, first.placed_ok) == (46, 46, True)
    assert (moved.participants, moved.placed, moved.placed_ok) == (18, 0, False)


@pytest.mark.django_db
def test_the_overview_takes_a_fixed_number_of_queries(
    day: Day, django_assert_max_num_queries: Any
) -> None:
    _ready_russian(day)
    actor = day.municipal
    # +2 for the checking: the codes of the classes and those given to experts
    with django_assert_max_num_queries(13):
        overview = selectors.readiness(actor=actor)
    assert overview.total.days == 2
