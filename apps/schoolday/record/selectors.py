"""Reads of the record of the day: per room of a school's work day, its participants and kits
(the kits of its delivery packet, ``packets.planner.room_line``), whether the materials were
handed out and returned (``DayRecord``); and the record's state per work day for the
coordinators' readiness overview.

The record is kept on the day itself, school-local: from 00:00 of the day in the school's zone
until 00:00 of the next day (``opens_at`` / ``over_at``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, Sum
from django.utils import timezone

from apps.campaigns import schedule
from apps.campaigns.models import Work
from apps.registration.access import Actor
from apps.registration.models import School
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.models import DayRecord, Seat, Sitting
from apps.schoolday.packets import planner
from apps.schoolday.placement import rules
from apps.schoolday.selectors import (
    day_over_at,
    school_get,
    school_zone,
    work_dates,
    work_get,
    work_title,
)

NONE = "none"
HANDED_OUT = "handed_out"
RETURNED = "returned"
STATE_LABELS = {NONE: "не выданы", HANDED_OUT: "выданы", RETURNED: "возвращены"}


def day_opens_at(school: School, day: dt.date) -> dt.datetime:
    """00:00 of ``day`` in the school's zone: the record of the day opens."""
    return schedule.at_local(day, dt.time(0, 0), school_zone(school))


def kits_for(participants: int) -> int:
    """The kits a room's delivery packet holds for its participants (the print planner's
    count: one kit per participant placed in the room)."""
    return planner.room_line(participants=participants, kit_pages=0).kits


def sitting_participants(*, actor: Actor, sitting: Sitting, action: str) -> int:
    """Participants placed in the sitting (its seats' counts)."""
    total = (
        Seat.objects.for_actor(actor, action)
        .filter(sitting=sitting)
        .aggregate(total=Sum("count"))["total"]
    )
    return int(total or 0)


@dataclass
class RoomRecord:
    """One room of the work day with what it holds and its record (None: nothing yet)."""

    sitting: Sitting
    classes: list[tuple[str, int]]  # (class label, participants in the room)
    record: DayRecord | None

    @property
    def participants(self) -> int:
        return sum(count for _, count in self.classes)

    @property
    def kits(self) -> int:
        return kits_for(self.participants)

    @property
    def state(self) -> str:
        if self.record is None or self.record.handed_out_at is None:
            return NONE
        return RETURNED if self.record.returned_at is not None else HANDED_OUT

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass(frozen=True)
class RecordSummary:
    """The record of a work day over its rooms: how many handed out and returned."""

    rooms: int = 0
    handed_out: int = 0
    returned: int = 0

    @property
    def state(self) -> str:
        if self.handed_out == 0:
            return NONE
        return RETURNED if self.returned == self.rooms else HANDED_OUT

    @property
    def label(self) -> str:
        """«—», «выдано 2 из 3 аудиторий», «возвращено 3 из 3 аудиторий»."""
        if self.handed_out == 0:
            return "—"
        if self.returned == 0:
            return f"выдано {self.handed_out} из {_rooms(self.rooms)}"
        return f"возвращено {self.returned} из {_rooms(self.rooms)}"


def _rooms(n: int) -> str:
    """«1 аудитории», «3 аудиторий», «21 аудитории» (genitive after «из»)."""
    return f"{n} аудитории" if n % 10 == 1 and n % 100 != 11 else f"{n} аудиторий"


@dataclass
class DayRecords:
    """The record of one work day at a school, room by room."""

    school: School
    work: Work
    date: dt.date
    zone: str
    opens_at: dt.datetime
    over_at: dt.datetime
    dates: list[dt.date]
    rooms: list[RoomRecord] = field(default_factory=list)

    @property
    def title(self) -> str:
        return work_title(self.work)

    def is_open(self, now: dt.datetime | None = None) -> bool:
        """The record is kept on the day itself (school-local)."""
        moment = now or timezone.now()
        return self.opens_at <= moment < self.over_at

    @property
    def summary(self) -> RecordSummary:
        return RecordSummary(
            rooms=len(self.rooms),
            handed_out=sum(1 for r in self.rooms if r.state != NONE),
            returned=sum(1 for r in self.rooms if r.state == RETURNED),
        )

    @property
    def participants(self) -> int:
        return sum(r.participants for r in self.rooms)

    @property
    def kits(self) -> int:
        return sum(r.kits for r in self.rooms)


def day_records(
    *,
    actor: Actor,
    school_id: int,
    work_id: int,
    date: dt.date | None = None,
    action: str = A.VIEW_SCHOOL_DAY,
) -> DayRecords:
    """The rooms of ``work`` on ``date`` (default: the school's first day of the work) at a
    school the actor may see, with their records (``School.DoesNotExist`` /
    ``Work.DoesNotExist`` → 404). Rooms in the natural order of their names. The rooms, their
    seats and their records take one query each, whatever the number of rooms."""
    school = school_get(actor=actor, school_id=school_id, action=action)
    work = work_get(actor=actor, work_id=work_id, action=action)
    dates = work_dates(actor=actor, school=school, work=work, action=action)
    if date is None:
        date = dates[0] if dates else timezone.localdate()
    seats = (
        Seat.objects.for_actor(actor, action)
        .select_related("class_work__school_class")
        .order_by("class_work__school_class__grade", "class_work__school_class__number", "offset")
    )
    sittings = list(
        Sitting.objects.for_actor(actor, action)
        .filter(school_id=school.pk, work=work, date=date)
        .select_related("room", "organizer")
        .prefetch_related(Prefetch("seats", queryset=seats))
    )
    records = {
        r.sitting_id: r
        for r in DayRecord.objects.for_actor(actor, action)
        .filter(sitting__in=[s.pk for s in sittings])
        .select_related("handed_out_by", "returned_by")
    }
    rooms = []
    for sitting in sittings:
        classes: dict[str, int] = {}
        for seat in sitting.seats.all():
            label = seat.class_work.school_class.label
            classes[label] = classes.get(label, 0) + seat.count
        rooms.append(RoomRecord(sitting, list(classes.items()), records.get(sitting.pk)))
    rooms.sort(key=lambda r: (rules.natural_key(r.sitting.room.name), r.sitting.room_id))
    return DayRecords(
        school=school,
        work=work,
        date=date,
        zone=school_zone(school),
        opens_at=day_opens_at(school, date),
        over_at=day_over_at(school, date),
        dates=dates,
        rooms=rooms,
    )


# A sitting's record read along with the sitting (``values_list`` over scoped sittings: the
# record is the sitting's own row), so the readiness overview needs no query of its own:
# (handed_out_at, returned_at).
RECORD_FIELDS = ("record__handed_out_at", "record__returned_at")


def summarize(sitting_ids: Iterable[int], marks: dict[int, tuple[bool, bool]]) -> RecordSummary:
    """The record of a work day's rooms (``sitting_ids``) from their marks: sitting id →
    (handed out, returned), read with ``RECORD_FIELDS``."""
    ids = set(sitting_ids)
    found = [marks.get(pk, (False, False)) for pk in ids]
    return RecordSummary(
        rooms=len(ids),
        handed_out=sum(1 for handed, _ in found if handed),
        returned=sum(1 for _, returned in found if returned),
    )
