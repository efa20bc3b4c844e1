"""Reads of campaigns, works, the plan-graph, school dates and reserve days, as an actor sees them.

Campaigns, subjects and works are global reference data: ``for_actor`` gives every role holding
the action the same rows. School dates and reserve days are tenant data scoped by the school.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.campaigns import schedule
from apps.campaigns.models import (
    Campaign,
    CampaignGrade,
    ReserveDayRequest,
    SchoolWorkDate,
    Subject,
    TaskColumn,
    Work,
)
from apps.campaigns.rules import CampaignSpec, ColumnSpec, WorkSpec
from apps.core.models import ImportBatch
from apps.core.params import unknown_id
from apps.core.precompiled import Precompiled, attnames, joined_instances, joined_names
from apps.registration.access import A, Actor
from apps.registration.models import School, SchoolProfile

DEFAULT_ZONE = "Europe/Moscow"
IMPORT_KIND = "works"

# --- campaigns and works ----------------------------------------------------------------------


def campaign_list(*, actor: Actor, action: str = A.VIEW_CAMPAIGNS) -> QuerySet[Campaign]:
    return Campaign.objects.for_actor(actor, action).order_by("-year", "session")


def campaign_get(*, actor: Actor, campaign_id: int, action: str = A.VIEW_CAMPAIGNS) -> Campaign:
    return campaign_list(actor=actor, action=action).get(pk=campaign_id)


def campaign_current(*, actor: Actor) -> Campaign | None:
    """The current campaign: the newest active one, else the newest of all."""
    campaigns = campaign_list(actor=actor)
    return campaigns.filter(is_active=True).first() or campaigns.first()


def campaign_chosen(*, actor: Actor, campaign_id: int | None) -> Campaign | None:
    """The campaign a page or an API list asks for (``?campaign=``), else the current one.

    An id naming no campaign the actor sees is refused (``FilterValueError``: 400 naming the
    parameter in both channels), never replaced by the current campaign: a client that asked
    for one campaign must not receive another's rows."""
    if campaign_id is not None:
        found = campaign_list(actor=actor).filter(pk=campaign_id).first()
        if found is None:
            raise unknown_id("campaign", campaign_id, "кампании")
        return found
    return campaign_current(actor=actor)


def campaign_filter_get(*, actor: Actor, campaign_id: int | None) -> Campaign | None:
    """The campaign a list is filtered by (``?campaign=``; None: no filter, every campaign).
    An id naming no campaign the actor sees raises ``FilterValueError`` (400)."""
    if campaign_id is None:
        return None
    found = campaign_list(actor=actor).filter(pk=campaign_id).first()
    if found is None:
        raise unknown_id("campaign", campaign_id, "кампании")
    return found


def work_filter_get(
    *, actor: Actor, work_id: int | None, campaign_id: int | None = None
) -> Work | None:
    """The work a list is filtered by (``?work=``; None: no filter). An id naming no work the
    actor sees (or none of ``campaign_id`` when given) raises ``FilterValueError`` (400)."""
    if work_id is None:
        return None
    found = work_list(actor=actor, campaign_id=campaign_id, work_id=work_id).first()
    if found is None:
        raise unknown_id("work", work_id, "работы" if campaign_id is None else "работы кампании")
    return found


def campaign_grade_numbers(campaign_id: int) -> tuple[int, ...]:
    """The grades that take part in a campaign (its ``CampaignGrade`` rows: reference data,
    the same for everyone), ascending; empty while none is configured."""
    return tuple(
        CampaignGrade.objects.filter(campaign_id=campaign_id)
        .order_by("grade")
        .values_list("grade", flat=True)
    )


def current_campaign_grades() -> tuple[int, ...]:
    """The grades of the current campaign (the newest active one, else the newest); a campaign
    with none configured yet gives those of the most recent campaign that has some."""
    system = Actor.system(reason="grades of the current campaign")
    current = campaign_current(actor=system)
    if current is not None and (grades := campaign_grade_numbers(current.pk)):
        return grades
    latest = (
        CampaignGrade.objects.order_by("-campaign__year", "campaign__session", "-campaign_id")
        .values_list("campaign_id", flat=True)
        .first()
    )
    return campaign_grade_numbers(latest) if latest is not None else ()


