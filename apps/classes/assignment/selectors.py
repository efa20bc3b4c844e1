"""Reads of the assignment: the runs of a campaign, the default publication day, and the
distribution of the works over the classes of a unit (the country, a region, a municipality).

Coordinators see their unit's assigned works once the run is published; the federal operator
sees the latest run, draft included. Compulsory works are shown to both from the registers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from apps.campaigns.grades import campaign_first_period_start
from apps.campaigns.models import Campaign, Work
from apps.classes.actions import ClassActions as A
from apps.classes.models import AssignmentRun, ClassWork, SchoolClass
from apps.classes.selectors import published_run
from apps.core.scoping import Level
from apps.core.units import UNIT_COLUMN, per_unit
from apps.registration.access import Actor
from apps.registration.models import Municipality, Region
from apps.registration.selectors import child_unit_list

PUBLISH_DAYS_AHEAD = 7  # schools learn the assignment about a week before the first period


def run_list(*, actor: Actor, campaign_id: int) -> list[AssignmentRun]:
    """The campaign's runs, newest first (the federal run page)."""
    return list(
        AssignmentRun.objects.for_actor(actor, A.RUN_ASSIGNMENT)
        .filter(campaign_id=campaign_id)
        .select_related("run_by")
        .order_by("-created_at", "-pk")
    )


def run_latest(*, actor: Actor, campaign_id: int) -> AssignmentRun | None:
    runs = run_list(actor=actor, campaign_id=campaign_id)
    return runs[0] if runs else None


def default_publish_on(*, actor: Actor, campaign_id: int) -> dt.date | None:
    """A week before the first period start of the campaign's works (None without works)."""
    first = campaign_first_period_start(actor=actor, campaign_id=campaign_id)
    return first - dt.timedelta(days=PUBLISH_DAYS_AHEAD) if first is not None else None


def visible_run(*, actor: Actor, campaign_id: int) -> AssignmentRun | None:
    """The run whose assigned works the actor may count: the latest for the federal side, the
    published one for coordinators."""
    if actor.is_federal:
        return (
            AssignmentRun.objects.for_actor(actor, A.VIEW_DISTRIBUTION)
            .filter(campaign_id=campaign_id)
            .order_by("-created_at", "-pk")
            .first()
        )
    if not actor.can(A.VIEW_DISTRIBUTION):
        return None
    return published_run(campaign_id=campaign_id)


@dataclass(frozen=True)
class DistributionRow:
    grade: int
    work_id: int
    subject: str
    source: str
    classes: int
    pupils: int
    pupils_ovz: int


@dataclass(frozen=True)
class UnitRow:
    """A unit one level down (region, municipality or school) with its classes and pupils."""

    id: int
    name: str
    classes: int
    pupils: int
    assigned: int  # assigned works of its classes (0 while the run is not visible)


@dataclass
class Distribution:
    campaign: Campaign
    run: AssignmentRun | None
    unit_label: str
    region: Region | None = None
    municipality: Municipality | None = None
    child_kind: str = ""  # "region" | "municipality" | "school"
    assigned: list[DistributionRow] = field(default_factory=list)
    compulsory: list[DistributionRow] = field(default_factory=list)
    children: list[UnitRow] = field(default_factory=list)

    @property
    def assigned_visible(self) -> bool:
        return self.run is not None

    @property
    def total_classes(self) -> int:
        return sum(c.classes for c in self.children)

    @property
    def total_pupils(self) -> int:
        return sum(c.pupils for c in self.children)


def _unit(
    actor: Actor, region_id: int | None, municipality_id: int | None
) -> tuple[Region | None, Municipality | None]:
    """The unit asked for, inside the actor's scope (DoesNotExist → 404 otherwise)."""
    municipality = region = None
    if municipality_id is not None:
        municipality = (
            Municipality.objects.for_actor(actor, A.VIEW_DISTRIBUTION)
            .select_related("region")
            .get(pk=municipality_id)
        )
        if actor.scope.level <= Level.REGION:
            region = municipality.region
    elif region_id is not None:
        region = Region.objects.for_actor(actor, A.VIEW_DISTRIBUTION).get(pk=region_id)
    if municipality is None and actor.scope.municipality_id is not None:
        municipality = (
            Municipality.objects.for_actor(actor, A.VIEW_DISTRIBUTION)
            .select_related("region")
            .get(pk=actor.scope.municipality_id)
        )
    if region is None and municipality is None and actor.scope.region_id is not None:
        region = Region.objects.for_actor(actor, A.VIEW_DISTRIBUTION).get(pk=actor.scope.region_id)
    return region, municipality


