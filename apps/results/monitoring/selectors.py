"""Monitoring of results uploads (coordinators): the drill-down country → region →
municipality → school, per work of a campaign (or all its works), and the list of a unit's
schools with their upload state and contacts.

Every count is aggregated in the database (GROUP BY the unit one level down and the work), so a
page runs the same number of queries whatever the number of schools. The one thing SQL cannot
decide is whether a school's deadline has passed: it depends on the school's zone and chosen
day. Those are grouped too (unit × work × zone × day × reopening), and the few distinct
combinations are turned into deadlines in Python with the same ``Window`` the school's own page
uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum

from apps.applications.models import Application, ApplicationLine
from apps.applications.selectors import APPLIED
from apps.campaigns import schedule
from apps.campaigns import selectors as campaigns
from apps.campaigns.models import Campaign, ReserveDayRequest, SchoolWorkDate, Work
from apps.core.params import choice_param, int_param, unknown_id
from apps.core.scoping import Level
from apps.core.units import UNIT_COLUMN, per_unit
from apps.registration.access import A, Actor
from apps.registration.models import Municipality, Region, School, SchoolProfile
from apps.registration.selectors import child_unit_list
from apps.results.models import ContextSheet, ResultSheet, ResultVersion
from apps.results.selectors import DEFAULT_ZONE, Window, _counts, now, school_zone

# Applications that count: submitted by the school or confirmed above it.
COUNTED_APPLICATIONS = APPLIED
COUNTRY = "Российская Федерация"
LEVEL_TITLES = {
    Level.REGION: ("Регион", "по регионам"),
    Level.MUNICIPALITY: ("Муниципалитет", "по муниципалитетам"),
    Level.SCHOOL: ("ОО", "по ОО"),
}


# --- the unit a page is about -----------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """The country, a region or a municipality, as one monitoring page shows it."""

    level: Level
    pk: int | None
    name: str
    region: Region | None = None
    municipality: Municipality | None = None

    @property
    def child_level(self) -> Level:
        return Level(self.level + 1)

    def lookup(self, prefix: str = "") -> dict[str, int]:
        """The filter restricting a table with copied unit ids to this unit (none: country)."""
        if self.level is Level.FEDERAL or self.pk is None:
            return {}
        return {f"{prefix}{UNIT_COLUMN[self.level]}": self.pk}


def monitoring_unit_get(
    *,
    actor: Actor,
    region_id: int | None = None,
    municipality_id: int | None = None,
    action: str = A.MONITOR_RESULTS,
) -> Unit:
    """The unit asked for, checked through ``for_actor`` (``DoesNotExist`` outside the actor's
    scope); without ids, the unit the actor serves."""
    if municipality_id is not None:
        muni = (
            Municipality.objects.for_actor(actor, action)
            .select_related("region")
            .get(pk=municipality_id)
        )
        return Unit(Level.MUNICIPALITY, muni.pk, muni.name, muni.region, muni)
    if region_id is not None:
        region = Region.objects.for_actor(actor, action).get(pk=region_id)
        return Unit(Level.REGION, region.pk, region.name, region)
    scope = actor.scope
    if scope.level is Level.FEDERAL:
        return Unit(Level.FEDERAL, None, COUNTRY)
    if scope.level is Level.REGION:
        return monitoring_unit_get(actor=actor, region_id=scope.anchor_id, action=action)
    if scope.level is Level.MUNICIPALITY:
        return monitoring_unit_get(actor=actor, municipality_id=scope.anchor_id, action=action)
    raise PermissionDenied


# --- upload states ------------------------------------------------------------------------------


class UploadState:
    ON_TIME = "on_time"
    LATE = "late"
    WAITING = "waiting"
    OVERDUE = "overdue"
    # A filter only: waiting or overdue.
    MISSING = "missing"

    LABELS = {
        ON_TIME: "загружено в срок",
        LATE: "загружено после срока",
        WAITING: "не загружено, срок не истёк",
        OVERDUE: "не загружено, срок истёк",
    }
    FILTERS = {
        MISSING: "не загрузили",
        OVERDUE: "не загрузили, срок истёк",
        WAITING: "не загрузили, срок не истёк",
        LATE: "загрузили после срока",
        ON_TIME: "загрузили в срок",
        "all": "все ОО",
    }

    @classmethod
    def matches(cls, state: str, wanted: str) -> bool:
        if wanted in ("", "all"):
            return True
        if wanted == cls.MISSING:
            return state in (cls.WAITING, cls.OVERDUE)
        return state == wanted


@dataclass(frozen=True)
class MonitoringQuery:
    """What a monitoring page or ``GET /api/v1/results/monitoring/schools/`` was asked for:
    the campaign (None: no campaign yet), the work (None: all works) and the state filter of
    the school list ("" when absent: each channel picks its default)."""

    campaign: Campaign | None
    work: Work | None
    state: str


def monitoring_work_get(*, actor: Actor, work_id: int) -> Work:
    """The work of a monitoring list by its id in the URL (``DoesNotExist``: 404)."""
    return campaigns.work_get(actor=actor, work_id=work_id, action=A.MONITOR_RESULTS)


def monitoring_query(*, actor: Actor, params: Any) -> MonitoringQuery:
    """``?campaign=``, ``?work=`` and ``?state=`` read the same way for the pages and the API:
    an unknown campaign, a work the campaign does not have, or a state not among
    ``UploadState.FILTERS`` is a 400 naming the parameter (``FilterValueError``)."""
    campaign = campaigns.campaign_chosen(
        actor=actor, campaign_id=int_param(params.get("campaign"), name="campaign")
    )
    work_id = int_param(params.get("work"), name="work")
    work = None
    if work_id is not None:
        if campaign is None:
            raise unknown_id("work", work_id, "работы")
        work = campaigns.work_filter_get(actor=actor, work_id=work_id, campaign_id=campaign.pk)
    state = choice_param(params.get("state"), name="state", choices=UploadState.FILTERS) or ""
    return MonitoringQuery(campaign, work, state)


def upload_state(window: Window, version: ResultVersion | None, moment: dt.datetime) -> str:
    """A school × work's state: uploaded on time / late, or not yet (deadline passed or not)."""
    if version is not None:
        return UploadState.LATE if version.late else UploadState.ON_TIME
    if window.is_late(moment) and not window.is_open(moment):
        return UploadState.OVERDUE
    return UploadState.WAITING