def subject_list(*, actor: Actor, action: str = A.VIEW_CAMPAIGNS) -> QuerySet[Subject]:
    return Subject.objects.for_actor(actor, action).order_by("name")


def work_list(
    *,
    actor: Actor,
    campaign_id: int | None = None,
    grade: int | None = None,
    subject_code: str = "",
    work_id: int | None = None,
    action: str = A.VIEW_CAMPAIGNS,
) -> QuerySet[Work]:
    """Works with their subject, campaign and columns (three queries however many works)."""
    qs = (
        Work.objects.for_actor(actor, action)
        .select_related("subject", "campaign")
        .prefetch_related(Prefetch("columns", queryset=TaskColumn.objects.order_by("position")))
    )
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    if grade is not None:
        qs = qs.filter(grade=grade)
    if subject_code:
        qs = qs.filter(subject__code=subject_code)
    if work_id is not None:
        qs = qs.filter(pk=work_id)
    return qs.order_by("grade", "subject__name")


# What ``work_get`` loads, as ``work_list``'s ``select_related`` does: every column of the work,
# its campaign and its subject, in this order.
_WORK_PARTS: tuple[tuple[str, type[Any]], ...] = (
    ("", Work),
    ("campaign__", Campaign),
    ("subject__", Subject),
)


def _work_rows(actor: Actor, action: str, *, work_id: int) -> QuerySet[Work, tuple[Any, ...]]:
    names = joined_names(_WORK_PARTS)
    return Work.objects.for_actor(actor, action).filter(pk=work_id).order_by().values_list(*names)


def _work_column_rows(*, work_id: int) -> QuerySet[TaskColumn, tuple[Any, ...]]:
    return (
        TaskColumn.objects.filter(work_id=work_id)  # reference data: the work's scope decided
        .order_by("position")
        .values_list(*attnames(TaskColumn))
    )


_WORK = Precompiled(_work_rows)
_WORK_COLUMNS = Precompiled(_work_column_rows)


def work_get(*, actor: Actor, work_id: int, action: str = A.VIEW_CAMPAIGNS) -> Work:
    """``work_list(...).get(pk=work_id)``: the work with its subject and campaign loaded and its
    columns prefetched by position (every column of each, as the ORM loads them);
    ``Work.DoesNotExist`` when the actor does not see it. Two queries compiled once per process
    (``core.precompiled``): read by every results upload, check and page."""
    rows = _WORK.rows(action, actor=actor, work_id=work_id)
    if not rows:
        raise Work.DoesNotExist("Work matching query does not exist.")
    parts = joined_instances(_WORK.using, _WORK_PARTS, rows[0])
    work = parts[""]
    work.campaign, work.subject = parts["campaign__"], parts["subject__"]
    names = attnames(TaskColumn)
    columns = [
        TaskColumn.from_db(_WORK_COLUMNS.using, names, list(values))
        for values in _WORK_COLUMNS.rows(work_id=work.pk)
    ]
    for column in columns:  # as the prefetch sets the reverse relation
        TaskColumn.work.field.set_cached_value(column, work)
    # as ``prefetch_related(Prefetch("columns", queryset=...))`` stores them
    cached = work.columns._apply_rel_filters(TaskColumn.objects.order_by("position"))
    cached._result_cache = columns
    cached._prefetch_done = True
    work._prefetched_objects_cache = {TaskColumn.work.field.remote_field.cache_name: cached}
    return work  # type: ignore[no-any-return]


def work_spec(work: Work) -> WorkSpec:
    """A saved work as data (its columns must be prefetched or are loaded here)."""
    return WorkSpec(
        subject_code=work.subject.code,
        subject_name=work.subject.name,
        grade=work.grade,
        max_score=work.max_score,
        mark3_from=work.mark3_from,
        mark4_from=work.mark4_from,
        mark5_from=work.mark5_from,
        duration_minutes=work.duration_minutes,
        encrypted_archive=work.encrypted_archive,
        variants_per_school=work.variants_per_school,
        period_start=work.period_start,
        period_end=work.period_end,
        recommended_dates=tuple(dt.date.fromisoformat(d) for d in work.recommended_dates),
        materials_publish_date=work.materials_publish_date,
        results_upload_deadline=work.results_upload_deadline,
        results_release_date=work.results_release_date,
        columns=tuple(
            ColumnSpec(c.label, c.max_score, c.difficulty, c.topic) for c in work.columns.all()
        ),
        checking_until=work.checking_until,
    )


