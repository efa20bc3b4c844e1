"""The demo school's day (docs/school-day.md, issue 16): rooms, the adults of the day, the
placement of its work days in the current campaign, the delivery packets of the coming day, the
experts checking the work written, the record of that day, and the families informed of the
finished campaign's results.

Everything goes through the apps' services as the school's own accounts would do it: the
organizer (``edu660101``) keeps rooms and people, places the days, gives the works to experts,
keeps the record of the day and marks families informed; the technical specialist
(``edu660101_t1``) requests the packets.

* **Rooms**: «Кабинет 12» and «Кабинет 14» (25 places), «Кабинет 21» (30 places, 15 computers).
* **People**: three room organizers, two public observers, three experts (Русский язык,
  Математика, Окружающий мир; the one behind the demo expert account teaches 4А, so the rule «an
  expert does not check their own class» shows), the technical specialist (the demo tech
  account's holder). Invented names, adults only; pupils stay codes.
* **Placement**: every work day of the demo school in the current campaign (Русский язык 4
  written on ``DemoCalendar.written_on``, Окружающий мир 4 and Русский язык 8 on ``writes_on``)
  gets the automatic proposal, an organizer per room and observers. A day already over is placed
  as it was then: the placement services are called with ``now`` at 15:00 school-local on the day
  before (``PLACED_BEFORE``).
* **Packets**: the coming days' packets are requested through the packets service (the job
  machinery; tasks run eagerly when the seed commits under ``make run``).
* **Checking**: the written work's codes are given to the experts automatically
  (``checking_auto_assign``), never to an expert in a class they teach; the demo expert account
  is linked to its person (``Person.user``) and sees only its own codes.
* **Record of the day**: each room of the written day was handed out at 09:40 and returned at
  10:50 school-local, sealed, one kit unused (``day_record_*`` with that ``now``).
* **Families**: of the finished campaign's accepted results (``apps.demo.results``), the families
  of both classes in Русский язык 4 and of the first class in Математика 4 are marked informed.

Idempotent: a second run on the same day writes nothing (each part is skipped once it exists).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from apps.campaigns import schedule
from apps.campaigns.models import Campaign, Subject
from apps.classes.actions import ClassActions
from apps.classes.models import SchoolClass
from apps.classes.selectors import school_today
from apps.demo.calendar import DemoCalendar
from apps.demo.campaigns import DEMO_SCHOOL
from apps.demo.country import DEMO_ACCOUNTS
from apps.families import selectors as families_selectors
from apps.families.services import families_informed_mark
from apps.registration.access import A, Actor, actor_for_user
from apps.registration.constants import Role
from apps.registration.models import School, User
from apps.schoolday import selectors as day_selectors
from apps.schoolday.actions import SchoolDayActions as D
from apps.schoolday.checking.services import checking_auto_assign
from apps.schoolday.models import DayRecord, ExpertAssignment, Packet, Person, Seat, Sitting
from apps.schoolday.packets.services import packets_build_request
from apps.schoolday.placement.services import StaffInput, placement_propose, staff_save
from apps.schoolday.record.selectors import kits_for, sitting_participants
from apps.schoolday.record.services import day_record_hand_out, day_record_return
from apps.schoolday.rooms.selectors import person_list, room_list
from apps.schoolday.rooms.services import PersonInput, RoomInput, person_create, room_create

ROOMS = (
    RoomInput("Кабинет 12", 25),
    RoomInput("Кабинет 14", 25),
    RoomInput("Кабинет 21", 30, computers=15),
)

ORGANIZER = Person.Duty.ORGANIZER
OBSERVER = Person.Duty.OBSERVER
EXPERT = Person.Duty.EXPERT
TECHNICIAN = Person.Duty.TECHNICIAN


@dataclass(frozen=True)
class DemoPerson:
    """An adult of the demo school's day: subjects (codes) and the classes taught (grade,
    letter of the current campaign's register) count for experts only."""

    duty: str
    full_name: str
    contact: str
    subjects: tuple[str, ...] = ()
    teaches: tuple[tuple[int, str], ...] = ()


# The expert teaching 4А is the holder of the demo expert account (same full name).
PEOPLE = (
    DemoPerson(ORGANIZER, "Орлова Елена Викторовна", "orlova@edu660101.example"),
    DemoPerson(ORGANIZER, "Смирнов Алексей Михайлович", "smirnov@edu660101.example"),
    DemoPerson(ORGANIZER, "Фёдорова Ирина Александровна", "fedorova@edu660101.example"),
    DemoPerson(OBSERVER, "Кузнецова Галина Петровна", "родительский комитет"),
    DemoPerson(OBSERVER, "Васильев Николай Степанович", "vasiliev@observer.example"),
    DemoPerson(
        EXPERT,
        "Белова Светлана Игоревна",
        "belova@edu660101.example",
        subjects=("russian",),
        teaches=((4, "А"),),
    ),
    DemoPerson(
        EXPERT,
        "Григорьев Павел Николаевич",
        "grigoriev@edu660101.example",
        subjects=("russian", "math"),
    ),
    DemoPerson(
        EXPERT,
        "Елисеева Татьяна Юрьевна",
        "eliseeva@edu660101.example",
        subjects=("world", "math"),
    ),
    DemoPerson(TECHNICIAN, "Никитина Мария Олеговна", "nikitina@edu660101.example"),
)

