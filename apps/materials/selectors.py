"""Reads of materials, always as an actor sees them."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery

from apps.applications.models import Application, ApplicationLine
from apps.applications.selectors import APPLIED, applied_work_ids
from apps.campaigns import schedule
from apps.campaigns import selectors as campaign_selectors
from apps.campaigns.models import (
    Campaign,
    ReserveDayRequest,
    SchoolWorkDate,
    Subject,
    TaskColumn,
    Work,
)
from apps.classes.models import ClassWork
from apps.classes.timetable.days import class_days
from apps.core.instants import MOSCOW, today_at
from apps.core.models import AuditEvent, Job
from apps.core.precompiled import Precompiled, instance
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
from apps.materials.release import KitReleases, Release, kit_releases, password_release
from apps.registration.access import A, Actor
from apps.registration.models import Region, School


def work_list(
    *,
    actor: Actor,
    action: str = A.MANAGE_BANK,
    campaign_id: int | None = None,
    subject_id: int | None = None,
    grade: int | None = None,
) -> QuerySet[Work]:
    """Works of the campaigns, newest campaign first, each work once; optionally filtered."""
    works = Work.objects.for_actor(actor, action).select_related("campaign", "subject")
    if campaign_id is not None:
        works = works.filter(campaign_id=campaign_id)
    if subject_id is not None:
        works = works.filter(subject_id=subject_id)
    if grade is not None:
        works = works.filter(grade=grade)
    return works.order_by("-campaign__year", "campaign__session", "grade", "subject__name")


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

    @property
    def status(self) -> str:
        """One of ``BANK_STATUSES``."""
        if not self.total:
            return "empty"
        return "short" if self.short_columns else "ready"


def bank_overview(*, actor: Actor, works: Iterable[Work] | None = None) -> list[BankSummary]:
    """Every work (or ``works``) with its bank revision, item counts per column and kits
    generated: a fixed number of queries whatever the number of works."""
    works = list(work_list(actor=actor) if works is None else works)
    ids = [w.pk for w in works]
    kits = dict(
        Kit.objects.for_actor(actor, A.MANAGE_BANK)
        .filter(work_id__in=ids)
        .values_list("work_id")
        .annotate(n=Count("pk"))
        .values_list("work_id", "n")
    )
    revisions = dict(
        WorkBank.objects.for_actor(actor, A.MANAGE_BANK)
        .filter(work_id__in=ids)
        .values_list("work_id", "revision")
    )
    attachments: dict[int, list[MaterialFile]] = defaultdict(list)
    images: Counter[int] = Counter()
    for f in (
        MaterialFile.objects.for_actor(actor, A.MANAGE_BANK)
        .filter(work_id__in=ids)
        .select_related("item")
        .order_by("work_id", "name")
    ):
        if f.kind == MaterialFile.Kind.ATTACHMENT:
            attachments[f.work_id].append(f)
        else:
            images[f.work_id] += 1
    # The items of each work's current revision (since <= revision < until), counted per column.
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for work_id, label, since, until in (
        BankItem.objects.for_actor(actor, A.MANAGE_BANK)
        .filter(work_id__in=ids)
        .values_list("work_id", "column__label", "since_revision", "until_revision")
    ):
        revision = revisions.get(work_id, 0)
        if since <= revision and (until is None or until > revision):
            counts[work_id][label] += 1
    labels: dict[int, list[str]] = defaultdict(list)
    for work_id, label in (
        TaskColumn.objects.filter(work_id__in=ids)
        .order_by("work_id", "position")
        .values_list("work_id", "label")
    ):
        labels[work_id].append(label)
    out = []
    for work in works:
        per_column = [(label, counts[work.pk].get(label, 0)) for label in labels[work.pk]]
        out.append(
            BankSummary(
                work=work,
                revision=revisions.get(work.pk, 0),
                total=sum(counts[work.pk].values()),
                per_column=per_column,
                short_columns=[lb for lb, n in per_column if n < work.variants_per_school],
                kits=kits.get(work.pk, 0),
                attachments=attachments.get(work.pk, []),
                images=images[work.pk],
            )
        )
    return out


def held_on(*, actor: Actor, action: str, school_id: int, work_ids: list[int]) -> dict[int, date]:
    """The day each work is held at a school: its chosen date, or an approved reserve day (for
    a school with a class register: its first class day, kept there by the timetable)."""
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


def held_until(
    *, actor: Actor, action: str, school_id: int, held: dict[int, date]
) -> dict[int, date]:
    """The last day each work is held at a school: its last class day, never before its day
    (``held_on``); the day itself for a school writing on one day (no class days)."""
    spans = class_days(actor=actor, action=action, school_id=school_id, work_ids=list(held))
    return {
        work_id: max(day, spans[work_id].last) if work_id in spans else day
        for work_id, day in held.items()
    }


@dataclass(frozen=True)
class KitView:
    """A kit with its release instants, as the school's materials page and API show it."""

    kit: Kit
    work: Work
    releases: KitReleases
    held_on: date | None
    held_until: date | None = None  # the last class day, when the classes write on several

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


