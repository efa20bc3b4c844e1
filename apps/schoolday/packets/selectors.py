"""Reads of the print planner and the delivery packets, always as an actor sees them.

A room's codes come from its seats: a seat is a run of a class's participants (``offset`` into
the class's non-reserve codes ordered by code, ``count`` of them). ``class_codes`` is the one
place that reads a class's codes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from apps.campaigns import schedule
from apps.campaigns import selectors as campaign_selectors
from apps.campaigns.models import SESSION_SHORT, TaskColumn, Work
from apps.core import instants
from apps.materials import selectors as materials_selectors
from apps.materials.pdf import CodeEntry, WorkInfo
from apps.materials.release import Release, kit_releases
from apps.registration.access import Actor
from apps.registration.models import School
from apps.schoolday import selectors as day_selectors
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.models import Packet, Person, Seat, Sitting
from apps.schoolday.packets import pdf, planner
from apps.schoolday.packets.constants import PACKET_LAYOUT_VERSION
from apps.schoolday.placement.selectors import class_codes


def work_info(work: Work) -> WorkInfo:
    """What the packet says about the work (the materials' ``WorkInfo``)."""
    return WorkInfo(
        year=work.campaign.year,
        subject=work.subject.name,
        grade=work.grade,
        duration_minutes=work.duration_minutes,
        encrypted=work.encrypted_archive,
        session=SESSION_SHORT.get(work.campaign.session, ""),
    )


def kit_pages(work_ids: Iterable[int]) -> dict[int, int]:
    """Work id → the estimated pages of one kit (``planner.kit_pages_estimate``)."""
    ids = set(work_ids)
    labels: dict[int, list[str]] = defaultdict(list)
    for work_id, label in TaskColumn.objects.filter(work_id__in=ids).values_list(
        "work_id", "label"
    ):
        labels[work_id].append(label)
    return {work_id: planner.kit_pages_estimate(labels[work_id]) for work_id in ids}


def packet_release(*, actor: Actor, school: School, work: Work, action: str) -> Release:
    """When a packet of the school's ``work`` opens: the instant the materials open the code
    sheet and the protocol (``materials.release.kit_releases(...).archive``, school-local)."""
    days = materials_selectors.held_on(
        actor=actor, action=action, school_id=school.pk, work_ids=[work.pk]
    )
    lasts = materials_selectors.held_until(
        actor=actor, action=action, school_id=school.pk, held=days
    )
    return kit_releases(work, days.get(work.pk), school.time_zone, last=lasts.get(work.pk)).archive


# --- the inputs of one packet -------------------------------------------------------------------


@dataclass(frozen=True)
class PacketInput:
    """What a sitting's packet is built from now, its digest and what is missing."""

    sitting: Sitting
    doc: pdf.PacketDoc
    digest: str
    missing: tuple[str, ...]  # class labels whose codes are not (all) issued

    @property
    def participants(self) -> int:
        return sum(seat.count for seat in self.sitting.seats.all())


def _digest(doc: pdf.PacketDoc, sitting: Sitting) -> str:
    payload = {
        "layout": PACKET_LAYOUT_VERSION,
        "sitting": sitting.pk,
        "doc": dataclasses.asdict(doc),
    }
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def _zone_offset(school: School, day: dt.date) -> str:
    zone = day_selectors.school_zone(school)
    return instants.moscow_offset(zone, schedule.at_local(day, dt.time(12, 0), zone))


def sittings_loaded(*, actor: Actor, action: str) -> QuerySet[Sitting]:
    """Sittings with what a packet prints: room, work, organizer, observers and the seats
    (class loaded, class by class)."""
    seats = (
        Seat.objects.for_actor(actor, action)
        .select_related("class_work__school_class")
        .order_by("class_work__school_class__grade", "class_work__school_class__number", "offset")
    )
    observers = Person.objects.for_actor(actor, action).order_by("full_name")
    return (
        Sitting.objects.for_actor(actor, action)
        .select_related("room", "organizer", "work__campaign", "work__subject")
        .prefetch_related(Prefetch("seats", queryset=seats))
        .prefetch_related(Prefetch("observers", queryset=observers))
    )


def sittings_of_day(
    *, actor: Actor, action: str, school: School, work: Work, day: dt.date
) -> list[Sitting]:
    """The school's rooms on the work day, in the order of the rooms' names."""
    return list(
        sittings_loaded(actor=actor, action=action)
        .filter(school_id=school.pk, work=work, date=day)
        .order_by("room__name", "pk")
    )


def packet_inputs(
    *, actor: Actor, action: str, school: School, sittings: Sequence[Sitting]
) -> dict[int, PacketInput]:
    """Sitting id → the inputs of its packet now (codes read once for all the sittings)."""
    class_works = [seat.class_work for s in sittings for seat in s.seats.all()]
    codes = class_codes(actor=actor, class_works=class_works, action=action)
    pages = kit_pages(s.work_id for s in sittings)
    out: dict[int, PacketInput] = {}
    for sitting in sittings:
        entries: list[CodeEntry] = []
        missing: list[str] = []
        for seat in sitting.seats.all():
            school_class = seat.class_work.school_class
            run = codes.get(school_class.pk, [])[seat.offset : seat.offset + seat.count]
            if len(run) < seat.count:
                missing.append(school_class.label)
            entries += [
                CodeEntry(code, school_class.number, False, school_class.label) for code in run
            ]
        organizer = sitting.organizer
        doc = pdf.PacketDoc(
            work=work_info(sitting.work),
            school_code=school.code,
            school_name=school.short_name,
            held_on=sitting.date,
            zone_offset=_zone_offset(school, sitting.date),
            room=sitting.room.name,
            organizer=organizer.full_name if organizer is not None else "",
            observers=tuple(p.full_name for p in sitting.observers.all()),
            codes=tuple(entries),
            kit_pages=pages[sitting.work_id],
        )
        out[sitting.pk] = PacketInput(
            sitting=sitting,
            doc=doc,
            digest=_digest(doc, sitting),
            missing=tuple(dict.fromkeys(missing)),
        )
    return out


# --- the planner and the packets' states --------------------------------------------------------


class PacketState:
    """A room's packet as the planner shows it."""

    EMPTY = "empty"  # nobody placed in the room: nothing to build
    NONE = "none"  # never requested
    QUEUED = "queued"
    READY = "ready"
    STALE = "stale"  # built from inputs that changed since
    FAILED = "failed"

    LABELS = {
        EMPTY: "нет участников",
        NONE: "не собран",
        QUEUED: "собирается",
        READY: "готов",
        STALE: "устарел: соберите заново",
        FAILED: "ошибка сборки",
    }


def packet_state(packet: Packet | None, current: PacketInput) -> str:
    if current.participants == 0:
        return PacketState.EMPTY
    if packet is None:
        return PacketState.NONE
    if packet.status == Packet.Status.FAILED:
        return PacketState.FAILED
    if packet.status == Packet.Status.QUEUED:
        return PacketState.QUEUED
    return PacketState.READY if packet.inputs == current.digest else PacketState.STALE


@dataclass(frozen=True)
class RoomPlan:
    """One room of a work day: what it prints and the state of its packet."""

    sitting: Sitting
    line: planner.PrintLine
    packet: Packet | None
    state: str
    missing: tuple[str, ...]

    @property
    def state_label(self) -> str:
        return PacketState.LABELS[self.state]


@dataclass(frozen=True)
class DayPlan:
    """A work day of a school: its rooms, the total and the packets' progress."""

    school: School
    work: Work
    date: dt.date
    kit_pages: int
    rooms: list[RoomPlan]
    total: planner.PrintLine
    unplaced: int  # participants of the day's classes not placed in any room
    release: Release

    @property
    def title(self) -> str:
        return day_selectors.work_title(self.work)

    @property
    def to_build(self) -> int:
        """Rooms with participants (each gets a packet)."""
        return sum(1 for r in self.rooms if r.state != PacketState.EMPTY)

    @property
    def ready(self) -> int:
        return sum(1 for r in self.rooms if r.state == PacketState.READY)

    @property
    def progress_percent(self) -> int:
        return 100 * self.ready // self.to_build if self.to_build else 0

    def count(self, state: str) -> int:
        return sum(1 for r in self.rooms if r.state == state)


def day_plan(
    *,
    actor: Actor,
    school: School,
    day: day_selectors.WorkDay,
    action: str = A.VIEW_SCHOOL_DAY,
) -> DayPlan:
    """The print plan of one work day: per room and in total (see ``planner``)."""
    sittings = sittings_of_day(
        actor=actor, action=action, school=school, work=day.work, day=day.date
    )
    inputs = packet_inputs(actor=actor, action=action, school=school, sittings=sittings)
    packets = {
        p.sitting_id: p
        for p in Packet.objects.for_actor(actor, action).filter(sitting__in=sittings)
    }
    pages = kit_pages([day.work.pk])[day.work.pk]
    rooms = []
    placed: dict[int, int] = defaultdict(int)
    for sitting in sittings:
        current = inputs[sitting.pk]
        for seat in sitting.seats.all():
            placed[seat.class_work_id] += seat.count
        rooms.append(
            RoomPlan(
                sitting=sitting,
                line=planner.room_line(participants=current.participants, kit_pages=pages),
                packet=packets.get(sitting.pk),
                state=packet_state(packets.get(sitting.pk), current),
                missing=current.missing,
            )
        )
    unplaced = sum(
        max(0, day_selectors.participants_of(cw) - placed[cw.pk]) for cw in day.class_works
    )
    return DayPlan(
        school=school,
        work=day.work,
        date=day.date,
        kit_pages=pages,
        rooms=rooms,
        total=planner.total_line(r.line for r in rooms),
        unplaced=unplaced,
        release=packet_release(actor=actor, school=school, work=day.work, action=action),
    )


def print_plan(
    *,
    actor: Actor,
    school_id: int,
    campaign_id: int | None = None,
    work_id: int | None = None,
    day: dt.date | None = None,
    action: str = A.VIEW_SCHOOL_DAY,
) -> tuple[School, list[day_selectors.WorkDay], list[DayPlan]]:
    """The school's work days (of ``campaign_id``, else the current campaign) and the print
    plans of those matching ``work_id`` / ``day`` (all when both are None).
    ``School.DoesNotExist`` for a school out of scope."""
    school, _campaign, days = day_selectors.work_days(
        actor=actor, school_id=school_id, campaign_id=campaign_id, action=action
    )
    campaign_selectors.work_filter_get(actor=actor, work_id=work_id)  # an unknown work: 400
    chosen = [
        d
        for d in days
        if (work_id is None or d.work.pk == work_id) and (day is None or d.date == day)
    ]
    return (
        school,
        days,
        [day_plan(actor=actor, school=school, day=d, action=action) for d in chosen],
    )


def day_plan_get(
    *, actor: Actor, school_id: int, work_id: int, day: dt.date, action: str
) -> DayPlan:
    """The print plan of one work day named by work and date (none of the school's classes may
    write then: the plan is then the rooms alone)."""
    school = day_selectors.school_get(actor=actor, school_id=school_id, action=action)
    work = day_selectors.work_get(actor=actor, work_id=work_id, action=action)
    work_day = day_selectors.work_day(
        actor=actor, school=school, work=work, date=day, action=action
    )
    return day_plan(actor=actor, school=school, day=work_day, action=action)


def packet_get(*, actor: Actor, packet_id: int, action: str) -> Packet:
    """A packet the actor may see with ``action`` (``Packet.DoesNotExist`` → 404 otherwise)."""
    packet: Packet = (
        Packet.objects.for_actor(actor, action)
        .select_related(
            "sitting", "sitting__room", "sitting__work__subject", "sitting__work__campaign"
        )
        .get(pk=packet_id)
    )
    return packet


@dataclass(frozen=True)
class PrintPage:
    """The page «Что печатать»: the school's work days and the plan of the chosen one."""

    school: School
    days: list[day_selectors.WorkDay]
    chosen: DayPlan | None


def pick_day(
    days: Sequence[day_selectors.WorkDay],
    *,
    work_id: int | None,
    day: dt.date | None,
    today: dt.date,
) -> day_selectors.WorkDay | None:
    """The work day asked for; else the first from today on; else the last one."""
    if work_id is not None or day is not None:
        for d in days:
            if (work_id is None or d.work.pk == work_id) and (day is None or d.date == day):
                return d
    upcoming = [d for d in days if d.date >= today]
    if upcoming:
        return upcoming[0]
    return days[-1] if days else None


def print_page(
    *,
    actor: Actor,
    school_id: int,
    campaign_id: int | None = None,
    work_id: int | None = None,
    day: dt.date | None = None,
    action: str = A.VIEW_SCHOOL_DAY,
) -> PrintPage:
    """The school's work days and the print plan of the one asked for (or the next one)."""
    school, _campaign, days = day_selectors.work_days(
        actor=actor, school_id=school_id, campaign_id=campaign_id, action=action
    )
    campaign_selectors.work_filter_get(actor=actor, work_id=work_id)  # an unknown work: 400
    found = pick_day(days, work_id=work_id, day=day, today=instants.today_at(school))
    chosen = day_plan(actor=actor, school=school, day=found, action=action) if found else None
    return PrintPage(school=school, days=days, chosen=chosen)
