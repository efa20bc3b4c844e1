"""Monitoring of registration: per unit below the one looked at, how many schools have accounts,
have logged in at least once, and have filled the profile.

Every figure comes from a handful of grouped queries (a fixed number, whatever the number of
units): one for the units, one over schools, one over school grants, one over coordinators' grants.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet

from apps.core.scoping import Level
from apps.core.units import UNIT_COLUMN, per_unit
from apps.registration import constants as c
from apps.registration.access import A, Actor
from apps.registration.constants import SchoolStatus
from apps.registration.models import (
    Municipality,
    MunicipalityGrant,
    Region,
    RegionGrant,
    School,
    SchoolGrant,
)
from apps.registration.selectors import UnitRef, child_unit_list

LEVEL_REGION = "region"
LEVEL_MUNICIPALITY = "municipality"
LEVEL_SCHOOL = "school"
LAGGING_KINDS = {
    "account": "ОО без учётной записи организатора",
    "login": "ОО, ни разу не входившие в систему",
    "profile": "ОО, не заполнившие опросный лист",
}


def _pct(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


@dataclass
class UnitProgress:
    """Registration figures of one unit (a region, a municipality, or one school)."""

    level: str
    id: int | None
    code: str
    name: str
    schools: int = 0
    schools_with_account: int = 0
    schools_logged_in: int = 0
    schools_with_profile: int = 0
    accounts: int = 0
    accounts_logged_in: int = 0
    coordinators: int = 0
    coordinators_logged_in: int = 0
    last_login: datetime | None = None
    profile_filled_at: datetime | None = None

    @property
    def logged_in_pct(self) -> int:
        return _pct(self.schools_logged_in, self.schools)

    @property
    def profile_pct(self) -> int:
        return _pct(self.schools_with_profile, self.schools)

    @property
    def lagging(self) -> bool:
        """Something is missing: a school without login or profile, a coordinator never in."""
        if self.level == LEVEL_SCHOOL:
            return not (self.schools_logged_in and self.schools_with_profile)
        return (
            self.schools_logged_in < self.schools
            or self.schools_with_profile < self.schools
            or not self.coordinators_logged_in
        )

    def add(self, other: UnitProgress) -> None:
        for name in (
            "schools",
            "schools_with_account",
            "schools_logged_in",
            "schools_with_profile",
            "accounts",
            "accounts_logged_in",
            "coordinators",
            "coordinators_logged_in",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class RegistrationProgress:
    """The unit looked at (None: the whole country), its child units' rows and their totals."""

    unit: Region | Municipality | None
    child_level: str
    rows: list[UnitProgress]
    totals: UnitProgress

    @property
    def lagging_rows(self) -> list[UnitProgress]:
        return [r for r in self.rows if r.lagging]


def _active_schools(actor: Actor) -> QuerySet[School]:
    return School.objects.for_actor(actor, A.VIEW_MONITORING).filter(status=SchoolStatus.ACTIVE)


def _school_grants(schools: QuerySet[School]) -> QuerySet[SchoolGrant]:
    """The schools' own active accounts (organizer, technical specialists); experts' accounts
    are the school's adults of the day, not its registration, and are not counted."""
    return SchoolGrant.objects.filter(
        content_object__in=schools.values("pk"), user__is_active=True
    ).exclude(permission__codename=c.PERM_SCHOOL_EXPERT)


_LOGGED = Q(user__last_login__isnull=False)
_ORGANIZER = Q(permission__codename=c.PERM_SCHOOL_ORGANIZER)


def _grant_figures(grants: QuerySet[Any], group: str) -> dict[int, dict[str, Any]]:
    return per_unit(
        grants,
        group,
        accounts=Count("user", distinct=True),
        accounts_logged_in=Count("user", distinct=True, filter=_LOGGED),
        schools_with_account=Count("content_object", distinct=True, filter=_ORGANIZER),
        schools_logged_in=Count("content_object", distinct=True, filter=_LOGGED),
        last_login=Max("user__last_login"),
    )


def _coordinator_figures(grants: QuerySet[Any]) -> dict[int, dict[str, Any]]:
    return per_unit(
        grants.filter(user__is_active=True),
        "content_object_id",
        coordinators=Count("user", distinct=True),
        coordinators_logged_in=Count("user", distinct=True, filter=_LOGGED),
    )


def _unit_rows(
    *,
    level: str,
    units: Iterable[UnitRef],
    schools: QuerySet[School],
    coordinator_grants: QuerySet[Any],
) -> list[UnitProgress]:
    group = UNIT_COLUMN[Level.REGION if level == LEVEL_REGION else Level.MUNICIPALITY]
    school_figures = per_unit(
        schools,
        group,
        schools=Count("pk"),
        schools_with_profile=Count("pk", filter=Q(profile__filled_at__isnull=False)),
    )
    grants = _grant_figures(_school_grants(schools), f"content_object__{group}")
    coordinators = _coordinator_figures(coordinator_grants)
    rows = []
    for unit in units:
        s = school_figures.get(unit.pk, {})
        g = grants.get(unit.pk, {})
        k = coordinators.get(unit.pk, {})
        rows.append(
            UnitProgress(
                level=level,
                id=unit.pk,
                code=unit.code,
                name=unit.name,
                schools=s.get("schools", 0),
                schools_with_profile=s.get("schools_with_profile", 0),
                schools_with_account=g.get("schools_with_account", 0),
                schools_logged_in=g.get("schools_logged_in", 0),
                accounts=g.get("accounts", 0),
                accounts_logged_in=g.get("accounts_logged_in", 0),
                coordinators=k.get("coordinators", 0),
                coordinators_logged_in=k.get("coordinators_logged_in", 0),
            )
        )
    return rows


