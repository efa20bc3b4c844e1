"""Reads of applications, always as an actor sees them (``for_actor``), with fixed query counts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from apps.applications.constants import NOT_APPLIED
from apps.applications.models import (
    Application,
    ApplicationDecision,
    ApplicationLine,
    ApplicationLineChange,
    Source,
    Status,
)
from apps.applications.rules import (
    AppState,
    LineValues,
    WorkRef,
    confirm_target,
    edit_refusal,
    is_confirmed_at,
)
from apps.campaigns import selectors as campaigns
from apps.campaigns.models import Campaign, CampaignGrade
from apps.classes.models import ClassWork, SchoolClass
from apps.classes.selectors import class_works_of_school
from apps.core.models import ImportBatch
from apps.core.params import choice_param
from apps.core.scoping import Level
from apps.registration.access import A, Actor
from apps.registration.constants import Role, SchoolStatus
from apps.registration.models import Municipality, Region, School, SchoolProfile

DEFAULT_ZONE = "Europe/Moscow"
APPLIED = (Status.SUBMITTED, Status.CONFIRMED_MUNICIPALITY, Status.CONFIRMED_REGION)
CONFIRMED_BY_MUNICIPALITY = (Status.CONFIRMED_MUNICIPALITY, Status.CONFIRMED_REGION)

# --- campaigns and works (global reference data) -------------------------------------------------


def campaign_get(*, actor: Actor, campaign_id: int | None = None) -> Campaign | None:
    """The campaign asked for, else the current one; an id naming no campaign is a 400
    (``FilterValueError``), never the current campaign's figures."""
    return campaigns.campaign_chosen(actor=actor, campaign_id=campaign_id)


def campaign_list(*, actor: Actor) -> QuerySet[Campaign]:
    return campaigns.campaign_list(actor=actor)


def work_refs(*, actor: Actor, campaign: Campaign | None) -> list[WorkRef]:
    """The works a campaign offers, by grade and subject (none without a campaign)."""
    if campaign is None:
        return []
    works = campaigns.work_list(actor=actor, campaign_id=campaign.pk).prefetch_related(None)
    return [WorkRef(id=w.pk, grade=w.grade, subject=w.subject.name) for w in works]


def applied_work_ids(*, actor: Actor, school_id: int, campaign_id: int) -> set[int] | None:
    """The works a school takes part in by its submitted (or confirmed) application.

    None when that cannot be said: no application, a draft, or an actor who may not see it.
    Used by the campaigns app to list the works a school schedules.
    """
    app = (
        Application.objects.for_actor(actor, A.VIEW_APPLICATION)
        .filter(school_id=school_id, campaign_id=campaign_id, status__in=APPLIED)
        .first()
    )
    if app is None:
        return None
    return set(
        ApplicationLine.objects.filter(application=app, takes_part=True).values_list(
            "work_id", flat=True
        )
    )


# --- time ----------------------------------------------------------------------------------------


def school_zone(school: School) -> str:
    return school.time_zone or DEFAULT_ZONE


@dataclass(frozen=True)
class Deadline:
    """The end of the application deadline day in the school's zone."""

    ends_at: dt.datetime
    passed: bool
    text: str  # «20.02.2026»


def deadline_for(*, campaign: Campaign, zone: str, now: dt.datetime | None = None) -> Deadline:
    tz = ZoneInfo(zone or DEFAULT_ZONE)
    ends_at = dt.datetime.combine(
        campaign.application_deadline + dt.timedelta(days=1), dt.time.min, tzinfo=tz
    )
    moment = now or timezone.now()
    return Deadline(
        ends_at=ends_at,
        passed=moment >= ends_at,
        text=campaign.application_deadline.strftime("%d.%m.%Y"),
    )


# --- one application -----------------------------------------------------------------------------


