"""Reads of the org hierarchy, always as an actor sees it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from apps.core.models import Job
from apps.core.params import choice_param, int_param
from apps.core.scoping import Level
from apps.registration.access import A, Actor
from apps.registration.constants import SCHOOL_LIST_EXPORT, SchoolStatus
from apps.registration.models import Municipality, Region, School


def _count(model: type[School] | type[Municipality], by: str, **filters: str) -> Coalesce:
    """A correlated count of ``model`` rows per outer row (the outer query is already scoped)."""
    rows = model.objects.filter(**{by: OuterRef("pk")}, **filters)  # unscoped: correlated count
    sub = rows.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def region_list(*, actor: Actor, q: str = "") -> QuerySet[Region]:
    """Regions the actor sees, with counts of municipalities and active schools."""
    qs = Region.objects.for_actor(actor, A.VIEW_REGION).annotate(
        municipality_count=_count(Municipality, "region"),
        school_count=_count(School, "region", status=SchoolStatus.ACTIVE),
    )
    if q := q.strip():
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return qs.order_by("code")


def region_get(*, actor: Actor, region_id: int) -> Region:
    return Region.objects.for_actor(actor, A.VIEW_REGION).get(pk=region_id)


def municipality_list(
    *, actor: Actor, q: str = "", region_id: int | None = None
) -> QuerySet[Municipality]:
    """Municipalities the actor sees, with their region and count of active schools."""
    qs = (
        Municipality.objects.for_actor(actor, A.VIEW_MUNICIPALITY)
        .select_related("region")
        .annotate(school_count=_count(School, "municipality", status=SchoolStatus.ACTIVE))
    )
    if region_id is not None:
        qs = qs.filter(region_id=region_id)
    if q := q.strip():
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return qs.order_by("code")


def unit_filter(
    *, actor: Actor, model: type[Region] | type[Municipality], name: str, raw: str | None
) -> int | None:
    """The id of a ``region`` / ``municipality`` list filter: None when absent; 400 naming the
    parameter for a value that is no id; 404 (``DoesNotExist``) for a unit the actor does not
    see, whether it is absent or out of scope — as every unit filter answers (docs/api.md)."""
    unit_id = int_param(raw, name=name)
    action = A.VIEW_REGION if model is Region else A.VIEW_MUNICIPALITY
    if (
        unit_id is not None
        and not model.objects.for_actor(actor, action).filter(pk=unit_id).exists()
    ):
        raise model.DoesNotExist(f"{name} {unit_id}")
    return unit_id


def school_status_filter(raw: str | None, *, default: str) -> str:
    """A schools list's ``status`` filter: ``default`` when absent, "" (every school) for an
    empty value, else one of the statuses or 400 naming the parameter."""
    if raw is None:
        return default
    return choice_param(raw, name="status", choices=SchoolStatus.values, default="") or ""


def school_list(
    *,
    actor: Actor,
    q: str = "",
    region_id: int | None = None,
    municipality_id: int | None = None,
    status: str = "",
) -> QuerySet[School]:
    """Schools the actor sees, optionally within one region or municipality."""
    qs = School.objects.for_actor(actor, A.VIEW_SCHOOL).select_related("municipality", "region")
    if region_id is not None:
        qs = qs.filter(region_id=region_id)
    if municipality_id is not None:
        qs = qs.filter(municipality_id=municipality_id)
    if status:
        qs = qs.filter(status=status)
    if q := q.strip():
        qs = qs.filter(
            Q(short_name__icontains=q)
            | Q(full_name__icontains=q)
            | Q(code__icontains=q)
            | Q(address__icontains=q)
        )
    return qs.order_by("code")


@dataclass(frozen=True)
class UnitRef:
    """An org unit as a list row names it: a school by its short name."""

    pk: int
    code: str
    name: str


def child_unit_list(
    *,
    actor: Actor,
    action: str,
    level: Level,
    unit_id: int | None,
    only: Collection[int] | None = None,
) -> list[UnitRef]:
    """The units one level below the unit ``unit_id`` of ``level`` that the actor sees, by code:
    the regions of the country, the municipalities of a region, the schools of a municipality
    (closed ones too). ``only`` keeps the ids given (the units with something to show).

    The drill-down pages join these to their counts per unit (``core.units.per_unit``).
    """
    qs: QuerySet[Any]
    if level is Level.SCHOOL:
        return []  # nothing lies below a school
    if level is Level.FEDERAL:
        qs, name = Region.objects.for_actor(actor, action), "name"
    elif unit_id is None:
        raise ValueError(f"the units below a {level.name.lower()} need its id")
    elif level is Level.REGION:
        qs = Municipality.objects.for_actor(actor, action).filter(region_id=unit_id)
        name = "name"
    else:
        qs = School.objects.for_actor(actor, action).filter(municipality_id=unit_id)
        name = "short_name"
    if only is not None:
        qs = qs.filter(pk__in=sorted(only))
    return [UnitRef(*row) for row in qs.order_by("code").values_list("pk", "code", name)]


def job_list(*, actor: Actor) -> QuerySet[Job]:
    """The actor's own school-list exports within its scope, newest first."""
    return (
        Job.objects.for_actor(actor, A.VIEW_JOB)
        .filter(actor=actor.user, kind=SCHOOL_LIST_EXPORT)
        .order_by("-created_at")
    )


def export_job_get(*, actor: Actor, job_id: int) -> Job:
    """A finished school-list export the actor may download (``DoesNotExist`` otherwise).

    Only that kind: other jobs (a kit build's archive!) have outputs too, served by their own
    routes behind their own gates (the materials release instant)."""
    return Job.objects.for_actor(actor, A.VIEW_JOB).get(
        pk=job_id, kind=SCHOOL_LIST_EXPORT, status=Job.Status.DONE
    )
