"""Writes of a work day's placement (the school organizer): the automatic proposal saved, a
placement the school changed, organizers and observers per room.

Every write checks the whole day first and writes nothing when a rule breaks (every class's
places add up to its participants, no room over its seats or computers, one organizer per room
who organizes no other room that day). Refused once the day is over in the school's zone
(``selectors.day_over_at``): the placement is then the record of the day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from apps.campaigns.models import Work
from apps.core.services import audit_record
from apps.registration.access import Actor
from apps.registration.models import School
from apps.registration.services import school_unit_scope
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.audit import SchoolDayAudit
from apps.schoolday.messages import SchoolDayError, SchoolDayInvalidError
from apps.schoolday.models import Person, Room, Seat, Sitting
from apps.schoolday.placement import rules
from apps.schoolday.placement.selectors import day_specs
from apps.schoolday.selectors import WorkDay, day_over, work_day, work_get, work_title

ACTION = A.EDIT_SCHOOL_DAY


@dataclass(frozen=True)
class StaffInput:
    """Who works in one room of the day: its organizer (None: nobody yet) and observers."""

    room_id: int
    organizer_id: int | None = None
    observer_ids: tuple[int, ...] = field(default_factory=tuple)


def _day_text(value: dt.date) -> str:
    return f"{value:%d.%m.%Y}"


def _open_day(
    actor: Actor,
    school_id: int,
    work_id: int,
    date: dt.date | None,
    now: dt.datetime | None = None,
) -> tuple[School, Work, WorkDay]:
    """The school (locked: one write of its day at a time), the work and the day's classes;
    refused without a date, for a day with no class, or once the day is over (at ``now``,
    default the current instant)."""
    school: School = School.objects.for_actor(actor, ACTION).select_for_update().get(pk=school_id)
    work = work_get(actor=actor, work_id=work_id, action=ACTION)
    if date is None:
        raise SchoolDayInvalidError("date_required")
    if day_over(school, date, now or timezone.now()):
        raise SchoolDayError("day_over", date=_day_text(date))
    day = work_day(actor=actor, school=school, work=work, date=date, action=ACTION)
    if not day.class_works:
        raise SchoolDayInvalidError("day_no_classes", work=work_title(work), date=_day_text(date))
    return school, work, day


def _sittings(actor: Actor, school: School, work: Work, date: dt.date) -> dict[int, Sitting]:
    """room id → the day's sitting in it."""
    return {
        s.room_id: s
        for s in Sitting.objects.for_actor(actor, ACTION)
        .select_for_update()
        .select_related("room")
        .filter(school_id=school.pk, work=work, date=date)
    }


def _write(
    actor: Actor, school: School, work: Work, date: dt.date, runs: Sequence[rules.Run]
) -> list[Sitting]:
    """Replace the day's seats with ``runs``: a room keeps its sitting (and so its organizer
    and observers) while it is used; a room no longer used loses its sitting."""
    existing = _sittings(actor, school, work, date)
    used_rooms = sorted({r.room_id for r in runs})
    Seat.objects.for_actor(actor, ACTION).filter(sitting__in=list(existing.values())).delete()
    stale = [s.pk for room_id, s in existing.items() if room_id not in used_rooms]
    Sitting.objects.for_actor(actor, ACTION).filter(pk__in=stale).delete()
    sittings = {}
    for room_id in used_rooms:
        sitting = existing.get(room_id)
        if sitting is None:
            sitting = Sitting.objects.create(
                work=work,
                date=date,
                room_id=room_id,
                school_id=school.pk,
                municipality_id=school.municipality_id,
                region_id=school.region_id,
            )
        sittings[room_id] = sitting
    Seat.objects.bulk_create(
        Seat(
            sitting=sittings[r.room_id],
            class_work_id=r.class_work_id,
            offset=r.offset,
            count=r.count,
            school_id=school.pk,
            municipality_id=school.municipality_id,
            region_id=school.region_id,
        )
        for r in runs
    )
    return list(sittings.values())