def campaign_spec(
    *, actor: Actor, campaign_id: int, action: str = A.VIEW_CAMPAIGNS
) -> CampaignSpec:
    """A campaign and all its works as data (what the xlsx and JSON exports write)."""
    campaign = campaign_get(actor=actor, campaign_id=campaign_id, action=action)
    works = work_list(actor=actor, campaign_id=campaign.pk, action=action)
    return CampaignSpec(
        year=campaign.year,
        session=campaign.session,
        name=campaign.name,
        application_deadline=campaign.application_deadline,
        works=tuple(work_spec(w) for w in works),
    )


def work_import_list(*, actor: Actor, limit: int = 20) -> list[ImportBatch]:
    return list(
        ImportBatch.objects.for_actor(actor, A.MANAGE_CAMPAIGNS)
        .filter(kind=IMPORT_KIND)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )


def work_import_get(*, actor: Actor, batch_id: int) -> ImportBatch:
    """Any upload the federal operator sees; the page tells when it is not a works import."""
    return (
        ImportBatch.objects.for_actor(actor, A.MANAGE_CAMPAIGNS)
        .select_related("actor")
        .get(pk=batch_id)
    )


# --- the plan-graph calendar ------------------------------------------------------------------

EVENT_LABELS = {
    "materials": "публикация материалов",
    "period_start": "начало периода",
    "recommended": "рекомендуемая дата",
    "period_end": "конец периода",
    "upload_deadline": "последний день загрузки результатов",
    "release": "публикация результатов",
    "application_deadline": "последний день подачи заявок",
}


@dataclass(frozen=True)
class CalendarEvent:
    """One kind of plan-graph date on one day, with the works it concerns (none for the
    campaign's application deadline)."""

    kind: str
    label: str
    works: list[Work]


@dataclass
class CalendarDay:
    day: dt.date
    in_month: bool
    events: list[CalendarEvent] = field(default_factory=list)
    running: list[Work] = field(default_factory=list)  # works whose period covers the day


@dataclass(frozen=True)
class CalendarMonth:
    year: int
    month: int
    weeks: list[list[CalendarDay]]
    previous: dt.date
    following: dt.date


def _work_order(work: Work) -> tuple[int, str]:
    return (work.grade, work.subject.name)


def plan_calendar(
    *, campaign: Campaign, works: Sequence[Work], year: int, month: int
) -> CalendarMonth:
    """A Monday-first month grid with every plan-graph date of the campaign's works."""
    grouped: dict[dt.date, dict[str, list[Work]]] = defaultdict(lambda: defaultdict(list))
    for work in works:
        dated = [
            ("materials", work.materials_publish_date),
            ("period_start", work.period_start),
            ("period_end", work.period_end),
            ("upload_deadline", work.results_upload_deadline),
            ("release", work.results_release_date),
        ] + [("recommended", dt.date.fromisoformat(d)) for d in work.recommended_dates]
        for kind, day in dated:
            grouped[day][kind].append(work)
    events: dict[dt.date, list[CalendarEvent]] = defaultdict(list)
    events[campaign.application_deadline].append(
        CalendarEvent("application_deadline", EVENT_LABELS["application_deadline"], [])
    )
    for day, kinds in grouped.items():
        events[day].extend(
            CalendarEvent(kind, EVENT_LABELS[kind], sorted(kinds[kind], key=_work_order))
            for kind in EVENT_LABELS
            if kind in kinds
        )
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        row = []
        for day in week:
            cell = CalendarDay(day=day, in_month=day.month == month, events=events.get(day, []))
            cell.running = [w for w in works if w.period_start <= day <= w.period_end]
            row.append(cell)
        weeks.append(row)
    first = dt.date(year, month, 1)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return CalendarMonth(year, month, weeks, previous, following)


def default_month(campaign: Campaign, works: Sequence[Work]) -> tuple[int, int]:
    """This month if the campaign has something in it, else the month its first period opens."""
    today = timezone.localdate()
    starts = [w.period_start for w in works]
    ends = [w.results_release_date for w in works]
    if starts and min(starts).replace(day=1) <= today <= max(ends):
        return today.year, today.month
    if starts:
        first = min(starts)
        return first.year, first.month
    return campaign.application_deadline.year, campaign.application_deadline.month


