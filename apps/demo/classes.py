"""Demo classes (docs/classes.md): the current campaign's class registers, its published
assignment of subjects to classes, and the demo school's class days.

* Registers: every active school (organizations of СПО aside: they do not write the school ВПР)
  gets a few classes per grade of the campaign, by its type (a primary school only grade 4, a
  basic one 4–8, an evening one 8 and 10, the rest 4–8 and 10), from a ``random.Random`` seeded
  by the school's code: the same school always has the same classes (letters А, Б, В; counts of
  pupils plausible; a few with ОВЗ, most of them in a correctional school). The demo school has a
  fixed register (three 4th classes, two of 5–8, one 10th). ``register_of`` needs only what the
  country's generator gives (a school's code and type), so the national set of classes can be
  built without a database (the assignment's national-size test does). Registers enter through
  the register's bulk service ``classes_bulk_create`` (the same classes and works as
  ``class_new`` one by one), one call and one audit row per region, schools in code order: a
  national database gets a register for every school (~38,600 schools, ~402,000 classes;
  bench/README.md gives the times).
* The assignment: one run with the recorded ``DEMO_SEED``, published by the system actor with
  ``publish_on`` a week before the first period (``assignment_run`` / ``assignment_publish``):
  schools see their assigned works. Reseeding keeps the published run; a class added later gets
  its works from it.
* The demo school's days, as its days per work (``apps.demo.campaigns``): Русский язык 4 —
  yesterday for every 4th class; Окружающий мир 4 (the classes it was assigned to) and Русский
  язык 8 — tomorrow; never a Sunday (the Saturday before, the Monday after:
  ``DemoCalendar.written_on`` / ``writes_on``); Математика 4 stays without a day (its reserve
  day, asked for «4В», is pending: ``_reserve_by_class``). A future day goes through
  ``class_work_date_set`` as the school organizer; a day already begun is written directly (the
  service refuses it, rightly, for a real school).

The finished campaign keeps its history: no register there (it ran before the classes).
Idempotent: a school that already has classes is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from itertools import groupby

from django.db import transaction

from apps.campaigns.actions import CampaignActions
from apps.campaigns.models import Campaign, CampaignGrade, ReserveDayRequest
from apps.classes.actions import ClassActions
from apps.classes.assignment.services import assignment_publish, assignment_run
from apps.classes.models import AssignmentRun, ClassWork, SchoolClass
from apps.classes.register.bulk import classes_bulk_create
from apps.classes.register.rules import ClassInput
from apps.classes.selectors import school_today
from apps.classes.timetable.services import class_work_date_set
from apps.demo.calendar import DemoCalendar
from apps.demo.campaigns import DEMO_SCHOOL, RESERVE_WORK, TOMORROW_WORKS, YESTERDAY_WORKS
from apps.registration.access import A, Actor, actor_for_user
from apps.registration.constants import SchoolStatus, SchoolType
from apps.registration.models import School, User

DEMO_SEED = 7_340_251_987  # the recorded seed of the demo's assignment run
PUBLISH_BEFORE_START = 7  # days between publication and the first period day
LETTERS = "АБВ"
RESERVE_CLASS_LETTER = "В"  # the class of the demo school's pending reserve day

# Grades a school of each type teaches (of the campaign's: 4–8 and 10) and its classes per grade.
_PRIMARY = (4,)
_BASIC = (4, 5, 6, 7, 8)
_FULL = (4, 5, 6, 7, 8, 10)
_GRADES: dict[str, tuple[int, ...]] = {
    SchoolType.NOSH: _PRIMARY,
    SchoolType.OOSH: _BASIC,
    SchoolType.EVENING: (8, 10),
    SchoolType.CORRECTIONAL: _BASIC,
    SchoolType.BOARDING: _FULL,
}
_ONE_CLASS = frozenset(
    {SchoolType.NOSH, SchoolType.OOSH, SchoolType.EVENING, SchoolType.CORRECTIONAL}
)
# The demo school's register: grade → classes (letter, pupils, with ОВЗ).
DEMO_REGISTER: dict[int, tuple[tuple[str, int, int], ...]] = {
    4: (("А", 26, 1), ("Б", 25, 0), ("В", 22, 2)),
    5: (("А", 28, 1), ("Б", 27, 0)),
    6: (("А", 27, 0), ("Б", 26, 1)),
    7: (("А", 25, 2), ("Б", 24, 0)),
    8: (("А", 26, 0), ("Б", 23, 1)),
    10: (("А", 21, 0),),
}


@dataclass(frozen=True)
class DemoClasses:
    schools: int = 0  # schools whose register was written on this run
    classes: int = 0  # classes created on this run
    run: AssignmentRun | None = None
    days: int = 0  # class days set on this run


def _system() -> Actor:
    return Actor.system(reason="seed_demo")


def register_of(code: str, school_type: str) -> dict[int, list[tuple[str, int, int]]]:
    """A school's demo register (grade → (letter, pupils, with ОВЗ)) from its code and type (a
    ``School`` or the country generator's ``SchoolRow``); deterministic."""
    if code == DEMO_SCHOOL:
        return {grade: list(rows) for grade, rows in DEMO_REGISTER.items()}
    rng = random.Random(f"demo-classes:{code}")
    kind = school_type
    correctional = kind == SchoolType.CORRECTIONAL
    register: dict[int, list[tuple[str, int, int]]] = {}
    for grade in _GRADES.get(kind, _FULL):
        if kind in _ONE_CLASS:
            count = 1
        else:
            count = rng.choice((1, 2)) if grade == 10 else rng.choice((1, 2, 2, 3, 3))
        rows = []
        for letter in LETTERS[:count]:
            if correctional:
                pupils = rng.randint(8, 12)
                ovz = pupils - rng.randint(0, 2)
            else:
                pupils = rng.randint(9, 18) if count == 1 else rng.randint(20, 30)
                ovz = rng.choice((0, 0, 0, 0, 1, 1, 2, 3))
            rows.append((letter, pupils, min(ovz, pupils)))
        register[grade] = rows
    return register