def _window(work: Work, zone: str, day: dt.date | None, reopened: dt.datetime | None) -> Window:
    return Window(
        zone=zone,
        held_on=day,
        form_at=schedule.results_form_available_at(work, zone, day),
        opens_at=schedule.results_upload_opens_at(work, zone, day),
        deadline_at=schedule.upload_deadline_at(work, zone, day),
        reopened_until=reopened,
    )


# --- counts per unit ----------------------------------------------------------------------------


@dataclass
class Counts:
    """What a monitoring row shows for a unit (and one work, or all works of the campaign).

    ``schools`` and ``context`` count distinct schools; ``expected``, ``missing`` and
    ``overdue`` count expected uploads (school × work: the counted applications' lines with
    participants); ``on_time``/``late``/``present``/``absent`` come from the current versions.
    """

    schools: int = 0
    expected: int = 0
    planned: int = 0
    context: int = 0
    on_time: int = 0
    late: int = 0
    present: int = 0
    absent: int = 0
    missing: int = 0
    overdue: int = 0

    @property
    def uploaded(self) -> int:
        return self.on_time + self.late

    @property
    def waiting(self) -> int:
        return max(self.missing - self.overdue, 0)

    def add(self, other: Counts, skip: Iterable[str] = ()) -> None:
        for f in fields(self):
            if f.name not in skip:
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def state(self) -> str:
        """For one school and one work: its upload state ('' when it is not expected)."""
        if self.late:
            return UploadState.LATE
        if self.on_time:
            return UploadState.ON_TIME
        if self.overdue:
            return UploadState.OVERDUE
        return UploadState.WAITING if self.missing else ""

    @property
    def state_label(self) -> str:
        return UploadState.LABELS.get(self.state, "")


@dataclass(frozen=True)
class UnitRow:
    """One unit one level down (a region, a municipality or a school) with its counts."""

    level: Level
    pk: int
    code: str
    name: str
    counts: Counts


@dataclass(frozen=True)
class WorkRow:
    work: Work
    counts: Counts


@dataclass(frozen=True)
class Monitoring:
    """Everything one monitoring page shows: per work totals of the unit, and for the chosen
    work (``None``: all works) a row per unit one level down."""

    unit: Unit
    campaign: Campaign | None
    work: Work | None
    works: list[WorkRow] = field(default_factory=list)
    all_works: Counts = field(default_factory=Counts)
    rows: list[UnitRow] = field(default_factory=list)
    total: Counts = field(default_factory=Counts)

    @property
    def child_level(self) -> Level:
        return self.unit.child_level


def expected_lines(actor: Actor, campaign: Campaign, unit: Unit | None = None) -> QuerySet[Any]:
    """Application lines of the actor's schools (in ``unit``) that take part in a work of the
    campaign: the uploads the monitoring expects."""

    applications = Application.objects.for_actor(actor, A.MONITOR_RESULTS).filter(
        campaign=campaign,
        status__in=COUNTED_APPLICATIONS,
        **(unit.lookup() if unit else {}),
    )
    return ApplicationLine.objects.filter(
        application__in=applications, takes_part=True, participants__gt=0
    )