# --- schools: zone, works, schedule -----------------------------------------------------------


def school_zone(school: School) -> str:
    return school.time_zone or DEFAULT_ZONE


def school_get(*, actor: Actor, school_id: int, action: str = A.VIEW_SCHEDULE) -> School:
    return (
        School.objects.for_actor(actor, action)
        .select_related("municipality", "region")
        .get(pk=school_id)
    )


def _profile_grades(*, actor: Actor, school: School, action: str) -> set[int] | None:
    """The grades the school's questionnaire lists (None when it has not been filled)."""
    profile = (
        SchoolProfile.objects.for_actor(actor, A.VIEW_PROFILE).filter(school=school).first()
        if actor.can(A.VIEW_PROFILE)
        else None
    )
    if profile is None or not profile.grades:
        return None
    grades = set()
    for grade, values in profile.grades.items():
        pupils = values.get("pupils", 0) if isinstance(values, dict) else 0
        if str(grade).isdigit() and pupils:
            grades.add(int(grade))
    return grades or None


class AppliedWorkIds(Protocol):
    """The works a school takes part in by its submitted application, or None (no such answer)."""

    def __call__(self, *, actor: Actor, school_id: int, campaign_id: int) -> set[int] | None: ...


_applied_works_source: AppliedWorkIds | None = None


def applied_works_source_register(source: AppliedWorkIds) -> None:
    """Set the reader of applications (the applications app, from its ``AppConfig.ready``).

    Applications sit above campaigns in the layers (docs/architecture.md), so campaigns never
    imports them; the applications app hands its selector down instead.
    """
    global _applied_works_source
    _applied_works_source = source


def _applied_work_ids(*, actor: Actor, school: School, campaign: Campaign) -> set[int] | None:
    """The works of the school's submitted application (None when it has none to show)."""
    if _applied_works_source is None:
        return None
    return _applied_works_source(actor=actor, school_id=school.pk, campaign_id=campaign.pk)


def school_works(
    *, actor: Actor, school: School, campaign: Campaign, action: str = A.VIEW_SCHEDULE
) -> list[Work]:
    """The works of the campaign a school holds.

    The works it takes part in by its submitted (or confirmed) application; before it has one,
    every work of the campaign in the grades the school profile lists (all if not filled).
    """
    works = list(work_list(actor=actor, campaign_id=campaign.pk))
    applied = _applied_work_ids(actor=actor, school=school, campaign=campaign)
    if applied is not None:
        return [w for w in works if w.pk in applied]
    grades = _profile_grades(actor=actor, school=school, action=action)
    if grades is None:
        return works
    return [w for w in works if w.grade in grades]


@dataclass(frozen=True)
class ScheduleRow:
    """One work in a school's schedule: its chosen day, reserve-day requests, release instants."""

    work: Work
    chosen: SchoolWorkDate | None
    requests: list[ReserveDayRequest]
    instants: schedule.Instants
    recommended: list[dt.date]

    @property
    def chosen_date(self) -> dt.date | None:
        return self.chosen.date if self.chosen else None

    @property
    def pending(self) -> ReserveDayRequest | None:
        return next(
            (r for r in self.requests if r.status == ReserveDayRequest.Status.PENDING), None
        )

    @property
    def is_reserve(self) -> bool:
        return self.chosen is not None and self.chosen.reserve_id is not None


@dataclass(frozen=True)
class SchoolSchedule:
    school: School
    campaign: Campaign | None
    zone: str
    today: dt.date
    rows: list[ScheduleRow]