def application_get(
    *, actor: Actor, application_id: int, action: str = A.VIEW_APPLICATION
) -> Application:
    """The application as the actor sees it for ``action`` (DoesNotExist when it does not)."""
    return (
        Application.objects.for_actor(actor, action)
        .select_related("campaign", "school", "school__municipality", "school__region")
        .get(pk=application_id)
    )


def application_for_school(
    *, actor: Actor, school_id: int, campaign: Campaign, action: str = A.VIEW_APPLICATION
) -> Application | None:
    return (
        Application.objects.for_actor(actor, action)
        .filter(school_id=school_id, campaign=campaign)
        .first()
    )


def school_get(*, actor: Actor, school_id: int, action: str = A.VIEW_APPLICATION) -> School:
    return (
        School.objects.for_actor(actor, action)
        .select_related("municipality", "region")
        .get(pk=school_id)
    )


def _lines_by_app(app_ids: Iterable[int]) -> dict[int, dict[int, LineValues]]:
    found: dict[int, dict[int, LineValues]] = defaultdict(dict)
    ids = list(app_ids)
    if not ids:
        return found
    for app_id, work_id, takes, participants, classes in ApplicationLine.objects.filter(
        application_id__in=ids
    ).values_list("application_id", "work_id", "takes_part", "participants", "classes"):
        found[app_id][work_id] = LineValues(takes, participants, classes)
    return found


def _previous_by_app(apps: Sequence[Application]) -> dict[int, str]:
    """For each confirmed application, the status it had before its latest confirmation."""
    confirmed = [a.pk for a in apps if a.status in CONFIRMED_BY_MUNICIPALITY]
    if not confirmed:
        return {}
    current = {a.pk: a.status for a in apps}
    # Ordered oldest first, so the latest decision into the current status wins.
    return {
        app_id: from_status
        for app_id, to_status, from_status in ApplicationDecision.objects.filter(
            application_id__in=confirmed
        )
        .order_by("at", "pk")
        .values_list("application_id", "to_status", "from_status")
        if to_status == current[app_id]
    }


def _grades_by_school(
    actor: Actor, action: str, school_ids: Iterable[int]
) -> dict[int, dict[str, Any]]:
    ids = list(school_ids)
    if not ids:
        return {}
    return dict(
        SchoolProfile.objects.for_actor(actor, action)
        .filter(school_id__in=ids)
        .values_list("school_id", "grades")
    )


def states_for(
    *,
    actor: Actor,
    action: str,
    campaign: Campaign,
    schools: Sequence[School],
    lock: bool = False,
) -> dict[int, AppState]:
    """The application state of each school (five queries whatever the number of schools).

    ``lock`` takes the applications FOR UPDATE (callers hold a transaction).
    """
    school_ids = [s.pk for s in schools]
    apps_qs = Application.objects.for_actor(actor, action).filter(
        campaign=campaign, school_id__in=school_ids
    )
    if lock:
        apps_qs = apps_qs.select_for_update()
    apps = list(apps_qs)
    by_school = {a.school_id: a for a in apps}
    lines = _lines_by_app(a.pk for a in apps)
    previous = _previous_by_app(apps)
    grades = _grades_by_school(actor, action, school_ids)
    by_class = by_class_school_ids(
        actor=actor, action=action, campaign=campaign, school_ids=school_ids
    )
    now = timezone.now()
    states = {}
    for school in schools:
        app = by_school.get(school.pk)
        deadline = deadline_for(campaign=campaign, zone=school_zone(school), now=now)
        states[school.pk] = AppState(
            school_id=school.pk,
            code=school.code,
            name=school.short_name,
            application_id=app.pk if app else None,
            status=app.status if app else None,
            previous_status=previous.get(app.pk) if app else None,
            lines=dict(lines.get(app.pk, {})) if app else {},
            grades=grades.get(school.pk) or {},
            deadline_passed=deadline.passed,
            deadline_text=deadline.text,
            by_class=school.pk in by_class,
        )
    return states


# --- applications derived from the class register ------------------------------------------------


