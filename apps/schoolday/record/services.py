"""Writes of the record of the day (the school organizer or technical specialist): per room,
the materials were handed out; after the work, they were returned with the counts of used and
unused kits (adding up to the kits of the room's delivery packet) in sealed return packets.

Kept on the day itself, school-local (``selectors.day_opens_at`` to ``day_over_at``): refused
before the day (naming the day and the school's zone) and once it is over. The hand-out is
confirmed once; the return may be corrected on the day, the audit keeping both values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.core.instants import format_instant, local, zone_suffix
from apps.core.services import audit_record
from apps.registration.access import Actor
from apps.registration.models import School
from apps.registration.services import school_unit_scope
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.audit import SchoolDayAudit
from apps.schoolday.messages import SchoolDayError, SchoolDayInvalidError
from apps.schoolday.models import DayRecord, Sitting
from apps.schoolday.record.selectors import day_opens_at, kits_for, sitting_participants
from apps.schoolday.selectors import day_over_at

ACTION = A.RECORD_DAY
NOTE_MAX = 1000


def _day_text(value: dt.date) -> str:
    return f"{value:%d.%m.%Y}"


def _open(actor: Actor, sitting_id: int, now: dt.datetime) -> tuple[Sitting, School, DayRecord]:
    """The sitting (locked: one write of its record at a time), its school and its record
    (new and unsaved when there is none); refused unless ``now`` is on the day, school-local.
    ``Sitting.DoesNotExist`` (→ 404) outside the actor's scope."""
    sitting: Sitting = (
        Sitting.objects.for_actor(actor, ACTION)
        .select_for_update()
        .select_related("room", "work__subject")
        .get(pk=sitting_id)
    )
    school: School = School.objects.for_actor(actor, ACTION).get(pk=sitting.school_id)
    room = sitting.room.name
    opens = day_opens_at(school, sitting.date)
    if now < opens:
        raise SchoolDayError(
            "record_before_day",
            room=room,
            date=_day_text(sitting.date),
            opens=format_instant(opens, school),
            today=f"{local(now, school):%d.%m.%Y %H:%M}",
            zone=zone_suffix(school, now),
        )
    if now >= day_over_at(school, sitting.date):
        raise SchoolDayError(
            "record_day_over",
            room=room,
            date=_day_text(sitting.date),
            zone=zone_suffix(school, now),
        )
    record = (
        DayRecord.objects.for_actor(actor, ACTION).filter(sitting=sitting).first()
    ) or DayRecord(
        sitting=sitting,
        school_id=sitting.school_id,
        municipality_id=sitting.municipality_id,
        region_id=sitting.region_id,
    )
    return sitting, school, record


def _details(sitting: Sitting, kits: int, **extra: Any) -> dict[str, Any]:
    return {
        "sitting_id": sitting.pk,
        "room": sitting.room.name,
        "work_id": sitting.work_id,
        "date": sitting.date.isoformat(),
        "kits": kits,
        **extra,
    }


def _returned_values(record: DayRecord) -> dict[str, Any]:
    return {
        "used_kits": record.used_kits,
        "unused_kits": record.unused_kits,
        "sealed": record.sealed,
        "note": record.note,
    }


@transaction.atomic
def day_record_hand_out(
    *, actor: Actor, sitting_id: int, now: dt.datetime | None = None
) -> DayRecord:
    """Confirm that the room's materials were handed out (once, on the day)."""
    moment = now or timezone.now()
    sitting, school, record = _open(actor, sitting_id, moment)
    if record.handed_out_at is not None:
        raise SchoolDayError(
            "record_already_handed_out",
            room=sitting.room.name,
            at=format_instant(record.handed_out_at, school),
        )
    participants = sitting_participants(actor=actor, sitting=sitting, action=ACTION)
    if participants == 0:
        raise SchoolDayError(
            "record_no_participants", room=sitting.room.name, date=_day_text(sitting.date)
        )
    record.handed_out_at = moment
    record.handed_out_by = actor.user
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action=SchoolDayAudit.RECORD_HAND_OUT,
        target=record,
        scope=school_unit_scope(school),
        details=_details(sitting, kits_for(participants), participants=participants),
    )
    return record


def _check_return(
    room: str, kits: int, used: int | None, unused: int | None, sealed: bool, note: str
) -> None:
    if used is None or unused is None or used < 0 or unused < 0:
        raise SchoolDayInvalidError("record_count_required", room=room)
    if used + unused != kits:
        raise SchoolDayInvalidError(
            "record_counts_mismatch",
            room=room,
            used=used,
            unused=unused,
            total=used + unused,
            kits=kits,
        )
    if not sealed:
        raise SchoolDayInvalidError("record_not_sealed", room=room)
    if len(note) > NOTE_MAX:
        raise SchoolDayInvalidError("record_note_too_long", max=NOTE_MAX, length=len(note))


@transaction.atomic
def day_record_return(
    *,
    actor: Actor,
    sitting_id: int,
    used_kits: int | None,
    unused_kits: int | None,
    sealed: bool,
    note: str = "",
    now: dt.datetime | None = None,
) -> DayRecord:
    """Confirm that the room's materials came back: used and unused kits adding up to the kits
    of the room's packet, the return packets sealed. After the hand-out and on the day; a
    second confirmation that day corrects the first (audited with both values)."""
    moment = now or timezone.now()
    sitting, school, record = _open(actor, sitting_id, moment)
    room = sitting.room.name
    if record.handed_out_at is None:
        raise SchoolDayError("record_not_handed_out", room=room)
    kits = kits_for(sitting_participants(actor=actor, sitting=sitting, action=ACTION))
    note = (note or "").strip()
    _check_return(room, kits, used_kits, unused_kits, sealed, note)
    before = _returned_values(record)
    correction = record.returned_at is not None
    record.used_kits = used_kits
    record.unused_kits = unused_kits
    record.sealed = sealed
    record.note = note
    after = _returned_values(record)
    if correction and before == after:
        return record  # the same values again: nothing to record
    if not correction:
        record.returned_at = moment
        record.returned_by = actor.user
    record.full_clean()
    record.save()
    if correction:
        audit_record(
            actor=actor,
            action=SchoolDayAudit.RECORD_CORRECT,
            target=record,
            scope=school_unit_scope(school),
            details=_details(sitting, kits, before=before, after=after),
        )
    else:
        audit_record(
            actor=actor,
            action=SchoolDayAudit.RECORD_RETURN,
            target=record,
            scope=school_unit_scope(school),
            details=_details(sitting, kits, **after),
        )
    return record
