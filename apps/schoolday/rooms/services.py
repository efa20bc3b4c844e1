"""Writes of a school's rooms and adults of the day (the school organizer).

A room or person that a sitting has used is kept inactive (the record of past days stays
whole); one never used is deleted. Neither can be removed while a day not over yet still uses
it (participants seated in the room; the person organizes or observes a room): the placement
changes first. A room's seats and computers never drop below what a coming day seats there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import ProtectedError, Q, Sum

from apps.campaigns.models import Subject
from apps.classes.models import ClassWork, SchoolClass
from apps.classes.selectors import school_today
from apps.core.services import audit_record
from apps.registration.access import Actor
from apps.registration.models import School
from apps.registration.services import school_unit_scope
from apps.schoolday.accounts.services import expert_account_end
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.audit import SchoolDayAudit
from apps.schoolday.messages import SchoolDayError, SchoolDayInvalidError
from apps.schoolday.models import MAX_SEATS, Person, Room, Seat, Sitting
from apps.schoolday.selectors import work_title

DELETED = "deleted"
DEACTIVATED = "deactivated"

# How a duty reads in «… назначен(а) {role} на …».
_ROLE_IN_SITTING = {"organizer": "организатором в аудитории", "observer": "наблюдателем"}


@dataclass(frozen=True)
class RoomInput:
    name: str
    seats: int
    computers: int = 0


@dataclass(frozen=True)
class PersonInput:
    """An adult of the day. ``subject_ids`` and ``class_ids`` (the classes the person teaches)
    count for experts only and are cleared for the other duties."""

    duty: str
    full_name: str
    contact: str = ""
    subject_ids: tuple[int, ...] = field(default_factory=tuple)
    class_ids: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Removed:
    label: str
    outcome: str  # DELETED or DEACTIVATED


def _school_locked(actor: Actor, school_id: int) -> School:
    """The school, locked: its list of rooms and people changes one write at a time."""
    school: School = (
        School.objects.for_actor(actor, A.EDIT_SCHOOL_DAY).select_for_update().get(pk=school_id)
    )
    return school


def _day(value: dt.date) -> str:
    return f"{value:%d.%m.%Y}"


# --- rooms --------------------------------------------------------------------------------------


def _room_clean(data: RoomInput) -> RoomInput:
    name = " ".join((data.name or "").split())
    if not name:
        raise SchoolDayInvalidError("room_name_required")
    if not 1 <= data.seats <= MAX_SEATS:
        raise SchoolDayInvalidError("room_seats_out_of_range", max=MAX_SEATS, seats=data.seats)
    if not 0 <= data.computers <= MAX_SEATS:
        raise SchoolDayInvalidError(
            "room_computers_out_of_range", max=MAX_SEATS, computers=data.computers
        )
    if data.computers > data.seats:
        raise SchoolDayInvalidError(
            "room_computers_over_seats", name=name, computers=data.computers, seats=data.seats
        )
    return RoomInput(name=name[:64], seats=data.seats, computers=data.computers)


def _room_name_free(actor: Actor, school: School, name: str, keep: int | None = None) -> None:
    taken = Room.objects.for_actor(actor, A.EDIT_SCHOOL_DAY).filter(
        school=school, is_active=True, name__iexact=name
    )
    if keep is not None:
        taken = taken.exclude(pk=keep)
    if taken.exists():
        raise SchoolDayError("room_name_taken", name=name)


def _room_audit(actor: Actor, room: Room, school: School, created: bool) -> None:
    audit_record(
        actor=actor,
        action=SchoolDayAudit.ROOM_SAVE,
        target=room,
        scope=school_unit_scope(school),
        details={
            "created": created,
            "name": room.name,
            "seats": room.seats,
            "computers": room.computers,
        },
    )


@transaction.atomic
def room_create(*, actor: Actor, school_id: int, data: RoomInput) -> Room:
    """Add a room to the school's list.

    Raises ``SchoolDayInvalidError`` (a value out of range), ``SchoolDayError`` (the name is
    taken), ``School.DoesNotExist`` (out of scope)."""
    school = _school_locked(actor, school_id)
    data = _room_clean(data)
    _room_name_free(actor, school, data.name)
    room = Room(
        school=school,
        name=data.name,
        seats=data.seats,
        computers=data.computers,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )
    room.full_clean()
    room.save()
    _room_audit(actor, room, school, created=True)
    return room


def _coming_seats(actor: Actor, room: Room, school: School) -> list[tuple[Sitting, int, int]]:
    """The room's sittings on days not over yet with the participants seated there (all, and
    those of computer-form classes)."""
    today = school_today(school)
    sittings = (
        Sitting.objects.for_actor(actor, A.EDIT_SCHOOL_DAY)
        .filter(room=room, date__gte=today)
        .select_related("work__subject")
        .order_by("date", "pk")
    )
    found = []
    for sitting in sittings:
        seats = Seat.objects.for_actor(actor, A.EDIT_SCHOOL_DAY).filter(sitting=sitting)
        total = seats.aggregate(n=Sum("count"))["n"] or 0
        computer = (
            seats.filter(class_work__form=ClassWork.Form.COMPUTER).aggregate(n=Sum("count"))["n"]
            or 0
        )
        if total:
            found.append((sitting, total, computer))
    return found


@transaction.atomic
def room_update(*, actor: Actor, room_id: int, data: RoomInput) -> Room:
    """Change a room's name, seats or computers (never below what a coming day seats there)."""
    room: Room = (
        Room.objects.for_actor(actor, A.EDIT_SCHOOL_DAY)
        .select_for_update()
        .get(pk=room_id, is_active=True)
    )
    school = _school_locked(actor, room.school_id)
    data = _room_clean(data)
    _room_name_free(actor, school, data.name, keep=room.pk)
    for sitting, total, computer in _coming_seats(actor, room, school):
        if total > data.seats or computer > data.computers:
            over_seats = total > data.seats
            raise SchoolDayError(
                "room_below_placed",
                name=room.name,
                date=_day(sitting.date),
                work=work_title(sitting.work),
                placed=total if over_seats else computer,
                kind="всего" if over_seats else "за компьютерами",
            )
    room.name, room.seats, room.computers = data.name, data.seats, data.computers
    room.full_clean()
    room.save(update_fields=["name", "seats", "computers", "updated_at"])
    _room_audit(actor, room, school, created=False)
    return room


