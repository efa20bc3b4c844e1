"""Reads of results, as an actor sees them: the form spec, the upload window, versions, diffs."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Exists, Max, Min, OuterRef, QuerySet
from django.utils import timezone

from apps.campaigns import schedule
from apps.campaigns import selectors as campaigns
from apps.campaigns.models import (
    SESSION_SHORT,
    Campaign,
    ReserveDayRequest,
    SchoolWorkDate,
    Work,
)
from apps.classes import selectors as classes
from apps.classes.actions import ClassActions
from apps.classes.models import ClassWork, SchoolClass
from apps.classes.timetable.days import class_days
from apps.core import instants
from apps.core.precompiled import Precompiled, attnames, instance, joined_instances, joined_names
from apps.materials import generation
from apps.materials import selectors as materials
from apps.registration.access import A, Actor
from apps.registration.models import Municipality, Region, School
from apps.results import xlsx
from apps.results.models import (
    ParticipantResult,
    ResultDraft,
    ResultReopen,
    ResultSheet,
    ResultVersion,
    SchoolWorkStats,
)
from apps.schoolday.actions import SchoolDayActions
from apps.schoolday.checking import selectors as checking
from apps.schoolday.models import Person

DEFAULT_ZONE = "Europe/Moscow"


def school_zone(school: School) -> str:
    return school.time_zone or DEFAULT_ZONE


# What ``school_get`` loads, as ``select_related("municipality", "region")``: every column of
# the school, its municipality and its region, in this order.
_SCHOOL_PARTS: tuple[tuple[str, type[Any]], ...] = (
    ("", School),
    ("municipality__", Municipality),
    ("region__", Region),
)


def _school_rows(actor: Actor, action: str, *, school_id: int) -> QuerySet[School, tuple[Any, ...]]:
    names = joined_names(_SCHOOL_PARTS)
    return (
        School.objects.for_actor(actor, action).filter(pk=school_id).order_by().values_list(*names)
    )


_SCHOOL = Precompiled(_school_rows)


def school_get(*, actor: Actor, school_id: int, action: str = A.VIEW_RESULTS) -> School:
    """``School.objects.for_actor(actor, action).select_related("municipality", "region")
    .get(pk=school_id)``: the same instances (every column), ``School.DoesNotExist`` when not
    seen; one query compiled once per process (``core.precompiled``): every results request
    reads it."""
    rows = _SCHOOL.rows(action, actor=actor, school_id=school_id)
    if not rows:
        raise School.DoesNotExist("School matching query does not exist.")
    parts = joined_instances(_SCHOOL.using, _SCHOOL_PARTS, rows[0])
    school = parts[""]
    school.municipality, school.region = parts["municipality__"], parts["region__"]
    return school  # type: ignore[no-any-return]


def _school_work_rows(
    actor: Actor, action: str, *, school_id: int, work_id: int
) -> QuerySet[School, tuple[bool]]:
    work = Work.objects.for_actor(actor, action).filter(pk=work_id)
    return (
        School.objects.for_actor(actor, action)
        .filter(pk=school_id)
        .annotate(work_seen=Exists(work))
        .order_by()
        .values_list("work_seen")
    )


_SCHOOL_WORK = Precompiled(_school_work_rows)


def school_work_check(*, actor: Actor, school_id: int, work_id: int, action: str) -> None:
    """``school_get`` then ``work_get`` as a scope check (out of scope: ``School.DoesNotExist``,
    else ``Work.DoesNotExist``; both 404), in one query compiled once per process and without
    loading either: what an endpoint checks before it reads a request's body."""
    rows = _SCHOOL_WORK.rows(action, actor=actor, school_id=school_id, work_id=work_id)
    if not rows:
        raise School.DoesNotExist("School matching query does not exist.")
    if not rows[0][0]:
        raise Work.DoesNotExist("Work matching query does not exist.")


def work_get(*, actor: Actor, work_id: int, action: str = A.VIEW_RESULTS) -> Work:
    """A work with its subject, campaign and ordered columns (reference data)."""
    return campaigns.work_get(actor=actor, work_id=work_id, action=action)


