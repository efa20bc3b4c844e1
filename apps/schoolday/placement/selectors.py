"""Reads of a work day's placement: the rooms with the runs of classes seated there (and the
participant codes of each run once issued), organizers and observers, each class's places, and
the automatic proposal while the school has saved nothing for the day.

Seats of a class whose day moved, or that left the register, after the placement was saved are
shown apart (``stale``) and count for nothing: the school places the day again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from apps.campaigns.models import Work
from apps.classes.models import ClassWork
from apps.core.errors import DomainError
from apps.materials.models import ParticipantCode
from apps.registration.access import Actor
from apps.registration.models import School
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.models import Person, Room, Seat, Sitting
from apps.schoolday.placement import rules
from apps.schoolday.rooms.selectors import person_list, room_list
from apps.schoolday.selectors import (
    WorkDay,
    day_over_at,
    participants_of,
    school_get,
    school_zone,
    work_dates,
    work_day,
    work_get,
)


@dataclass
class RunView:
    """A run of a class in a room: its places in the class's code order and its codes (empty
    until the school's codes are issued)."""

    class_work: ClassWork
    room: Room
    offset: int
    count: int
    codes: list[str] = field(default_factory=list)
    stale: bool = False

    @property
    def label(self) -> str:
        return self.class_work.school_class.label

    @property
    def first(self) -> int:
        return self.offset + 1

    @property
    def last(self) -> int:
        return self.offset + self.count


@dataclass
class ClassRow:
    class_work: ClassWork
    participants: int
    runs: list[RunView] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.class_work.school_class.label

    @property
    def computer(self) -> bool:
        return self.class_work.form == ClassWork.Form.COMPUTER

    @property
    def placed(self) -> int:
        return sum(r.count for r in self.runs)

    @property
    def complete(self) -> bool:
        return self.placed == self.participants

    def count_in(self, room_id: int) -> int:
        return sum(r.count for r in self.runs if r.room.pk == room_id)


@dataclass
class RoomRow:
    room: Room
    sitting: Sitting | None = None
    runs: list[RunView] = field(default_factory=list)
    observers: list[Person] = field(default_factory=list)

    @property
    def placed(self) -> int:
        return sum(r.count for r in self.runs if not r.stale)

    @property
    def computer_placed(self) -> int:
        return sum(
            r.count
            for r in self.runs
            if not r.stale and r.class_work.form == ClassWork.Form.COMPUTER
        )

    @property
    def used(self) -> bool:
        return self.placed > 0

    @property
    def organizer(self) -> Person | None:
        return self.sitting.organizer if self.sitting is not None else None

    @property
    def over(self) -> bool:
        return self.placed > self.room.seats or (
            self.computer_placed > self.room.computers and self.computer_placed > 0
        )

    @property
    def codes(self) -> list[str]:
        return [code for r in self.runs if not r.stale for code in r.codes]


@dataclass
class Placement:
    """A work day at a school as the placement page and API show it."""

    school: School
    day: WorkDay
    zone: str
    over_at: dt.datetime
    over: bool
    saved: bool
    rooms: list[RoomRow]
    classes: list[ClassRow]
    dates: list[dt.date]
    proposal_error: str = ""
    organizers: list[Person] = field(default_factory=list)
    observers: list[Person] = field(default_factory=list)
    experts: list[Person] = field(default_factory=list)

    @property
    def work(self) -> Work:
        return self.day.work

    @property
    def date(self) -> dt.date:
        return self.day.date

    @property
    def used_rooms(self) -> list[RoomRow]:
        return [r for r in self.rooms if r.used]

    @property
    def stale_runs(self) -> list[RunView]:
        return [run for room in self.rooms for run in room.runs if run.stale]

    @property
    def participants(self) -> int:
        return sum(c.participants for c in self.classes)

    @property
    def placed(self) -> int:
        return sum(c.placed for c in self.classes)

    @property
    def all_placed(self) -> bool:
        return self.saved and bool(self.classes) and all(c.complete for c in self.classes)

    @property
    def organizers_ok(self) -> bool:
        used = self.used_rooms
        return self.saved and bool(used) and all(r.organizer is not None for r in used)

    @property
    def observers_ok(self) -> bool:
        used = self.used_rooms
        return self.saved and bool(used) and all(r.observers for r in used)

    @property
    def experts_ok(self) -> bool:
        """Every class of the day has an expert of the subject who does not teach it."""
        return bool(self.classes) and all(
            any(c.class_work.school_class_id not in _taught(e) for e in self.experts)
            for c in self.classes
        )


