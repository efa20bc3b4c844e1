"""Demo campaigns: the finished spring, the live current campaign and the upcoming one, dated by
``apps.demo.calendar`` from the day the demo is built; the demo school's days.

Work structures (``data/works.json``): Русский язык 4 класс is the public 2026 form (15 score
columns, maximum 24, «3» from 10, «4» from 16, «5» from 21); the others are synthetic but
plausible (maxima, levels and scales in the style of the 2025–2026 forms, sub-labels such as
«1К1» for criteria). Only the dates move with the day; the structures stay.
Idempotent: works are created or replaced through the same code the works import uses.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction

from apps.campaigns.models import (
    Campaign,
    CampaignGrade,
    Participation,
    ReserveDayRequest,
    SchoolWorkDate,
    Subject,
    Work,
)
from apps.campaigns.rules import ColumnSpec, WorkSpec
from apps.campaigns.services import _apply_spec
from apps.demo import data
from apps.demo.calendar import CampaignDates, DemoCalendar, SessionPlan
from apps.demo.data import as_int, as_list, as_object, as_str, as_strs
from apps.registration.access import A, Actor
from apps.registration.models import School, User

DEMO_SCHOOL = "edu660101"


@dataclass(frozen=True)
class Structure:
    """A work's form columns as ФИС ОКО writes them, its levels and scale (3, 4, 5 from)."""

    header: str
    advanced: frozenset[str]
    scale: tuple[int, int, int]
    minutes: int = 45
    high: frozenset[str] = frozenset()


def _works_file() -> dict[str, object]:
    return as_object(data.load("works.json"), "works.json")


def _subjects() -> dict[str, str]:
    subjects = as_object(_works_file()["subjects"], "works.json subjects")
    return {code: as_str(name, f"works.json subjects.{code}") for code, name in subjects.items()}


def _topics() -> dict[str, tuple[str, ...]]:
    topics = as_object(_works_file()["topics"], "works.json topics")
    return {code: as_strs(items, f"works.json topics.{code}") for code, items in topics.items()}


def _structures() -> dict[tuple[str, int], Structure]:
    out: dict[tuple[str, int], Structure] = {}
    for i, raw in enumerate(as_list(_works_file()["works"], "works.json works")):
        where = f"works.json works[{i}]"
        w = as_object(raw, where)
        m3, m4, m5 = (as_int(x, f"{where}.scale") for x in as_list(w["scale"], f"{where}.scale"))
        key = (as_str(w["subject"], f"{where}.subject"), as_int(w["grade"], f"{where}.grade"))
        out[key] = Structure(
            header=as_str(w["columns"], f"{where}.columns"),
            advanced=frozenset(as_str(w["advanced"], f"{where}.advanced").split()),
            scale=(m3, m4, m5),
            minutes=as_int(w["minutes"], f"{where}.minutes"),
            high=frozenset(as_str(w["high"], f"{where}.high").split()),
        )
    return out


SUBJECTS: dict[str, str] = _subjects()
# (subject, grade) → structure. Русский язык 4 класс is the public 2026 form.
STRUCTURES: dict[tuple[str, int], Structure] = _structures()
_TOPICS: dict[str, tuple[str, ...]] = _topics()

_HEADER_RE = re.compile(r"(\S+) \((\d+)б\)")


def columns_of(subject: str, structure: Structure) -> tuple[ColumnSpec, ...]:
    """The task columns of a structure, each with its level and a planned result."""
    topics = _TOPICS[subject]
    columns = []
    for i, (label, maximum) in enumerate(_HEADER_RE.findall(structure.header)):
        level = "П" if label in structure.advanced else "В" if label in structure.high else "Б"
        columns.append(ColumnSpec(label, int(maximum), level, topics[i % len(topics)]))
    return tuple(columns)