def work_key(work: Work) -> str:
    """What the form's service sheet names the work by: «2026-spring/russian/4»."""
    return f"{work.campaign.year}-{work.campaign.session}/{work.subject.code}/{work.grade}"


@dataclass(frozen=True)
class _Issued:
    """An issued code as the form reads it."""

    code: str
    class_number: int | None
    reserve: bool


def form_spec(*, actor: Actor, school: School, work: Work, action: str) -> xlsx.FormSpec:
    """The form of one school × work: the work's columns, the school's codes for its grade, each
    with its class's current «Порядковый номер класса» (a renumbered class keeps its codes)."""
    # ``participant_codes`` with each code's ``current_class_number`` (one query compiled once
    # per process, no model instances: a big school has thousands of codes)
    codes = [
        _Issued(c.code, c.number, c.reserve)
        for c in materials.kit_codes(
            actor=actor,
            action=action,
            school_id=school.pk,
            campaign_id=work.campaign_id,
            grade=work.grade,
        )
    ]
    ordered = sorted(codes, key=lambda c: (c.reserve, c.class_number or 0, c.code))
    reserve = Counter(c.class_number for c in codes if c.reserve and c.class_number)
    return xlsx.FormSpec(
        classes=register_classes(actor=actor, school=school, work=work, reserve=reserve),
        subject=work.subject.name,
        grade=work.grade,
        year=work.campaign.year,
        work_key=work_key(work),
        school_code=school.code,
        columns=tuple(xlsx.Column(c.label, c.max_score) for c in work.columns.all()),
        variants=work.variants_per_school,
        issued=frozenset(c.code for c in codes),
        prefill=tuple(xlsx.Prefill(c.code, c.class_number) for c in ordered),
        session=SESSION_SHORT.get(work.campaign.session, ""),
    )


def class_reserve(participants: int) -> int:
    """The reserve codes a class gets by the materials rule (10 %, rounded up, at least one)."""
    return max(generation.RESERVE_MIN_PER_CLASS, math.ceil(participants * generation.RESERVE_SHARE))


def register_classes(
    *, actor: Actor, school: School, work: Work, reserve: Mapping[int, int]
) -> tuple[xlsx.FormClass, ...] | None:
    """The classes of the school's register that write ``work`` (by number), each with how many
    rows it may have in the form: its confirmed participants (its pupils until the school
    confirms them) plus its reserve (the reserve codes issued for it, at least the materials
    rule's); None when the school has no register for the work's campaign."""
    if not _registered(actor=actor, school_id=school.pk, campaign_id=work.campaign_id):
        return None
    works = classes.class_works_of_school(
        actor=actor, school_id=school.pk, campaign_id=work.campaign_id
    ).filter(work_id=work.pk)
    out = []
    for class_work in works:
        school_class = class_work.school_class
        confirmed = class_work.participants
        participants = school_class.pupils if confirmed is None else confirmed
        spare = max(reserve.get(school_class.number, 0), class_reserve(participants))
        out.append(
            xlsx.FormClass(
                number=school_class.number,
                label=school_class.label,
                pupils=school_class.pupils,
                limit=participants + spare,
            )
        )
    return tuple(sorted(out, key=lambda c: c.number))


def _registered_rows(
    actor: Actor, action: str, *, school_id: int, campaign_id: int
) -> QuerySet[School, tuple[bool]]:
    """``classes_of_school``'s school check and its ``exists()`` in one statement."""
    active = SchoolClass.objects.for_actor(actor, action).filter(
        school_id=OuterRef("pk"), campaign_id=campaign_id, is_active=True
    )
    return (
        School.objects.for_actor(actor, action)
        .filter(pk=school_id)
        .annotate(registered=Exists(active))
        .order_by()
        .values_list("registered")
    )


_REGISTERED = Precompiled(_registered_rows)


def _registered(*, actor: Actor, school_id: int, campaign_id: int) -> bool:
    """``classes.classes_of_school(...).exists()``: whether the school has active classes in the
    campaign; ``School.DoesNotExist`` as there when the actor does not see the school under
    the classes' action. One query compiled once per process."""
    rows = _REGISTERED.rows(
        ClassActions.VIEW_CLASSES, actor=actor, school_id=school_id, campaign_id=campaign_id
    )
    if not rows:
        raise School.DoesNotExist("School matching query does not exist.")
    return bool(rows[0][0])


