"""Reads of notices, their files and reads, always as an actor sees them; and the contacts of
the actor's coordinators, shown in every cabinet."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, Case, Exists, OuterRef, QuerySet, Value, When

from apps.core.scoping import Level
from apps.notices.constants import UNREAD_LIST_LIMIT
from apps.notices.models import AuthorLevel, Notice, NoticeFile, NoticeRead, addressed_filter
from apps.registration import constants as c
from apps.registration.access import A, Actor
from apps.registration.models import Municipality, MunicipalityGrant, Region, RegionGrant, School


def _with_read_state(qs: QuerySet[Notice], actor: Actor) -> QuerySet[Notice]:
    """Annotates ``is_read`` (the actor opened it) and ``addressed`` (it came from above to the
    actor's level, so it counts as unread until opened)."""
    mine = NoticeRead.objects.for_actor(actor, A.VIEW_NOTICES).filter(
        notice=OuterRef("pk"), user_id=getattr(actor.user, "pk", 0)
    )
    if actor.scope.level is Level.FEDERAL:
        addressed: Any = Value(False)
    else:
        addressed = Case(
            When(addressed_filter(actor.scope), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    return qs.annotate(is_read=Exists(mine), addressed=addressed)


def notice_list(*, actor: Actor) -> QuerySet[Notice]:
    """The notices the actor sees: unread ones addressed to it first, then newest first."""
    qs: Any = Notice.objects.for_actor(actor, A.VIEW_NOTICES).select_related(
        "region", "municipality", "campaign"
    )
    qs = _with_read_state(qs, actor).annotate(
        unread=Case(
            When(addressed=True, is_read=False, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
    return qs.order_by("-unread", "-published_at", "-id")  # type: ignore[no-any-return]


def notice_unread_count(*, actor: Actor) -> int:
    """How many notices addressed to the actor it has not opened yet (the menu badge)."""
    if not actor.can(A.VIEW_NOTICES) or actor.scope.level is Level.FEDERAL:
        return 0
    mine = NoticeRead.objects.for_actor(actor, A.VIEW_NOTICES).filter(
        notice=OuterRef("pk"), user_id=getattr(actor.user, "pk", 0)
    )
    return (
        Notice.objects.for_actor(actor, A.VIEW_NOTICES)
        .filter(addressed_filter(actor.scope))
        .exclude(Exists(mine))
        .count()
    )


def notice_get(*, actor: Actor, notice_id: int, action: str = A.VIEW_NOTICES) -> Notice:
    """One notice the actor sees under ``action`` (DoesNotExist → 404 outside its scope)."""
    qs = Notice.objects.for_actor(actor, action).select_related(
        "region", "municipality", "campaign", "author"
    )
    return _with_read_state(qs, actor).get(pk=notice_id)


def notice_files(*, actor: Actor, notice: Notice) -> QuerySet[NoticeFile]:
    """Every version of the notice's document, newest first."""
    return (
        NoticeFile.objects.for_actor(actor, A.VIEW_NOTICES)
        .filter(notice=notice)
        .select_related("uploaded_by")
        .order_by("-version")
    )


def notice_file_get(*, actor: Actor, file_id: int) -> NoticeFile:
    return (
        NoticeFile.objects.for_actor(actor, A.VIEW_NOTICES).select_related("notice").get(pk=file_id)
    )


def can_manage(*, actor: Actor, notice: Notice) -> bool:
    """Whether the actor is on the author's side of the notice (new versions, read receipts)."""
    return Notice.objects.for_actor(actor, A.PUBLISH_NOTICES).filter(pk=notice.pk).exists()


# --- read receipts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AudienceReads:
    """How many units of one audience level have at least one reader."""

    label: str  # «ОО», «муниципалитетов», «регионов»
    read: int
    total: int
    unread: list[str] = field(default_factory=list)
    more: int = 0  # unread units beyond the listed ones

    @property
    def text(self) -> str:
        return f"прочитали {self.read} из {self.total} {self.label}"

    @property
    def unread_total(self) -> int:
        return self.total - self.read

    @property
    def percent(self) -> int:
        return round(100 * self.read / self.total) if self.total else 0


def _recipients(actor: Actor, notice: Notice, level: Level) -> QuerySet[Any]:
    """The units of ``level`` under the notice's author unit, as the actor sees them."""
    qs: QuerySet[Any]
    if level is Level.REGION:
        qs = Region.objects.for_actor(actor, A.VIEW_REGION)
    elif level is Level.MUNICIPALITY:
        qs = Municipality.objects.for_actor(actor, A.VIEW_MUNICIPALITY)
    else:
        qs = School.objects.for_actor(actor, A.VIEW_SCHOOL).filter(status=c.SchoolStatus.ACTIVE)
    below: dict[str, Any] = {}
    if notice.author_level == AuthorLevel.REGION and level is not Level.REGION:
        below = {"region_id": notice.region_id}
    elif notice.author_level == AuthorLevel.MUNICIPALITY and level is Level.SCHOOL:
        below = {"municipality_id": notice.municipality_id}
    qs = qs.filter(**below)
    return qs


_UNIT_COLUMN = {
    Level.REGION: "region_id",
    Level.MUNICIPALITY: "municipality_id",
    Level.SCHOOL: "school_id",
}
_LABEL = {Level.REGION: "регионов", Level.MUNICIPALITY: "муниципалитетов", Level.SCHOOL: "ОО"}


def notice_read_stats(*, actor: Actor, notice: Notice) -> list[AudienceReads]:
    """Per audience level: how many units have read the notice, and which have not.

    A unit has read it when at least one of its users opened it. Only the author's side calls
    this (the notice comes from ``notice_get(action=A.PUBLISH_NOTICES)``).
    """
    levels = [
        level
        for flag, level in (
            (notice.for_regions, Level.REGION),
            (notice.for_municipalities, Level.MUNICIPALITY),
            (notice.for_schools, Level.SCHOOL),
        )
        if flag
    ]
    stats = []
    for level in levels:
        column = _UNIT_COLUMN[level]
        read_ids = (
            NoticeRead.objects.for_actor(actor, A.VIEW_NOTICES)
            .filter(notice=notice, level=int(level))
            .values(column)
        )
        recipients = _recipients(actor, notice, level)
        total = recipients.count()
        read = recipients.filter(pk__in=read_ids).count()
        unread_qs = recipients.exclude(pk__in=read_ids).order_by("code")
        unread = [str(unit) for unit in unread_qs[:UNREAD_LIST_LIMIT]]
        stats.append(
            AudienceReads(
                label=_LABEL[level],
                read=read,
                total=total,
                unread=unread,
                more=max(0, total - read - len(unread)),
            )
        )
    return stats


def notice_readers(*, actor: Actor, notice: Notice) -> QuerySet[NoticeRead]:
    """Who opened the notice and when, first readers first."""
    return (
        NoticeRead.objects.for_actor(actor, A.VIEW_NOTICES)
        .filter(notice=notice)
        .select_related("user")
        .order_by("read_at", "id")
    )


# --- coordinator contacts ---------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """How to reach the coordinator above the actor. No login: it is half of a credential."""

    role: str
    unit: str
    name: str
    position: str = ""
    phone: str = ""
    email: str = ""


_CONTACT_COLUMNS = (
    "user__full_name",
    "user__position",
    "user__phone",
    "user__email",
    "content_object__name",
)


def _grant_rows(grants: QuerySet[Any], codename: str, unit_id: int, rank: int) -> QuerySet[Any]:
    """The active coordinators holding ``codename`` on the unit, as plain rows for a UNION."""
    rows: QuerySet[Any] = (
        grants.filter(
            content_object_id=unit_id,
            permission__codename=codename,
            user__is_active=True,
            user__disabled_at__isnull=True,
        )
        .annotate(rank=Value(rank))
        .values_list(*_CONTACT_COLUMNS, "rank", "pk")
    )
    return rows


def contacts_for(actor: Actor) -> list[Contact]:
    """The coordinators the actor answers to: a school sees its municipal and regional
    coordinators, a municipality its regional ones, a region the federal operator (from
    settings). The federal operator and users without a role see none."""
    scope = actor.scope
    found: list[Contact] = []
    if actor.role is None or scope.level is Level.FEDERAL or scope.anchor_id is None:
        return found
    # One query for both levels above a school (a UNION), so every page pays one query.
    parts: list[QuerySet[Any]] = []
    if scope.level is Level.SCHOOL and scope.municipality_id:
        parts.append(
            _grant_rows(
                MunicipalityGrant.objects.all(), c.PERM_MUNICIPALITY, scope.municipality_id, 0
            )
        )
    if scope.level in (Level.SCHOOL, Level.MUNICIPALITY) and scope.region_id:
        parts.append(_grant_rows(RegionGrant.objects.all(), c.PERM_REGION, scope.region_id, 1))
    if parts:
        rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        roles = (str(c.Role.MUNICIPAL.label), str(c.Role.REGIONAL.label))
        for name, position, phone, email, unit, rank, _pk in sorted(
            rows, key=lambda r: (r[5], r[6])
        ):
            found.append(
                Contact(
                    role=roles[rank],
                    unit=unit,
                    name=name or "ФИО не указано",
                    position=position,
                    phone=phone,
                    email=email,
                )
            )
    if scope.level is Level.REGION:
        federal = settings.FEDERAL_OPERATOR_CONTACT
        found.append(
            Contact(
                role=str(c.Role.FEDERAL.label),
                unit="Российская Федерация",
                name=federal.get("name", ""),
                phone=federal.get("phone", ""),
                email=federal.get("email", ""),
            )
        )
    return found