@transaction.atomic
def room_remove(*, actor: Actor, room_id: int) -> Removed:
    """Remove a room: deleted if no sitting ever used it, else kept inactive; refused while a
    day not over yet seats participants there."""
    room: Room = (
        Room.objects.for_actor(actor, A.EDIT_SCHOOL_DAY)
        .select_for_update()
        .get(pk=room_id, is_active=True)
    )
    school = _school_locked(actor, room.school_id)
    coming = _coming_seats(actor, room, school)
    if coming:
        sitting = coming[0][0]
        raise SchoolDayError(
            "room_in_use", name=room.name, date=_day(sitting.date), work=work_title(sitting.work)
        )
    outcome = DELETED
    try:
        with transaction.atomic():
            # Only this room's own empty sittings of coming days remain; past ones protect it.
            Sitting.objects.for_actor(actor, A.EDIT_SCHOOL_DAY).filter(
                room=room, seats__isnull=True, date__gte=school_today(school)
            ).delete()
            Room.objects.for_actor(actor, A.EDIT_SCHOOL_DAY).filter(pk=room.pk).delete()
    except ProtectedError:
        outcome = DEACTIVATED
        room.is_active = False
        room.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor,
        action=SchoolDayAudit.ROOM_REMOVE,
        target=room if outcome == DEACTIVATED else None,
        scope=school_unit_scope(school),
        details={"room_id": room_id, "name": room.name, "outcome": outcome},
    )
    return Removed(room.name, outcome)


# --- people -------------------------------------------------------------------------------------


def _person_clean(actor: Actor, school: School, data: PersonInput) -> PersonInput:
    if data.duty not in Person.Duty.values:
        raise SchoolDayInvalidError("person_duty_unknown", duty=data.duty)
    full_name = " ".join((data.full_name or "").split())[:150]
    if not full_name:
        raise SchoolDayInvalidError("person_name_required")
    contact = " ".join((data.contact or "").split())[:150]
    if data.duty != Person.Duty.EXPERT:
        return PersonInput(data.duty, full_name, contact)
    subject_ids = tuple(dict.fromkeys(data.subject_ids))
    if not subject_ids:
        raise SchoolDayInvalidError("person_expert_subjects")
    known = set(
        Subject.objects.for_actor(actor, A.EDIT_SCHOOL_DAY)
        .filter(pk__in=subject_ids)
        .values_list("pk", flat=True)
    )
    for subject_id in subject_ids:
        if subject_id not in known:
            raise SchoolDayInvalidError("person_subject_unknown", subject=subject_id)
    class_ids = tuple(dict.fromkeys(data.class_ids))
    own = set(
        SchoolClass.objects.for_actor(actor, A.EDIT_SCHOOL_DAY)
        .filter(school=school, is_active=True, pk__in=class_ids)
        .values_list("pk", flat=True)
    )
    for class_id in class_ids:
        if class_id not in own:
            # a class of another school is refused whole, like an unknown one (no trimming)
            raise SchoolDayInvalidError("person_class_unknown", school_class=class_id)
    return PersonInput(data.duty, full_name, contact, subject_ids, class_ids)