def register_inputs(code: str, school_type: str, grades: set[int]) -> list[ClassInput]:
    """A school's demo register as the register's input, numbered 1.. per grade, grades of the
    campaign only (in grade order)."""
    return [
        ClassInput(grade, letter, number, pupils, pupils_ovz=ovz)
        for grade, rows in sorted(register_of(code, school_type).items())
        if grade in grades
        for number, (letter, pupils, ovz) in enumerate(rows, start=1)
    ]


def _without_register(campaign: Campaign) -> list[tuple[int, str, str, int]]:
    """(pk, code, type, region) of the active schools (СПО aside) with no class in the
    campaign yet, in code order."""
    with_register = set(
        SchoolClass.objects.for_actor(_system(), ClassActions.VIEW_CLASSES)
        .filter(campaign=campaign)
        .values_list("school_id", flat=True)
        .distinct()
    )
    schools = (
        School.objects.for_actor(_system(), A.VIEW_SCHOOL)
        .filter(status=SchoolStatus.ACTIVE)
        .exclude(school_type=SchoolType.COLLEGE)
        .order_by("code")
        .values_list("pk", "code", "school_type", "region_id")
    )
    return [row for row in schools if row[0] not in with_register]


def _registers(campaign: Campaign) -> tuple[int, int]:
    """The registers of the schools that have none yet, one bulk call per region;
    (schools, classes) written."""
    grades = set(
        CampaignGrade.objects.filter(  # unscoped: national reference data of the campaign
            campaign=campaign
        ).values_list("grade", flat=True)
    )
    written = classes = 0
    for _region, rows in groupby(_without_register(campaign), key=lambda row: row[3]):
        registers = {pk: register_inputs(code, kind, grades) for pk, code, kind, _ in rows}
        made = classes_bulk_create(actor=_system(), campaign_id=campaign.pk, registers=registers)
        written += len(registers)
        classes += made.classes
    return written, classes


def publish_day(calendar: DemoCalendar) -> dt.date:
    """The day schools see the assignment: a week before the current campaign's first period."""
    return calendar.current.plan.start - dt.timedelta(days=PUBLISH_BEFORE_START)


