"""Commission markers' accounts: the federal operator issues the federal commission's markers,
a regional coordinator its region's, a municipal coordinator its municipality's (MANAGE_MARKERS).

Decisions:

* The login is the unit's login and «_k<n>» (``reg66_k1``, ``reg66_m001_k2``; the federal
  commission ``fed_k1``), the next free number. The account holds the marker grant of its
  level: the global permission ``registration.mark_federal``, ``mark_region`` on the region,
  ``mark_municipality`` on the municipality; the role «Эксперт комиссии» has a personal scope
  (it sees only the works allocated to it).
* The one-time password exists in plaintext only in the return value: the page shows it once,
  the API returns it once; it is never stored, logged or audited (as the experts' accounts of
  ``apps.schoolday.accounts``).
* A coordinator sees (and revokes) the markers of its unit and of the units below it; the
  federal operator all of them.
* Revoking deactivates the account (no grant, no password, no token), renames its login
  ``<login>_old<N>`` and takes the marker out of the reviews it was in (its marks stay).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from guardian.shortcuts import assign_perm

from apps.core.scoping import Level, Scope
from apps.core.services import audit_record
from apps.objectivity.actions import ObjectivityActions as OA  # noqa: N817
from apps.objectivity.audit import ObjectivityAudit
from apps.objectivity.commission.messages import (
    CommissionError,
    CommissionInvalidError,
    CommissionNotFoundError,
)
from apps.objectivity.models import ReviewMarker
from apps.registration import constants as c
from apps.registration.accounts import services as accounts
from apps.registration.models import Municipality, MunicipalityGrant, Region, RegionGrant, User
from apps.registration.services_tokens import api_tokens_revoke

MARKER_POSITION = "Эксперт комиссии по проверке работ ВПР"
FEDERAL_PREFIX = "fed"
_FEDERAL_CODENAME = c.PERM_MARK_FEDERAL.split(".", 1)[1]


@dataclass(frozen=True)
class Marker:
    """A commission marker's account as its unit's coordinator sees it."""

    user: User
    level: Level
    unit: Region | Municipality | None

    @property
    def unit_label(self) -> str:
        return commission_label(self.unit)


def commission_label(unit: Any) -> str:
    """«Региональная комиссия: Свердловская область» (the federal commission without a unit)."""
    if unit is None:
        return "Федеральная комиссия"
    if isinstance(unit, Region):
        return f"Региональная комиссия: {unit.name}"
    return f"Муниципальная комиссия: {unit.name}"


@dataclass(frozen=True)
class IssuedMarker:
    """A marker's login and one-time password: show it once, never keep it."""

    marker: Marker
    login: str
    password: str


def _require(actor: Any) -> None:
    if not actor.can(OA.MANAGE_MARKERS) or actor.user is None:
        raise PermissionDenied


def _own_unit(actor: Any) -> Region | Municipality | None:
    """The unit whose commission the actor staffs (None: the federal commission)."""
    if actor.scope.level is Level.FEDERAL:
        return None
    if actor.scope.level is Level.REGION:
        return Region.objects.for_actor(actor, OA.MANAGE_MARKERS).get(pk=actor.scope.region_id)
    if actor.scope.level is Level.MUNICIPALITY:
        return Municipality.objects.for_actor(actor, OA.MANAGE_MARKERS).get(
            pk=actor.scope.municipality_id
        )
    raise PermissionDenied


def _grants_of(actor: Any) -> tuple[QuerySet[RegionGrant], QuerySet[MunicipalityGrant]]:
    """The marker grants the actor's unit and the units below it hold."""
    regions = RegionGrant.objects.filter(permission__codename=c.PERM_MARK_REGION)
    munis = MunicipalityGrant.objects.filter(permission__codename=c.PERM_MARK_MUNICIPALITY)
    level = actor.scope.level
    if level is Level.REGION:
        regions = regions.filter(content_object_id=actor.scope.region_id)
        munis = munis.filter(content_object__region_id=actor.scope.region_id)
    elif level is Level.MUNICIPALITY:
        regions = regions.none()
        munis = munis.filter(content_object_id=actor.scope.municipality_id)
    elif level is not Level.FEDERAL:
        regions, munis = regions.none(), munis.none()
    return regions.select_related("user", "content_object"), munis.select_related(
        "user", "content_object"
    )


def _federal_markers(actor: Any) -> QuerySet[User]:
    if actor.scope.level is not Level.FEDERAL:
        return User.objects.none()
    return User.objects.filter(
        user_permissions__codename=_FEDERAL_CODENAME,
        user_permissions__content_type__app_label="registration",
    )


def markers_list(*, actor: Any, include_inactive: bool = False) -> list[Marker]:
    """The commission markers the actor manages (its unit's and the units' below), by login."""
    _require(actor)
    region_grants, muni_grants = _grants_of(actor)
    found: dict[int, Marker] = {}
    for user in _federal_markers(actor):
        found[user.pk] = Marker(user, Level.FEDERAL, None)
    for rg in region_grants:
        found.setdefault(rg.user_id, Marker(rg.user, Level.REGION, rg.content_object))
    for mg in muni_grants:
        found.setdefault(mg.user_id, Marker(mg.user, Level.MUNICIPALITY, mg.content_object))
    rows = [m for m in found.values() if include_inactive or m.user.is_active]
    return sorted(rows, key=lambda m: m.user.username)


