"""The national run of the assignment of subjects to classes, and its publication.

* ``assignment_run``: reads every active class of the campaign (one query), builds the pools
  from the campaign's grade configuration (``apps/campaigns/grades.py``), calls the pure
  ``algorithm.assign`` and writes the assigned rows with one ``COPY`` on PostgreSQL
  (``bulk_create`` in batches elsewhere): the queries do not grow with the number of classes, so
  the national size (≈ 400 000 classes, ≈ 750 000 rows) runs in one request of 35–41 s on a
  shared 2-core machine (``bench/assignment_run.py``; no job: the operator waits for the stats).
  A draft run is replaced by the next one (its rows deleted); a published run is final.
* ``assignment_publish``: makes the run final and sets ``publish_on``, the day schools see their
  assigned works from 00:00 local (before the first period of the campaign's works).
* ``grade_usage``: how the classes use a campaign's grades, handed down to the campaigns app
  (``campaigns.grades.grade_usage_source_register``) from the app's ``ready``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter, defaultdict
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql as psycopg_sql

from apps.campaigns.grades import GradeUsage, campaign_first_period_start
from apps.campaigns.models import Campaign, CampaignGrade, Participation, Work
from apps.classes.actions import ClassActions as A
from apps.classes.assignment import selectors, xlsx
from apps.classes.assignment.algorithm import ClassRef, GradePool, assign, spread
from apps.classes.audit import ClassesAudit
from apps.classes.messages import ClassesError, ClassesInvalidError
from apps.classes.models import AssignmentRun, ClassWork, SchoolClass
from apps.core.scoping import Level, Scope
from apps.core.services import audit_record
from apps.registration.access import Actor

BATCH = 5000
MAX_SEED = 2**63 - 1


def _d(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def grade_usage(campaign_id: int) -> GradeUsage:
    """The grades with active classes in the registers, and whether the run is published."""
    grades = SchoolClass.objects.filter(  # unscoped: national counts for the campaigns app's rules
        campaign_id=campaign_id, is_active=True
    ).values_list("grade", flat=True)
    published = AssignmentRun.objects.filter(  # unscoped: one national row per campaign
        campaign_id=campaign_id, status=AssignmentRun.Status.PUBLISHED
    ).exists()
    return GradeUsage(frozenset(grades.distinct()), published)


def _check_publish_on(*, actor: Actor, campaign: Campaign, publish_on: dt.date) -> None:
    first = campaign_first_period_start(actor=actor, campaign_id=campaign.pk)
    if first is not None and publish_on >= first:
        raise ClassesInvalidError("publish_on_too_late", publish_on=_d(publish_on), first=_d(first))


def _pools(actor: Actor, campaign: Campaign) -> tuple[dict[int, GradePool], dict[int, list[int]]]:
    """Grade → its assigned pool; grade → its compulsory works."""
    counts = dict(
        CampaignGrade.objects.for_actor(actor, A.RUN_ASSIGNMENT)
        .filter(campaign=campaign)
        .values_list("grade", "assigned_count")
    )
    assigned: dict[int, list[int]] = defaultdict(list)
    compulsory: dict[int, list[int]] = defaultdict(list)
    works = (
        Work.objects.for_actor(actor, A.RUN_ASSIGNMENT)
        .filter(campaign=campaign, grade__in=list(counts))
        .order_by("pk")
        .values_list("pk", "grade", "participation")
    )
    for pk, grade, participation in works:
        (assigned if participation == Participation.ASSIGNED else compulsory)[grade].append(pk)
    pools = {}
    for grade, count in counts.items():
        if count <= 0:
            continue
        pool = GradePool(grade, tuple(assigned[grade]), count)
        if not pool.usable():
            raise ClassesInvalidError(
                "assignment_pool_small", grade=grade, pool=len(assigned[grade]), count=count
            )
        pools[grade] = pool
    return pools, dict(compulsory)


def _compulsory_missing(
    actor: Actor, campaign: Campaign, compulsory: dict[int, list[int]]
) -> list[ClassWork]:
    """Compulsory rows for active classes that lack them (the register creates them; a run is
    idempotent): one query per compulsory work, whatever the number of classes."""
    rows: list[ClassWork] = []
    classes = SchoolClass.objects.for_actor(actor, A.RUN_ASSIGNMENT).filter(
        campaign=campaign, is_active=True
    )
    for grade, work_ids in sorted(compulsory.items()):
        for work_id in work_ids:
            lacking = (
                classes.filter(grade=grade)
                .exclude(works__work_id=work_id)
                .values_list("pk", "school_id", "municipality_id", "region_id")
            )
            rows += [
                ClassWork(
                    school_class_id=pk,
                    work_id=work_id,
                    source=ClassWork.Source.COMPULSORY,
                    school_id=school_id,
                    municipality_id=municipality_id,
                    region_id=region_id,
                )
                for pk, school_id, municipality_id, region_id in lacking
            ]
    return rows


_ASSIGNED_COLUMNS = (
    "created_at",
    "updated_at",
    "school_class_id",
    "work_id",
    "source",
    "run_id",
    "form",
    "school_id",
    "municipality_id",
    "region_id",
)


def _assigned_write(run: AssignmentRun, rows: list[tuple[int, int, int, int, int]]) -> None:
    """Write a run's assigned rows: (class, work, school, municipality, region) each.

    On PostgreSQL one ``COPY`` (bench/assignment_run.py: the national ~750,000 rows through
    ``bulk_create`` cost ~45 s of Python building model instances and preparing every field;
    COPY streams plain tuples); elsewhere (SQLite) ``bulk_create`` in batches."""
    now = timezone.now()
    assigned, paper = ClassWork.Source.ASSIGNED.value, ClassWork.Form.PAPER.value
    if connection.vendor != "postgresql":
        ClassWork.objects.bulk_create(
            (
                ClassWork(
                    school_class_id=class_id,
                    work_id=work_id,
                    source=assigned,
                    run=run,
                    school_id=school_id,
                    municipality_id=municipality_id,
                    region_id=region_id,
                )
                for class_id, work_id, school_id, municipality_id, region_id in rows
            ),
            batch_size=BATCH,
        )
        return
    statement = psycopg_sql.SQL("COPY {} ({}) FROM STDIN").format(
        psycopg_sql.Identifier(ClassWork._meta.db_table),
        psycopg_sql.SQL(", ").join(psycopg_sql.Identifier(c) for c in _ASSIGNED_COLUMNS),
    )
    run_id = run.pk
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for class_id, work_id, school, municipality, region in rows:
            copy.write_row(
                (now, now, class_id, work_id, assigned, run_id, paper, school, municipality, region)
            )


def _stats(
    refs: dict[int, ClassRef], result: dict[int, tuple[int, ...]], pools: dict[int, GradePool]
) -> dict[str, Any]:
    classes: Counter[int] = Counter(r.grade for r in refs.values())
    national: dict[int, Counter[int]] = defaultdict(Counter)
    per_school: dict[tuple[int, int], Counter[int]] = defaultdict(Counter)
    for class_id, works in result.items():
        ref = refs[class_id]
        for work in works:
            national[ref.grade][work] += 1
            per_school[(ref.grade, ref.school_id)][work] += 1
    school_spread: dict[int, int] = defaultdict(int)
    for (grade, _school), counts in per_school.items():
        school_spread[grade] = max(school_spread[grade], spread(counts, pools[grade].works))
    return {
        "classes": sum(classes.values()),
        "rows": sum(len(w) for w in result.values()),
        "grades": {
            str(grade): {
                "classes": classes[grade],
                "assigned_count": pools[grade].count if grade in pools else 0,
                "works": {str(w): national[grade][w] for w in pools[grade].works}
                if grade in pools
                else {},
                "spread": spread(national[grade], pools[grade].works) if grade in pools else 0,
                "school_spread": school_spread[grade],
            }
            for grade in sorted(set(classes) | set(pools))
        },
    }


@transaction.atomic
def assignment_run(
    *, actor: Actor, campaign_id: int, seed: int | None, publish_on: dt.date
) -> AssignmentRun:
    """Assign subjects to every active class of the campaign (a draft run, replacing the last)."""
    campaign = (
        Campaign.objects.for_actor(actor, A.RUN_ASSIGNMENT).select_for_update().get(pk=campaign_id)
    )
    runs = AssignmentRun.objects.for_actor(actor, A.RUN_ASSIGNMENT).filter(campaign=campaign)
    if runs.filter(status=AssignmentRun.Status.PUBLISHED).exists():
        raise ClassesError("assignment_published")
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise ClassesInvalidError("seed_invalid", max=MAX_SEED)
    _check_publish_on(actor=actor, campaign=campaign, publish_on=publish_on)
    pools, compulsory = _pools(actor, campaign)
    classes = (
        SchoolClass.objects.for_actor(actor, A.RUN_ASSIGNMENT)
        .filter(campaign=campaign, is_active=True)
        .values_list("pk", "school_id", "grade", "municipality_id", "region_id")
    )
    refs: dict[int, ClassRef] = {}
    units: dict[int, tuple[int, int]] = {}
    for pk, school_id, grade, municipality_id, region_id in classes.iterator(chunk_size=BATCH):
        refs[pk] = ClassRef(pk, school_id, grade)
        units[pk] = (municipality_id, region_id)
    if not any(r.grade in pools or r.grade in compulsory for r in refs.values()):
        raise ClassesInvalidError("assignment_no_classes")
    # The previous draft goes, with its rows (assigned ones never have a day: schools do not
    # see them before publication). Compulsory rows of works since made «assigned» go too.
    drafts = runs.filter(status=AssignmentRun.Status.DRAFT)
    ClassWork.objects.for_actor(actor, A.RUN_ASSIGNMENT).filter(run__in=drafts).delete()
    ClassWork.objects.for_actor(actor, A.RUN_ASSIGNMENT).filter(
        school_class__campaign=campaign,
        source=ClassWork.Source.COMPULSORY,
        work__participation=Participation.ASSIGNED,
        date__isnull=True,
    ).delete()
    previous = list(drafts.values_list("seed", flat=True))
    drafts.delete()
    seed = secrets.randbits(63) if seed is None else seed
    result = assign(refs.values(), pools, seed)
    run = AssignmentRun.objects.create(
        campaign=campaign,
        seed=seed,
        publish_on=publish_on,
        run_by=actor.user,
        stats=_stats(refs, result, pools),
    )
    missing = _compulsory_missing(actor, campaign, compulsory)
    ClassWork.objects.bulk_create(missing, batch_size=BATCH)
    _assigned_write(
        run,
        [
            (class_id, work_id, refs[class_id].school_id, *units[class_id])
            for class_id, works in result.items()
            for work_id in works
        ],
    )
    audit_record(
        actor=actor,
        action=ClassesAudit.ASSIGNMENT_RUN,
        target=run,
        details={
            "campaign_id": campaign.pk,
            "seed": str(seed),
            "publish_on": publish_on.isoformat(),
            "classes": run.stats["classes"],
            "rows": run.stats["rows"],
            "replaced_seeds": [str(s) for s in previous],
        },
    )
    return run


@transaction.atomic
def assignment_publish(*, actor: Actor, run_id: int, publish_on: dt.date) -> AssignmentRun:
    """Publish a draft run (final): schools see it from 00:00 local on ``publish_on``."""
    run = (
        AssignmentRun.objects.for_actor(actor, A.RUN_ASSIGNMENT)
        .select_for_update()
        .select_related("campaign")
        .get(pk=run_id)
    )
    if run.status == AssignmentRun.Status.PUBLISHED:
        raise ClassesError("assignment_published")
    _check_publish_on(actor=actor, campaign=run.campaign, publish_on=publish_on)
    run.status = AssignmentRun.Status.PUBLISHED
    run.publish_on = publish_on
    run.published_at = timezone.now()
    run.save(update_fields=["status", "publish_on", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        action=ClassesAudit.ASSIGNMENT_PUBLISH,
        target=run,
        details={
            "campaign_id": run.campaign_id,
            "seed": str(run.seed),
            "publish_on": publish_on.isoformat(),
        },
    )
    return run


# --- the distribution's export ----------------------------------------------------------------


def distribution_export(
    *,
    actor: Actor,
    campaign_id: int,
    region_id: int | None = None,
    municipality_id: int | None = None,
) -> tuple[str, bytes]:
    """The distribution of the actor's unit as an xlsx file (name, bytes); audited."""
    found = selectors.distribution(
        actor=actor,
        campaign_id=campaign_id,
        region_id=region_id,
        municipality_id=municipality_id,
    )
    content = xlsx.distribution_workbook(found)
    unit = found.municipality or found.region
    audit_record(
        actor=actor,
        action=ClassesAudit.DISTRIBUTION_EXPORT,
        target=found.campaign,
        scope=_unit_scope(unit),
        details={
            "campaign_id": found.campaign.pk,
            "unit": found.unit_label,
            "run_id": found.run.pk if found.run else None,
        },
    )
    return xlsx.distribution_filename(found), content


def _unit_scope(unit: Any) -> Scope | None:
    if unit is None:
        return None
    if hasattr(unit, "region_id"):  # a municipality
        return Scope(
            level=Level.MUNICIPALITY,
            anchor_id=unit.pk,
            region_id=unit.region_id,
            municipality_id=unit.pk,
        )
    return Scope(level=Level.REGION, anchor_id=unit.pk, region_id=unit.pk)