def campaign_has_grades(campaign: Campaign) -> bool:
    """Whether the campaign's grades are configured (its ``CampaignGrade`` rows)."""
    return CampaignGrade.objects.filter(  # unscoped: national reference data of the campaign
        campaign=campaign
    ).exists()


def by_class_school_ids(
    *, actor: Actor, action: str, campaign: Campaign, school_ids: Iterable[int]
) -> set[int]:
    """The schools whose application follows their classes: the campaign has its grades and
    the school has an active class in its register (two queries whatever the number)."""
    ids = list(school_ids)
    if not ids or not campaign_has_grades(campaign):
        return set()
    return set(
        SchoolClass.objects.for_actor(actor, action)
        .filter(campaign=campaign, school_id__in=ids, is_active=True)
        .values_list("school_id", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class ClassLineRow:
    """One work of one class on the application: the number the school confirmed (None: not
    yet) and the form."""

    class_work_id: int
    class_label: str
    class_number: int
    grade: int
    pupils: int
    work: WorkRef
    source: str  # «обязательная» / «по распределению»
    participants: int | None
    form: str
    form_label: str
    computer_allowed: bool
    date: dt.date | None

    @property
    def confirmed(self) -> bool:
        return self.participants is not None

    @property
    def title(self) -> str:
        return f"{self.class_label}, «{self.work.label}»"


def class_lines(
    *, actor: Actor, school_id: int, campaign: Campaign, action: str = A.VIEW_APPLICATION
) -> list[ClassLineRow]:
    """Every work of every active class of the school the actor may see (assigned works only
    once the assignment is visible to it), by grade, class and subject."""
    works = class_works_of_school(
        actor=actor, school_id=school_id, campaign_id=campaign.pk, action=action
    )
    return [
        ClassLineRow(
            class_work_id=cw.pk,
            class_label=cw.school_class.label,
            class_number=cw.school_class.number,
            grade=cw.school_class.grade,
            pupils=cw.school_class.pupils,
            work=WorkRef(id=cw.work_id, grade=cw.work.grade, subject=cw.work.subject.name),
            source=str(ClassWork.Source(cw.source).label),
            participants=cw.participants,
            form=cw.form,
            form_label=str(ClassWork.Form(cw.form).label),
            computer_allowed=cw.work.computer_allowed,
            date=cw.date,
        )
        for cw in works
    ]


def unconfirmed_titles(rows: Iterable[ClassLineRow]) -> list[str]:
    """«4А, «Математика, 4 класс»» for each class work whose participants are not confirmed."""
    return [r.title for r in rows if not r.confirmed]


@dataclass(frozen=True)
class LineRow:
    work: WorkRef
    values: LineValues


@dataclass(frozen=True)
class DecisionRow:
    at_utc: dt.datetime
    at_local: dt.datetime
    who: str
    role: str
    from_status: str
    to_status: str
    from_label: str
    to_label: str
    source_value: str
    source: str
    comment: str


@dataclass(frozen=True)
class HistoryRow:
    """A row of the application's history: a transition, or a save of its lines."""

    at_utc: dt.datetime
    who: str
    role: str
    what: str  # «черновик → подана ОО», or «Изменены строки заявки»
    changes: list[str]  # for a save of lines: «Математика 4 класс: участников 48 → 46»
    source: str
    comment: str


def line_change_text(work: str, old: LineValues, new: LineValues) -> str:
    """What changed in one work's line, field by field: «Математика 4 класс: участников 48 → 46»."""
    if old.takes_part != new.takes_part:
        return f"{work}: {old.display()} → {new.display()}"
    parts = []
    if old.participants != new.participants:
        parts.append(f"участников {old.participants} → {new.participants}")
    if old.classes != new.classes:
        parts.append(f"классов {old.classes} → {new.classes}")
    return f"{work}: {', '.join(parts) or 'без изменений'}"


def _who(user: Any) -> str:
    if user is None:
        return "система"
    return str(user.username) + (f" ({user.full_name})" if user.full_name else "")


def _history(app: Application, decisions: list[DecisionRow]) -> list[HistoryRow]:
    rows = [
        HistoryRow(
            at_utc=d.at_utc,
            who=d.who,
            role=d.role,
            what=f"{d.from_label} → {d.to_label}",
            changes=[],
            source=d.source,
            comment=d.comment,
        )
        for d in decisions
    ]
    saves = (
        ApplicationLineChange.objects.filter(application=app)
        .select_related("actor")
        .order_by("at", "pk")
    )
    rows += [
        HistoryRow(
            at_utc=c.at,
            who=_who(c.actor),
            role=_role_label(c.role),
            what="Изменены строки заявки",
            changes=[
                line_change_text(
                    ch["work"], LineValues.from_list(ch["old"]), LineValues.from_list(ch["new"])
                )
                for ch in c.changes
            ],
            source=str(Source(c.source).label) if c.source in Source.values else c.source,
            comment="",
        )
        for c in saves
    ]
    return sorted(rows, key=lambda r: r.at_utc)


@dataclass
class ApplicationPage:
    """Everything the application page (and the API detail) shows, with what the actor may do."""

    application: Application
    campaign: Campaign
    school: School
    rows: list[LineRow]
    decisions: list[DecisionRow]
    deadline: Deadline
    zone: str
    can_edit: bool
    can_submit: bool
    can_confirm: bool
    can_reopen: bool
    lock_message: str
    grades: Mapping[str, Any] = field(default_factory=dict)
    history: list[HistoryRow] = field(default_factory=list)
    # The application follows the school's classes: ``class_rows`` are what the school confirms.
    by_class: bool = False
    class_rows: list[ClassLineRow] = field(default_factory=list)
    # The campaign has grades but the school has no register yet: the page says to fill it.
    register_note: bool = False

    @property
    def status(self) -> str:
        return self.application.status

    @property
    def unconfirmed(self) -> list[str]:
        return unconfirmed_titles(self.class_rows)


def application_page(*, actor: Actor, application_id: int) -> ApplicationPage:
    """The application with its lines (every work of the campaign), history and allowed actions."""
    app = application_get(actor=actor, application_id=application_id)
    school, campaign = app.school, app.campaign
    zone = school_zone(school)
    deadline = deadline_for(campaign=campaign, zone=zone)
    lines = _lines_by_app([app.pk]).get(app.pk, {})
    rows = [
        LineRow(w, lines.get(w.id, LineValues())) for w in work_refs(actor=actor, campaign=campaign)
    ]
    tz = ZoneInfo(zone)
    decisions = [
        DecisionRow(
            at_utc=d.at,
            at_local=d.at.astimezone(tz),
            who=d.actor.username + (f" ({d.actor.full_name})" if d.actor.full_name else ""),
            role=_role_label(d.role),
            from_status=d.from_status,
            to_status=d.to_status,
            from_label=str(Status(d.from_status).label),
            to_label=str(Status(d.to_status).label),
            source_value=d.source,
            source=d.get_source_display(),
            comment=d.comment,
        )
        for d in ApplicationDecision.objects.filter(application=app)
        .select_related("actor")
        .order_by("at", "pk")
    ]
    level = actor.scope.level
    refusal = (
        edit_refusal(
            level, app.status, deadline_passed=deadline.passed, deadline_text=deadline.text
        )
        if level is not Level.FEDERAL
        else None
    )
    can_edit = actor.can(A.EDIT_APPLICATION) and refusal is None
    can_submit = actor.can(A.SUBMIT_APPLICATION) and app.status == Status.DRAFT and refusal is None
    can_confirm = False
    can_reopen = False
    if level in (Level.MUNICIPALITY, Level.REGION):
        can_confirm = (
            actor.can(A.CONFIRM_APPLICATION) and confirm_target(level, app.status) is not None
        )
        can_reopen = (
            actor.can(A.REOPEN_APPLICATION)
            and app.status in CONFIRMED_BY_MUNICIPALITY
            and not (level is Level.MUNICIPALITY and app.status == Status.CONFIRMED_REGION)
        )
    grades = _grades_by_school(actor, A.VIEW_APPLICATION, [school.pk]).get(school.pk) or {}
    with_grades = campaign_has_grades(campaign)
    by_class = with_grades and (
        SchoolClass.objects.for_actor(actor, A.VIEW_APPLICATION)
        .filter(campaign=campaign, school_id=school.pk, is_active=True)
        .exists()
    )
    return ApplicationPage(
        application=app,
        campaign=campaign,
        school=school,
        rows=rows,
        decisions=decisions,
        deadline=deadline,
        zone=zone,
        can_edit=can_edit,
        can_submit=can_submit,
        can_confirm=can_confirm,
        can_reopen=can_reopen,
        lock_message=refusal.message
        if refusal is not None and actor.can(A.EDIT_APPLICATION)
        else "",
        grades=grades,
        history=_history(app, decisions),
        by_class=by_class,
        class_rows=(
            class_lines(actor=actor, school_id=school.pk, campaign=campaign) if by_class else []
        ),
        register_note=with_grades and not by_class,
    )


def _role_label(role: str) -> str:

    try:
        return str(Role(role).label)
    except ValueError:
        return role


def application_list(
    *,
    actor: Actor,
    campaign: Campaign | None = None,
    status: str = "",
    municipality_id: int | None = None,
    school_id: int | None = None,
) -> QuerySet[Application]:
    qs = Application.objects.for_actor(actor, A.VIEW_APPLICATION).select_related(
        "school", "campaign"
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if choice_param(status, name="status", choices=Status.values):  # unknown: 400
        qs = qs.filter(status=status)
    if municipality_id is not None:
        qs = qs.filter(municipality_id=municipality_id)
    if school_id is not None:
        qs = qs.filter(school_id=school_id)
    return qs.order_by("school__code", "-campaign__year")


# --- units (summary files, monitoring) -----------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    kind: str  # "federal", "region", "municipality"
    id: int | None
    code: str
    name: str
    region_id: int | None = None

    @property
    def title(self) -> str:
        return f"{self.code} {self.name}".strip()


FEDERAL_UNIT = Unit(kind="federal", id=None, code="", name="Российская Федерация")


def unit_get(*, actor: Actor, kind: str, unit_id: int | None, action: str) -> Unit:
    """A region or municipality as the actor sees it for ``action`` (DoesNotExist → 404)."""
    if kind == "region" and unit_id is not None:
        region = Region.objects.for_actor(actor, action).get(pk=unit_id)
        return Unit("region", region.pk, region.code, region.name, region.pk)
    if kind == "municipality" and unit_id is not None:
        muni = Municipality.objects.for_actor(actor, action).get(pk=unit_id)
        return Unit("municipality", muni.pk, muni.code, muni.name, muni.region_id)
    if kind == "federal" and actor.scope.level is Level.FEDERAL and actor.can(action):
        return FEDERAL_UNIT
    raise Region.DoesNotExist


def own_unit(*, actor: Actor, action: str) -> Unit:
    """The unit the actor serves (federal: the whole country)."""
    level = actor.scope.level
    if level is Level.REGION:
        return unit_get(actor=actor, kind="region", unit_id=actor.scope.anchor_id, action=action)
    if level is Level.MUNICIPALITY:
        return unit_get(
            actor=actor, kind="municipality", unit_id=actor.scope.anchor_id, action=action
        )
    return unit_get(actor=actor, kind="federal", unit_id=None, action=action)


def unit_schools(
    *, actor: Actor, unit: Unit, action: str, active_only: bool = True
) -> QuerySet[School]:
    qs = School.objects.for_actor(actor, action).select_related("municipality")
    if unit.kind == "region":
        qs = qs.filter(region_id=unit.id or 0)
    elif unit.kind == "municipality":
        qs = qs.filter(municipality_id=unit.id or 0)
    if active_only:
        qs = qs.filter(status=SchoolStatus.ACTIVE)
    return qs.order_by("municipality__code", "code")


def summary_status_label(state: AppState) -> str:
    return str(Status(state.status).label) if state.status else NOT_APPLIED


def summary_confirmed(level: Level, state: AppState) -> bool:
    return bool(state.status) and is_confirmed_at(level, state.effective_status)


# --- monitoring ----------------------------------------------------------------------------------


@dataclass
class MonitoringRow:
    """Counts for one unit (a region, a municipality or a school)."""

    kind: str
    id: int
    code: str
    name: str
    schools: int = 0
    applied: int = 0
    confirmed_municipality: int = 0
    confirmed_region: int = 0
    participants: int = 0
    status: str = ""  # schools only
    application_id: int | None = None  # schools only

    @property
    def not_applied(self) -> int:
        return self.schools - self.applied

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label) if self.status else NOT_APPLIED


@dataclass(frozen=True)
class WorkTotal:
    work: WorkRef
    schools: int
    participants: int
    classes: int


@dataclass
class Monitoring:
    unit: Unit
    child_kind: str  # "region", "municipality" or "school"
    rows: list[MonitoringRow]
    total: MonitoringRow
    works: list[WorkTotal]
    # participants per child unit and work (the xlsx export's matrix)
    matrix: dict[int, dict[int, int]]


def _child_kind(unit: Unit) -> str:
    return {"federal": "region", "region": "municipality", "municipality": "school"}[unit.kind]


def _within(qs: QuerySet[Any], unit: Unit, prefix: str = "") -> QuerySet[Any]:
    if unit.kind == "region":
        return qs.filter(**{f"{prefix}region_id": unit.id})
    if unit.kind == "municipality":
        return qs.filter(**{f"{prefix}municipality_id": unit.id})
    return qs


def monitoring_get(*, actor: Actor, campaign: Campaign | None, unit: Unit) -> Monitoring:
    """Application progress of the units one level below ``unit`` (a fixed number of queries).

    Applied = submitted or further; «подтверждено муниципалитетом» counts applications that
    passed the municipal level (confirmed by the municipality or the region); participants
    are those of submitted-or-further applications, summed up the hierarchy. Without a
    campaign the units are listed with no applications.
    """
    action = A.MONITOR_APPLICATIONS
    child = _child_kind(unit)
    group = {"region": "region_id", "municipality": "municipality_id", "school": "pk"}[child]
    app_group = {"region": "region_id", "municipality": "municipality_id", "school": "school_id"}[
        child
    ]
    # 1. the child units themselves
    rows: dict[int, MonitoringRow] = {}
    if child == "region":
        for r in Region.objects.for_actor(actor, action).order_by("code"):
            rows[r.pk] = MonitoringRow("region", r.pk, r.code, r.name)
    elif child == "municipality":
        for m in _within(Municipality.objects.for_actor(actor, action), unit, "").order_by("code"):
            rows[m.pk] = MonitoringRow("municipality", m.pk, m.code, m.name)
    else:
        for s in unit_schools(actor=actor, unit=unit, action=action):
            rows[s.pk] = MonitoringRow("school", s.pk, s.code, s.short_name)
    # 2. active schools per child
    active = _within(
        School.objects.for_actor(actor, action).filter(status=SchoolStatus.ACTIVE), unit
    )
    for key, n in active.order_by().values_list(group).annotate(n=Count("pk")):
        if key in rows:
            rows[key].schools = n
    # 3. applications per child and status (active schools only)
    apps = _within(
        Application.objects.for_actor(actor, action).filter(
            campaign_id=campaign.pk if campaign else 0, school__status=SchoolStatus.ACTIVE
        ),
        unit,
    )
    if child == "school":
        for school_id, app_id, status in apps.values_list("school_id", "pk", "status"):
            if school_id in rows:
                rows[school_id].status = status
                rows[school_id].application_id = app_id
                rows[school_id].applied = int(status in APPLIED)
                rows[school_id].confirmed_municipality = int(status in CONFIRMED_BY_MUNICIPALITY)
                rows[school_id].confirmed_region = int(status == Status.CONFIRMED_REGION)
    else:
        for key, applied, conf_m, conf_r in (
            apps.order_by()
            .values_list(app_group)
            .annotate(
                applied=Count("pk", filter=Q(status__in=APPLIED)),
                conf_m=Count("pk", filter=Q(status__in=CONFIRMED_BY_MUNICIPALITY)),
                conf_r=Count("pk", filter=Q(status=Status.CONFIRMED_REGION)),
            )
        ):
            if key in rows:
                rows[key].applied = applied
                rows[key].confirmed_municipality = conf_m
                rows[key].confirmed_region = conf_r
    # 4. participants per child and work
    lines = ApplicationLine.objects.filter(
        application__in=apps.filter(status__in=APPLIED), takes_part=True
    )
    matrix: dict[int, dict[int, int]] = defaultdict(dict)
    per_work: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for key, work_id, schools_n, participants, classes in (
        lines.order_by()
        .values_list(f"application__{app_group}", "work_id")
        .annotate(
            n=Count("application_id", distinct=True),
            p=Sum("participants"),
            c=Sum("classes"),
        )
    ):
        matrix[key][work_id] = participants or 0
        if key in rows:
            rows[key].participants += participants or 0
        total = per_work[work_id]
        total[0] += schools_n
        total[1] += participants or 0
        total[2] += classes or 0
    works = [
        WorkTotal(w, *per_work[w.id])
        for w in work_refs(actor=actor, campaign=campaign)
        if w.id in per_work
    ]
    ordered = list(rows.values())
    overall = MonitoringRow(unit.kind, unit.id or 0, unit.code, unit.name)
    for item in ordered:
        overall.schools += item.schools
        overall.applied += item.applied
        overall.confirmed_municipality += item.confirmed_municipality
        overall.confirmed_region += item.confirmed_region
        overall.participants += item.participants
    return Monitoring(unit, child, ordered, overall, works, dict(matrix))


def not_applied_list(
    *, actor: Actor, campaign: Campaign, unit: Unit, q: str = ""
) -> QuerySet[School]:
    """Active schools of the unit without a submitted application (drafts count as not applied)."""
    applied = Application.objects.for_actor(actor, A.MONITOR_APPLICATIONS).filter(
        campaign=campaign, status__in=APPLIED
    )
    qs = unit_schools(actor=actor, unit=unit, action=A.MONITOR_APPLICATIONS).exclude(
        pk__in=applied.values("school_id")
    )
    if q := q.strip():
        qs = qs.filter(Q(code__icontains=q) | Q(short_name__icontains=q))
    return qs.select_related("municipality", "region")


# --- uploads -------------------------------------------------------------------------------------


def import_batch_get(*, actor: Actor, batch_id: int) -> ImportBatch:
    """An application upload the actor sees (any kind; the page says when it is not one)."""
    return (
        ImportBatch.objects.for_actor(actor, A.IMPORT_APPLICATIONS)
        .select_related("actor")
        .get(pk=batch_id)
    )


def import_batch_list(*, actor: Actor, limit: int = 20) -> list[ImportBatch]:
    from apps.applications.constants import IMPORT_KIND

    return list(
        ImportBatch.objects.for_actor(actor, A.IMPORT_APPLICATIONS)
        .filter(kind=IMPORT_KIND, actor=actor.user)
        .order_by("-created_at")[:limit]
    )


def school_names(school_ids: Iterable[int], *, actor: Actor, action: str) -> Mapping[int, School]:
    return {
        s.pk: s
        for s in School.objects.for_actor(actor, action)
        .filter(pk__in=list(school_ids))
        .select_related("municipality")
    }