def _counts(row: SchoolWorkDate) -> bool:
    """A chosen day counts unless it is a reserve day not (yet) approved."""
    return row.reserve is None or row.reserve.status == ReserveDayRequest.Status.APPROVED


def _held_on_rows(
    actor: Actor, *, school_id: int, work_id: int
) -> QuerySet[SchoolWorkDate, tuple[Any, ...]]:
    """The school's chosen day of the work and its reserve request's status (as ``first()``
    of the ``select_related("reserve")`` read: by id, one row)."""
    return (
        SchoolWorkDate.objects.for_actor(actor, A.VIEW_SCHEDULE)
        .filter(school_id=school_id, work_id=work_id)
        .order_by("pk")
        .values_list("date", "reserve_id", "reserve__status")[:1]
    )


_HELD_ON = Precompiled(_held_on_rows)


def held_on(*, actor: Actor, school: School, work: Work) -> dt.date | None:
    """The day the school holds the work (a reserve day only once approved). One query compiled
    once per process (``core.precompiled``); the rule is ``_counts``' on the row's columns."""
    rows = _HELD_ON.rows(actor=actor, school_id=school.pk, work_id=work.pk)
    if not rows:
        return None
    day, reserve_id, status = rows[0]
    counts = reserve_id is None or status == ReserveDayRequest.Status.APPROVED
    return day if counts else None


@dataclass(frozen=True)
class Window:
    """When a school may download the form and upload results of a work (UTC instants; None:
    not yet known). ``form_at``: the blank form is published (grade 8: with the archive);
    ``opens_at``: uploads open (with the criteria)."""

    zone: str
    held_on: dt.date | None
    form_at: dt.datetime | None
    opens_at: dt.datetime | None
    deadline_at: dt.datetime
    reopened_until: dt.datetime | None

    def is_open(self, now: dt.datetime) -> bool:
        if self.opens_at is None or now < self.opens_at:
            return False
        if now < self.deadline_at:
            return True
        return self.reopened_until is not None and now < self.reopened_until

    def is_late(self, now: dt.datetime) -> bool:
        return now >= self.deadline_at

    @property
    def place(self) -> instants.Place:
        """The school's clock: every instant of the window is shown on it (core.instants)."""
        return instants.Place(self.zone, School.instant_whose)

    def shown(self, moment: dt.datetime | None) -> str:
        """«07.12.2026 00:00 (МСК+2, время ОО)» for an instant of the window."""
        return instants.format_instant(moment, self.place)

    @property
    def deadline_day(self) -> dt.date:
        """The last local day of uploads (the deadline instant is the next midnight)."""
        return (self.deadline_at.astimezone(ZoneInfo(self.zone)) - dt.timedelta(days=1)).date()

    @property
    def reopened_day(self) -> dt.date | None:
        if self.reopened_until is None:
            return None
        local = self.reopened_until.astimezone(ZoneInfo(self.zone))
        return (local - dt.timedelta(days=1)).date()


def _last_class_day_rows(
    actor: Actor, action: str, *, school_id: int, work_id: int
) -> QuerySet[ClassWork, tuple[dt.date]]:
    """``class_days``' query for one work, its last day only."""
    return (
        ClassWork.objects.for_actor(actor, action)
        .filter(
            school_id=school_id,
            work_id=work_id,
            school_class__is_active=True,
            date__isnull=False,
        )
        .order_by()
        .values("work_id")
        .annotate(last=Max("date"))
        .values_list("last")
    )


_LAST_CLASS_DAY = Precompiled(_last_class_day_rows)


def _last_class_day(*, actor: Actor, school: School, work: Work) -> dt.date | None:
    """``_last_class_days(...).get(work.pk)`` for one work: one query compiled once per process
    (``core.precompiled``), read by every upload's window."""
    rows = _LAST_CLASS_DAY.rows(
        ClassActions.VIEW_CLASSES, actor=actor, school_id=school.pk, work_id=work.pk
    )
    return rows[0][0] if rows else None


