"""The coordinators' readiness overview: per school and work day, whether its participants are
placed into rooms, every used room has an organizer and an observer, and every participant code
of the day's classes is given to an expert for checking (apps/schoolday/checking/); counted per
unit one level below the actor (regions for the federal level, municipalities for a region) and
listed per school.

A fixed number of queries whatever the number of schools: the class works of the campaign's
work days, their seats, the sittings (with their records of the day), the experts with their
subjects and classes, the schools.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, QuerySet

from apps.campaigns import selectors as campaign_selectors
from apps.campaigns.models import Campaign, Work
from apps.classes.models import ClassWork
from apps.classes.selectors import assignment_visible, published_run
from apps.core.params import unknown_id
from apps.core.scoping import Level
from apps.materials.models import ParticipantCode
from apps.registration.access import Actor
from apps.registration.models import Municipality, Region, School
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.models import ExpertAssignment, Person, Seat, Sitting
from apps.schoolday.record.selectors import RECORD_FIELDS, RecordSummary, summarize
from apps.schoolday.selectors import work_title

ACTION = A.VIEW_SCHOOL_DAY

READY = "ready"
NOT_READY = "not_ready"
STATES = (READY, NOT_READY)


@dataclass
class DayReadiness:
    """One school's work day and what it has assigned."""

    school_id: int
    school_name: str
    municipality_id: int
    municipality_name: str
    region_id: int
    region_name: str
    work: Work
    date: dt.date
    classes: int = 0
    participants: int = 0
    placed: int = 0
    rooms: int = 0
    rooms_with_organizer: int = 0
    rooms_with_observer: int = 0
    experts: int = 0
    classes_with_expert: int = 0
    codes: int = 0  # participant codes of the day's classes
    codes_given: int = 0  # of them, given to an expert for checking (apps/schoolday/checking/)
    # the record of the day over the rooms used (apps/schoolday/record/)
    record: RecordSummary = field(default_factory=RecordSummary)

    @property
    def work_title(self) -> str:
        return work_title(self.work)

    @property
    def placed_ok(self) -> bool:
        return self.participants > 0 and self.placed == self.participants

    @property
    def organizers_ok(self) -> bool:
        return self.rooms > 0 and self.rooms_with_organizer == self.rooms

    @property
    def observers_ok(self) -> bool:
        return self.rooms > 0 and self.rooms_with_observer == self.rooms

    @property
    def experts_ok(self) -> bool:
        """Every participant code of the day's classes is given to an expert for checking."""
        return self.codes > 0 and self.codes_given >= self.codes

    @property
    def ready(self) -> bool:
        return self.placed_ok and self.organizers_ok and self.observers_ok and self.experts_ok


@dataclass
class UnitCounts:
    """Work days of a unit's schools and how many of them have each thing assigned."""

    id: int | None
    name: str
    school_ids: set[int] = field(default_factory=set)
    days: int = 0
    placed: int = 0
    organizers: int = 0
    observers: int = 0
    experts: int = 0
    ready: int = 0

    @property
    def schools(self) -> int:
        return len(self.school_ids)

    def add(self, row: DayReadiness) -> None:
        self.school_ids.add(row.school_id)
        self.days += 1
        self.placed += row.placed_ok
        self.organizers += row.organizers_ok
        self.observers += row.observers_ok
        self.experts += row.experts_ok
        self.ready += row.ready


@dataclass
class Overview:
    campaign: Campaign | None
    works: list[Work]
    work: Work | None
    unit_label: str  # «Регион» / «Муниципалитет»; empty when there is no level below to count
    units: list[UnitCounts]
    total: UnitCounts
    rows: list[DayReadiness]


def campaign_class_works(
    actor: Actor,
    campaign: Campaign,
    work_id: int | None,
    school_id: int | None,
    *,
    dated: bool = True,
    action: str = ACTION,
) -> QuerySet[ClassWork]:
    """The works of active classes the actor may see (``dated``: only those with a day);
    assigned works only once the assignment is visible to it."""
    rows = ClassWork.objects.for_actor(actor, action).filter(
        school_class__campaign=campaign, school_class__is_active=True
    )
    if dated:
        rows = rows.filter(date__isnull=False)
    if work_id is not None:
        rows = rows.filter(work_id=work_id)
    if school_id is not None:
        rows = rows.filter(school_id=school_id)
    if actor.scope.school_id:
        school = School.objects.for_actor(actor, action).filter(pk=actor.scope.school_id).first()
        if school is None or not assignment_visible(
            actor=actor, school=school, campaign_id=campaign.pk
        ):
            rows = rows.exclude(source=ClassWork.Source.ASSIGNED)
    elif not actor.is_federal and published_run(campaign_id=campaign.pk) is None:
        rows = rows.exclude(source=ClassWork.Source.ASSIGNED)
    return rows