def _taught(person: Person) -> set[int]:
    return {c.pk for c in person.teaches.all()}


def class_codes(
    *, actor: Actor, class_works: Iterable[ClassWork], action: str
) -> dict[int, list[str]]:
    """class id → the class's participant codes (not the reserve ones), by number: the codes
    issued for (or re-attached to) its register class (``ParticipantCode.school_class``), so a
    renumbered class keeps its codes. One query for any number of classes."""
    class_ids = {cw.school_class_id for cw in class_works}
    found: dict[int, list[str]] = defaultdict(list)
    if not class_ids:
        return found
    rows = (
        ParticipantCode.objects.for_actor(actor, action)
        .filter(reserve=False, school_class_id__in=class_ids)
        .order_by("code")
        .values_list("school_class_id", "code")
    )
    for class_id, code in rows:
        found[class_id].append(code)
    return found


def _specs(
    day: WorkDay, rooms: Sequence[Room]
) -> tuple[list[rules.RoomSpec], list[rules.ClassSpec]]:
    room_specs = [rules.RoomSpec(r.pk, r.name, r.seats, r.computers) for r in rooms]
    class_specs = [
        rules.ClassSpec(
            cw.pk,
            cw.school_class.label,
            participants_of(cw),
            cw.form == ClassWork.Form.COMPUTER,
        )
        for cw in day.class_works
    ]
    return room_specs, class_specs


def day_specs(
    *, actor: Actor, school: School, day: WorkDay, action: str = A.VIEW_SCHOOL_DAY
) -> tuple[list[rules.RoomSpec], list[rules.ClassSpec]]:
    """The day's active rooms and classes as the pure rules take them."""
    return _specs(day, room_list(actor=actor, school_id=school.pk, action=action))


def saved_seats(
    *, actor: Actor, school: School, work: Work, date: dt.date, action: str = A.VIEW_SCHOOL_DAY
) -> list[Seat]:
    return list(
        Seat.objects.for_actor(actor, action)
        .filter(school_id=school.pk, sitting__work=work, sitting__date=date)
        .select_related("sitting__room", "class_work__school_class")
        .order_by("sitting__room__name", "class_work__school_class__grade", "offset")
    )