def _last_class_days(*, actor: Actor, school: School, work_ids: list[int]) -> dict[int, dt.date]:
    """work id → the last day a class of the school writes it (the upload window and a late
    day's moves go by it; the school's own day is the first class day)."""
    days = class_days(
        actor=actor, action=ClassActions.VIEW_CLASSES, school_id=school.pk, work_ids=work_ids
    )
    return {work_id: d.last for work_id, d in days.items()}


def _window(
    work: Work, zone: str, day: dt.date | None, last: dt.date | None, sheet: ResultSheet | None
) -> Window:
    if day is None or (last is not None and last < day):
        last = None
    return Window(
        zone=zone,
        held_on=day,
        form_at=schedule.results_form_available_at(work, zone, day),
        opens_at=schedule.results_upload_opens_at(work, zone, day, last=last),
        deadline_at=schedule.upload_deadline_at(work, zone, day, last=last),
        reopened_until=sheet.reopened_until if sheet is not None else None,
    )


def upload_window(*, actor: Actor, school: School, work: Work, sheet: ResultSheet | None) -> Window:
    day = held_on(actor=actor, school=school, work=work)
    last = _last_class_day(actor=actor, school=school, work=work)
    return _window(work, school_zone(school), day, last, sheet)


def sheet_get(
    *, actor: Actor, school_id: int, work_id: int, action: str = A.VIEW_RESULTS
) -> ResultSheet | None:
    return (
        ResultSheet.objects.for_actor(actor, action)
        .filter(school_id=school_id, work_id=work_id)
        .select_related("current_version", "current_version__uploaded_by")
        .first()
    )


def _sheet_ref_rows(
    actor: Actor, action: str, *, school_id: int, work_id: int
) -> QuerySet[ResultSheet, tuple[Any, ...]]:
    return (
        ResultSheet.objects.for_actor(actor, action)
        .filter(school_id=school_id, work_id=work_id)
        .order_by()
        .values_list("id", "reopened_until")
    )


_SHEET_REF = Precompiled(_sheet_ref_rows)


def sheet_ref(
    *, actor: Actor, school_id: int, work_id: int, action: str = A.VIEW_RESULTS
) -> ResultSheet | None:
    """The row ``sheet_get`` finds (one per school × work), with only its id and reopening
    loaded (the other columns deferred, as ``only()``): what an upload reads before it locks
    the row and reads it whole. One query compiled once per process (``core.precompiled``)."""
    rows = _SHEET_REF.rows(action, actor=actor, school_id=school_id, work_id=work_id)
    if not rows:
        return None
    sheet_id, reopened_until = rows[0]
    return instance(  # type: ignore[no-any-return]
        ResultSheet, _SHEET_REF.using, {"id": sheet_id, "reopened_until": reopened_until}
    )


def _sheet_locked_rows(
    actor: Actor, action: str, *, sheet_id: int
) -> QuerySet[ResultSheet, tuple[Any, ...]]:
    return (
        ResultSheet.objects.for_actor(actor, action)
        .select_for_update()
        .filter(pk=sheet_id)
        .order_by()
        .values_list(*attnames(ResultSheet))
    )


_SHEET_LOCKED = Precompiled(_sheet_locked_rows)


def sheet_locked(*, actor: Actor, sheet_id: int, action: str) -> ResultSheet:
    """``ResultSheet.objects.for_actor(actor, action).select_for_update().get(pk=sheet_id)``
    (the caller's transaction holds the row lock until it ends): the same instance, every
    column; ``ResultSheet.DoesNotExist`` when not seen. Compiled once per process."""
    rows = _SHEET_LOCKED.rows(action, actor=actor, sheet_id=sheet_id)
    if not rows:
        raise ResultSheet.DoesNotExist("ResultSheet matching query does not exist.")
    return ResultSheet.from_db(_SHEET_LOCKED.using, attnames(ResultSheet), list(rows[0]))


def _version_rows(
    actor: Actor, action: str, *, version_id: int
) -> QuerySet[ResultVersion, tuple[Any, ...]]:
    return (
        ResultVersion.objects.for_actor(actor, action)
        .filter(pk=version_id)
        .order_by()
        .values_list(*attnames(ResultVersion))
    )


_VERSION = Precompiled(_version_rows)