def _audit_runs(
    actor: Actor,
    school: School,
    day: WorkDay,
    rooms: Sequence[rules.RoomSpec],
    runs: Sequence[rules.Run],
    *,
    action: str,
) -> None:
    labels = {cw.pk: cw.school_class.label for cw in day.class_works}
    names = {r.id: r.name for r in rooms}
    audit_record(
        actor=actor,
        action=action,
        scope=school_unit_scope(school),
        details={
            "work_id": day.work.pk,
            "date": day.date.isoformat(),
            "runs": [
                {
                    "class": labels[r.class_work_id],
                    "room": names[r.room_id],
                    "offset": r.offset,
                    "count": r.count,
                }
                for r in runs
            ],
        },
    )


@transaction.atomic
def placement_propose(
    *,
    actor: Actor,
    school_id: int,
    work_id: int,
    date: dt.date | None,
    now: dt.datetime | None = None,
) -> list[Sitting]:
    """Save the automatic proposal (``rules.propose``) as the day's placement, replacing what
    was there. ``SchoolDayError`` when the rooms cannot seat a class (nothing changes)."""
    school, work, day = _open_day(actor, school_id, work_id, date, now)
    rooms, classes = day_specs(actor=actor, school=school, day=day, action=ACTION)
    if not rooms:
        raise SchoolDayError("no_rooms")
    runs = rules.propose(rooms, classes)
    sittings = _write(actor, school, work, day.date, runs)
    _audit_runs(actor, school, day, rooms, runs, action=SchoolDayAudit.PLACEMENT_PROPOSE)
    return sittings


@transaction.atomic
def placement_save(
    *,
    actor: Actor,
    school_id: int,
    work_id: int,
    date: dt.date | None,
    moves: Sequence[rules.Move],
    now: dt.datetime | None = None,
) -> list[Sitting]:
    """Save the school's placement of the day: so many participants of a class in a room, its
    codes filling its lines in the order given. Every class's places must add up to its
    participants and no room may be over capacity (``SchoolDayInvalidError`` naming each class
    and room, nothing changes)."""
    school, work, day = _open_day(actor, school_id, work_id, date, now)
    rooms, classes = day_specs(actor=actor, school=school, day=day, action=ACTION)
    if not rooms:
        raise SchoolDayError("no_rooms")
    runs = rules.runs_from_moves(moves)
    rules.raise_problems(rules.check(rooms, classes, runs))
    sittings = _write(actor, school, work, day.date, runs)
    _audit_runs(actor, school, day, rooms, runs, action=SchoolDayAudit.PLACEMENT_SAVE)
    return sittings


def _people(actor: Actor, school: School, ids: set[int]) -> dict[int, Person]:
    return {
        p.pk: p
        for p in Person.objects.for_actor(actor, ACTION).filter(
            school=school, is_active=True, pk__in=ids
        )
    }


