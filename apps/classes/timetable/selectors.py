"""Reads of the school's timetable by class: each class's works with day, form, reserve-day status
and the release instants of that day (``campaigns.schedule``, the one module that computes them);
the school's reserve-day requests for its classes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import timezone

from apps.campaigns import schedule
from apps.campaigns import selectors as campaign_selectors
from apps.campaigns.models import Campaign, ReserveDayRequest, Work
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
    # The chosen day has released something (``schedule.day_locked_at``): not even a coordinator
    # moves it.
    locked: bool = False
    # The class's latest reserve-day request, when it was rejected (the class is unlinked then).
    rejected: ReserveDayRequest | None = None

    @property
    def school_class(self) -> SchoolClass:
        return self.class_work.school_class

    @property
    def work(self) -> Work:
        return self.class_work.work

    @property
    def weekday(self) -> str:
        return weekday(self.class_work.date)

    @property
    def reserve(self) -> ReserveDayRequest | None:
        """The reserve-day request the class asks in (pending), or the approved reserve day it
        writes on; the rejected one when its latest request was rejected."""
        return self.class_work.reserve or self.rejected


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
class ClassReserve:
    """A reserve-day request of the school for some of its classes, with the class works linked
    to it now (a rejected request keeps only the labels it was asked for)."""

    request: ReserveDayRequest
    class_work_ids: list[int]

    @property
    def labels(self) -> list[str]:
        return [label.strip() for label in self.request.classes.split(",") if label.strip()]


@dataclass(frozen=True)
class ReserveChoice:
    """A work and its classes, for the school's reserve-day request."""

    work: Work
    rows: list[TimetableRow]


@dataclass(frozen=True)
class Timetable:
    school: School
    campaign: Campaign | None
    zone: str
    today: dt.date
    classes: list[ClassBlock] = field(default_factory=list)
    reserve_requests: list[ClassReserve] = field(default_factory=list)

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

    @property
    def approved_reserve_work_ids(self) -> set[int]:
        """Works with a reserve day approved for the school's classes: their rows may take it."""
        approved = ReserveDayRequest.Status.APPROVED
        return {r.request.work_id for r in self.reserve_requests if r.request.status == approved}

    @property
    def reserve_choices(self) -> list[ReserveChoice]:
        """Every work of the school's classes with its classes, by grade and subject."""
        by_work: dict[int, ReserveChoice] = {}
        for row in self.rows:
            by_work.setdefault(row.work.pk, ReserveChoice(row.work, [])).rows.append(row)
        return sorted(by_work.values(), key=lambda c: (c.work.grade, c.work.subject.name))


def timetable_row(
    class_work: ClassWork,
    zone: str,
    now: dt.datetime | None = None,
    school_days: tuple[dt.date, dt.date] | None = None,
    rejected: ReserveDayRequest | None = None,
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
        locked=day is not None and moment >= schedule.day_locked_at(class_work.work, zone, day),
        rejected=rejected,
    )


def school_days(
    *, actor: Actor, school_id: int, work_id: int, action: str = A.VIEW_CLASSES
) -> tuple[dt.date, dt.date] | None:
    """The first and last day the school's classes write a work (None before any day is set)."""
    days = class_days(actor=actor, action=action, school_id=school_id, work_ids=[work_id])
    span = days.get(work_id)
    return (span.first, span.last) if span is not None else None


def _rejected(requests: Iterable[ClassReserve]) -> dict[tuple[int, str], ReserveDayRequest]:
    """(work id, class label) → the class's latest request, for the classes whose latest request
    was rejected (a rejected request keeps only the labels of its classes)."""
    latest: dict[tuple[int, str], ReserveDayRequest] = {}
    ordered = sorted(requests, key=lambda r: (r.request.created_at, r.request.pk), reverse=True)
    for found in ordered:
        for label in found.labels:
            latest.setdefault((found.request.work_id, label), found.request)
    return {
        key: req for key, req in latest.items() if req.status == ReserveDayRequest.Status.REJECTED
    }


def _blocks(
    works: Iterable[ClassWork],
    zone: str,
    now: dt.datetime,
    requests: Iterable[ClassReserve] = (),
) -> list[ClassBlock]:
    rejected = _rejected(requests)
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
        refused = None
        if cw.reserve_id is None:
            refused = rejected.get((cw.work_id, cw.school_class.label))
        block.rows.append(timetable_row(cw, zone, now, spans.get(cw.work_id), refused))
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
    ).select_related("work__campaign", "reserve")
    requests = class_reserve_requests(
        actor=actor, school_id=school.pk, campaign_id=campaign.pk, action=action
    )
    blocks = _blocks(works, zone, now, requests)
    return Timetable(school, campaign, zone, today, blocks, requests)


def class_reserve_requests(
    *,
    actor: Actor,
    school_id: int,
    campaign_id: int | None = None,
    request_id: int | None = None,
    action: str = A.VIEW_CLASSES,
) -> list[ClassReserve]:
    """The school's reserve-day requests that name classes (``request_id``: that one only),
    newest first, each with the class works linked to it now. School.DoesNotExist (404) out of
    scope."""
    school = school_get(actor=actor, school_id=school_id, action=action)
    found = campaign_selectors.reserve_day_list(
        actor=actor, school_id=school.pk, campaign_id=campaign_id
    ).exclude(classes="")
    if request_id is not None:
        found = found.filter(pk=request_id)
    requests = list(found)
    linked: dict[int, list[int]] = {}
    rows = (
        ClassWork.objects.for_actor(actor, action)
        .filter(reserve__in=[r.pk for r in requests])
        .order_by("school_class__grade", "school_class__number")
        .values_list("reserve_id", "pk")
    )
    for reserve_id, pk in rows:
        linked.setdefault(reserve_id, []).append(pk)
    return [ClassReserve(req, linked.get(req.pk, [])) for req in requests]


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
