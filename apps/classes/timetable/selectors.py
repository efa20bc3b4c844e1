"""Reads of the school's timetable by class: each class's works with day, form and the release
instants of that day (``campaigns.schedule``, the one module that computes them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import timezone

from apps.campaigns import schedule
from apps.campaigns import selectors as campaign_selectors
from apps.campaigns.models import Campaign, Work
from apps.classes.actions import ClassActions as A
from apps.classes.models import ClassWork, SchoolClass
from apps.classes.selectors import class_works_of_school, school_get
from apps.classes.timetable.days import class_days
from apps.registration.access import Actor
from apps.registration.models import School

WEEKDAYS = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")


def weekday(day: dt.date | None) -> str:
    """The Russian name of the day of the week («среда»); empty for no day."""
    return WEEKDAYS[day.weekday()] if day is not None else ""


def work_title(work: Work) -> str:
    return f"{work.subject.name}, {work.grade} класс"


@dataclass(frozen=True)
class TimetableRow:
    """One work of one class: its day, form and the release instants of that day."""

    class_work: ClassWork
    instants: schedule.Instants
    frozen: bool  # the chosen day has begun in the school's zone: it no longer moves
    upload_last_day: dt.date

    @property
    def school_class(self) -> SchoolClass:
        return self.class_work.school_class

    @property
    def work(self) -> Work:
        return self.class_work.work

    @property
    def weekday(self) -> str:
        return weekday(self.class_work.date)


@dataclass(frozen=True)
class ClassBlock:
    """A class with its works, in the order of the page and the PDF."""

    school_class: SchoolClass
    rows: list[TimetableRow]


@dataclass(frozen=True)
class BulkChoice:
    """A work held by several classes of a grade: one day for all of them at once."""

    work: Work
    classes: list[str]


@dataclass(frozen=True)
class Timetable:
    school: School
    campaign: Campaign | None
    zone: str
    today: dt.date
    classes: list[ClassBlock] = field(default_factory=list)

    @property
    def rows(self) -> list[TimetableRow]:
        return [row for block in self.classes for row in block.rows]

    @property
    def first_open_day(self) -> dt.date:
        """The first day the school may still pick: tomorrow, school-local (ADR 0014)."""
        return self.today + dt.timedelta(days=1)

    @property
    def bulk_choices(self) -> list[BulkChoice]:
        by_work: dict[int, BulkChoice] = {}
        for row in self.rows:
            if row.work.pk not in by_work:
                by_work[row.work.pk] = BulkChoice(row.work, [])
            by_work[row.work.pk].classes.append(row.school_class.label)
        return sorted(
            (c for c in by_work.values() if len(c.classes) > 1),
            key=lambda c: (c.work.grade, c.work.subject.name),
        )


def timetable_row(
    class_work: ClassWork,
    zone: str,
    now: dt.datetime | None = None,
    school_days: tuple[dt.date, dt.date] | None = None,
) -> TimetableRow:
    """One class's work. Its releases are the school's for that work (``school_days``: the first
    and last class day — the archive and password go by the first, the criteria and the upload
    by the last); only the freeze is the class's own day."""
    moment = now or timezone.now()
    day = class_work.date
    first, last = school_days if school_days is not None else (day, day)
    return TimetableRow(
        class_work=class_work,
        instants=schedule.instants(class_work.work, zone, first, last=last),
        frozen=day is not None and moment >= schedule.day_frozen_at(zone, day),
        upload_last_day=schedule.upload_deadline_day(class_work.work, first, last=last),
    )


def school_days(
    *, actor: Actor, school_id: int, work_id: int, action: str = A.VIEW_CLASSES
) -> tuple[dt.date, dt.date] | None:
    """The first and last day the school's classes write a work (None before any day is set)."""
    days = class_days(actor=actor, action=action, school_id=school_id, work_ids=[work_id])
    span = days.get(work_id)
    return (span.first, span.last) if span is not None else None


def _blocks(works: Iterable[ClassWork], zone: str, now: dt.datetime) -> list[ClassBlock]:
    rows = list(works)
    days: dict[int, list[dt.date]] = {}
    for cw in rows:
        if cw.date is not None:
            days.setdefault(cw.work_id, []).append(cw.date)
    spans = {work_id: (min(d), max(d)) for work_id, d in days.items()}
    blocks: dict[int, ClassBlock] = {}
    for cw in rows:
        block = blocks.get(cw.school_class_id)
        if block is None:
            block = blocks[cw.school_class_id] = ClassBlock(cw.school_class, [])
        block.rows.append(timetable_row(cw, zone, now, spans.get(cw.work_id)))
    return list(blocks.values())


def timetable(
    *,
    actor: Actor,
    school_id: int,
    campaign_id: int | None = None,
    action: str = A.VIEW_CLASSES,
) -> Timetable:
    """A school's classes with their works in a campaign (``?campaign=``, else the current one).

    Only the works the actor may see: assigned ones from the publication instant on
    (``class_works_of_school``). School.DoesNotExist (404) for a school out of scope.
    """
    school = school_get(actor=actor, school_id=school_id, action=action)
    zone = campaign_selectors.school_zone(school)
    now = timezone.now()
    today = now.astimezone(ZoneInfo(zone)).date()  # school_today, with the default zone
    campaign = campaign_selectors.campaign_chosen(actor=actor, campaign_id=campaign_id)
    if campaign is None:
        return Timetable(school, None, zone, today)
    works = class_works_of_school(
        actor=actor, school_id=school.pk, campaign_id=campaign.pk, action=action, now=now
    ).select_related("work__campaign")
    return Timetable(school, campaign, zone, today, _blocks(works, zone, now))


def class_work_get(*, actor: Actor, class_work_id: int, action: str = A.VIEW_CLASSES) -> ClassWork:
    """One class work the actor may see (ClassWork.DoesNotExist → 404 otherwise): in scope, of
    an active class, and, if assigned, only from the publication instant on."""
    found = (
        ClassWork.objects.for_actor(actor, action)
        .filter(pk=class_work_id)
        .values_list("school_id", "school_class__campaign_id")
        .first()
    )
    if found is None:
        raise ClassWork.DoesNotExist
    school_id, campaign_id = found
    try:
        visible = class_works_of_school(
            actor=actor, school_id=school_id, campaign_id=campaign_id, action=action
        )
    except School.DoesNotExist as exc:
        raise ClassWork.DoesNotExist from exc
    return visible.select_related("work__campaign").get(pk=class_work_id)