def school_schedule(
    *, actor: Actor, school_id: int, campaign_id: int | None = None
) -> SchoolSchedule:
    """A school's works of the campaign with chosen days and release instants (fixed queries)."""
    school = school_get(actor=actor, school_id=school_id)
    zone = school_zone(school)
    today = timezone.now().astimezone(ZoneInfo(zone)).date()
    campaign = campaign_chosen(actor=actor, campaign_id=campaign_id)
    if campaign is None:
        return SchoolSchedule(school, None, zone, today, [])
    works = school_works(actor=actor, school=school, campaign=campaign)
    chosen = {
        d.work_id: d
        for d in SchoolWorkDate.objects.for_actor(actor, A.VIEW_SCHEDULE).filter(
            school=school, work__campaign=campaign
        )
    }
    requests: dict[int, list[ReserveDayRequest]] = defaultdict(list)
    for req in (
        ReserveDayRequest.objects.for_actor(actor, A.VIEW_RESERVE_DAYS)
        .filter(school=school, work__campaign=campaign)
        .select_related("decided_by")
        .order_by("-created_at")
    ):
        requests[req.work_id].append(req)
    rows = []
    for work in works:
        day = chosen.get(work.pk)
        rows.append(
            ScheduleRow(
                work=work,
                chosen=day,
                requests=requests.get(work.pk, []),
                instants=schedule.instants(work, zone, day.date if day else None),
                recommended=[dt.date.fromisoformat(d) for d in work.recommended_dates],
            )
        )
    rows.sort(key=lambda r: (r.work.period_start, r.work.grade, r.work.subject.name))
    return SchoolSchedule(school, campaign, zone, today, rows)


def school_date_list(
    *,
    actor: Actor,
    campaign_id: int | None = None,
    work_id: int | None = None,
    school_id: int | None = None,
    q: str = "",
) -> QuerySet[SchoolWorkDate]:
    work_filter_get(actor=actor, work_id=work_id)  # an unknown work: 400
    qs = SchoolWorkDate.objects.for_actor(actor, A.VIEW_SCHEDULE).select_related(
        "school", "work", "work__subject", "work__campaign", "reserve"
    )
    if campaign_id is not None:
        qs = qs.filter(work__campaign_id=campaign_id)
    if work_id is not None:
        qs = qs.filter(work_id=work_id)
    if school_id is not None:
        qs = qs.filter(school_id=school_id)
    if q := q.strip():
        qs = qs.filter(school__code__icontains=q) | qs.filter(school__short_name__icontains=q)
    return qs.order_by("date", "school__code", "work__grade")


def school_date_get(*, actor: Actor, school_id: int, work_id: int) -> SchoolWorkDate | None:
    return (
        SchoolWorkDate.objects.for_actor(actor, A.VIEW_SCHEDULE)
        .filter(school_id=school_id, work_id=work_id)
        .first()
    )


# --- reserve days -----------------------------------------------------------------------------


def reserve_day_list(
    *,
    actor: Actor,
    status: str = "",
    campaign_id: int | None = None,
    school_id: int | None = None,
    action: str = A.VIEW_RESERVE_DAYS,
) -> QuerySet[ReserveDayRequest]:
    qs = ReserveDayRequest.objects.for_actor(actor, action).select_related(
        "school",
        "school__municipality",
        "work",
        "work__subject",
        "work__campaign",
        "requested_by",
        "decided_by",
    )
    if status:
        qs = qs.filter(status=status)
    campaign = campaign_filter_get(actor=actor, campaign_id=campaign_id)  # unknown: 400
    if campaign is not None:
        qs = qs.filter(work__campaign_id=campaign.pk)
    if school_id is not None:
        qs = qs.filter(school_id=school_id)
    return qs.order_by("-created_at", "-id")


def reserve_day_get(
    *, actor: Actor, request_id: int, action: str = A.VIEW_RESERVE_DAYS
) -> ReserveDayRequest:
    return reserve_day_list(actor=actor, action=action).get(pk=request_id)


def approved_reserve_day(
    *, actor: Actor, school_id: int, work_id: int, day: dt.date
) -> ReserveDayRequest | None:
    return (
        ReserveDayRequest.objects.for_actor(actor, A.VIEW_RESERVE_DAYS)
        .filter(
            school_id=school_id,
            work_id=work_id,
            requested_date=day,
            status=ReserveDayRequest.Status.APPROVED,
        )
        .order_by("-decided_at")
        .first()
    )


def column_count(work: str) -> Coalesce:
    """The number of task columns of the work whose id is the outer query's field ``work``, as
    a scalar subquery (0 without columns): a work's reference data, not scoped."""
    columns = (
        TaskColumn.objects.filter(work_id=OuterRef(work))
        .order_by()
        .values("work_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(columns), 0)
