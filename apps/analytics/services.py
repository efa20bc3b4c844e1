"""Writes of the analytics app: a school's aggregate from its results, the roll-up to its
municipality, region and Russia, and the full rebuild.

The school's row is computed from its ``ParticipantResult`` rows; each row above is the sum of
its children's rows (a municipality sums its schools, a region its municipalities, Russia its
regions), so an upload never rescans raw results beyond its own school. The portable full
rebuild uses the very same two functions (``_school_values`` and ``_sum``); on PostgreSQL the
rebuild is one statement per work (``rebuild.py``) computing the same sums in the database.
Tests hold all three paths to identical rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from apps.analytics import rebuild
from apps.analytics.models import MARKS, WorkAggregate
from apps.campaigns.models import Work
from apps.core.scoping import Level
from apps.materials import ovz
from apps.registration.access import A, Actor
from apps.registration.models import School
from apps.results.models import ParticipantResult

COUNTS = (
    "schools",
    "participants",
    "absent",
    "mark2",
    "mark3",
    "mark4",
    "mark5",
    "journal_lower",
    "journal_equal",
    "journal_higher",
    "journal_missing",
    "journal_gap2",
)


def _system() -> Actor:
    return Actor.system(reason="analytics")


def _empty(columns: int, max_score: int) -> dict[str, Any]:
    values: dict[str, Any] = dict.fromkeys(COUNTS, 0)
    values["histogram"] = [0] * (max_score + 1)
    values["column_sums"] = [0] * columns
    values["column_sums_by_mark"] = {str(m): [0] * columns for m in MARKS}
    return values


SUBSETS = ("ovz", "no_ovz")


def _school_values(
    work: Any, columns: int, rows: Iterable[Any], ovz_codes: set[str] | None = None
) -> dict[str, Any]:
    """The statistics of one school from its participant rows, with the same statistics of its
    participants with ОВЗ and without (``subsets``; by the codes marked ОВЗ)."""
    rows = list(rows)
    codes = ovz_codes or set()
    values = rows_values(work, columns, rows)
    values["subsets"] = {
        "ovz": rows_values(work, columns, [r for r in rows if r.code in codes]),
        "no_ovz": rows_values(work, columns, [r for r in rows if r.code not in codes]),
    }
    return values


def rows_values(work: Any, columns: int, rows: Iterable[Any]) -> dict[str, Any]:
    """The statistics of a group of participant rows (absent ones only counted): a school, a
    class of it, its participants with or without ОВЗ."""
    values = _empty(columns, work.max_score)
    for row in rows:
        if row.absent:
            values["absent"] += 1
            continue
        values["participants"] += 1
        score = int(row.primary_score or 0)
        mark = row.mark or work.mark_for(score)
        values[f"mark{mark}"] += 1
        values["histogram"][min(score, work.max_score)] += 1
        by_mark = values["column_sums_by_mark"][str(mark)]
        for j, value in enumerate(row.scores[:columns]):
            points = int(value or 0)  # «X» (None) counts 0
            values["column_sums"][j] += points
            by_mark[j] += points
        journal = row.journal_mark or 0
        if journal == 0:
            values["journal_missing"] += 1
        else:
            key = "lower" if mark < journal else "higher" if mark > journal else "equal"
            values[f"journal_{key}"] += 1
            if abs(mark - journal) >= 2:
                values["journal_gap2"] += 1
    values["schools"] = 1 if values["participants"] else 0
    return values


def _field(child: WorkAggregate | Mapping[str, Any], name: str) -> Any:
    """One statistics field of a child aggregate, whether a row or a dict of values."""
    return child.get(name) if isinstance(child, Mapping) else getattr(child, name)


def _sum(
    children: Iterable[WorkAggregate | Mapping[str, Any]], columns: int, max_score: int
) -> dict[str, Any]:
    """The sum of child aggregates (rows or dicts with the same fields), with their subsets."""
    children = list(children)
    total = _plain_sum(children, columns, max_score)
    total["subsets"] = {
        key: _plain_sum(
            [(_field(c, "subsets") or {}).get(key) or _empty(columns, max_score) for c in children],
            columns,
            max_score,
        )
        for key in SUBSETS
    }
    return total


def _plain_sum(
    children: Iterable[WorkAggregate | Mapping[str, Any]], columns: int, max_score: int
) -> dict[str, Any]:
    total = _empty(columns, max_score)
    for child in children:
        for name in COUNTS:
            total[name] += _field(child, name)
        for i, n in enumerate(_field(child, "histogram")[: max_score + 1]):
            total["histogram"][i] += n
        for j, n in enumerate(_field(child, "column_sums")[:columns]):
            total["column_sums"][j] += n
        for m, sums in _field(child, "column_sums_by_mark").items():
            for j, n in enumerate(sums[:columns]):
                total["column_sums_by_mark"][m][j] += n
    return total


def _write(work_id: int, level: Level, unit_id: int, ids: dict[str, Any], values: Any) -> None:
    """Store one aggregate row (the caller holds the chain's locks): one UPDATE when the row
    exists, an INSERT when not; ``values`` None deletes it."""
    rows = WorkAggregate.objects.for_actor(_system(), A.VIEW_ANALYTICS)
    row = rows.filter(work_id=work_id, level=level, unit_id=unit_id)
    if values is None:
        row.delete()
        return
    if not row.update(**ids, **values, computed_at=timezone.now()):
        rows.create(work_id=work_id, level=level, unit_id=unit_id, **ids, **values)


# What a parent's sum reads of each child aggregate (plain values, no model instances).
_SUMMED_FIELDS = (*COUNTS, "histogram", "column_sums", "column_sums_by_mark", "subsets")


def _work(work_id: int) -> tuple[Any, int]:

    work = Work.objects.for_actor(_system(), A.VIEW_CAMPAIGNS).get(pk=work_id)
    return work, work.columns.count()


@transaction.atomic
def analytics_school_refresh(*, school_id: int, work_id: int) -> WorkAggregate | None:
    """Recompute a school's aggregate of a work from its results, then its municipality, region
    and Russia from their children's aggregates. Idempotent: running it twice changes nothing."""

    actor = _system()
    work, columns = _work(work_id)
    school = School.objects.for_actor(actor, A.VIEW_SCHOOL).get(pk=school_id)
    # Make sure the parent rows exist, then lock them Russia → region → municipality: concurrent
    # refreshes of schools in one chain serialise here, so no parent sum misses a child.
    aggregates = WorkAggregate.objects.for_actor(actor, A.VIEW_ANALYTICS).filter(work_id=work_id)
    parents: tuple[tuple[Level, int, dict[str, int]], ...] = (
        (Level.FEDERAL, 0, {}),
        (Level.REGION, school.region_id, {"region_id": school.region_id}),
        (
            Level.MUNICIPALITY,
            school.municipality_id,
            {"region_id": school.region_id, "municipality_id": school.municipality_id},
        ),
    )
    locked = (
        aggregates.select_for_update()
        .filter(level__lt=Level.SCHOOL, unit_id__in=[0, school.region_id, school.municipality_id])
        .order_by("level")
        .values_list("level", "unit_id")
    )
    if not {(level, unit_id) for level, unit_id, _ids in parents} <= set(locked):
        for level, unit_id, ids in parents:  # the chain's first results: make its rows
            aggregates.get_or_create(work_id=work_id, level=level, unit_id=unit_id, defaults=ids)
        list(locked.all())
    rows = ParticipantResult.objects.for_actor(actor, A.VIEW_RESULTS).filter(
        work_id=work_id, school_id=school_id
    )
    codes = ovz.ovz_codes(school_id=school_id, campaign_id=work.campaign_id)
    values = _school_values(work, columns, rows.values_list(*_RESULT_FIELDS, named=True), codes)
    has_rows = values["participants"] or values["absent"]
    ids = {
        "region_id": school.region_id,
        "municipality_id": school.municipality_id,
        "school_id": school.pk,
    }
    _write(work_id, Level.SCHOOL, school.pk, ids, values if has_rows else None)
    chain = (
        (Level.MUNICIPALITY, school.municipality_id, Level.SCHOOL, "municipality_id"),
        (Level.REGION, school.region_id, Level.MUNICIPALITY, "region_id"),
        (Level.FEDERAL, 0, Level.REGION, None),
    )
    for level, unit_id, child_level, path in chain:
        child_rows = aggregates.filter(level=child_level)
        if path:
            child_rows = child_rows.filter(**{path: unit_id})
        children = list(child_rows.values(*_SUMMED_FIELDS))
        parent_ids = {
            "region_id": school.region_id if level >= Level.REGION else None,
            "municipality_id": school.municipality_id if level >= Level.MUNICIPALITY else None,
            "school_id": None,
        }
        total = _sum(children, columns, work.max_score) if children else None
        _write(work_id, level, unit_id, parent_ids, total)
    return aggregates.filter(level=Level.SCHOOL, unit_id=school_id).first()


_RESULT_FIELDS = (
    "school_id",
    "code",
    "absent",
    "primary_score",
    "mark",
    "scores",
    "journal_mark",
    "class_number",
)


@transaction.atomic
def analytics_rebuild(*, work_id: int | None = None, portable: bool = False) -> int:
    """Recompute every aggregate (of one work, or of all works) from scratch. Returns the
    number of aggregate rows written.

    On PostgreSQL each work is one ``INSERT … SELECT`` (``apps/analytics/rebuild.py``); on other
    databases, or with ``portable``, the rows are computed here with ``_school_values`` and
    ``_sum``, the functions of the incremental refresh. Both give the same rows
    (``apps/analytics/tests/test_rebuild_identity.py``)."""

    actor = _system()
    works = Work.objects.for_actor(actor, A.VIEW_CAMPAIGNS)
    if work_id is not None:
        works = works.filter(pk=work_id)
    aggregates = WorkAggregate.objects.for_actor(actor, A.VIEW_ANALYTICS)
    in_database = connection.vendor == "postgresql" and not portable
    written = 0
    for work in works:
        aggregates.filter(work_id=work.pk).delete()
        columns = work.columns.count()
        if in_database:
            written += rebuild.rebuild_work(work=work, columns=columns)
        else:
            written += _rebuild_work_rows(actor, work, columns)
    return written


def _rebuild_work_rows(actor: Actor, work: Any, columns: int) -> int:
    """The portable rebuild of one work: its results read into Python, school by school."""
    aggregates = WorkAggregate.objects.for_actor(actor, A.VIEW_ANALYTICS)
    results = ParticipantResult.objects.for_actor(actor, A.VIEW_RESULTS).filter(work=work)
    by_school: dict[int, list[Any]] = defaultdict(list)
    for row in results.only(*_RESULT_FIELDS).order_by("school_id").iterator(chunk_size=5000):
        by_school[row.school_id].append(row)
    if not by_school:
        return 0
    schools = School.objects.for_actor(actor, A.VIEW_SCHOOL).filter(pk__in=list(by_school))
    parents = {s.pk: (s.municipality_id, s.region_id) for s in schools}
    codes = ovz.ovz_codes_by_school(campaign_id=work.campaign_id, school_ids=by_school)
    new: list[WorkAggregate] = []
    munis: dict[int, list[dict[str, Any]]] = defaultdict(list)
    muni_region: dict[int, int] = {}
    for school_id, rows in by_school.items():
        muni_id, region_id = parents[school_id]
        values = _school_values(work, columns, rows, codes.get(school_id))
        munis[muni_id].append(values)
        muni_region[muni_id] = region_id
        new.append(
            WorkAggregate(
                work=work,
                level=Level.SCHOOL,
                unit_id=school_id,
                region_id=region_id,
                municipality_id=muni_id,
                school_id=school_id,
                **values,
            )
        )
    regions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for muni_id, children in munis.items():
        values = _sum(children, columns, work.max_score)
        regions[muni_region[muni_id]].append(values)
        new.append(
            WorkAggregate(
                work=work,
                level=Level.MUNICIPALITY,
                unit_id=muni_id,
                region_id=muni_region[muni_id],
                municipality_id=muni_id,
                **values,
            )
        )
    country = []
    for region_id, children in regions.items():
        values = _sum(children, columns, work.max_score)
        country.append(values)
        new.append(
            WorkAggregate(
                work=work, level=Level.REGION, unit_id=region_id, region_id=region_id, **values
            )
        )
    new.append(
        WorkAggregate(
            work=work,
            level=Level.FEDERAL,
            unit_id=0,
            **_sum(country, columns, work.max_score),
        )
    )
    aggregates.bulk_create(new, batch_size=1000)
    return len(new)