# room → (its organizer, its observers), for every work day
STAFF: dict[str, tuple[str, tuple[str, ...]]] = {
    "Кабинет 12": ("Орлова Елена Викторовна", ("Кузнецова Галина Петровна",)),
    "Кабинет 14": ("Смирнов Алексей Михайлович", ("Васильев Николай Степанович",)),
    "Кабинет 21": ("Фёдорова Ирина Александровна", ("Кузнецова Галина Петровна",)),
}

# A past day was placed the day before at this school-local time; its rooms got their materials
# and gave them back at these times on the day.
PLACED_BEFORE = dt.time(15, 0)
HANDED_OUT_AT = dt.time(9, 40)
RETURNED_AT = dt.time(10, 50)
UNUSED_KITS = 1  # one participant of each room was absent

# Finished campaign: (subject, grade) → the classes («Порядковый номер класса») marked informed.
INFORMED: dict[tuple[str, int], tuple[int, ...]] = {("russian", 4): (1, 2), ("math", 4): (1,)}


@dataclass
class DemoSchoolDay:
    """What one run wrote (zeros on a rerun)."""

    rooms: int = 0
    people: int = 0
    days_placed: int = 0
    packets_queued: int = 0
    codes_assigned: int = 0
    records: int = 0
    informed: int = 0
    expert_linked: bool = False


def _system() -> Actor:
    return Actor.system(reason="seed_demo")


def _login(role: Role) -> str:
    return dict(DEMO_ACCOUNTS)[role.value]


def _user(role: Role) -> User | None:
    return User.objects.filter(username=_login(role), is_active=True).first()


def _rooms(actor: Actor, school: School) -> int:
    have = {r.name for r in room_list(actor=actor, school_id=school.pk, action=D.EDIT_SCHOOL_DAY)}
    made = 0
    for room in ROOMS:
        if room.name not in have:
            room_create(actor=actor, school_id=school.pk, data=room)
            made += 1
    return made


def _people(actor: Actor, school: School, campaign: Campaign) -> int:
    have = {
        (p.duty, p.full_name)
        for p in person_list(actor=actor, school_id=school.pk, action=D.EDIT_SCHOOL_DAY)
    }
    subjects = dict(Subject.objects.for_actor(actor, D.EDIT_SCHOOL_DAY).values_list("code", "pk"))
    classes = {
        (c.grade, c.letter): c.pk
        for c in SchoolClass.objects.for_actor(actor, ClassActions.VIEW_CLASSES).filter(
            school_id=school.pk, campaign=campaign, is_active=True
        )
    }
    made = 0
    for person in PEOPLE:
        if (person.duty, person.full_name) in have:
            continue
        data = PersonInput(
            duty=person.duty,
            full_name=person.full_name,
            contact=person.contact,
            subject_ids=tuple(subjects[s] for s in person.subjects if s in subjects),
            class_ids=tuple(classes[k] for k in person.teaches if k in classes),
        )
        person_create(actor=actor, school_id=school.pk, data=data)
        made += 1
    return made


def _expert_account(actor: Actor, school: School) -> bool:
    """Link the demo expert account to its expert of the day (the person of the same name).

    The account itself is a demo account (``apps.demo.country``: fixed login, the demo password,
    the ``check_school`` grant); the experts' own service issues a generated login and a
    one-time password, so only the link is written here, as that service writes it."""
    user = _user(Role.EXPERT)
    if user is None:
        return False
    if Person.objects.for_actor(actor, D.EDIT_SCHOOL_DAY).filter(user=user).exists():
        return False
    person = (
        person_list(actor=actor, school_id=school.pk, duty=EXPERT, action=D.EDIT_SCHOOL_DAY)
        .filter(full_name=user.full_name, user__isnull=True)
        .first()
    )
    if person is None:
        return False
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    return True


def _place(actor: Actor, school: School, day: day_selectors.WorkDay, today: dt.date) -> bool:
    """The automatic proposal and the staff of one work day, once (a day with seats is left
    alone). True when it was placed on this run."""
    placed = Seat.objects.for_actor(actor, D.EDIT_SCHOOL_DAY).filter(
        school_id=school.pk, sitting__work=day.work, sitting__date=day.date
    )
    if placed.exists():
        return False
    now = None
    if day.date < today:
        zone = day_selectors.school_zone(school)
        now = schedule.at_local(day.date - dt.timedelta(days=1), PLACED_BEFORE, zone)
    sittings = placement_propose(
        actor=actor,
        school_id=school.pk,
        work_id=day.work.pk,
        date=day.date,
        now=now,
    )
    people = {
        p.full_name: p.pk
        for p in person_list(actor=actor, school_id=school.pk, action=D.EDIT_SCHOOL_DAY)
    }
    staff = [
        StaffInput(
            room_id=s.room_id,
            organizer_id=people.get(STAFF[s.room.name][0]),
            observer_ids=tuple(people[n] for n in STAFF[s.room.name][1] if n in people),
        )
        for s in sittings
        if s.room.name in STAFF
    ]
    if staff:
        staff_save(
            actor=actor,
            school_id=school.pk,
            work_id=day.work.pk,
            date=day.date,
            staff=staff,
            now=now,
        )
    return True