def work_specs(plan: SessionPlan) -> list[WorkSpec]:
    """Every demo work laid out on a session's plan."""
    specs = []
    for (subject, grade), structure in STRUCTURES.items():
        columns = columns_of(subject, structure)
        m3, m4, m5 = structure.scale
        specs.append(
            WorkSpec(
                subject_code=subject,
                subject_name=SUBJECTS[subject],
                grade=grade,
                max_score=sum(c.max_score for c in columns),
                mark3_from=m3,
                mark4_from=m4,
                mark5_from=m5,
                duration_minutes=structure.minutes,
                encrypted_archive=grade == 8,
                variants_per_school=2,
                columns=columns,
                **plan.work_dates(subject, grade),  # type: ignore[arg-type]
            )
        )
    return specs


@dataclass(frozen=True)
class CampaignSeed:
    campaign: Campaign
    works: int
    created: bool


def _campaign(dates: CampaignDates, *, active: bool) -> tuple[Campaign, bool]:
    campaign, created = Campaign.objects.get_or_create(
        year=dates.year,
        session=dates.session,
        defaults={
            "name": dates.name,
            "application_deadline": dates.application_deadline,
            "is_active": active,
        },
    )
    campaign.name = dates.name
    campaign.application_deadline = dates.application_deadline
    campaign.is_active = active
    campaign.save()
    return campaign, created


# Since 2025 the ВПР runs per class (docs/classes.md): the current and the upcoming campaign are
# configured as in 2026. Grade 4 writes Русский язык and Математика, and one subject of its pool
# is assigned to each class; grades 5–8 write Русский язык and Математика, and two subjects are
# assigned; grade 10 writes only two assigned subjects. The finished campaign keeps its history:
# every work compulsory, no assignment.
ASSIGNED_PER_CLASS: dict[int, int] = {4: 1, 5: 2, 6: 2, 7: 2, 8: 2, 10: 2}
COMPULSORY_SUBJECTS: dict[int, frozenset[str]] = {
    4: frozenset({"russian", "math"}),
    5: frozenset({"russian", "math"}),
    6: frozenset({"russian", "math"}),
    7: frozenset({"russian", "math"}),
    8: frozenset({"russian", "math"}),
    10: frozenset(),
}
# Assigned works the school may hold on computer instead of paper.
COMPUTER_SUBJECTS = frozenset({"history", "biology"})


def participation_of(subject: str, grade: int) -> str:
    """A demo work's participation in a campaign run by class (the 2026 configuration)."""
    compulsory = subject in COMPULSORY_SUBJECTS.get(grade, frozenset())
    return Participation.COMPULSORY if compulsory else Participation.ASSIGNED


def _by_class(campaign: Campaign) -> None:
    """The 2026 configuration: assigned subjects per class of each grade, each work's
    participation and whether it may be held on computer (written directly, as the rest of the
    campaign data: the grade services belong to the federal operator's account)."""
    for row in CampaignGrade.objects.filter(campaign=campaign):
        count = ASSIGNED_PER_CLASS.get(row.grade, 0)
        if row.assigned_count != count:
            row.assigned_count = count
            row.save(update_fields=["assigned_count"])
    for work in campaign.works.select_related("subject"):
        participation = participation_of(work.subject.code, work.grade)
        computer = (
            participation == Participation.ASSIGNED and work.subject.code in COMPUTER_SUBJECTS
        )
        if (work.participation, work.computer_allowed) != (participation, computer):
            work.participation, work.computer_allowed = participation, computer
            work.save(update_fields=["participation", "computer_allowed", "updated_at"])


def _works(campaign: Campaign, specs: list[WorkSpec], *, by_class: bool = False) -> None:
    subjects = {}
    for code, name in SUBJECTS.items():
        subjects[code], _ = Subject.objects.get_or_create(code=code, defaults={"name": name})
    # The campaign's grades (CampaignGrade rows) come first: a work's grade is one of them.
    for grade in sorted({spec.grade for spec in specs}):
        CampaignGrade.objects.get_or_create(campaign=campaign, grade=grade)
    existing = {(w.subject.code, w.grade): w for w in campaign.works.select_related("subject")}
    for spec in specs:
        work = existing.get(spec.key) or Work(campaign=campaign)
        _apply_spec(work, spec, subjects[spec.subject_code])
    if by_class:
        _by_class(campaign)


