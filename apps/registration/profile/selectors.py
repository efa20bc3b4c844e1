"""Reads of school profiles («опросный лист ОО»), as an actor sees them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from apps.registration.access import A, Actor
from apps.registration.constants import SchoolStatus
from apps.registration.models import School, SchoolProfile


@dataclass(frozen=True)
class ProfileTotals:
    schools: int
    filled: int

    @property
    def not_filled(self) -> int:
        return self.schools - self.filled


def school_profile_get(*, actor: Actor, school_id: int) -> tuple[School, SchoolProfile | None]:
    """A school the actor sees and its profile (None while not filled); DoesNotExist → 404."""
    school = (
        School.objects.for_actor(actor, A.VIEW_PROFILE)
        .select_related("municipality", "region")
        .get(pk=school_id)
    )
    profile = (
        SchoolProfile.objects.for_actor(actor, A.VIEW_PROFILE)
        .select_related("filled_by")
        .filter(school_id=school.pk)
        .first()
    )
    return school, profile


def _filled() -> Q:
    return Q(profile__filled_at__isnull=False)


def school_profile_list(
    *,
    actor: Actor,
    filled: bool | None = None,
    q: str = "",
    region_id: int | None = None,
    municipality_id: int | None = None,
) -> QuerySet[School]:
    """Active schools in the actor's scope with ``profile_filled_at`` (None: not filled yet)."""
    qs = (
        School.objects.for_actor(actor, A.VIEW_PROFILES)
        .filter(status=SchoolStatus.ACTIVE)
        .select_related("municipality", "region")
        .annotate(profile_filled_at=F("profile__filled_at"))
    )
    if region_id is not None:
        qs = qs.filter(region_id=region_id)
    if municipality_id is not None:
        qs = qs.filter(municipality_id=municipality_id)
    if filled is True:
        qs = qs.filter(_filled())
    elif filled is False:
        qs = qs.exclude(_filled())
    if q := q.strip():
        qs = qs.filter(
            Q(short_name__icontains=q) | Q(full_name__icontains=q) | Q(code__icontains=q)
        )
    return qs.order_by("municipality__code", "code")


def school_profile_totals(
    *, actor: Actor, region_id: int | None = None, municipality_id: int | None = None
) -> ProfileTotals:
    """How many active schools in scope there are and how many have filled the profile (1 query)."""
    qs = School.objects.for_actor(actor, A.VIEW_PROFILES).filter(status=SchoolStatus.ACTIVE)
    if region_id is not None:
        qs = qs.filter(region_id=region_id)
    if municipality_id is not None:
        qs = qs.filter(municipality_id=municipality_id)
    totals = qs.aggregate(schools=Count("pk"), filled=Count("pk", filter=_filled()))
    return ProfileTotals(schools=totals["schools"], filled=totals["filled"])