def version_find(*, actor: Actor, version_id: int, action: str) -> ResultVersion | None:
    """``ResultVersion.objects.for_actor(actor, action).filter(pk=version_id).first()``: the
    same instance (every column), None when not seen. Compiled once per process."""
    rows = _VERSION.rows(action, actor=actor, version_id=version_id)
    if not rows:
        return None
    return ResultVersion.from_db(_VERSION.using, attnames(ResultVersion), list(rows[0]))


def _version_seen_rows(
    actor: Actor, action: str, *, version_id: int
) -> QuerySet[ResultVersion, tuple[int]]:
    return (
        ResultVersion.objects.for_actor(actor, action)
        .filter(pk=version_id)
        .order_by()
        .values_list("id")
    )


_VERSION_SEEN = Precompiled(_version_seen_rows)


def version_seen(*, actor: Actor, version_id: int, action: str) -> bool:
    """``ResultVersion.objects.for_actor(actor, action).filter(pk=version_id).exists()``,
    compiled once per process."""
    return bool(_VERSION_SEEN.rows(action, actor=actor, version_id=version_id))


def uploaded_at(
    *, actor: Actor, school_id: int, work_id: int, action: str = A.VIEW_RESULTS
) -> dt.datetime | None:
    """When the school's current (accepted) upload of the work came; None before the first.
    The release rule of a late reserve day depends on it (``schedule.release_at``)."""
    return (
        ResultSheet.objects.for_actor(actor, action)
        .filter(school_id=school_id, work_id=work_id, current_version__isnull=False)
        .values_list("current_version__uploaded_at", flat=True)
        .first()
    )


def version_list(*, actor: Actor, sheet: ResultSheet) -> QuerySet[ResultVersion]:
    return (
        ResultVersion.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(sheet=sheet)
        .select_related("uploaded_by")
        .defer("snapshot")
        .order_by("-number")
    )


def version_get(*, actor: Actor, version_id: int) -> ResultVersion:
    return (
        ResultVersion.objects.for_actor(actor, A.VIEW_RESULTS)
        .select_related(
            "sheet",
            "sheet__school",
            "sheet__work",
            "sheet__work__subject",
            "sheet__work__campaign",
            "uploaded_by",
        )
        .get(pk=version_id)
    )


