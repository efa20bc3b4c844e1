"""Reads of materials, always as an actor sees them."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from apps.campaigns.models import ReserveDayRequest, SchoolWorkDate, TaskColumn, Work
from apps.materials.generation import PoolItem, normalize_uid
from apps.materials.models import BankItem, Kit, ParticipantCode, Variant, WorkBank
from apps.materials.release import KitReleases, kit_releases
from apps.registration.access import A, Actor
from apps.registration.models import School


def work_list(*, actor: Actor, action: str = A.MANAGE_BANK) -> QuerySet[Work]:
    return (
        Work.objects.for_actor(actor, action)
        .select_related("campaign", "subject")
        .order_by("-campaign__year", "grade", "subject__name")
    )


def work_get(*, actor: Actor, work_id: int, action: str = A.MANAGE_BANK) -> Work:
    return work_list(actor=actor, action=action).get(pk=work_id)


def work_columns(work: Work) -> list[TaskColumn]:
    return list(TaskColumn.objects.filter(work=work).order_by("position"))


def bank_revision(*, actor: Actor, work_id: int, action: str = A.MANAGE_BANK) -> int:
    bank = WorkBank.objects.for_actor(actor, action).filter(work_id=work_id).first()
    return bank.revision if bank is not None else 0


def bank_items(
    *, actor: Actor, work_id: int, revision: int | None = None, action: str = A.MANAGE_BANK
) -> QuerySet[BankItem]:
    """Items of a work's bank at ``revision`` (the current one by default)."""
    if revision is None:
        revision = bank_revision(actor=actor, work_id=work_id, action=action)
    return (
        BankItem.objects.for_actor(actor, action)
        .filter(work_id=work_id, since_revision__lte=revision)
        .filter(Q(until_revision__isnull=True) | Q(until_revision__gt=revision))
        .select_related("column")
        .order_by("column__position", "code")
    )


def bank_pool(
    *, actor: Actor, work_id: int, revision: int, action: str = A.GENERATE_MATERIALS
) -> tuple[tuple[PoolItem, ...], ...]:
    """The composition pool of a bank revision: items per column (form order), by id."""
    by_column: dict[int, list[PoolItem]] = defaultdict(list)
    rows = bank_items(actor=actor, work_id=work_id, revision=revision, action=action).values_list(
        "column__position", "id", "difficulty"
    )
    for position, item_id, difficulty in rows:
        by_column[position].append(PoolItem(item_id, difficulty))
    positions = TaskColumn.objects.filter(work_id=work_id).order_by("position")
    return tuple(
        tuple(sorted(by_column.get(p, []), key=lambda i: i.id))
        for p in positions.values_list("position", flat=True)
    )


@dataclass(frozen=True)
class BankSummary:
    work: Work
    revision: int
    total: int
    per_column: list[tuple[str, int]]
    short_columns: list[str]
    kits: int


def bank_overview(*, actor: Actor) -> list[BankSummary]:
    """Every work with its bank revision, item counts per column and kits generated."""
    out = []
    works = list(work_list(actor=actor))
    kits = dict(
        Kit.objects.for_actor(actor, A.MANAGE_BANK)
        .values_list("work_id")
        .annotate(n=Count("pk"))
        .values_list("work_id", "n")
    )
    revisions = dict(
        WorkBank.objects.for_actor(actor, A.MANAGE_BANK).values_list("work_id", "revision")
    )
    for work in works:
        revision = revisions.get(work.pk, 0)
        counts = Counter(
            bank_items(actor=actor, work_id=work.pk, revision=revision).values_list(
                "column__label", flat=True
            )
        )
        labels = list(
            TaskColumn.objects.filter(work=work)
            .order_by("position")
            .values_list("label", flat=True)
        )
        per_column = [(label, counts.get(label, 0)) for label in labels]
        out.append(
            BankSummary(
                work=work,
                revision=revision,
                total=sum(counts.values()),
                per_column=per_column,
                short_columns=[lb for lb, n in per_column if n < work.variants_per_school],
                kits=kits.get(work.pk, 0),
            )
        )
    return out


def held_on(*, actor: Actor, action: str, school_id: int, work_ids: list[int]) -> dict[int, date]:
    """The day each work is held at a school: its chosen date, or an approved reserve day."""
    rows = (
        SchoolWorkDate.objects.for_actor(actor, action)
        .filter(school_id=school_id, work_id__in=work_ids)
        .select_related("reserve")
    )
    out = {}
    for row in rows:
        if row.reserve_id and row.reserve.status != ReserveDayRequest.Status.APPROVED:
            continue
        out[row.work_id] = row.date
    return out