def readiness(
    *,
    actor: Actor,
    campaign_id: int | None = None,
    work_id: int | None = None,
    state: str = "",
    school_id: int | None = None,
) -> Overview:
    """The readiness of the schools in the actor's scope for the campaign's work days
    (``campaign_id``, else the current campaign; ``work_id`` narrows to one work; ``state``
    keeps only ready or not-ready days in the list — the counts are always whole; ``school_id``
    narrows to one school of the scope)."""
    campaign = campaign_selectors.campaign_chosen(actor=actor, campaign_id=campaign_id)
    if campaign is None:
        if work_id is not None:
            raise unknown_id("work", work_id, "работы")
        return Overview(None, [], None, "", [], UnitCounts(None, "Всего"), [])
    works = list(
        Work.objects.for_actor(actor, ACTION)
        .filter(campaign=campaign)
        .select_related("subject", "campaign")
        .order_by("grade", "subject__name")
    )
    by_work = {w.pk: w for w in works}
    work = by_work.get(work_id) if work_id is not None else None
    if work_id is not None and work is None:  # a work the campaign has not: 400, not all works
        raise unknown_id("work", work_id, "работы кампании")
    dated = campaign_class_works(actor, campaign, work.pk if work else None, school_id)
    class_works = [
        (pk, school, w, d, participants or pupils, class_id)
        for pk, school, w, d, participants, pupils, class_id in dated.values_list(
            "pk",
            "school_id",
            "work_id",
            "date",
            "participants",
            "school_class__pupils",
            "school_class_id",
        )
        if d is not None
    ]
    days: dict[tuple[int, int, dt.date], list[tuple[int, int, int]]] = defaultdict(list)
    day_of: dict[int, tuple[int, int, dt.date]] = {}
    for pk, sid, w, d, participants, class_id in class_works:
        if w not in by_work:
            continue
        key = (sid, w, d)
        days[key].append((pk, participants, class_id))
        day_of[pk] = key
    placed: dict[tuple[int, int, dt.date], int] = defaultdict(int)
    rooms: dict[tuple[int, int, dt.date], set[int]] = defaultdict(set)
    seats = Seat.objects.for_actor(actor, ACTION).filter(sitting__work__campaign=campaign)
    if work is not None:
        seats = seats.filter(sitting__work=work)
    if school_id is not None:
        seats = seats.filter(school_id=school_id)
    for class_work_id, sitting_id, sitting_date, count in seats.values_list(
        "class_work_id", "sitting_id", "sitting__date", "count"
    ):
        found = day_of.get(class_work_id)
        if found is None or found[2] != sitting_date:
            continue  # a class that left the register, or moved to another day, since
        placed[found] += count
        rooms[found].add(sitting_id)
    observed = Sitting.observers.through.objects.filter(sitting_id=OuterRef("pk"))
    sitting_rows = Sitting.objects.for_actor(actor, ACTION).filter(work__campaign=campaign)
    if work is not None:
        sitting_rows = sitting_rows.filter(work=work)
    if school_id is not None:
        sitting_rows = sitting_rows.filter(school_id=school_id)
    sittings: dict[int, tuple[bool, bool]] = {}
    marks: dict[int, tuple[bool, bool]] = {}  # the rooms' records of the day, same query
    for pk, organizer_id, has_observer, handed_out_at, returned_at in sitting_rows.annotate(
        has_observer=Exists(observed)
    ).values_list("pk", "organizer_id", "has_observer", *RECORD_FIELDS):
        sittings[pk] = (organizer_id is not None, has_observer)
        marks[pk] = (handed_out_at is not None, returned_at is not None)
    experts = Person.objects.for_actor(actor, ACTION).filter(
        duty=Person.Duty.EXPERT, is_active=True
    )
    if school_id is not None:
        experts = experts.filter(school_id=school_id)
    expert_school = dict(experts.values_list("pk", "school_id"))
    subjects: dict[int, set[int]] = defaultdict(set)
    for person_id, subject_id in Person.subjects.through.objects.filter(
        person__in=experts
    ).values_list("person_id", "subject_id"):
        subjects[person_id].add(subject_id)
    teaches: dict[int, set[int]] = defaultdict(set)
    for person_id, class_id in Person.teaches.through.objects.filter(
        person__in=experts
    ).values_list("person_id", "schoolclass_id"):
        teaches[person_id].add(class_id)
    experts_of: dict[tuple[int, int], list[int]] = defaultdict(list)  # (school, subject)
    for person_id, expert_school_id in expert_school.items():
        for subject_id in subjects[person_id]:
            experts_of[(expert_school_id, subject_id)].append(person_id)
    class_ids = {class_id for members in days.values() for _, _, class_id in members}
    codes_of, given = class_codes_given(actor, campaign, work, class_ids)
    schools = {
        pk: (name, m_id, m_name, r_id, r_name)
        for pk, name, m_id, m_name, r_id, r_name in School.objects.for_actor(actor, ACTION)
        .filter(pk__in=dated.values("school_id"))
        .values_list(
            "pk", "short_name", "municipality_id", "municipality__name", "region_id", "region__name"
        )
    }
    rows: list[DayReadiness] = []
    for key, members in days.items():
        sid, w, d = key
        if sid not in schools:
            continue
        name, m_id, m_name, r_id, r_name = schools[sid]
        subject_experts = experts_of.get((sid, by_work[w].subject_id), [])
        used = rooms.get(key, set())
        rows.append(
            DayReadiness(
                school_id=sid,
                school_name=name,
                municipality_id=m_id,
                municipality_name=m_name,
                region_id=r_id,
                region_name=r_name,
                work=by_work[w],
                date=d,
                classes=len(members),
                participants=sum(p for _, p, _ in members),
                placed=placed.get(key, 0),
                rooms=len(used),
                rooms_with_organizer=sum(1 for s in used if sittings.get(s, (False, False))[0]),
                rooms_with_observer=sum(1 for s in used if sittings.get(s, (False, False))[1]),
                experts=len(subject_experts),
                record=summarize(used, marks),
                classes_with_expert=sum(
                    1
                    for _, _, class_id in members
                    if any(class_id not in teaches[e] for e in subject_experts)
                ),
                codes=sum(codes_of.get(class_id, 0) for _, _, class_id in members),
                codes_given=sum(given.get((w, class_id), 0) for _, _, class_id in members),
            )
        )
    rows.sort(key=lambda r: (r.date, r.work.grade, r.work.subject.name, r.school_name))
    unit_label, units = _units(actor, rows)
    total = UnitCounts(None, "Всего")
    for row in rows:
        total.add(row)
    if state == READY:
        rows = [r for r in rows if r.ready]
    elif state == NOT_READY:
        rows = [r for r in rows if not r.ready]
    return Overview(campaign, works, work, unit_label, units, total, rows)