def version_previous(*, actor: Actor, version: ResultVersion) -> ResultVersion | None:
    return (
        ResultVersion.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(sheet_id=version.sheet_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )


def version_diff(
    *, actor: Actor, version: ResultVersion, against: ResultVersion | None = None
) -> tuple[ResultVersion | None, xlsx.Diff]:
    """What changed in ``version`` against ``against`` (default: the version before it)."""
    base = against if against is not None else version_previous(actor=actor, version=version)
    return base, xlsx.diff(base.snapshot if base is not None else None, version.snapshot)


def reopen_list(*, actor: Actor, sheet: ResultSheet) -> QuerySet[ResultReopen]:
    return (
        ResultReopen.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(sheet=sheet)
        .select_related("by")
        .order_by("-at", "-id")
    )


def result_list(*, actor: Actor, sheet: ResultSheet) -> QuerySet[ParticipantResult]:
    return (
        ParticipantResult.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(sheet=sheet)
        .order_by("code")
    )


def stats_get(*, actor: Actor, school_id: int, work_id: int) -> SchoolWorkStats | None:
    return (
        SchoolWorkStats.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(school_id=school_id, work_id=work_id)
        .first()
    )


def entry_cells(
    *,
    actor: Actor,
    school: School,
    work: Work,
    spec: xlsx.FormSpec,
    action: str | None = None,
) -> tuple[list[list[str]], ResultDraft | None]:
    """The browser table to show: the saved draft, else the accepted results followed by the
    codes not used in them, else the issued codes. ``action``: the one action both the draft
    and the results are read under (an expert's entry reads them under ENTER_SCORES)."""
    draft = (
        ResultDraft.objects.for_actor(actor, action or A.UPLOAD_RESULTS)
        .filter(school_id=school.pk, work_id=work.pk)
        .first()
    )
    if draft is not None:
        return draft.cells, draft
    sheet = sheet_get(
        actor=actor, school_id=school.pk, work_id=work.pk, action=action or A.VIEW_RESULTS
    )
    rows: list[xlsx.Row] = []
    # With a register an accepted row's class was its code's class: show the class's current
    # number (it may have been renumbered since), which the next upload must carry.
    now_in = spec.code_classes if spec.classes is not None else {}
    if sheet is not None and sheet.current_version_id:
        rows = [
            xlsx.Row(
                r.code,
                r.absent,
                r.variant,
                tuple(r.scores),
                now_in.get(r.code, r.class_number),
                r.journal_mark,
            )
            for r in ParticipantResult.objects.for_actor(actor, action or A.VIEW_RESULTS)
            .filter(sheet=sheet)
            .order_by("code")
        ]
    used = {r.code for r in rows}
    blank = [""] * (1 + len(spec.columns))  # variant and scores
    cells = xlsx.entry_cells(spec, rows) + [
        [p.code, *blank, str(p.class_number or ""), ""] for p in spec.prefill if p.code not in used
    ]
    return cells, None


@dataclass(frozen=True)
class WorkStatus:
    """A work of the school on its results page: the window and what was accepted."""

    work: Work
    window: Window
    sheet: ResultSheet | None

    @property
    def version(self) -> ResultVersion | None:
        return self.sheet.current_version if self.sheet is not None else None


def school_results(*, actor: Actor, school: School, campaign: Campaign | None) -> list[WorkStatus]:
    """The works of the campaign the school holds, each with its window and current version."""
    if campaign is None:
        return []
    works = campaigns.school_works(actor=actor, school=school, campaign=campaign)
    sheets = {
        s.work_id: s
        for s in ResultSheet.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(school_id=school.pk, work__campaign=campaign)
        .select_related("current_version", "current_version__uploaded_by")
    }
    days: dict[int, dt.date] = {}
    if actor.can(A.VIEW_SCHEDULE):
        for row in (
            SchoolWorkDate.objects.for_actor(actor, A.VIEW_SCHEDULE)
            .filter(school_id=school.pk, work__campaign=campaign)
            .select_related("reserve")
        ):
            if _counts(row):
                days[row.work_id] = row.date
    zone = school_zone(school)
    lasts = _last_class_days(actor=actor, school=school, work_ids=[w.pk for w in works])
    out = []
    for work in works:
        sheet = sheets.get(work.pk)
        window = _window(work, zone, days.get(work.pk), lasts.get(work.pk), sheet)
        out.append(WorkStatus(work=work, window=window, sheet=sheet))
    return out


def now() -> dt.datetime:
    return timezone.now()


# --- the checking: the experts' entry, who checked which codes, the observer at the upload ----


@dataclass(frozen=True)
class CheckingWindow:
    """When experts enter scores (UTC instants): from 00:00 of the school's first class day of
    the work (else its chosen day) to the end of ``work.checking_until`` (else the upload
    deadline day), school-local. ``opens_at`` None: no day is known yet."""

    zone: str
    opens_at: dt.datetime | None
    closes_at: dt.datetime

    def is_open(self, moment: dt.datetime) -> bool:
        return self.opens_at is not None and self.opens_at <= moment < self.closes_at

    @property
    def last_day(self) -> dt.date:
        """The last school-local day of checking (the window closes at the end of it)."""
        return (self.closes_at - dt.timedelta(minutes=1)).astimezone(ZoneInfo(self.zone)).date()

    @property
    def place(self) -> instants.Place:
        return instants.Place(self.zone, School.instant_whose)

    def shown(self, moment: dt.datetime | None) -> str:
        """«07.12.2026 00:00 (МСК+2, время ОО)» for an instant of the window."""
        return instants.format_instant(moment, self.place)


def checking_window(
    *, school: School, work: Work, class_ids: set[int] | None = None
) -> CheckingWindow:
    """The checking window of a work at a school by the school day's rule
    (``schoolday.checking.selectors.checking_window``): from the day of the class (of
    ``class_ids``, the classes of an expert's codes; the school's first class day of the work
    without them; a school without a register: its chosen day) to the last day of checking.
    The days are read as the system: the window applies whoever enters (an expert does not
    see the school's classes)."""
    system = Actor.system(reason="results.checking_window")
    class_day: dt.date | None = None
    if class_ids:
        class_day = (
            ClassWork.objects.for_actor(system, ClassActions.VIEW_CLASSES)
            .filter(
                school_id=school.pk,
                work_id=work.pk,
                school_class_id__in=class_ids,
                date__isnull=False,
            )
            .aggregate(first=Min("date"))["first"]
        )
    if class_day is None:
        days = class_days(
            actor=system,
            action=ClassActions.VIEW_CLASSES,
            school_id=school.pk,
            work_ids=[work.pk],
        )
        class_day = (
            days[work.pk].first
            if work.pk in days
            else held_on(actor=system, school=school, work=work)
        )
    start, _ = checking.checking_window(school, work, class_day)
    zone = school_zone(school)
    return CheckingWindow(
        zone=zone,
        opens_at=schedule.at_local(start, dt.time(0, 0), zone) if start is not None else None,
        closes_at=checking.checking_closes_at(school, work, class_day),
    )


@dataclass(frozen=True)
class ExpertDesk:
    """An expert's part of a school × work: the codes given to it and the school's form.
    ``expert`` None: the organizer has not chosen whose codes to enter yet (``experts``)."""

    school: School
    work: Work
    expert: Person | None
    experts: list[Person]
    codes: tuple[str, ...]
    spec: xlsx.FormSpec
    window: CheckingWindow
    on_behalf: bool


def expert_desk(
    *, actor: Actor, school_id: int, work_id: int, expert_id: int | None = None
) -> ExpertDesk:
    """What an expert (or the organizer on an expert's behalf) enters. An expert's personal
    scope gives only its own codes; ``expert_id`` of anyone else (or, for the organizer, of a
    person who is not an expert of the school) raises ``DoesNotExist`` (404)."""
    enter = SchoolDayActions.ENTER_SCORES
    school = school_get(actor=actor, school_id=school_id, action=enter)
    work = work_get(actor=actor, work_id=work_id, action=enter)
    given = list(
        checking.assignments(actor=actor, school_id=school.pk, work_id=work.pk, action=enter)
    )
    expert: Person | None = None
    if actor.scope.user_id is not None:
        own = checking.expert_of(actor)
        if own is None or own.school_id != school.pk:
            raise Person.DoesNotExist
        if expert_id is not None and expert_id != own.pk:
            raise Person.DoesNotExist
        expert = own
    elif expert_id is not None:
        expert = Person.objects.for_actor(actor, enter).get(
            pk=expert_id, school_id=school.pk, duty=Person.Duty.EXPERT, is_active=True
        )
    experts = sorted(
        {row.expert.pk: row.expert for row in given}.values(), key=lambda p: (p.full_name, p.pk)
    )
    codes = tuple(
        row.code.code for row in given if expert is not None and row.expert_id == expert.pk
    )
    # The form (codes, classes, maxima) is reference for the validation: read as the system,
    # since an expert sees neither the school's codes list nor its classes.
    system = Actor.system(reason="results.expert_entry")
    spec = form_spec(actor=system, school=school, work=work, action=A.VIEW_RESULTS)
    return ExpertDesk(
        school=school,
        work=work,
        expert=expert,
        experts=experts,
        codes=codes,
        spec=spec,
        window=checking_window(
            school=school,
            work=work,
            class_ids={
                row.code.school_class_id
                for row in given
                if row.expert_id == getattr(expert, "pk", None) and row.code.school_class_id
            },
        ),
        on_behalf=expert is not None and actor.scope.user_id is None,
    )


def _blank_line(spec: xlsx.FormSpec, code: str, class_number: int | None) -> list[str]:
    return [code, *([""] * (1 + len(spec.columns))), str(class_number or ""), ""]


def expert_cells(*, actor: Actor, desk: ExpertDesk) -> list[list[str]]:
    """The expert's rows of the school's table (the draft, else the accepted results, else
    blank), in the order of its codes."""
    spec = desk.spec
    cells, _ = entry_cells(
        actor=actor,
        school=desk.school,
        work=desk.work,
        spec=spec,
        action=SchoolDayActions.ENTER_SCORES,
    )
    width = spec.col_mark
    by_code = {
        line[0].strip(): (list(line) + [""] * width)[:width]
        for line in cells
        if line and str(line[0]).strip()
    }
    classes = {p.code: p.class_number for p in spec.prefill}
    return [by_code.get(code) or _blank_line(spec, code, classes.get(code)) for code in desk.codes]


def entered_codes(*, school_id: int, work_id: int) -> set[str]:
    """Codes of a school × work with scores entered: a row of the draft with anything beyond
    the code and the class, or a row of the current results. Read as the system (the
    coordinators' checking progress counts them; no scores leave this function)."""
    return scored_codes({(school_id, work_id)})[(school_id, work_id)]


def scored_codes(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], set[str]]:
    """``entered_codes`` for many (school id, work id) pairs in two queries: the provider the
    school day's checking progress asks (registered from ``ResultsConfig.ready``)."""
    if not pairs:
        return {}
    system = Actor.system(reason="results.entered_codes")
    schools = {s for s, _ in pairs}
    works = {w for _, w in pairs}
    out: dict[tuple[int, int], set[str]] = {pair: set() for pair in pairs}
    for school_id, work_id, code in (
        ParticipantResult.objects.for_actor(system, A.VIEW_RESULTS)
        .filter(school_id__in=schools, work_id__in=works)
        .values_list("school_id", "work_id", "code")
    ):
        if (school_id, work_id) in out:
            out[(school_id, work_id)].add(code)
    for school_id, work_id, cells in (
        ResultDraft.objects.for_actor(system, A.VIEW_RESULTS)
        .filter(school_id__in=schools, work_id__in=works)
        .values_list("school_id", "work_id", "cells")
    ):
        if (school_id, work_id) in out:
            out[(school_id, work_id)] |= _draft_entered(cells)
    return out