def _sittings(actor: Actor, school: School, day: day_selectors.WorkDay) -> list[Sitting]:
    return list(
        Sitting.objects.for_actor(actor, D.VIEW_SCHOOL_DAY)
        .filter(school_id=school.pk, work=day.work, date=day.date)
        .order_by("room__name")
    )


def _packets(tech: Actor, school: School, day: day_selectors.WorkDay) -> int:
    """Request the day's packets once (every used room already with a packet: left alone)."""
    sittings = _sittings(tech, school, day)
    if not sittings:
        return 0
    with_packet = Packet.objects.for_actor(tech, D.PRINT_PACKETS).filter(sitting__in=sittings)
    if with_packet.count() >= len(sittings):
        return 0
    return packets_build_request(
        actor=tech, school_id=school.pk, work_id=day.work.pk, day=day.date
    ).queued


def _checking(actor: Actor, school: School, day: day_selectors.WorkDay) -> int:
    """Give the written work's codes to the experts, once."""
    given = ExpertAssignment.objects.for_actor(actor, D.ASSIGN_EXPERTS).filter(
        school_id=school.pk, work=day.work
    )
    if given.exists():
        return 0
    return checking_auto_assign(actor=actor, school_id=school.pk, work_id=day.work.pk)


def _records(actor: Actor, school: School, day: day_selectors.WorkDay) -> int:
    """The record of a past day: every room handed out and returned, once."""
    zone = day_selectors.school_zone(school)
    handed = schedule.at_local(day.date, HANDED_OUT_AT, zone)
    returned = schedule.at_local(day.date, RETURNED_AT, zone)
    made = 0
    for sitting in _sittings(actor, school, day):
        if DayRecord.objects.for_actor(actor, D.RECORD_DAY).filter(sitting=sitting).exists():
            continue
        participants = sitting_participants(actor=actor, sitting=sitting, action=D.RECORD_DAY)
        if participants == 0:
            continue
        kits = kits_for(participants)
        day_record_hand_out(actor=actor, sitting_id=sitting.pk, now=handed)
        day_record_return(
            actor=actor,
            sitting_id=sitting.pk,
            used_kits=kits - UNUSED_KITS,
            unused_kits=UNUSED_KITS,
            sealed=True,
            now=returned,
        )
        made += 1
    return made


def _informed(actor: Actor, school: School, finished: Campaign) -> int:
    """Mark the families of ``INFORMED`` classes informed of the finished campaign's results."""
    made = 0
    for line in families_selectors.school_works(actor=actor, school=school, campaign=finished):
        wanted = INFORMED.get((line.sheet.work.subject.code, line.sheet.work.grade), ())
        for row in line.classes:
            if row.number in wanted and row.informed is None and row.slips:
                families_informed_mark(actor=actor, sheet_id=line.sheet.pk, class_number=row.number)
                made += 1
    return made


@transaction.atomic
def demo_schoolday_seed(
    calendar: DemoCalendar, *, current: Campaign, finished: Campaign
) -> DemoSchoolDay:
    """The demo school's day (see the module docstring): its work days of the current campaign
    on the calendar's days (``written_on``, ``writes_on``); the school's own today decides which
    of them are over. Idempotent."""
    out = DemoSchoolDay()
    school = School.objects.for_actor(_system(), A.VIEW_SCHOOL).filter(code=DEMO_SCHOOL).first()
    organizer_user, tech_user = _user(Role.SCHOOL_ORGANIZER), _user(Role.SCHOOL_TECH)
    if school is None or organizer_user is None or tech_user is None:
        return out
    organizer, tech = actor_for_user(organizer_user), actor_for_user(tech_user)
    out.rooms = _rooms(organizer, school)
    out.people = _people(organizer, school, current)
    out.expert_linked = _expert_account(organizer, school)
    today = school_today(school)
    _school, _campaign, days = day_selectors.work_days(
        actor=organizer, school_id=school.pk, campaign_id=current.pk, action=D.EDIT_SCHOOL_DAY
    )
    for day in days:
        code = day.work.subject.code
        if day.date not in (calendar.written_on(code), calendar.writes_on(code)):
            continue
        if _place(organizer, school, day, today):
            out.days_placed += 1
        if day.date >= today:
            out.packets_queued += _packets(tech, school, day)
            continue
        out.codes_assigned += _checking(organizer, school, day)
        out.records += _records(organizer, school, day)
    out.informed = _informed(organizer, school, finished)
    return out