@dataclass(frozen=True)
class KitView:
    """A kit with its release instants, as the school's materials page and API show it."""

    kit: Kit
    work: Work
    releases: KitReleases
    held_on: date | None

    def archive_open(self, now: datetime) -> bool:
        return self.releases.archive.is_open(now)

    def status(self, what: str, now: datetime) -> str:
        """available / not_yet / not_scheduled / not_built / not_applicable."""
        if what == "password" and not self.work.encrypted_archive:
            return "not_applicable"
        release = getattr(self.releases, "archive" if what in ("codes", "protocol") else what)
        if what in ("archive", "criteria") and self.kit.status != Kit.Status.READY:
            return "not_built"
        if release.at is None:
            return "not_scheduled"
        return "available" if release.is_open(now) else "not_yet"


def school_get(*, actor: Actor, school_id: int, action: str = A.VIEW_MATERIALS) -> School:
    return (
        School.objects.for_actor(actor, action)
        .select_related("municipality", "region")
        .get(pk=school_id)
    )


def kit_views(*, actor: Actor, school: School, action: str = A.VIEW_MATERIALS) -> list[KitView]:
    kits = list(
        Kit.objects.for_actor(actor, action)
        .filter(school_id=school.pk)
        .select_related("work", "work__campaign", "work__subject")
        .order_by("work__grade", "work__subject__name")
    )
    days = held_on(
        actor=actor, action=action, school_id=school.pk, work_ids=[k.work_id for k in kits]
    )
    return [
        KitView(
            kit=k,
            work=k.work,
            releases=kit_releases(k.work, days.get(k.work_id), school.time_zone),
            held_on=days.get(k.work_id),
        )
        for k in kits
    ]


def kit_get(*, actor: Actor, kit_id: int, action: str) -> Kit:
    return (
        Kit.objects.for_actor(actor, action)
        .select_related("work", "work__campaign", "work__subject", "school")
        .get(pk=kit_id)
    )


def kit_view(*, actor: Actor, kit_id: int, action: str) -> KitView:
    kit = kit_get(actor=actor, kit_id=kit_id, action=action)
    day = held_on(actor=actor, action=action, school_id=kit.school_id, work_ids=[kit.work_id])
    return KitView(
        kit=kit,
        work=kit.work,
        releases=kit_releases(kit.work, day.get(kit.work_id), kit.school.time_zone),
        held_on=day.get(kit.work_id),
    )


def participant_codes(
    *, actor: Actor, action: str, school_id: int, campaign_id: int, grade: int
) -> QuerySet[ParticipantCode]:
    return (
        ParticipantCode.objects.for_actor(actor, action)
        .filter(school_id=school_id, campaign_id=campaign_id, grade=grade)
        .order_by("code")
    )


@dataclass(frozen=True)
class Lookup:
    variant: Variant
    school: School
    work: Work


def variant_lookup(*, actor: Actor, uid: str) -> Lookup | None:
    """What a leaked page's printed identifier says: the variant, its school and work."""
    normalized = normalize_uid(uid)
    if not normalized:
        return None
    variant = (
        Variant.objects.for_actor(actor, A.LOOKUP_VARIANT)
        .select_related("kit", "work", "work__subject", "work__campaign")
        .filter(uid=normalized)
        .first()
    )
    if variant is None:
        return None
    school = school_get(actor=actor, school_id=variant.school_id, action=A.LOOKUP_VARIANT)
    return Lookup(variant=variant, school=school, work=variant.work)


@dataclass(frozen=True)
class BuildProgress:
    work: Work
    total: int
    ready: int
    failed: int
    regions: list[dict[str, Any]]

    @property
    def percent(self) -> int:
        return round(100 * self.ready / self.total) if self.total else 0


def build_progress(*, actor: Actor, work: Work) -> BuildProgress:
    """Kits of a work by state, overall and per region (for the operator's progress bar)."""
    from apps.registration.models import Region

    rows = (
        Kit.objects.for_actor(actor, A.GENERATE_MATERIALS)
        .filter(work=work)
        .values("region_id", "status")
        .annotate(n=Count("pk"))
    )
    per_region: dict[int, Counter[str]] = defaultdict(Counter)
    for row in rows:
        per_region[row["region_id"]][row["status"]] += row["n"]
    names = dict(
        Region.objects.for_actor(actor, A.GENERATE_MATERIALS)
        .filter(pk__in=per_region)
        .values_list("pk", "name")
    )
    regions = [
        {
            "region_id": rid,
            "name": names.get(rid, str(rid)),
            "total": sum(c.values()),
            "ready": c[Kit.Status.READY],
            "failed": c[Kit.Status.FAILED],
        }
        for rid, c in sorted(per_region.items(), key=lambda kv: names.get(kv[0], ""))
    ]
    return BuildProgress(
        work=work,
        total=sum(r["total"] for r in regions),
        ready=sum(r["ready"] for r in regions),
        failed=sum(r["failed"] for r in regions),
        regions=regions,
    )