def _rows(
    works: dict[int, Work], counted: list[dict[str, int]], source: str
) -> list[DistributionRow]:
    rows = [
        DistributionRow(
            grade=works[c["work_id"]].grade,
            work_id=c["work_id"],
            subject=works[c["work_id"]].subject.name,
            source=source,
            classes=c["classes"],
            pupils=c["pupils"] or 0,
            pupils_ovz=c["pupils_ovz"] or 0,
        )
        for c in counted
        if c["work_id"] in works
    ]
    return sorted(rows, key=lambda r: (r.grade, r.subject))


def distribution(
    *,
    actor: Actor,
    campaign_id: int,
    region_id: int | None = None,
    municipality_id: int | None = None,
) -> Distribution:
    """Classes and pupils per (grade, work) in the actor's unit, narrowed to a region or a
    municipality inside it; assigned works only from the run the actor may see."""
    campaign = Campaign.objects.for_actor(actor, A.VIEW_DISTRIBUTION).get(pk=campaign_id)
    region, municipality = _unit(actor, region_id, municipality_id)
    run = visible_run(actor=actor, campaign_id=campaign.pk)
    where = Q()
    if municipality is not None:
        where &= Q(municipality_id=municipality.pk)
        unit_label, child_kind = municipality.name, "school"
        level, unit_id = Level.MUNICIPALITY, municipality.pk
    elif region is not None:
        where &= Q(region_id=region.pk)
        unit_label, child_kind = region.name, "municipality"
        level, unit_id = Level.REGION, region.pk
    else:
        unit_label, child_kind = "Российская Федерация", "region"
        level, unit_id = Level.FEDERAL, None
    class_works = ClassWork.objects.for_actor(actor, A.VIEW_DISTRIBUTION).filter(
        where, school_class__campaign=campaign, school_class__is_active=True
    )
    works = {
        w.pk: w
        for w in Work.objects.for_actor(actor, A.VIEW_DISTRIBUTION)
        .filter(campaign=campaign)
        .select_related("subject")
    }

    def counted(rows: object) -> list[dict[str, int]]:
        return list(
            rows.values("work_id")  # type: ignore[attr-defined]
            .annotate(
                classes=Count("pk"),
                pupils=Sum("school_class__pupils"),
                pupils_ovz=Sum("school_class__pupils_ovz"),
            )
            .order_by("work_id")
        )

    result = Distribution(campaign, run, unit_label, region, municipality, child_kind)
    result.compulsory = _rows(
        works,
        counted(class_works.filter(source=ClassWork.Source.COMPULSORY)),
        ClassWork.Source.COMPULSORY,
    )
    if run is not None:
        result.assigned = _rows(
            works,
            counted(class_works.filter(source=ClassWork.Source.ASSIGNED, run=run)),
            ClassWork.Source.ASSIGNED,
        )
    result.children = _children(actor, campaign, where, level, unit_id, run)
    return result


def _children(
    actor: Actor,
    campaign: Campaign,
    where: Q,
    level: Level,
    unit_id: int | None,
    run: AssignmentRun | None,
) -> list[UnitRow]:
    """The units one level below (``level``, ``unit_id``) that have classes, by name."""
    key = UNIT_COLUMN[Level(level + 1)]
    classes = SchoolClass.objects.for_actor(actor, A.VIEW_DISTRIBUTION).filter(
        where, campaign=campaign, is_active=True
    )
    totals = per_unit(classes, key, n=Count("pk"), p=Sum("pupils"))
    assigned: dict[int, dict[str, int]] = {}
    if run is not None:
        rows = ClassWork.objects.for_actor(actor, A.VIEW_DISTRIBUTION).filter(
            where, run=run, school_class__is_active=True
        )
        assigned = per_unit(rows, key, n=Count("pk"))
    units = child_unit_list(
        actor=actor, action=A.VIEW_DISTRIBUTION, level=level, unit_id=unit_id, only=totals
    )
    names = {u.pk: u.name for u in units}
    return sorted(
        (
            UnitRow(pk, names[pk], t["n"], t["p"] or 0, assigned.get(pk, {}).get("n", 0))
            for pk, t in sorted(totals.items())
            if pk in names
        ),
        key=lambda u: u.name,
    )