def _draft_entered(cells: list[list[str]] | None) -> set[str]:
    """Codes of a draft's rows with anything beyond the code and the class."""
    out = set()
    for line in cells or []:
        if not line or not str(line[0]).strip():
            continue
        if any(str(v).strip() for v in [*line[1:-2], line[-1]]):
            out.add(str(line[0]).strip())
    return out


def observer_list(*, actor: Actor, school_id: int) -> list[Person]:
    """The school's active public observers (the upload form's choice)."""
    if not actor.can(SchoolDayActions.VIEW_SCHOOL_DAY):
        return []
    return list(
        Person.objects.for_actor(actor, SchoolDayActions.VIEW_SCHOOL_DAY)
        .filter(school_id=school_id, duty=Person.Duty.OBSERVER, is_active=True)
        .order_by("full_name", "pk")
    )


def observer_get(*, actor: Actor, school_id: int, observer_id: int) -> Person:
    """An active public observer of the school (``Person.DoesNotExist`` otherwise)."""
    person: Person = Person.objects.for_actor(actor, SchoolDayActions.VIEW_SCHOOL_DAY).get(
        pk=observer_id, school_id=school_id, duty=Person.Duty.OBSERVER, is_active=True
    )
    return person


def code_ranges(codes: list[str]) -> str:
    """«40001–40005, 40009»: codes in order, consecutive numbers joined."""
    numbers = sorted({int(c) for c in codes if c.isdigit()})
    parts: list[str] = []
    start = prev = None
    for n in numbers:
        if prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None and prev is not None:
            parts.append(f"{start:05d}" if start == prev else f"{start:05d}–{prev:05d}")
        start = prev = n
    if start is not None and prev is not None:
        parts.append(f"{start:05d}" if start == prev else f"{start:05d}–{prev:05d}")
    return ", ".join([*parts, *sorted(c for c in codes if not c.isdigit())])


@dataclass(frozen=True)
class CheckedBy:
    """An expert's line of a version's «Кто проверял»: its name and codes."""

    expert: str
    codes: str
    count: int


def checked_by_table(version: ResultVersion) -> list[CheckedBy]:
    """Who checked which codes of a version (adults' names only), by name."""
    grouped: dict[str, list[str]] = {}
    for code, name in (version.checked_by or {}).items():
        grouped.setdefault(str(name), []).append(str(code))
    return [
        CheckedBy(expert=name, codes=code_ranges(codes), count=len(codes))
        for name, codes in sorted(grouped.items())
    ]
