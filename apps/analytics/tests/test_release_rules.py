"""A school's report opens on the plan-graph release date when it uploaded by the plan-graph
deadline, even after a late reserve day; only a work uploaded after that deadline moves."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from apps.analytics import selectors as sel
from apps.analytics.models import WorkAggregate
from apps.analytics.services import analytics_school_refresh
from apps.analytics.tests.factories import A1A, put_results
from apps.campaigns import schedule
from apps.campaigns.models import SchoolWorkDate, Work
from apps.campaigns.tests.factories import SubjectFactory, WorkFactory
from apps.classes.tests.factories import ClassWorkFactory, SchoolClassFactory
from apps.core.scoping import Level
from apps.registration.access import actor_for_user
from apps.results.models import ResultSheet, ResultVersion
from conftest import World

COLUMNS = [("1", 2, "Б"), ("2", 2, "Б"), ("3", 2, "П")]


def _work(code: str) -> Work:
    return WorkFactory(
        subject=SubjectFactory(code=code, name=code),
        max_score=6,
        mark3_from=2,
        mark4_from=4,
        mark5_from=6,
        columns=COLUMNS,
    )


def _held(school: Any, work: Work, day: dt.date) -> None:
    SchoolWorkDate.objects.create(
        school=school,
        work=work,
        date=day,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )


def _uploaded(school: Any, work: Work, at: dt.datetime) -> WorkAggregate:
    """The school's results of the work, accepted at ``at`` (its current version)."""
    put_results(school, work, A1A)
    sheet = ResultSheet.objects.get(school=school, work=work)
    version = ResultVersion.objects.filter(sheet=sheet).order_by("-number").first()
    assert version is not None
    ResultVersion.objects.filter(pk=version.pk).update(uploaded_at=at)
    sheet.current_version = version
    sheet.save(update_fields=["current_version", "updated_at"])
    analytics_school_refresh(school_id=school.pk, work_id=work.pk)
    return WorkAggregate.objects.get(work=work, level=Level.SCHOOL, unit_id=school.pk)


def _local(school: Any, day: dt.date, hour: int = 0) -> dt.datetime:
    return schedule.at_local(day, dt.time(hour, 0), school.time_zone)


@pytest.mark.django_db
def test_on_time_upload_after_a_late_reserve_day_opens_on_the_plan_graph_date(
    world: World,
) -> None:
    # given A1a held the work on a reserve day 3 days after the period and uploaded on the
    # plan-graph's last upload day
    school = world.schools["A1a"]
    work = _work("russian")
    _held(school, work, work.period_end + dt.timedelta(days=3))
    agg = _uploaded(school, work, _local(school, work.results_upload_deadline, 20))
    organizer = actor_for_user(world.users["school_organizer"])
    # then its report opens at 00:00 school-local on the plan-graph release date
    plan_date = _local(school, work.results_release_date)
    assert sel.release_instant(agg, school) == plan_date
    with time_machine.travel(plan_date + dt.timedelta(hours=1), tick=False):
        report = sel.report_get(actor=organizer, pk=agg.pk)
    assert report.embargo_until is None
    assert report.own.aggregate.pk == agg.pk


@pytest.mark.django_db
def test_a_late_upload_moves_only_that_work(world: World) -> None:
    # given A1a held one work on a reserve day 3 days after the period and uploaded it after
    # the plan-graph deadline (inside its own moved one), and held another inside the period
    school = world.schools["A1a"]
    late_work = _work("russian")
    other = _work("math")
    _held(school, late_work, late_work.period_end + dt.timedelta(days=3))
    _held(school, other, other.period_start)
    late_agg = _uploaded(
        school, late_work, _local(school, late_work.results_upload_deadline + dt.timedelta(days=2))
    )
    other_agg = _uploaded(school, other, _local(school, other.results_upload_deadline, 9))
    organizer = actor_for_user(world.users["school_organizer"])
    # when it opens both reports a day after the plan-graph release date
    moment = _local(school, late_work.results_release_date + dt.timedelta(days=1), 12)
    with time_machine.travel(moment, tick=False):
        late = sel.report_get(actor=organizer, pk=late_agg.pk)
        on_time = sel.report_get(actor=organizer, pk=other_agg.pk)
    # then the late work waits three days more, until school-local midnight
    assert late.embargo_until == _local(
        school, late_work.results_release_date + dt.timedelta(days=3)
    )
    assert late.rows == []
    # and the school's other work is out on the plan-graph date
    assert on_time.embargo_until is None
    assert sel.release_instant(other_agg, school) == _local(school, other.results_release_date)


@pytest.mark.django_db
def test_a_class_on_a_late_reserve_day_moves_a_late_upload_by_the_last_class_day(
    world: World,
) -> None:
    # given A1a keeps a register: 4А wrote inside the period (the school's day), 4Б on a
    # reserve day 4 days after it; the upload came after the plan-graph deadline
    school = world.schools["A1a"]
    work = _work("russian")
    _held(school, work, work.period_start)
    for letter, number, day in (
        ("А", 1, work.period_start),
        ("Б", 2, work.period_end + dt.timedelta(days=4)),
    ):
        school_class = SchoolClassFactory(
            school=school, campaign=work.campaign, grade=work.grade, letter=letter, number=number
        )
        ClassWorkFactory(school_class=school_class, work=work, date=day)
    late = _local(school, work.results_upload_deadline + dt.timedelta(days=2))
    agg = _uploaded(school, work, late)
    # then the report waits four days more than the plan-graph date (the last class day)
    assert sel.release_instant(agg, school) == _local(
        school, work.results_release_date + dt.timedelta(days=4)
    )
    # and an upload by the plan-graph deadline keeps the plan-graph date, whatever the classes
    on_time = _uploaded(school, work, _local(school, work.results_upload_deadline, 9))
    assert sel.release_instant(on_time, school) == _local(school, work.results_release_date)