def _coming_duty(actor: Actor, person: Person, school: School) -> tuple[Sitting, str] | None:
    """A sitting of a day not over yet that ``person`` organizes or observes, if any."""
    sitting = (
        Sitting.objects.for_actor(actor, A.EDIT_SCHOOL_DAY)
        .filter(Q(organizer=person) | Q(observers=person), date__gte=school_today(school))
        .select_related("room", "work__subject")
        .order_by("date", "pk")
        .first()
    )
    if sitting is None:
        return None
    return sitting, ("organizer" if sitting.organizer_id == person.pk else "observer")


def _in_use_error(person: Person, sitting: Sitting, duty: str) -> SchoolDayError:
    return SchoolDayError(
        "person_in_use",
        name=person.full_name,
        role=_ROLE_IN_SITTING[duty],
        date=_day(sitting.date),
        work=work_title(sitting.work),
        room=sitting.room.name,
    )


def _person_audit(actor: Actor, person: Person, school: School, created: bool) -> None:
    # The person's name stays out of the log: the row points at the person.
    audit_record(
        actor=actor,
        action=SchoolDayAudit.PERSON_SAVE,
        target=person,
        scope=school_unit_scope(school),
        details={
            "created": created,
            "duty": person.duty,
            "subjects": sorted(person.subjects.values_list("pk", flat=True)),
            "teaches": sorted(person.teaches.values_list("pk", flat=True)),
        },
    )


@transaction.atomic
def person_create(*, actor: Actor, school_id: int, data: PersonInput) -> Person:
    """Add an adult of the day (organizer, observer, expert with subjects and the classes they
    teach, technical specialist)."""
    school = _school_locked(actor, school_id)
    data = _person_clean(actor, school, data)
    person = Person(
        school=school,
        duty=data.duty,
        full_name=data.full_name,
        contact=data.contact,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )
    person.full_clean()
    person.save()
    person.subjects.set(data.subject_ids)
    person.teaches.set(data.class_ids)
    _person_audit(actor, person, school, created=True)
    return person


@transaction.atomic
def person_update(*, actor: Actor, person_id: int, data: PersonInput) -> Person:
    """Change an adult of the day; the duty does not change while a coming day still counts on
    the person in the old one."""
    person: Person = (
        Person.objects.for_actor(actor, A.EDIT_SCHOOL_DAY)
        .select_for_update()
        .get(pk=person_id, is_active=True)
    )
    school = _school_locked(actor, person.school_id)
    data = _person_clean(actor, school, data)
    if data.duty != person.duty:
        busy = _coming_duty(actor, person, school)
        if busy is not None:
            raise _in_use_error(person, *busy)
        # an expert's own account ends with its duty (apps/schoolday/accounts/)
        expert_account_end(actor=actor, person=person, school=school)
    person.duty, person.full_name, person.contact = data.duty, data.full_name, data.contact
    person.full_clean()
    person.save(update_fields=["duty", "full_name", "contact", "updated_at"])
    person.subjects.set(data.subject_ids)
    person.teaches.set(data.class_ids)
    _person_audit(actor, person, school, created=False)
    return person


@transaction.atomic
def person_remove(*, actor: Actor, person_id: int) -> Removed:
    """Remove an adult of the day: deleted if no sitting ever named them, else kept inactive;
    refused while a coming day counts on them."""
    person: Person = (
        Person.objects.for_actor(actor, A.EDIT_SCHOOL_DAY)
        .select_for_update()
        .get(pk=person_id, is_active=True)
    )
    school = _school_locked(actor, person.school_id)
    busy = _coming_duty(actor, person, school)
    if busy is not None:
        raise _in_use_error(person, *busy)
    used = (
        Sitting.objects.for_actor(actor, A.EDIT_SCHOOL_DAY)
        .filter(Q(organizer=person) | Q(observers=person))
        .exists()
    )
    outcome = DEACTIVATED if used else DELETED
    label = person.full_name
    # a removed expert loses its own account (apps/schoolday/accounts/)
    expert_account_end(actor=actor, person=person, school=school)
    if used:
        person.is_active = False
        person.save(update_fields=["is_active", "updated_at"])
    else:
        try:
            with transaction.atomic():
                Person.objects.for_actor(actor, A.EDIT_SCHOOL_DAY).filter(pk=person.pk).delete()
        except ProtectedError:  # another record of the day (checking) points at the person
            outcome = DEACTIVATED
            person.is_active = False
            person.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor,
        action=SchoolDayAudit.PERSON_REMOVE,
        target=person if outcome == DEACTIVATED else None,
        scope=school_unit_scope(school),
        details={"person_id": person_id, "duty": person.duty, "outcome": outcome},
    )
    return Removed(label, outcome)