def _counted_day(actor: Actor) -> QuerySet[Any]:
    """The school's chosen day of the outer line's work (a reserve day only once approved)."""
    return (
        SchoolWorkDate.objects.for_actor(actor, A.MONITOR_RESULTS)
        .filter(school_id=OuterRef("application__school_id"), work_id=OuterRef("work_id"))
        .filter(Q(reserve__isnull=True) | Q(reserve__status=ReserveDayRequest.Status.APPROVED))
        .values("date")[:1]
    )


def monitoring_get(
    *, actor: Actor, unit: Unit, campaign: Campaign | None, work_id: int | None = None
) -> Monitoring:
    """The unit's monitoring for the campaign; ``work_id`` picks one work (else all works).

    A fixed number of queries: the works, the unit's children, and four grouped queries
    (expected lines, distinct schools, current versions, missing uploads by deadline group).
    """
    if campaign is None or unit.level >= Level.SCHOOL:
        return Monitoring(unit=unit, campaign=campaign, work=None)
    works = {
        w.pk: w
        for w in campaigns.work_list(actor=actor, campaign_id=campaign.pk, action=A.MONITOR_RESULTS)
    }
    work = works.get(work_id) if work_id is not None else None
    child = UNIT_COLUMN[unit.child_level]
    lines = expected_lines(actor, campaign, unit)
    has_context = Exists(
        ContextSheet.objects.for_actor(actor, A.MONITOR_RESULTS).filter(
            school_id=OuterRef("application__school_id"),
            campaign_id=campaign.pk,
            current_upload__isnull=False,
        )
    )
    by_pair: dict[tuple[int, int], Counts] = {}

    def pair(unit_id: int, work_pk: int) -> Counts:
        return by_pair.setdefault((unit_id, work_pk), Counts())

    # 1. Expected uploads, planned participants and context per unit × work.
    for row in lines.values("work_id", unit_id=F(f"application__{child}")).annotate(
        n=Count("id"), planned_sum=Sum("participants"), ctx=Count("id", filter=Q(has_context))
    ):
        c = pair(row["unit_id"], row["work_id"])
        c.schools = c.expected = row["n"]
        c.planned = row["planned_sum"] or 0
        c.context = row["ctx"]
    # 2. Distinct schools (and with context) per unit, for «all works».
    distinct: dict[int, tuple[int, int]] = {
        unit_id: (row["n"], row["ctx"])
        for unit_id, row in per_unit(
            lines,
            f"application__{child}",
            n=Count("application__school_id", distinct=True),
            ctx=Count("application__school_id", distinct=True, filter=Q(has_context)),
        ).items()
    }
    # 3. Current versions: on time / late, present / absent per unit × work.
    sheets = ResultSheet.objects.for_actor(actor, A.MONITOR_RESULTS)
    for row in (
        sheets.filter(work__campaign=campaign, current_version__isnull=False, **unit.lookup())
        .values("work_id", unit_id=F(child))
        .annotate(
            late_n=Count("id", filter=Q(current_version__late=True)),
            on_time_n=Count("id", filter=Q(current_version__late=False)),
            present_sum=Sum("current_version__participants"),
            absent_sum=Sum("current_version__absent"),
        )
    ):
        c = pair(row["unit_id"], row["work_id"])
        c.on_time, c.late = row["on_time_n"], row["late_n"]
        c.present, c.absent = row["present_sum"] or 0, row["absent_sum"] or 0
    # 4. Expected uploads still missing, grouped by what decides their deadline.
    sheet_of_line = sheets.filter(
        school_id=OuterRef("application__school_id"), work_id=OuterRef("work_id")
    )
    moment = now()
    for row in (
        lines.filter(~Exists(sheet_of_line.filter(current_version__isnull=False)))
        .annotate(
            day=Subquery(_counted_day(actor)),
            reopened=Subquery(sheet_of_line.values("reopened_until")[:1]),
        )
        .values(
            "work_id",
            "day",
            "reopened",
            unit_id=F(f"application__{child}"),
            zone=F("application__school__time_zone"),
        )
        .annotate(n=Count("id"))
    ):
        found = works.get(row["work_id"])
        if found is None:
            continue
        c = pair(row["unit_id"], row["work_id"])
        c.missing += row["n"]
        window = _window(found, row["zone"] or DEFAULT_ZONE, row["day"], row["reopened"])
        if upload_state(window, None, moment) == UploadState.OVERDUE:
            c.overdue += row["n"]

    # Per work of the campaign: the unit's totals (children are disjoint, so sums are exact).
    per_work: dict[int, Counts] = {}
    for (_unit_id, work_pk), c in by_pair.items():
        if work_pk in works:
            per_work.setdefault(work_pk, Counts()).add(c)
    work_rows = [WorkRow(w, per_work[pk]) for pk, w in works.items() if pk in per_work]
    all_works = Counts()
    for r in work_rows:
        all_works.add(r.counts, skip=("schools", "context"))
    all_works.schools = sum(n for n, _ctx in distinct.values())
    all_works.context = sum(ctx for _n, ctx in distinct.values())

    # One row per unit one level down, for the chosen work or all works.
    by_unit: dict[int, Counts] = {}
    for (unit_id, work_pk), c in by_pair.items():
        if work_pk not in works or (work is not None and work_pk != work.pk):
            continue
        if work is None:
            by_unit.setdefault(unit_id, Counts()).add(c, skip=("schools", "context"))
        else:
            by_unit[unit_id] = c
    if work is None:
        for unit_id, (n, ctx) in distinct.items():
            c = by_unit.setdefault(unit_id, Counts())
            c.schools, c.context = n, ctx
    # The units one level down: every region / municipality; the schools with anything to show.
    children = child_unit_list(
        actor=actor,
        action=A.MONITOR_RESULTS,
        level=unit.level,
        unit_id=unit.pk,
        only=set(by_unit) if unit.child_level is Level.SCHOOL else None,
    )
    rows = [
        UnitRow(unit.child_level, u.pk, u.code, u.name, by_unit.get(u.pk, Counts()))
        for u in children
    ]
    total = Counts()
    for row in rows:
        total.add(row.counts)
    return Monitoring(
        unit=unit,
        campaign=campaign,
        work=work,
        works=work_rows,
        all_works=all_works,
        rows=rows,
        total=total,
    )


