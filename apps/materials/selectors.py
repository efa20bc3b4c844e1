"""Reads of materials, always as an actor sees them."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from apps.campaigns.models import ReserveDayRequest, SchoolWorkDate, TaskColumn, Work
from apps.core.scoping import Level
from apps.materials.generation import PoolItem, normalize_uid
from apps.materials.models import (
    BankItem,
    Kit,
    MaterialFile,
    ParticipantCode,
    Variant,
    WorkBank,
)
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
    attachments: list[MaterialFile] = field(default_factory=list)
    images: int = 0


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
    attachments: dict[int, list[MaterialFile]] = defaultdict(list)
    images: Counter[int] = Counter()
    for f in (
        MaterialFile.objects.for_actor(actor, A.MANAGE_BANK)
        .select_related("item")
        .order_by("work_id", "name")
    ):
        if f.kind == MaterialFile.Kind.ATTACHMENT:
            attachments[f.work_id].append(f)
        else:
            images[f.work_id] += 1
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
                attachments=attachments.get(work.pk, []),
                images=images[work.pk],
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
    out: dict[int, date] = {}
    for row in rows:
        if row.reserve is not None and row.reserve.status != ReserveDayRequest.Status.APPROVED:
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
    regions: list[dict[str, Any]] = [
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


# --- download monitoring (issue 5 item 8) ----------------------------------------------------

# item → the audit action that records it (every download and password view is audited)
TRACKED_DOWNLOADS: dict[str, str] = {
    "archive": "materials.archive_download",
    "codes": "materials.codes_download",
    "password": "materials.password_view",
}
TRACKED_LABELS: dict[str, str] = {
    "archive": "Архив",
    "codes": "Лист с кодами",
    "password": "Пароль (8 класс)",
}


@dataclass(frozen=True)
class FirstDownload:
    username: str
    at: datetime
    count: int


@dataclass(frozen=True)
class SchoolDownloads:
    school: School
    kit_id: int
    first: dict[str, FirstDownload]  # item → who first downloaded it, when, and how often
    cells: list[FirstDownload | None]  # the same, in the order of the report's items

    def done(self, item: str) -> bool:
        return item in self.first


@dataclass(frozen=True)
class UnitDownloads:
    """One unit below the page's unit (a region or a municipality): schools and how many of them
    downloaded each item."""

    unit_id: int
    name: str
    schools: int
    done: dict[str, int]
    counts: list[int]  # ``done`` in the order of the report's items


@dataclass(frozen=True)
class DownloadMonitoring:
    work: Work
    items: list[str]  # "password" only for encrypted (grade 8) works
    below: str  # "region" / "municipality" / "" (the page is one municipality: schools only)
    units: list[UnitDownloads]
    schools: list[SchoolDownloads]

    def missing(self, item: str) -> list[School]:
        """The schools that have not downloaded ``item`` yet."""
        return [s.school for s in self.schools if not s.done(item)]


def download_monitoring(
    *,
    actor: Actor,
    work_id: int,
    region_id: int | None = None,
    municipality_id: int | None = None,
    action: str = A.VIEW_MATERIALS,
) -> DownloadMonitoring:
    """Who downloaded each archive, code sheet and (grade 8) password of a work, per unit below
    the actor's (or the chosen region/municipality), from the audit records."""
    from apps.core.models import AuditEvent

    work = Work.objects.select_related("campaign", "subject").get(pk=work_id)  # reference data
    kits_qs = Kit.objects.for_actor(actor, action).filter(work_id=work_id)
    if region_id is not None:
        kits_qs = kits_qs.filter(region_id=region_id)
    if municipality_id is not None:
        kits_qs = kits_qs.filter(municipality_id=municipality_id)
    kits = list(
        kits_qs.select_related("school", "school__municipality", "school__region").order_by(
            "school__code"
        )
    )
    items = [i for i in TRACKED_DOWNLOADS if i != "password" or work.encrypted_archive]
    by_action = {TRACKED_DOWNLOADS[i]: i for i in items}
    events = (
        AuditEvent.objects.for_actor(actor, action)
        .filter(
            action__in=list(by_action),
            target_type=Kit._meta.label_lower,
            target_id__in=[str(k.pk) for k in kits],
        )
        .order_by("at", "id")
        .values_list("target_id", "action", "username", "at")
    )
    first: dict[tuple[int, str], FirstDownload] = {}
    for target_id, event_action, username, at in events:
        key = (int(target_id), by_action[event_action])
        seen = first.get(key)
        first[key] = (
            FirstDownload(username, at, 1)
            if seen is None
            else FirstDownload(seen.username, seen.at, seen.count + 1)
        )
    schools = [
        SchoolDownloads(
            school=k.school,
            kit_id=k.pk,
            first={i: first[(k.pk, i)] for i in items if (k.pk, i) in first},
            cells=[first.get((k.pk, i)) for i in items],
        )
        for k in kits
    ]
    level = actor.scope.level
    if municipality_id is not None or level >= Level.MUNICIPALITY:
        below = ""
    elif region_id is not None or level is Level.REGION:
        below = "municipality"
    else:
        below = "region"
    groups: dict[int, list[SchoolDownloads]] = defaultdict(list)
    names: dict[int, str] = {}
    for row in schools:
        unit = row.school.region if below == "region" else row.school.municipality
        groups[unit.pk].append(row)
        names[unit.pk] = unit.name
    units = [
        UnitDownloads(
            unit_id=uid,
            name=names[uid],
            schools=len(rows),
            done={i: sum(r.done(i) for r in rows) for i in items},
            counts=[sum(r.done(i) for r in rows) for i in items],
        )
        for uid, rows in sorted(groups.items(), key=lambda kv: names[kv[0]])
        if below
    ]
    return DownloadMonitoring(work=work, items=items, below=below, units=units, schools=schools)


def monitored_works(*, actor: Actor, action: str = A.VIEW_MATERIALS) -> list[Work]:
    """The works that have kits the actor sees (newest campaign first)."""
    ids = Kit.objects.for_actor(actor, action).values("work_id")
    return list(
        Work.objects.filter(pk__in=ids)  # reference data, narrowed to the actor's kits
        .select_related("campaign", "subject")
        .order_by("-campaign__year", "campaign__session", "grade", "subject__name")
    )


def works_without_kits(*, actor: Actor, school: School, kit_work_ids: set[int]) -> list[Work]:
    """Works of the current campaign the school applied for but has no kit of yet."""
    from apps.applications.selectors import applied_work_ids
    from apps.campaigns.models import Campaign

    campaign = Campaign.objects.filter(is_active=True).first()  # reference data
    if campaign is None:
        return []
    applied = applied_work_ids(actor=actor, school_id=school.pk, campaign_id=campaign.pk) or set()
    return list(
        Work.objects.filter(pk__in=applied - kit_work_ids)  # reference data
        .select_related("subject")
        .order_by("grade", "subject__name")
    )