def placement(
    *,
    actor: Actor,
    school_id: int,
    work_id: int,
    date: dt.date | None = None,
    action: str = A.VIEW_SCHOOL_DAY,
    now: dt.datetime | None = None,
) -> Placement:
    """The placement of ``work`` on ``date`` (default: the school's first day of the work) at a
    school the actor may see (``School.DoesNotExist``/``Work.DoesNotExist`` → 404)."""
    school = school_get(actor=actor, school_id=school_id, action=action)
    work = work_get(actor=actor, work_id=work_id, action=action)
    dates = work_dates(actor=actor, school=school, work=work, action=action)
    if date is None:
        date = dates[0] if dates else timezone.localdate()
    day = work_day(actor=actor, school=school, work=work, date=date, action=action)
    rooms = room_list(actor=actor, school_id=school.pk, action=action)
    by_class = {cw.pk: cw for cw in day.class_works}
    class_rows = {cw.pk: ClassRow(cw, participants_of(cw)) for cw in day.class_works}
    room_rows: dict[int, RoomRow] = {r.pk: RoomRow(r) for r in rooms}
    codes = class_codes(actor=actor, class_works=day.class_works, action=action)
    sittings = {
        s.pk: s
        for s in Sitting.objects.for_actor(actor, action)
        .filter(school_id=school.pk, work=work, date=date)
        .select_related("room", "organizer")
        .prefetch_related("observers")
    }
    seats = saved_seats(actor=actor, school=school, work=work, date=date, action=action)
    proposal_error = ""
    runs: list[tuple[ClassWork, Room, int, int, bool]] = []
    if seats:
        for seat in seats:
            room = seat.sitting.room
            cw = by_class.get(seat.class_work_id)
            stale = cw is None
            runs.append((cw or seat.class_work, room, seat.offset, seat.count, stale))
    else:
        room_specs, class_specs = _specs(day, rooms)
        try:
            proposed = rules.propose(room_specs, class_specs) if rooms else []
        except DomainError as exc:
            proposal_error = exc.message
            proposed = []
        by_room = {r.pk: r for r in rooms}
        runs = [
            (by_class[r.class_work_id], by_room[r.room_id], r.offset, r.count, False)
            for r in proposed
        ]
    for cw, room, offset, count, stale in runs:
        own = codes.get(cw.school_class_id, [])
        view = RunView(cw, room, offset, count, own[offset : offset + count], stale)
        row = room_rows.get(room.pk)
        if row is None:  # a room removed since (kept inactive) still shows what it held
            row = room_rows[room.pk] = RoomRow(room)
        row.runs.append(view)
        if not stale:
            class_rows[cw.pk].runs.append(view)
    for sitting in sittings.values():
        row = room_rows.get(sitting.room_id)
        if row is None:
            row = room_rows[sitting.room_id] = RoomRow(sitting.room)
        row.sitting = sitting
        row.observers = sorted(sitting.observers.all(), key=lambda p: p.full_name)
    for row in room_rows.values():
        row.runs.sort(key=lambda r: (r.label, r.offset))
    over_at = day_over_at(school, date)
    people = list(person_list(actor=actor, school_id=school.pk, action=action))
    return Placement(
        school=school,
        day=day,
        zone=school_zone(school),
        over_at=over_at,
        over=(now or timezone.now()) >= over_at,
        saved=bool(seats),
        rooms=sorted(room_rows.values(), key=lambda r: (rules.natural_key(r.room.name), r.room.pk)),
        classes=list(class_rows.values()),
        dates=dates,
        proposal_error=proposal_error,
        organizers=[p for p in people if p.duty == Person.Duty.ORGANIZER],
        observers=[p for p in people if p.duty == Person.Duty.OBSERVER],
        experts=[
            p
            for p in people
            if p.duty == Person.Duty.EXPERT
            and any(s.pk == work.subject_id for s in p.subjects.all())
        ],
    )


def room_codes(
    *, actor: Actor, sitting_id: int, action: str = A.VIEW_SCHOOL_DAY
) -> list[tuple[str, list[str]]]:
    """The participant codes seated in one sitting, per class run (class label, codes), in room
    order of the runs: what the room's code sheet and protocol list. ``Sitting.DoesNotExist``
    (→ 404) outside the actor's scope."""
    sitting: Sitting = (
        Sitting.objects.for_actor(actor, action).select_related("work").get(pk=sitting_id)
    )
    seats = list(
        Seat.objects.for_actor(actor, action)
        .filter(sitting=sitting)
        .select_related("class_work__school_class")
        .order_by("class_work__school_class__grade", "class_work__school_class__number", "offset")
    )
    codes = class_codes(actor=actor, class_works=[s.class_work for s in seats], action=action)
    return [
        (
            seat.class_work.school_class.label,
            codes.get(seat.class_work.school_class_id, [])[seat.offset : seat.offset + seat.count],
        )
        for seat in seats
    ]