@dataclass(frozen=True)
class DemoCampaigns:
    finished: Campaign
    current: Campaign
    upcoming: Campaign
    seeds: tuple[CampaignSeed, ...]


@transaction.atomic
def demo_campaigns_seed(calendar: DemoCalendar) -> DemoCampaigns:
    """Create or refresh the three demo campaigns; the live one is the current campaign."""
    made: dict[str, tuple[Campaign, bool]] = {}
    for role, dates in (
        ("finished", calendar.finished),
        ("current", calendar.current),
        ("upcoming", calendar.upcoming),
    ):
        campaign, created = _campaign(dates, active=role == "current")
        _works(campaign, work_specs(dates.plan), by_class=role != "finished")
        made[role] = (campaign, created)
    current = made["current"][0]
    Campaign.objects.exclude(pk=current.pk).filter(is_active=True).update(is_active=False)
    seeds = tuple(CampaignSeed(c, c.works.count(), new) for c, new in made.values())
    return DemoCampaigns(made["finished"][0], current, made["upcoming"][0], seeds)


_SYSTEM = Actor.system(reason="seed_demo")

# The demo school's days in the current campaign (see ``apps.demo.calendar``).
YESTERDAY_WORKS = (("russian", 4),)
TOMORROW_WORKS = (("world", 4), ("russian", 8))
RESERVE_WORK = ("math", 4)
RESERVE_AFTER_PERIOD = 3


def _reserve_reason(calendar: DemoCalendar) -> str:
    order_day = calendar.today - dt.timedelta(days=2)
    return (
        "В период проведения 4 «А» класс на карантине по гриппу (приказ по ОО "
        f"№ 112 от {order_day:%d.%m.%Y})."
    )


@transaction.atomic
def demo_schedule_seed(calendar: DemoCalendar, *, school_code: str = DEMO_SCHOOL) -> int:
    """The demo school's days in the current campaign (yesterday: Русский язык 4; tomorrow:
    Окружающий мир 4 and Русский язык 8; never a Sunday, see ``DemoCalendar.written_on``) and
    one pending reserve-day request for Математика 4, so the school and its regional coordinator
    have something to look at. Rows are written directly (``school_date_set`` refuses days
    already past). Returns rows created."""
    school = School.objects.for_actor(_SYSTEM, A.VIEW_SCHOOL).filter(code=school_code).first()
    user = User.objects.filter(username=school_code).first()
    campaign = Campaign.objects.filter(is_active=True).first()
    if school is None or user is None or campaign is None:
        return 0
    works = {(w.subject.code, w.grade): w for w in campaign.works.select_related("subject")}
    days = [(key, calendar.written_on(key[0])) for key in YESTERDAY_WORKS]
    days += [(key, calendar.writes_on(key[0])) for key in TOMORROW_WORKS]
    created = 0
    for key, day in days:
        work = works.get(key)
        if work is None:
            continue
        _, made = SchoolWorkDate.objects.update_or_create(  # unscoped: the demo seed (system)
            school=school,
            work=work,
            defaults={
                "date": day,
                "chosen_by": user,
                "region_id": school.region_id,
                "municipality_id": school.municipality_id,
            },
        )
        created += made
    math = works.get(RESERVE_WORK)
    pending = ReserveDayRequest.objects.for_actor(_SYSTEM, A.VIEW_RESERVE_DAYS)
    if math is not None and not pending.filter(school=school, work=math).exists():
        ReserveDayRequest.objects.create(
            school=school,
            region_id=school.region_id,
            municipality_id=school.municipality_id,
            work=math,
            requested_date=math.period_end + dt.timedelta(days=RESERVE_AFTER_PERIOD),
            reason=_reserve_reason(calendar),
            requested_by=user,
        )
        created += 1
    return created