def kit_views(
    *,
    actor: Actor,
    school: School,
    action: str = A.VIEW_MATERIALS,
    campaign_id: int | None = None,
) -> list[KitView]:
    """The school's kits (those of ``campaign_id`` only when given) with their releases: the
    materials page and ``GET /api/v1/schools/{id}/materials/`` both list these."""
    # an unknown campaign is a 400 (FilterValueError), never the unfiltered list
    campaign_selectors.campaign_filter_get(actor=actor, campaign_id=campaign_id)
    where = {"work__campaign_id": campaign_id} if campaign_id is not None else {}
    kits = list(
        Kit.objects.for_actor(actor, action)
        .filter(school_id=school.pk, **where)
        .select_related("work", "work__campaign", "work__subject")
        .order_by("work__grade", "work__subject__name")
    )
    days = held_on(
        actor=actor, action=action, school_id=school.pk, work_ids=[k.work_id for k in kits]
    )
    lasts = held_until(actor=actor, action=action, school_id=school.pk, held=days)
    return [
        KitView(
            kit=k,
            work=k.work,
            releases=kit_releases(
                k.work, days.get(k.work_id), school.time_zone, last=lasts.get(k.work_id)
            ),
            held_on=days.get(k.work_id),
            held_until=_several(days.get(k.work_id), lasts.get(k.work_id)),
        )
        for k in kits
    ]


def kit_campaigns(*, actor: Actor, school: School) -> list[Campaign]:
    """The campaigns the school has kits of (the materials page's campaign filter)."""
    ids = (
        Kit.objects.for_actor(actor, A.VIEW_MATERIALS)
        .filter(school_id=school.pk)
        .values("work__campaign_id")
    )
    return list(Campaign.objects.filter(pk__in=ids).order_by("-year", "session"))  # reference data


def _several(first: date | None, last: date | None) -> date | None:
    return last if first is not None and last is not None and last > first else None


# What ``kit_get`` loads, as ``select_related`` would: every column of the kit, its work, the
# work's campaign and subject, and the school, in this order.
_KIT_PARTS: tuple[tuple[str, type[Any]], ...] = (
    ("", Kit),
    ("work__", Work),
    ("work__campaign__", Campaign),
    ("work__subject__", Subject),
    ("school__", School),
)