def class_codes_given(
    actor: Actor,
    campaign: Campaign,
    work: Work | None,
    class_ids: set[int],
    action: str = ACTION,
) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    """class id → its participant codes; (work id, class id) → of them given to an expert
    (two grouped queries; the readiness overview and the checking progress both count so)."""
    codes_of = dict(
        ParticipantCode.objects.for_actor(actor, action)
        .filter(reserve=False, school_class_id__in=class_ids)
        .values("school_class_id")
        .annotate(n=Count("pk"))
        .values_list("school_class_id", "n")
    )
    given_rows = ExpertAssignment.objects.for_actor(actor, action).filter(
        work__campaign=campaign, code__school_class_id__in=class_ids
    )
    if work is not None:
        given_rows = given_rows.filter(work=work)
    given = {
        (w, class_id): n
        for w, class_id, n in given_rows.values("work_id", "code__school_class_id")
        .annotate(n=Count("pk"))
        .values_list("work_id", "code__school_class_id", "n")
    }
    return codes_of, given


def _units(actor: Actor, rows: list[DayReadiness]) -> tuple[str, list[UnitCounts]]:
    """The counts per unit one level below the actor, every unit listed (zeros included)."""
    level = actor.scope.level
    if level is Level.FEDERAL:
        units = {
            pk: UnitCounts(pk, name)
            for pk, name in Region.objects.for_actor(actor, ACTION)
            .order_by("code")
            .values_list("pk", "name")
        }
        for row in rows:
            if row.region_id in units:
                units[row.region_id].add(row)
        return "Регион", list(units.values())
    if level is Level.REGION:
        units = {
            pk: UnitCounts(pk, name)
            for pk, name in Municipality.objects.for_actor(actor, ACTION)
            .order_by("name")
            .values_list("pk", "name")
        }
        for row in rows:
            if row.municipality_id in units:
                units[row.municipality_id].add(row)
        return "Муниципалитет", list(units.values())
    return "", []