def _school_rows(schools: QuerySet[School]) -> list[UnitProgress]:
    listed = list(
        schools.annotate(filled_at=F("profile__filled_at"))
        .order_by("code")
        .values("id", "code", "short_name", "filled_at")
    )
    grants = _grant_figures(_school_grants(schools), "content_object_id")
    rows = []
    for school in listed:
        g = grants.get(school["id"], {})
        rows.append(
            UnitProgress(
                level=LEVEL_SCHOOL,
                id=school["id"],
                code=school["code"],
                name=school["short_name"],
                schools=1,
                schools_with_profile=int(school["filled_at"] is not None),
                schools_with_account=g.get("schools_with_account", 0),
                schools_logged_in=g.get("schools_logged_in", 0),
                accounts=g.get("accounts", 0),
                accounts_logged_in=g.get("accounts_logged_in", 0),
                last_login=g.get("last_login"),
                profile_filled_at=school["filled_at"],
            )
        )
    return rows


def registration_progress(
    *, actor: Actor, region_id: int | None = None, municipality_id: int | None = None
) -> RegistrationProgress:
    """The rows one level below a unit the actor sees (by default its own anchor).

    Regions for the federal operator, municipalities of a region, schools of a municipality.
    An invisible unit raises DoesNotExist (→ 404).
    """
    if not actor.can(A.VIEW_MONITORING):
        raise PermissionDenied
    if municipality_id is None and region_id is None:
        if actor.scope.level is Level.MUNICIPALITY:
            municipality_id = actor.scope.anchor_id
        elif actor.scope.level is Level.REGION:
            region_id = actor.scope.anchor_id
        elif actor.scope.level is not Level.FEDERAL:
            raise PermissionDenied
    schools = _active_schools(actor)
    unit: Region | Municipality | None = None
    if municipality_id is not None:
        unit = (
            Municipality.objects.for_actor(actor, A.VIEW_MONITORING)
            .select_related("region")
            .get(pk=municipality_id)
        )
        level = LEVEL_SCHOOL
        rows = _school_rows(schools.filter(municipality_id=unit.pk))
    elif region_id is not None:
        unit = Region.objects.for_actor(actor, A.VIEW_MONITORING).get(pk=region_id)
        level = LEVEL_MUNICIPALITY
        munis = child_unit_list(
            actor=actor, action=A.VIEW_MONITORING, level=Level.REGION, unit_id=unit.pk
        )
        rows = _unit_rows(
            level=level,
            units=munis,
            schools=schools.filter(region_id=unit.pk),
            coordinator_grants=MunicipalityGrant.objects.filter(
                content_object__in=[m.pk for m in munis],
                permission__codename=c.PERM_MUNICIPALITY,
            ),
        )
    else:
        level = LEVEL_REGION
        regions = child_unit_list(
            actor=actor, action=A.VIEW_MONITORING, level=Level.FEDERAL, unit_id=None
        )
        rows = _unit_rows(
            level=level,
            units=regions,
            schools=schools,
            coordinator_grants=RegionGrant.objects.filter(
                content_object__in=[r.pk for r in regions], permission__codename=c.PERM_REGION
            ),
        )
    totals = UnitProgress(level="total", id=None, code="", name="Итого")
    for row in rows:
        totals.add(row)
    return RegistrationProgress(unit=unit, child_level=level, rows=rows, totals=totals)


def registration_lagging_list(
    *,
    actor: Actor,
    kind: str,
    region_id: int | None = None,
    municipality_id: int | None = None,
) -> QuerySet[School]:
    """Active schools in scope that lack an organizer account, a first login, or the profile."""
    active_grants = SchoolGrant.objects.filter(
        content_object=OuterRef("pk"), user__is_active=True
    ).exclude(permission__codename=c.PERM_SCHOOL_EXPERT)
    qs = (
        _active_schools(actor)
        .select_related("municipality", "region")
        .annotate(
            has_account=Exists(active_grants.filter(_ORGANIZER)),
            has_login=Exists(active_grants.filter(_LOGGED)),
            profile_filled_at=F("profile__filled_at"),
        )
    )
    if region_id is not None:
        qs = qs.filter(region_id=region_id)
    if municipality_id is not None:
        qs = qs.filter(municipality_id=municipality_id)
    if kind == "account":
        qs = qs.filter(has_account=False)
    elif kind == "login":
        qs = qs.filter(has_login=False)
    else:
        qs = qs.filter(profile__filled_at__isnull=True)
    return qs.order_by("region__code", "municipality__code", "code")
