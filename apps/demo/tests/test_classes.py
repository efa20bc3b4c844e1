"""The demo's classes (apps.demo.classes): the current campaign configured as in 2026, a register
for every demo school, the assignment published with its recorded seed, and the demo school's
organizer seeing its classes' assigned works and days. The clock is pinned."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.campaigns.models import CampaignGrade, Participation, SchoolWorkDate
from apps.classes.audit import ClassesAudit
from apps.classes.models import AssignmentRun, ClassWork, SchoolClass
from apps.classes.selectors import class_works_of_school
from apps.core.models import AuditEvent
from apps.demo import classes as demo_classes
from apps.demo import country
from apps.demo.calendar import SUNDAY, DemoCalendar, demo_calendar
from apps.demo.campaigns import (
    DEMO_SCHOOL,
    demo_campaigns_seed,
    demo_schedule_seed,
    participation_of,
)
from apps.demo.seed import calendar_lines, demo_build
from apps.registration.access import actor_for_user
from apps.registration.constants import SchoolStatus, SchoolType
from apps.registration.models import School, User

pytestmark = pytest.mark.django_db


def test_the_2026_configuration_of_subjects() -> None:
    # grade 4 writes Русский язык and Математика, the rest of its works are assigned
    assert participation_of("russian", 4) == Participation.COMPULSORY
    assert participation_of("math", 4) == Participation.COMPULSORY
    assert participation_of("world", 4) == Participation.ASSIGNED
    assert participation_of("english", 4) == Participation.ASSIGNED
    # grades 5–8 write Русский язык and Математика; grade 10 only assigned subjects
    assert participation_of("math", 7) == Participation.COMPULSORY
    assert participation_of("history", 7) == Participation.ASSIGNED
    assert participation_of("math", 10) == Participation.ASSIGNED


def test_the_current_campaign_has_its_grades_and_pools(pinned: DemoCalendar) -> None:
    # when the campaigns are seeded
    made = demo_campaigns_seed(pinned)
    # then the current one assigns one subject in grade 4 and two in 5–8 and 10
    grades = dict(
        CampaignGrade.objects.filter(campaign=made.current).values_list("grade", "assigned_count")
    )
    assert grades == {4: 1, 5: 2, 6: 2, 7: 2, 8: 2, 10: 2}
    # and every grade's pool is larger than the number assigned (the run has a choice)
    for grade, count in grades.items():
        pool = made.current.works.filter(grade=grade, participation=Participation.ASSIGNED)
        assert pool.count() > count, grade
    compulsory = made.current.works.filter(participation=Participation.COMPULSORY)
    assert set(compulsory.values_list("subject__code", flat=True)) == {"russian", "math"}
    assert made.current.works.filter(computer_allowed=True).exists()
    # and the finished campaign keeps its history: every work compulsory, nothing assigned
    assert not made.finished.works.filter(participation=Participation.ASSIGNED).exists()


def test_the_demo_has_registers_a_published_run_and_class_days(pinned: DemoCalendar) -> None:
    # when the demo is built (twice: the second run adds nothing)
    report = demo_build(today=pinned.today)
    classes_before = SchoolClass.objects.count()
    again = demo_build(today=pinned.today)
    current = report.campaigns.current
    assert report.classes is not None
    assert again.classes is not None
    assert again.classes.classes == 0
    assert SchoolClass.objects.count() == classes_before
    assert AssignmentRun.objects.filter(campaign=current).count() == 1

    # then every active school (СПО aside) has a register in the current campaign only
    schools = School.objects.filter(status=SchoolStatus.ACTIVE).exclude(
        school_type=SchoolType.COLLEGE
    )
    with_register = set(
        SchoolClass.objects.filter(campaign=current).values_list("school_id", flat=True)
    )
    assert schools.count() > 10
    assert set(schools.values_list("pk", flat=True)) == with_register
    assert not SchoolClass.objects.exclude(campaign=current).exists()
    # with plausible counts and a few classes with ОВЗ
    registered = SchoolClass.objects.filter(campaign=current)
    assert all(1 <= c.pupils <= 30 and c.pupils_ovz <= c.pupils for c in registered)
    assert 0 < registered.filter(pupils_ovz__gt=0).count() < registered.count()
    assert set(registered.values_list("grade", flat=True)) == {4, 5, 6, 7, 8, 10}

    # and the run is published with its recorded seed, a week before the first period
    run = AssignmentRun.objects.get(campaign=current)
    assert run.status == AssignmentRun.Status.PUBLISHED
    assert run.seed == demo_classes.DEMO_SEED
    assert run.publish_on == demo_classes.publish_day(pinned) < pinned.current.plan.start
    assert run.stats["classes"] == registered.count()
    assert f"(зерно {demo_classes.DEMO_SEED})" in "\n".join(calendar_lines(report))
    # every class of grade 5 has exactly two assigned works and its two compulsory ones
    fifth = registered.filter(grade=5).first()
    assert fifth is not None
    sources = sorted(fifth.works.values_list("source", flat=True))
    assert sources == ["assigned", "assigned", "compulsory", "compulsory"]

    # and the demo school's organizer sees its classes' assigned works
    school = School.objects.get(code=DEMO_SCHOOL)
    actor = actor_for_user(User.objects.get(username=DEMO_SCHOOL))
    seen = class_works_of_school(actor=actor, school_id=school.pk, campaign_id=current.pk)
    assigned = seen.filter(source=ClassWork.Source.ASSIGNED)
    assert assigned.filter(school_class__grade=4).count() == 3  # one per 4th class
    assert assigned.count() == 3 + 2 * (2 + 2 + 2 + 2 + 1)
    # with its days: Русский язык 4 yesterday for every 4th class, Русский язык 8 tomorrow
    russian4 = seen.filter(work__subject__code="russian", work__grade=4)
    assert [cw.date for cw in russian4] == [pinned.yesterday] * 3
    russian8 = seen.filter(work__subject__code="russian", work__grade=8)
    assert [cw.date for cw in russian8] == [pinned.tomorrow] * 2
    world4 = seen.filter(work__subject__code="world", work__grade=4)
    assert world4.exists()
    assert all(cw.date == pinned.tomorrow for cw in world4)
    # Математика 4 has no day (its reserve day is pending)
    math4 = seen.filter(work__subject__code="math", work__grade=4)
    assert math4.count() == 3
    assert all(cw.date is None for cw in math4)


def test_registers_are_deterministic_by_school_code(pinned: DemoCalendar) -> None:
    # given the demo country
    call_command("seed_demo", "--today", pinned.today.isoformat(), verbosity=0)
    # then the register of a school is computed from its code alone
    school = School.objects.exclude(code=DEMO_SCHOOL).order_by("code").first()
    assert school is not None
    register = demo_classes.register_of(school.code, school.school_type)
    assert register == demo_classes.register_of(school.code, school.school_type)
    stored = {
        (c.grade, c.letter, c.pupils, c.pupils_ovz)
        for c in SchoolClass.objects.filter(school=school)
    }
    expected = {
        (grade, letter, pupils, ovz)
        for grade, rows in register.items()
        for letter, pupils, ovz in rows
    }
    assert stored == expected


def test_registers_go_in_one_bulk_call_and_audit_row_per_region(pinned: DemoCalendar) -> None:
    # when the demo is built
    report = demo_build(today=pinned.today)
    assert report.classes is not None
    # then each region's schools got their registers in one call, audited once for the region
    events = AuditEvent.objects.filter(action=ClassesAudit.REGISTERS_LOAD)
    regions = set(
        SchoolClass.objects.filter(campaign=report.campaigns.current).values_list(
            "region_id", flat=True
        )
    )
    assert len(regions) == len(country.SMALL_REGIONS)
    assert sorted(e.region_id for e in events) == sorted(regions)
    assert all(e.municipality_id is None and e.school_id is None for e in events)
    assert sum(e.details["classes"] for e in events) == report.classes.classes
    assert report.classes.classes == SchoolClass.objects.count()


def _next(weekday: int) -> dt.date:
    """The next day (after today) falling on ``weekday``."""
    today = timezone.localdate()
    return today + dt.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _days_of(school_code: str, subject: str, grade: int) -> set[dt.date]:
    return set(
        ClassWork.objects.filter(
            school_class__school__code=school_code,
            work__subject__code=subject,
            work__grade=grade,
            date__isnull=False,
        ).values_list("date", flat=True)
    )


@pytest.mark.parametrize(
    ("weekday", "written", "writes"),
    [(0, -2, 1), (5, -1, 2)],
    ids=["on a Monday (yesterday a Sunday)", "on a Saturday (tomorrow a Sunday)"],
)
def test_the_demo_school_writes_on_no_sunday(
    time_machine: Any, weekday: int, written: int, writes: int
) -> None:
    # given the clock at noon in Moscow on the next Monday or Saturday
    day = _next(weekday)
    noon = dt.datetime.combine(day, dt.time(12, 0), tzinfo=ZoneInfo("Europe/Moscow"))
    time_machine.move_to(noon, tick=False)
    calendar = demo_calendar(day)
    # when the demo's country, campaigns, school days and classes are seeded
    country.demo_seed(size=country.SMALL)
    country.demo_accounts_ensure()
    made = demo_campaigns_seed(calendar)
    demo_schedule_seed(calendar)
    seeded = demo_classes.demo_classes_seed(calendar, current=made.current)
    # then no class day and no school day is a Sunday
    class_days = set(ClassWork.objects.filter(date__isnull=False).values_list("date", flat=True))
    school_days = set(SchoolWorkDate.objects.values_list("date", flat=True))
    assert seeded.days > 0
    assert class_days
    assert all(d.weekday() != SUNDAY for d in class_days | school_days)
    # the work written yesterday was written on the Saturday before a Monday, the works of
    # tomorrow are written on the Monday after a Saturday
    assert _days_of(DEMO_SCHOOL, "russian", 4) == {day + dt.timedelta(days=written)}
    assert _days_of(DEMO_SCHOOL, "world", 4) == {day + dt.timedelta(days=writes)}
    assert _days_of(DEMO_SCHOOL, "russian", 8) == {day + dt.timedelta(days=writes)}
    # and the school's day of each of those works is its classes' day
    for school_day in SchoolWorkDate.objects.filter(school__code=DEMO_SCHOOL):
        key = (school_day.work.subject.code, school_day.work.grade)
        assert _days_of(DEMO_SCHOOL, *key) == {school_day.date}, key


def test_the_pending_reserve_day_asks_for_one_class_and_its_approval_moves_it(
    pinned: DemoCalendar,
) -> None:
    # given the demo (its pending reserve day for Математика 4)
    from apps.campaigns.models import ReserveDayRequest
    from apps.campaigns.services import reserve_day_decide

    demo_build(today=pinned.today)
    school = School.objects.get(code=DEMO_SCHOOL)
    request = ReserveDayRequest.objects.get(school=school, status=ReserveDayRequest.Status.PENDING)
    math4 = ClassWork.objects.filter(
        school_id=school.pk, work=request.work, school_class__is_active=True
    )
    # then it asks for «4В» as a school with a register asks: named and linked
    assert request.classes == "4В"
    assert [cw.school_class.label for cw in math4.filter(reserve=request)] == ["4В"]
    # when the regional coordinator approves it
    regional = User.objects.get(username="reg66")  # the demo school's regional coordinator
    reserve_day_decide(
        actor=actor_for_user(regional),
        request_id=request.pk,
        verdict=ReserveDayRequest.Status.APPROVED,
    )
    # then 4В writes on the reserve day, the other classes keep no day, and the school's day is
    # the first class day — the reserve day, marked as such
    days = {cw.school_class.label: cw.date for cw in math4.select_related("school_class")}
    assert days == {"4А": None, "4Б": None, "4В": request.requested_date}
    row = SchoolWorkDate.objects.get(school=school, work=request.work)
    assert (row.date, row.reserve_id) == (request.requested_date, request.pk)