def marker_get(*, actor: Any, user_id: int) -> Marker:
    """One active marker the actor manages; ``CommissionNotFoundError`` otherwise (a marker
    of another unit is as good as missing)."""
    for marker in markers_list(actor=actor):
        if marker.user.pk == user_id:
            return marker
    raise CommissionNotFoundError("marker_not_found")


def marker_login(unit: Region | Municipality | None) -> str:
    """The next free login of the unit's commission: ``<unit login>_k<n>``."""
    base = FEDERAL_PREFIX if unit is None else accounts.unit_login(unit)
    prefix = f"{base}_k"
    taken = User.objects.filter(username__startswith=prefix).values_list("username", flat=True)
    numbers = [int(m.group(1)) for u in taken if (m := re.fullmatch(rf"{prefix}(\d+)", u))]
    return f"{prefix}{max(numbers, default=0) + 1}"


def _scope_of(unit: Region | Municipality | None) -> Scope:
    return Scope(level=Level.FEDERAL) if unit is None else accounts.unit_scope(unit)


def _marker_audit(*, actor: Any, action: ObjectivityAudit, marker: Marker, login: str) -> None:
    # The password never goes to the log; the name neither (the target points at the user).
    audit_record(
        actor=actor,
        action=action,
        target=marker.user,
        scope=_scope_of(marker.unit),
        details={"login": login, "level": marker.level.name.lower()},
    )


def _clean(full_name: str, email: str) -> tuple[str, str]:
    name = " ".join((full_name or "").split())
    if not name:
        raise CommissionInvalidError("name_required")
    if len(name) > 300:
        raise CommissionInvalidError("name_too_long")
    mail = (email or "").strip()
    if mail:
        try:
            validate_email(mail)
        except ValidationError:
            raise CommissionInvalidError("email_invalid", value=mail[:100]) from None
    return name, mail


@transaction.atomic
def marker_issue(*, actor: Any, full_name: str, email: str = "") -> IssuedMarker:
    """A new marker of the actor's unit's commission with a one-time password (shown once)."""
    _require(actor)
    name, mail = _clean(full_name, email)
    unit = _own_unit(actor)
    if unit is not None:
        # one issue at a time per unit: the next login is then free
        type(unit).objects.select_for_update().filter(pk=unit.pk).first()
    login = marker_login(unit)
    if User.objects.filter(username=login).exists():  # pragma: no cover - locked above
        raise CommissionError("login_taken", login=login)
    password = accounts.generate_password()
    user = User(
        username=login,
        full_name=name,
        position=MARKER_POSITION,
        email=mail,
        must_change_password=True,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    if unit is None:
        assign_perm(c.PERM_MARK_FEDERAL, user)
        level = Level.FEDERAL
    elif isinstance(unit, Region):
        assign_perm(f"registration.{c.PERM_MARK_REGION}", user, unit)
        level = Level.REGION
    else:
        assign_perm(f"registration.{c.PERM_MARK_MUNICIPALITY}", user, unit)
        level = Level.MUNICIPALITY
    marker = Marker(user, level, unit)
    _marker_audit(
        actor=actor, action=ObjectivityAudit.MARKER_ACCOUNT_ISSUE, marker=marker, login=login
    )
    return IssuedMarker(marker, login, password)


@transaction.atomic
def marker_reissue(*, actor: Any, user_id: int) -> IssuedMarker:
    """A new one-time password of a marker (the old one, its sessions and tokens stop)."""
    marker = marker_get(actor=actor, user_id=user_id)
    password = accounts.password_reset(marker.user)
    _marker_audit(
        actor=actor,
        action=ObjectivityAudit.MARKER_ACCOUNT_REISSUE,
        marker=marker,
        login=marker.user.username,
    )
    return IssuedMarker(marker, marker.user.username, password)


def _free_old_login(base: str) -> str:
    taken = User.objects.filter(username__startswith=f"{base}_old").values_list(
        "username", flat=True
    )
    numbers = [
        int(m.group(1)) for u in taken if (m := re.fullmatch(rf"{re.escape(base)}_old(\d+)", u))
    ]
    return f"{base}_old{max(numbers, default=0) + 1}"


@transaction.atomic
def marker_revoke(*, actor: Any, user_id: int) -> Marker:
    """Take a marker's access back: deactivated, no grant, no password, no token; its login
    freed (``_old<N>``); out of its reviews (the marks it entered stay)."""
    marker = marker_get(actor=actor, user_id=user_id)
    user = User.objects.select_for_update().get(pk=marker.user.pk)
    login = user.username
    user.username = _free_old_login(login)
    user.is_active = False
    user.must_change_password = False
    user.disabled_at = timezone.now()
    user.set_unusable_password()
    user.save(
        update_fields=["username", "is_active", "must_change_password", "disabled_at", "password"]
    )
    RegionGrant.objects.filter(user=user).delete()
    MunicipalityGrant.objects.filter(user=user).delete()
    user.user_permissions.remove(
        *Permission.objects.filter(
            Q(codename=_FEDERAL_CODENAME) & Q(content_type__app_label="registration")
        )
    )
    api_tokens_revoke(user=user)
    ReviewMarker.objects.filter(user=user, active=True).update(active=False)
    _marker_audit(
        actor=actor, action=ObjectivityAudit.MARKER_ACCOUNT_REVOKE, marker=marker, login=login
    )
    return Marker(user, marker.level, marker.unit)