# --- the schools of a unit with their state and contacts ------------------------------------


@dataclass(frozen=True)
class SchoolProgress:
    school: School
    planned: int
    version: ResultVersion | None
    window: Window
    state: str
    phone: str = ""
    email: str = ""

    @property
    def state_label(self) -> str:
        return UploadState.LABELS[self.state]


def monitoring_schools(
    *, actor: Actor, work: Work, state: str = "", q: str = "", unit: Unit | None = None
) -> list[SchoolProgress]:
    """The actor's schools (in ``unit``) expected for a work or that uploaded it, with their
    upload state, deadline and contacts; ``state`` filters (``UploadState.FILTERS``)."""

    where = unit.lookup() if unit else {}
    planned: dict[int, int] = dict(
        expected_lines(actor, work.campaign, unit)
        .filter(work=work)
        .values_list("application__school_id", "participants")
    )
    sheets = {
        s.school_id: s
        for s in ResultSheet.objects.for_actor(actor, A.MONITOR_RESULTS)
        .filter(work=work, **where)
        .select_related("current_version")
        # A list of up to every school of the country: never load the versions' content.
        .defer("current_version__snapshot", "current_version__changes")
    }
    ids = set(planned) | {sid for sid, s in sheets.items() if s.current_version_id}
    schools = School.objects.for_actor(actor, A.MONITOR_RESULTS).filter(pk__in=ids)
    if q := q.strip():
        schools = schools.filter(Q(code__icontains=q) | Q(short_name__icontains=q))
    schools = schools.select_related("municipality").order_by("municipality__code", "code")
    days: dict[int, dt.date] = {}
    for row in (
        SchoolWorkDate.objects.for_actor(actor, A.MONITOR_RESULTS)
        .filter(work=work, school_id__in=ids)
        .select_related("reserve")
    ):
        if _counts(row):
            days[row.school_id] = row.date
    contacts: dict[int, tuple[str, str]] = {}
    if actor.can(A.VIEW_PROFILES):
        contacts = {
            sid: (phone, email)
            for sid, phone, email in SchoolProfile.objects.for_actor(actor, A.VIEW_PROFILES)
            .filter(school_id__in=ids)
            .values_list("school_id", "phone", "email")
        }
    moment = now()
    out = []
    for school in schools:
        sheet = sheets.get(school.pk)
        version = sheet.current_version if sheet is not None else None
        reopened = sheet.reopened_until if sheet is not None else None
        window = _window(work, school_zone(school), days.get(school.pk), reopened)
        current = upload_state(window, version, moment)
        if not UploadState.matches(current, state):
            continue
        phone, email = contacts.get(school.pk, ("", ""))
        out.append(
            SchoolProgress(
                school, planned.get(school.pk, 0), version, window, current, phone, email
            )
        )
    return out