def _attnames(model: type[Any]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _kit_rows(actor: Actor, action: str, *, kit_id: int) -> QuerySet[Kit, tuple[Any, ...]]:
    names = [prefix + name for prefix, model in _KIT_PARTS for name in _attnames(model)]
    return Kit.objects.for_actor(actor, action).filter(pk=kit_id).order_by().values_list(*names)


_KIT = Precompiled(_kit_rows)


def kit_get(*, actor: Actor, kit_id: int, action: str) -> Kit:
    """A kit the actor sees, with its work (campaign, subject) and school loaded, as
    ``select_related(...).get(pk=kit_id)`` loads them (every column); ``Kit.DoesNotExist``
    when not seen. One query compiled once per process (``core.precompiled``): read by every
    archive build and kit page."""
    rows = _KIT.rows(action, actor=actor, kit_id=kit_id)
    if not rows:
        raise Kit.DoesNotExist("Kit matching query does not exist.")
    row, start, parts = rows[0], 0, {}
    for prefix, model in _KIT_PARTS:
        names = _attnames(model)
        parts[prefix] = model.from_db(_KIT.using, names, row[start : start + len(names)])
        start += len(names)
    kit, work = parts[""], parts["work__"]
    work.campaign, work.subject = parts["work__campaign__"], parts["work__subject__"]
    kit.work, kit.school = work, parts["school__"]
    return kit  # type: ignore[no-any-return]


# What the password's service, API, page and audit row read of the kit, work, subject and school
# (every other column is left deferred, as ``only()`` would: reading a whole row of four tables
# was most of the query's cost).
_PASSWORD_KIT = ("id", "school_id", "work_id", "municipality_id", "region_id", "password_token",
                 "archive_name")  # fmt: skip
_PASSWORD_WORK = ("work__encrypted_archive", "work__grade", "work__subject_id")
_PASSWORD_SUBJECT = ("work__subject__name",)
_PASSWORD_SCHOOL = ("school__code", "school__time_zone")


def _kit_password_rows(actor: Actor, action: str, *, kit_id: int) -> QuerySet[Kit]:
    """The kit (if the actor sees it) and the school's day of its work (what ``held_on`` reads,
    through the same scoping) as a subquery; the class days, which move only the criteria, are
    not read."""
    day = (
        SchoolWorkDate.objects.for_actor(actor, action)
        .filter(school_id=OuterRef("school_id"), work_id=OuterRef("work_id"))
        .filter(Q(reserve__isnull=True) | Q(reserve__status=ReserveDayRequest.Status.APPROVED))
        .values("date")[:1]
    )
    return (
        Kit.objects.for_actor(actor, action)
        .filter(pk=kit_id)
        .annotate(held_on_day=Subquery(day))
        .order_by()
        .values_list(
            *_PASSWORD_KIT, *_PASSWORD_WORK, *_PASSWORD_SUBJECT, *_PASSWORD_SCHOOL, "held_on_day"
        )
    )


_KIT_PASSWORD = Precompiled(_kit_password_rows)


def kit_password_view(*, actor: Actor, kit_id: int, action: str) -> tuple[Kit, Release]:
    """A kit (with its work, subject and school, the other columns deferred) and its password's
    release, in one query compiled once per shape of actor (``core.precompiled``): the read
    behind every request of the 07:30 rush (issue 18). ``Kit.DoesNotExist`` when not seen."""
    rows = _KIT_PASSWORD.rows(action, actor=actor, kit_id=kit_id)
    if not rows:
        raise Kit.DoesNotExist("Kit matching query does not exist.")
    values = dict(
        zip(
            (*_PASSWORD_KIT, *_PASSWORD_WORK, *_PASSWORD_SUBJECT, *_PASSWORD_SCHOOL, "held_on"),
            rows[0],
            strict=True,
        )
    )
    db = _KIT_PASSWORD.using

    def part(prefix: str, names: tuple[str, ...]) -> dict[str, Any]:
        return {name.removeprefix(prefix): values[name] for name in names}

    kit = instance(Kit, db, part("", _PASSWORD_KIT))
    work = instance(Work, db, {"id": kit.work_id, **part("work__", _PASSWORD_WORK)})
    work.subject = instance(
        Subject, db, {"id": work.subject_id, **part("work__subject__", _PASSWORD_SUBJECT)}
    )
    kit.work = work
    kit.school = instance(School, db, {"id": kit.school_id, **part("school__", _PASSWORD_SCHOOL)})
    kit.held_on_day = values["held_on"]
    return kit, password_release(work, values["held_on"], kit.school.time_zone)


def kit_view(*, actor: Actor, kit_id: int, action: str) -> KitView:
    kit = kit_get(actor=actor, kit_id=kit_id, action=action)
    day = held_on(actor=actor, action=action, school_id=kit.school_id, work_ids=[kit.work_id])
    lasts = held_until(actor=actor, action=action, school_id=kit.school_id, held=day)
    first, last = day.get(kit.work_id), lasts.get(kit.work_id)
    return KitView(
        kit=kit,
        work=kit.work,
        releases=kit_releases(kit.work, first, kit.school.time_zone, last=last),
        held_on=first,
        held_until=_several(first, last),
    )


def participant_codes(
    *, actor: Actor, action: str, school_id: int, campaign_id: int, grade: int
) -> QuerySet[ParticipantCode]:
    """A school's codes of a grade with their register class loaded: read a code's class
    number as ``current_class_number`` (a renumbered class keeps its codes)."""
    return (
        ParticipantCode.objects.for_actor(actor, action)
        .filter(school_id=school_id, campaign_id=campaign_id, grade=grade)
        .select_related("school_class")
        .order_by("code")
    )


def _kit_code_rows(
    actor: Actor, action: str, grade: int, *, school_id: int, campaign_id: int
) -> QuerySet[ParticipantCode, tuple[Any, ...]]:
    """``participant_codes`` as the columns ``current_class_number`` reads (the grade, one of a
    handful, is part of the shape rather than a value)."""
    return (
        participant_codes(
            actor=actor, action=action, school_id=school_id, campaign_id=campaign_id, grade=grade
        )
        .select_related(None)
        .values_list(
            "code",
            "reserve",
            "grade",
            "class_number",
            "school_class_id",
            "school_class__number",
            "school_class__grade",
            "school_class__is_active",
        )
    )


_KIT_CODES = Precompiled(_kit_code_rows)


@dataclass(frozen=True)
class KitCode:
    """A participant code as a kit prints it: ``number`` is ``current_class_number``."""

    code: str
    number: int | None
    reserve: bool


def kit_codes(
    *, actor: Actor, action: str, school_id: int, campaign_id: int, grade: int
) -> list[KitCode]:
    """``participant_codes`` (same scope, rows and order) read for an archive build: the code, its
    class's current number and the reserve mark, in one query compiled once per process
    (``core.precompiled``, issue 18) and without model instances. The class number follows
    ``ParticipantCode.current_class_number`` exactly (tests compare the two)."""
    rows = _KIT_CODES.rows(action, grade, actor=actor, school_id=school_id, campaign_id=campaign_id)
    codes = []
    for code, reserve, code_grade, class_number, class_id, number, class_grade, active in rows:
        if class_id is None:
            current = class_number
        else:  # ParticipantCode.current_class: an active class of the code's grade
            current = number if active and class_grade == code_grade else None
        codes.append(KitCode(code, current, reserve))
    return codes


def codes_with_results(
    *, school_id: int, campaign_id: int, codes: Iterable[str] | None = None
) -> set[str]:
    """The school's codes (of ``codes``, else all) that results of the campaign carry: used
    codes, whose ОВЗ mark and class are final. Read as the system: an internal check, whoever
    the caller is."""
    from django.apps import apps

    # results sits above materials in the layers: read its model through the app registry.
    result = apps.get_model("results", "ParticipantResult")
    rows = result.objects.for_actor(
        Actor.system(reason="participant codes in use"), A.VIEW_RESULTS
    ).filter(school_id=school_id, work__campaign_id=campaign_id)
    if codes is not None:
        rows = rows.filter(code__in=list(codes))
    return set(rows.values_list("code", flat=True).distinct())


def _kit_class_rows(
    actor: Actor, action: str, *, school_id: int, work_id: int
) -> QuerySet[ClassWork, tuple[int, int, str]]:
    return (
        ClassWork.objects.for_actor(actor, action)
        .filter(school_id=school_id, work_id=work_id, school_class__is_active=True)
        .order_by("school_class__number")
        .values_list("school_class__number", "school_class__grade", "school_class__letter")
    )


_KIT_CLASSES = Precompiled(_kit_class_rows)


def kit_classes(*, actor: Actor, action: str, kit: Kit) -> dict[int, str]:
    """The register's active classes of the kit's school writing its work: «Порядковый номер
    класса» → label («4А»), by number; empty for a school without a register. Compiled once
    per process (``core.precompiled``): read by every archive build."""
    rows = _KIT_CLASSES.rows(action, actor=actor, school_id=kit.school_id, work_id=kit.work_id)
    return {number: f"{grade}{letter}" for number, grade, letter in rows}


def _column_rows(*, work_id: int) -> QuerySet[TaskColumn, tuple[str, int]]:
    return (
        TaskColumn.objects.filter(work_id=work_id)
        .order_by("position")
        .values_list("label", "max_score")
    )


_COLUMN_HEADS = Precompiled(_column_rows)


def work_column_heads(work_id: int) -> list[tuple[str, int]]:
    """``work_columns`` as (label, max score), in form order; compiled once per process (read by
    every archive build)."""
    return [(label, max_score) for label, max_score in _COLUMN_HEADS.rows(work_id=work_id)]


def _kit_variant_rows(
    actor: Actor, action: str, *, kit_id: int
) -> QuerySet[Variant, tuple[int, str, Any]]:
    return (
        Variant.objects.for_actor(actor, action)
        .filter(kit_id=kit_id)
        .order_by("number")
        .values_list("number", "uid", "items")
    )


_KIT_VARIANTS = Precompiled(_kit_variant_rows)


def kit_variants(*, actor: Actor, action: str, kit_id: int) -> list[tuple[int, str, list[int]]]:
    """A kit's variants as the actor sees them, by number: (number, printed uid, bank item ids
    per column); compiled once per process (read by every archive build)."""
    return [
        (n, uid, items) for n, uid, items in _KIT_VARIANTS.rows(action, actor=actor, kit_id=kit_id)
    ]


def _attachment_rows(
    actor: Actor, action: str, *, work_id: int
) -> QuerySet[MaterialFile, tuple[str, str, int | None]]:
    return (
        MaterialFile.objects.for_actor(actor, action)
        .filter(work_id=work_id, kind=MaterialFile.Kind.ATTACHMENT)
        .order_by("name")
        .values_list("name", "path", "item_id")
    )


_WORK_ATTACHMENTS = Precompiled(_attachment_rows)


def work_attachments(
    *, actor: Actor, action: str, work_id: int
) -> list[tuple[str, str, int | None]]:
    """A work's accompanying files as the actor sees them, by name: (name, stored path, bank
    item id or None for the work's own); compiled once per process (read by every archive
    build)."""
    return [
        (name, path, item_id)
        for name, path, item_id in _WORK_ATTACHMENTS.rows(action, actor=actor, work_id=work_id)
    ]


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


# The states of a work's builds, as the builds page filters them.
BUILD_STATUSES: dict[str, str] = {
    "none": "не сформированы",
    "building": "собираются",
    "failed": "есть ошибки",
    "ready": "готовы",
}
# The states of a work's bank, as the bank page filters them.
BANK_STATUSES: dict[str, str] = {
    "empty": "банк пуст",
    "short": "мало заданий",
    "ready": "достаточно заданий",
}


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

    @property
    def status(self) -> str:
        """One of ``BUILD_STATUSES``: nothing formed yet, with failures, in progress, ready."""
        if not self.total:
            return "none"
        if self.failed:
            return "failed"
        return "ready" if self.ready == self.total else "building"


def build_progress(*, actor: Actor, work: Work) -> BuildProgress:
    """Kits of a work by state, overall and per region (for the operator's progress bar)."""
    return build_overview(actor=actor, works=[work])[0]


def build_overview(*, actor: Actor, works: Iterable[Work]) -> list[BuildProgress]:
    """The build progress of each of ``works`` (each once), overall and per region: two queries
    whatever the number of works."""

    works = list(works)
    rows = (
        Kit.objects.for_actor(actor, A.GENERATE_MATERIALS)
        .filter(work_id__in=[w.pk for w in works])
        .values("work_id", "region_id", "status")
        .annotate(n=Count("pk"))
    )
    per_work: dict[int, dict[int, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for row in rows:
        per_work[row["work_id"]][row["region_id"]][row["status"]] += row["n"]
    region_ids = {rid for regions in per_work.values() for rid in regions}
    names = dict(
        Region.objects.for_actor(actor, A.GENERATE_MATERIALS)
        .filter(pk__in=region_ids)
        .values_list("pk", "name")
    )
    out = []
    for work in works:
        per_region = per_work.get(work.pk, {})
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
        out.append(
            BuildProgress(
                work=work,
                total=sum(r["total"] for r in regions),
                ready=sum(r["ready"] for r in regions),
                failed=sum(r["failed"] for r in regions),
                regions=regions,
            )
        )
    return out


# --- download monitoring: who downloaded each archive and code sheet ------------------------------

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

    campaign = Campaign.objects.filter(is_active=True).first()  # reference data
    if campaign is None:
        return []
    applied = applied_work_ids(actor=actor, school_id=school.pk, campaign_id=campaign.pk) or set()
    return list(
        Work.objects.filter(pk__in=applied - kit_work_ids)  # reference data
        .select_related("subject")
        .order_by("grade", "subject__name")
    )


# --- build states, automatic starts and overdue builds --------------------------------------------

# The Job that records the automatic start of a work's builds (one per work, never re-sent by
# the sweep: the beat task itself runs again).
AUTO_BUILD = "materials.auto_build"


def auto_build_key(work_id: int) -> str:
    return f"{AUTO_BUILD}:{work_id}"


def auto_build_lead() -> timedelta:
    """How long before the first publication instant builds start by themselves."""
    from django.conf import settings

    return timedelta(days=settings.MATERIALS_AUTO_BUILD_LEAD_DAYS)


@dataclass(frozen=True)
class BuildState:
    """Where the materials of one work stand against its publication date.

    ``applied`` counts the schools whose sent application includes the work; ``kits`` and
    ``ready`` count those schools' kits. ``publication_at`` is the first instant any of these
    schools' materials open (00:00 in the easternmost zone on the publication day, earlier for
    a reserve day before the period); None without applications.
    """

    work: Work
    now: datetime
    applied: int
    kits: int
    ready: int
    failed: int
    waiting: int  # kit builds queued or running
    unqueued: int  # kits whose build was never requested
    bank_empty: bool
    publication_at: datetime | None
    auto_start_at: datetime
    auto_error: str = ""

    @property
    def without_kit(self) -> int:
        return max(self.applied - self.kits, 0)

    @property
    def missing(self) -> int:
        """Schools that applied but have no ready archive."""
        return max(self.applied - self.ready, 0)

    @property
    def percent(self) -> int:
        return round(100 * self.ready / self.applied) if self.applied else 0

    @property
    def needs_start(self) -> bool:
        """Something the automatic start can do: kits to compose or builds to request."""
        return self.applied > 0 and (self.without_kit > 0 or self.unqueued > 0)

    @property
    def started(self) -> bool:
        return self.kits > 0

    @property
    def auto_start_ahead(self) -> bool:
        """The automatic start is still to come (before the lead time)."""
        return self.now < self.auto_start_at

    @property
    def overdue(self) -> bool:
        """Not built by the publication instant: some school opens its materials to nothing."""
        return (
            self.publication_at is not None and self.now >= self.publication_at and self.missing > 0
        )

    @property
    def complete(self) -> bool:
        return self.applied > 0 and self.missing == 0


def build_state(*, actor: Actor, work: Work, now: datetime | None = None) -> BuildState:
    """The build state of one work (a fixed number of queries)."""
    return build_states(actor=actor, works=[work], now=now)[work.pk]


def build_states(
    *, actor: Actor, works: Iterable[Work], now: datetime | None = None
) -> dict[int, BuildState]:
    """The build state of each of ``works`` by work id, in a fixed number of grouped queries
    whatever the number of works (the builds page, the overdue list, the cabinet)."""
    from django.db.models import Exists, OuterRef
    from django.db.models.fields.json import KT
    from django.utils import timezone

    from apps.materials.constants import KIT_BUILD

    action = A.GENERATE_MATERIALS
    moment = now or timezone.now()
    by_id = {w.pk: w for w in works}
    if not by_id:
        return {}
    ids = list(by_id)
    applications = Application.objects.for_actor(actor, action).filter(status__in=APPLIED)
    lines = ApplicationLine.objects.filter(
        application__in=applications, work_id__in=ids, takes_part=True, participants__gt=0
    )
    applied = dict(
        lines.values_list("work_id")
        .annotate(n=Count("application__school_id", distinct=True))
        .values_list("work_id", "n")
    )
    counted = lines.filter(
        work_id=OuterRef("work_id"), application__school_id=OuterRef("school_id")
    )
    kits = Counter(
        {
            (work_id, status): n
            for work_id, status, n in Kit.objects.for_actor(actor, action)
            .filter(work_id__in=ids)
            .filter(Exists(counted))
            .values_list("work_id", "status")
            .annotate(n=Count("pk"))
            .values_list("work_id", "status", "n")
        }
    )
    all_kits = dict(
        Kit.objects.for_actor(actor, action)
        .filter(work_id__in=ids)
        .values_list("work_id")
        .annotate(n=Count("pk"))
        .values_list("work_id", "n")
    )
    jobs = Counter(
        {
            (int(work_id), status): n
            for work_id, status, n in Job.objects.for_actor(actor, action)
            .filter(kind=KIT_BUILD, params__work_id__in=ids)
            .annotate(work_key=KT("params__work_id"))
            .values_list("work_key", "status")
            .annotate(n=Count("pk"))
            .values_list("work_key", "status", "n")
        }
    )
    held = dict(
        SchoolWorkDate.objects.for_actor(actor, action)
        .filter(work_id__in=ids)
        .filter(Exists(counted))
        .filter(Q(reserve__isnull=True) | Q(reserve__status=ReserveDayRequest.Status.APPROVED))
        .values_list("work_id")
        .annotate(first=Min("date"))
        .values_list("work_id", "first")
    )
    zones: dict[int, set[str]] = defaultdict(set)
    for work_id, zone in lines.values_list("work_id", "application__school__time_zone").distinct():
        zones[work_id].add(zone or MOSCOW)
    revisions = dict(
        WorkBank.objects.for_actor(actor, action)
        .filter(work_id__in=ids)
        .values_list("work_id", "revision")
    )
    auto_errors = dict(
        Job.objects.for_actor(actor, action)
        .filter(key__in=[auto_build_key(i) for i in ids], status=Job.Status.FAILED)
        .values_list("key", "error")
    )
    states = {}
    for work_id, work in by_id.items():
        day = work.materials_publish_date
        if held.get(work_id) is not None:
            day = min(day, held[work_id] - timedelta(days=schedule.lead_days(work)))
        publication_at: datetime | None = None
        reference = schedule.at_local(day, time(0, 0), MOSCOW)
        if zones[work_id]:
            reference = min(schedule.at_local(day, time(0, 0), zone) for zone in zones[work_id])
            publication_at = reference
        requested = sum(n for (w, _), n in jobs.items() if w == work_id)
        states[work_id] = BuildState(
            work=work,
            now=moment,
            applied=applied.get(work_id, 0),
            kits=sum(n for (w, _), n in kits.items() if w == work_id),
            ready=kits[(work_id, Kit.Status.READY)],
            failed=kits[(work_id, Kit.Status.FAILED)],
            waiting=jobs[(work_id, Job.Status.QUEUED)] + jobs[(work_id, Job.Status.RUNNING)],
            unqueued=max(all_kits.get(work_id, 0) - requested, 0),
            bank_empty=revisions.get(work_id, 0) == 0,
            publication_at=publication_at,
            auto_start_at=reference - auto_build_lead(),
            auto_error=auto_errors.get(auto_build_key(work_id), "") or "",
        )
    return states


def current_works(*, actor: Actor, now: datetime | None = None) -> QuerySet[Work]:
    """Works whose period has not ended (Moscow date): the ones builds still matter for."""

    return work_list(actor=actor, action=A.GENERATE_MATERIALS).filter(
        period_end__gte=today_at(None, now)
    )


def builds_overdue(*, actor: Actor, now: datetime | None = None) -> list[BuildState]:
    """Works not built by their publication date («не собрано к дате публикации»): the
    publication instant has passed for some school that applied, and it has no ready archive.
    For the federal operator's «what to do now» page and the builds page."""
    from django.utils import timezone

    moment = now or timezone.now()
    if not actor.can(A.GENERATE_MATERIALS):
        return []
    works = current_works(actor=actor, now=moment)
    states = build_states(actor=actor, works=works, now=moment)
    return [s for s in states.values() if s.overdue]


@dataclass(frozen=True)
class PendingWork:
    """A work a school applied for but has no kit of: when its materials open for the school,
    and whether that moment has already passed (the materials are late)."""

    work: Work
    opens_at: datetime
    late: bool


def pending_materials(
    *, actor: Actor, school: School, kit_work_ids: set[int], now: datetime
) -> list[PendingWork]:
    """The school's applied works without a kit, each with its publication instant."""
    works = works_without_kits(actor=actor, school=school, kit_work_ids=kit_work_ids)
    days = held_on(
        actor=actor,
        action=A.VIEW_MATERIALS,
        school_id=school.pk,
        work_ids=[w.pk for w in works],
    )
    out = []
    for work in works:
        opens = kit_releases(work, days.get(work.pk), school.time_zone).archive.at
        if opens is not None:
            out.append(PendingWork(work=work, opens_at=opens, late=now >= opens))
    return out