@transaction.atomic
def staff_save(
    *,
    actor: Actor,
    school_id: int,
    work_id: int,
    date: dt.date | None,
    staff: Sequence[StaffInput],
    now: dt.datetime | None = None,
) -> list[Sitting]:
    """Set the organizer and observers of the day's rooms named in ``staff`` (other rooms keep
    theirs). An organizer is a room organizer of the school who organizes no other room that
    day (any work); observers are public observers of the school, one may cover several rooms.
    ``SchoolDayInvalidError`` naming every problem; nothing changes then."""
    school, work, day = _open_day(actor, school_id, work_id, date, now)
    date = day.date
    sittings = _sittings(actor, school, work, date)
    used = set(
        Seat.objects.for_actor(actor, ACTION)
        .filter(sitting__in=list(sittings.values()))
        .values_list("sitting__room_id", flat=True)
    )
    wanted = {p for s in staff for p in ((s.organizer_id,) if s.organizer_id else ())} | {
        p for s in staff for p in s.observer_ids
    }
    people = _people(actor, school, wanted)
    rooms: dict[int, Room] = {room_id: s.room for room_id, s in sittings.items()}
    problems: list[rules.Problem] = []
    seen_rooms: set[int] = set()
    organizer_of: dict[int, int] = {
        room_id: s.organizer_id
        for room_id, s in sittings.items()
        if s.organizer_id is not None and room_id in used
    }
    for item in staff:
        room = rooms.get(item.room_id)
        if room is None or item.room_id not in used:
            problems.append(
                rules.Problem(
                    f"аудитория (id {item.room_id}) не занята в рассадке этого дня",
                    room_id=item.room_id,
                )
            )
            continue
        if item.room_id in seen_rooms:
            problems.append(
                rules.Problem(f"аудитория «{room.name}» указана дважды", room_id=room.pk)
            )
            continue
        seen_rooms.add(item.room_id)
        organizer_of.pop(item.room_id, None)
        if item.organizer_id is not None:
            person = people.get(item.organizer_id)
            if person is None:
                problems.append(
                    rules.Problem(
                        f"аудитория «{room.name}»: организатор (id {item.organizer_id}) не "
                        "найден среди участников дня проведения ОО",
                        room_id=room.pk,
                    )
                )
            elif person.duty != Person.Duty.ORGANIZER:
                problems.append(
                    rules.Problem(
                        f"аудитория «{room.name}»: {person.full_name} — "
                        f"{person.get_duty_display()}, а не организатор в аудитории",
                        room_id=room.pk,
                    )
                )
            else:
                organizer_of[room.pk] = person.pk
        for observer_id in dict.fromkeys(item.observer_ids):
            person = people.get(observer_id)
            if person is None:
                problems.append(
                    rules.Problem(
                        f"аудитория «{room.name}»: наблюдатель (id {observer_id}) не найден "
                        "среди участников дня проведения ОО",
                        room_id=room.pk,
                    )
                )
            elif person.duty != Person.Duty.OBSERVER:
                problems.append(
                    rules.Problem(
                        f"аудитория «{room.name}»: {person.full_name} — "
                        f"{person.get_duty_display()}, а не общественный наблюдатель",
                        room_id=room.pk,
                    )
                )
    problems += _organizer_conflicts(actor, school, work, date, organizer_of, rooms, people)
    rules.raise_problems(problems, code="staff_invalid")
    changed = []
    for item in staff:
        sitting = sittings[item.room_id]
        sitting.organizer_id = item.organizer_id
        sitting.save(update_fields=["organizer", "updated_at"])
        sitting.observers.set(list(dict.fromkeys(item.observer_ids)))
        changed.append(sitting)
    audit_record(
        actor=actor,
        action=SchoolDayAudit.STAFF_SAVE,
        scope=school_unit_scope(school),
        details={
            "work_id": work.pk,
            "date": date.isoformat(),
            "rooms": [
                {
                    "room_id": item.room_id,
                    "organizer_id": item.organizer_id,
                    "observer_ids": list(dict.fromkeys(item.observer_ids)),
                }
                for item in staff
            ],
        },
    )
    return changed


def _organizer_conflicts(
    actor: Actor,
    school: School,
    work: Work,
    date: dt.date,
    organizer_of: dict[int, int],
    rooms: dict[int, Room],
    people: dict[int, Person],
) -> list[rules.Problem]:
    """One person organizes one room on a day: not two rooms of this work, and no room other
    than this one for another work of the same day (the same room for several works is fine)."""
    problems: list[rules.Problem] = []
    first_room: dict[int, int] = {}
    for room_id, person_id in sorted(organizer_of.items()):
        if person_id in first_room:
            person = people.get(person_id)
            name = person.full_name if person else f"id {person_id}"
            other = rooms.get(first_room[person_id])
            here = rooms.get(room_id)
            problems.append(
                rules.Problem(
                    f"{name} уже организатор в аудитории "
                    f"«{other.name if other else first_room[person_id]}»; в аудиторию "
                    f"«{here.name if here else room_id}» нужен другой организатор",
                    room_id=room_id,
                )
            )
        else:
            first_room[person_id] = room_id
    elsewhere = (
        Sitting.objects.for_actor(actor, ACTION)
        .filter(school_id=school.pk, date=date, organizer_id__in=list(first_room))
        .exclude(work=work)
        .select_related("room", "organizer", "work__subject")
    )
    for other_sitting in elsewhere:
        organizer = other_sitting.organizer
        if organizer is None:
            continue
        if first_room[organizer.pk] != other_sitting.room_id:
            problems.append(
                rules.Problem(
                    f"{organizer.full_name} уже организатор в аудитории "
                    f"«{other_sitting.room.name}» {_day_text(date)} "
                    f"(«{work_title(other_sitting.work)}»)",
                    room_id=first_room[organizer.pk],
                )
            )
    return problems