def _assignment(calendar: DemoCalendar, campaign: Campaign) -> AssignmentRun:
    """The campaign's published run: the existing one, else run and published now."""
    actor = _system()
    runs = AssignmentRun.objects.for_actor(actor, ClassActions.RUN_ASSIGNMENT).filter(
        campaign=campaign
    )
    published = runs.filter(status=AssignmentRun.Status.PUBLISHED).first()
    if published is not None:
        return published
    day = publish_day(calendar)
    run = assignment_run(actor=actor, campaign_id=campaign.pk, seed=DEMO_SEED, publish_on=day)
    return assignment_publish(actor=actor, run_id=run.pk, publish_on=day)


def _days(calendar: DemoCalendar, campaign: Campaign) -> int:
    """The demo school's class days (see the module docstring); returns days set."""
    school = School.objects.for_actor(_system(), A.VIEW_SCHOOL).filter(code=DEMO_SCHOOL).first()
    user = User.objects.filter(username=DEMO_SCHOOL).first()
    if school is None or user is None:
        return 0
    plan = [(key, calendar.written_on(key[0])) for key in YESTERDAY_WORKS]
    plan += [(key, calendar.writes_on(key[0])) for key in TOMORROW_WORKS]
    local_today = school_today(school)
    organizer = actor_for_user(user)
    set_days = 0
    for (subject, grade), day in plan:
        if (subject, grade) == RESERVE_WORK:
            continue
        rows = (
            ClassWork.objects.for_actor(_system(), ClassActions.VIEW_CLASSES)
            .filter(
                school_id=school.pk,
                school_class__campaign=campaign,
                school_class__is_active=True,
                work__subject__code=subject,
                work__grade=grade,
            )
            .exclude(date=day)
            .select_related("work")
        )
        for row in rows:
            if not row.work.period_start <= day <= row.work.period_end:
                continue
            if day > local_today:
                class_work_date_set(actor=organizer, class_work_id=row.pk, date=day)
            else:  # a day already begun: the service refuses it for a real school
                row.date, row.date_set_by = day, user
                row.save(update_fields=["date", "date_set_by", "updated_at"])
            set_days += 1
    return set_days


@transaction.atomic
def demo_classes_seed(calendar: DemoCalendar, *, current: Campaign) -> DemoClasses:
    """Registers, the published assignment and the demo school's class days (current campaign)."""
    schools, classes = _registers(current)
    if (
        not SchoolClass.objects.for_actor(_system(), ClassActions.VIEW_CLASSES)
        .filter(campaign=current)
        .exists()
    ):
        return DemoClasses(schools, classes)
    run = _assignment(calendar, current)
    days = _days(calendar, current)
    _reserve_by_class(current)
    return DemoClasses(schools, classes, run, days)


def _reserve_by_class(campaign: Campaign) -> None:
    """The demo school's pending reserve day for Математика 4 (``apps.demo.campaigns``) asks for
    one class, «4В», as a school with a register asks (docs/adr/0020): the request names it and
    the class's work is linked, so the regional coordinator's approval moves that class."""
    subject, grade = RESERVE_WORK
    row = (
        ClassWork.objects.for_actor(_system(), ClassActions.VIEW_CLASSES)
        .filter(
            school_class__school__code=DEMO_SCHOOL,
            school_class__campaign=campaign,
            school_class__is_active=True,
            school_class__grade=grade,
            school_class__letter=RESERVE_CLASS_LETTER,
            work__subject__code=subject,
            work__grade=grade,
        )
        .select_related("school_class")
        .first()
    )
    if row is None or row.reserve_id is not None:
        return
    request = (
        ReserveDayRequest.objects.for_actor(_system(), CampaignActions.VIEW_RESERVE_DAYS)
        .filter(
            school_id=row.school_id, work_id=row.work_id, status=ReserveDayRequest.Status.PENDING
        )
        .first()
    )
    if request is None:
        return
    request.classes = row.school_class.label
    request.save(update_fields=["classes", "updated_at"])
    row.reserve = request
    row.save(update_fields=["reserve", "updated_at"])
