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

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, router, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from apps.analytics import rebuild
from apps.analytics.models import MARKS, WorkAggregate
from apps.campaigns.models import Work
from apps.campaigns.selectors import column_count
from apps.core.precompiled import Precompiled, instance, prepared_cursor
from apps.core.scoping import Level
from apps.materials import ovz
from apps.materials.models import ParticipantCode
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
    if type(child) is dict:  # the usual case, without the ABC check
        return child.get(name)
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


# What a parent's sum reads of each child aggregate (plain values, no model instances).
_SUMMED_FIELDS = (*COUNTS, "histogram", "column_sums", "column_sums_by_mark", "subsets")

# What a refresh writes into an aggregate row besides its keys (work, level, unit).
_WRITTEN_FIELDS = ("region_id", "municipality_id", "school_id", *_SUMMED_FIELDS, "computed_at")


@functools.cache
def _update_statement(vendor: str, using: str, count: int) -> tuple[str, tuple[Any, ...]]:
    """One UPDATE of ``count`` aggregate rows of a work, each found by its level and unit and
    given its values (as ``update(**values)`` of each row would); the rows found are returned
    (level, unit, id). Built once: its text depends on nothing else. On PostgreSQL the rows come
    as one array per column (``unnest``), so that the statement is the same whatever the number
    of rows (prepared once); elsewhere as a ``VALUES`` list. A refresh writes as the system
    actor, whose ``for_actor`` adds no condition (checked here)."""
    if WorkAggregate.objects.for_actor(_system(), A.VIEW_ANALYTICS).query.has_filters():
        raise ImproperlyConfigured("the system actor's aggregate rows are scoped")
    conn = connections[using]
    quote = conn.ops.quote_name
    meta = WorkAggregate._meta
    by_name = {field.attname: field for field in meta.concrete_fields}
    column = {field.attname: quote(field.column) for field in by_name.values() if field.column}
    fields = tuple(by_name[name] for name in ("level", "unit_id", *_WRITTEN_FIELDS))
    names = ", ".join(column[field.attname] for field in fields)
    if vendor == "postgresql":
        arrays = ", ".join(f"%s::{field.cast_db_type(conn)}[]" for field in fields)
        source, head = f"unnest({arrays}) AS v ({names})", ""
    else:
        row = ", ".join("%s" for _field in fields)
        source, head = "v", f"WITH v ({names}) AS (VALUES {', '.join([f'({row})'] * count)}) "
    table = quote(meta.db_table)
    work, level, unit, pk = (column[name] for name in ("work_id", "level", "unit_id", "id"))
    sets = ", ".join(f"{column[name]} = v.{column[name]}" for name in _WRITTEN_FIELDS)
    # the names come from the model's meta, the values are parameters
    sql = (
        f"{head}UPDATE {table} SET {sets} FROM {source}"  # noqa: S608
        f" WHERE {table}.{work} = %s AND {table}.{level} = v.{level}"
        f" AND {table}.{unit} = v.{unit} RETURNING {table}.{level}, {table}.{unit}, {table}.{pk}"
    )
    return sql, fields


def _update_rows(work_id: int, rows: list[dict[str, Any]]) -> dict[tuple[int, int], int]:
    """Update existing aggregate rows of a work (each a dict of its level, unit and written
    fields, prepared as ``update()`` prepares them: each field's ``get_db_prep_save``) in one
    statement; the ids of the rows found, by (level, unit)."""
    using = router.db_for_write(WorkAggregate)
    conn = connections[using]
    by_array = conn.vendor == "postgresql"
    sql, fields = _update_statement(conn.vendor, using, 0 if by_array else len(rows))
    if by_array:
        params = [
            [field.get_db_prep_save(row[field.attname], conn) for row in rows] for field in fields
        ]
    else:
        params = [
            field.get_db_prep_save(row[field.attname], conn) for row in rows for field in fields
        ]
    with prepared_cursor(conn) as cursor:
        cursor.execute(sql, [*params, work_id])
        found = cursor.fetchall()
    return {(level, unit_id): pk for level, unit_id, pk in found}


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

# The work's fields a refresh uses (its campaign and scale: ``rows_values`` calls ``mark_for``).
_WORK_FIELDS = ("id", "campaign_id", "max_score", "mark3_from", "mark4_from", "mark5_from")


def _refresh_context_rows(actor: Actor, *, work_id: int, school_id: int) -> QuerySet[Any]:
    """The work (its scale, campaign and number of columns) and the school's region and
    municipality (None when the school is not seen), in one read."""
    schools = School.objects.for_actor(actor, A.VIEW_SCHOOL).filter(pk=school_id).order_by()
    return (
        Work.objects.for_actor(actor, A.VIEW_CAMPAIGNS)
        .filter(pk=work_id)
        .order_by()
        .annotate(
            n_columns=column_count("pk"),
            school_region=Subquery(schools.values("region_id")),
            school_municipality=Subquery(schools.values("municipality_id")),
        )
        .values_list(*_WORK_FIELDS, "n_columns", "school_region", "school_municipality")
    )


def _chain_lock_rows(
    actor: Actor, *, work_id: int, region_id: int, municipality_id: int
) -> QuerySet[Any]:
    """The chain's parent rows (Russia, the region, the municipality), locked in this order."""
    return (
        WorkAggregate.objects.for_actor(actor, A.VIEW_ANALYTICS)
        .filter(work_id=work_id)
        .select_for_update()
        .filter(level__lt=Level.SCHOOL, unit_id__in=[0, region_id, municipality_id])
        .order_by("level")
        .values_list("level", "unit_id")
    )


def _school_result_rows(
    actor: Actor, *, work_id: int, school_id: int, campaign_id: int
) -> QuerySet[Any]:
    """The school's participant rows of the work, each with whether its code is marked ОВЗ
    (``ovz.ovz_codes``: the school's codes of the work's campaign marked ОВЗ)."""
    ovz_codes = ParticipantCode.objects.for_actor(actor, A.GENERATE_MATERIALS).filter(
        school_id=school_id, campaign_id=campaign_id, ovz=True, code=OuterRef("code")
    )
    return (
        ParticipantResult.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(work_id=work_id, school_id=school_id)
        .order_by()  # the statistics do not depend on the rows' order
        .annotate(is_ovz=Exists(ovz_codes))
        .values_list(*_RESULT_FIELDS, "is_ovz")
    )


def _chain_children_rows(
    actor: Actor, *, work_id: int, region_id: int, municipality_id: int
) -> QuerySet[Any]:
    """The children of the chain's parents, in one read: the municipality's schools, the
    region's municipalities, Russia's regions."""
    return (
        WorkAggregate.objects.for_actor(actor, A.VIEW_ANALYTICS)
        .filter(work_id=work_id)
        .filter(
            Q(level=Level.SCHOOL, municipality_id=municipality_id)
            | Q(level=Level.MUNICIPALITY, region_id=region_id)
            | Q(level=Level.REGION)
        )
        .order_by()  # a sum does not depend on its children's order
        .values_list("level", "unit_id", "region_id", "municipality_id", *_SUMMED_FIELDS)
    )


def _chains_lock_rows(
    actor: Actor, *, work_id: int, region_ids: list[int], municipality_ids: list[int]
) -> QuerySet[Any]:
    """``_chain_lock_rows`` of several chains: Russia, then the regions, then the
    municipalities, each level by unit (the order every refresh locks in)."""
    return (
        WorkAggregate.objects.for_actor(actor, A.VIEW_ANALYTICS)
        .filter(work_id=work_id)
        .select_for_update()
        .filter(level__lt=Level.SCHOOL, unit_id__in=[0, *region_ids, *municipality_ids])
        .order_by("level", "unit_id")
        .values_list("level", "unit_id")
    )


def _schools_result_rows(
    actor: Actor, *, work_id: int, school_ids: list[int], campaign_id: int
) -> QuerySet[Any]:
    """``_school_result_rows`` of several schools."""
    ovz_codes = ParticipantCode.objects.for_actor(actor, A.GENERATE_MATERIALS).filter(
        school_id=OuterRef("school_id"), campaign_id=campaign_id, ovz=True, code=OuterRef("code")
    )
    return (
        ParticipantResult.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(work_id=work_id, school_id__in=school_ids)
        .order_by()
        .annotate(is_ovz=Exists(ovz_codes))
        .values_list(*_RESULT_FIELDS, "is_ovz")
    )


def _chains_children_rows(
    actor: Actor, *, work_id: int, region_ids: list[int], municipality_ids: list[int]
) -> QuerySet[Any]:
    """``_chain_children_rows`` of several chains."""
    return (
        WorkAggregate.objects.for_actor(actor, A.VIEW_ANALYTICS)
        .filter(work_id=work_id)
        .filter(
            Q(level=Level.SCHOOL, municipality_id__in=municipality_ids)
            | Q(level=Level.MUNICIPALITY, region_id__in=region_ids)
            | Q(level=Level.REGION)
        )
        .order_by()
        .values_list("level", "unit_id", "region_id", "municipality_id", *_SUMMED_FIELDS)
    )


# The refresh's reads, compiled once per process (``core.precompiled``, ADR 0028): it runs after
# every accepted upload, and building these querysets cost more than running them.
_CONTEXT = Precompiled(_refresh_context_rows)
_CHAIN_LOCK = Precompiled(_chain_lock_rows)
_SCHOOL_ROWS = Precompiled(_school_result_rows)
_CHAIN_CHILDREN = Precompiled(_chain_children_rows)


class _ResultRow(NamedTuple):
    """A participant's row as ``rows_values`` reads it, and whether its code is marked ОВЗ."""

    school_id: int
    code: str
    absent: bool
    primary_score: int | None
    mark: int | None
    scores: list[int | None]
    journal_mark: int | None
    class_number: int | None
    is_ovz: bool


if _ResultRow._fields != (*_RESULT_FIELDS, "is_ovz"):  # pragma: no cover - kept in step
    raise ImproperlyConfigured("_ResultRow must list _RESULT_FIELDS")


def analytics_school_refresh(*, school_id: int, work_id: int) -> WorkAggregate | None:
    """Recompute a school's aggregate of a work from its results, then its municipality, region
    and Russia from their children's aggregates (``analytics_schools_refresh`` of one school);
    the school's row as written, or None when it has no results. Idempotent."""
    return analytics_schools_refresh(work_id=work_id, school_ids=[school_id])[school_id]


# (level, unit, the row's region/municipality/school ids, its values or None to delete)
_Written = tuple[Level, int, dict[str, Any], dict[str, Any] | None]


@transaction.atomic
def analytics_schools_refresh(
    *, work_id: int, school_ids: list[int]
) -> dict[int, WorkAggregate | None]:
    """Recompute these schools' aggregates of a work from their results, then their
    municipalities, regions and Russia from their children's aggregates, each parent once.
    Idempotent: running it twice changes nothing. Returns each school's row as written (None
    when it has no results).

    For one school, five statements in the transaction once the chain's rows exist: the work
    and school, the chain's lock, the school's results (with their ОВЗ marks), the parents'
    children, and one UPDATE of the four rows; the reads are compiled once per process and the
    UPDATE is built once. Several schools (a drain of statistics jobs, ADR 0032) take one more
    read (their places) and the same statements otherwise. Each parent is the sum of its
    children as stored, with the rows just computed in place of the stored ones (what reading
    them back after each write gave)."""
    actor = _system()
    wanted = list(dict.fromkeys(school_ids))
    if not wanted:
        return {}
    found = _CONTEXT.rows(actor=actor, work_id=work_id, school_id=wanted[0])
    if not found:
        raise Work.DoesNotExist("Work matching query does not exist.")
    *work_values, columns, region_id, municipality_id = found[0]
    if region_id is None:
        raise School.DoesNotExist("School matching query does not exist.")
    work = instance(Work, Work.objects.db, dict(zip(_WORK_FIELDS, work_values, strict=True)))
    places = {wanted[0]: (region_id, municipality_id)}
    if len(wanted) > 1:
        seen = School.objects.for_actor(actor, A.VIEW_SCHOOL).filter(pk__in=wanted[1:])
        for pk, school_region, school_municipality in seen.values_list(
            "pk", "region_id", "municipality_id"
        ):
            places[pk] = (school_region, school_municipality)
        if len(places) < len(wanted):
            raise School.DoesNotExist("School matching query does not exist.")
    regions = sorted({region for region, _m in places.values()})
    municipalities = sorted({municipality for _r, municipality in places.values()})
    region_of = {municipality: region for region, municipality in places.values()}
    # Make sure the parent rows exist, then lock them Russia → regions → municipalities:
    # concurrent refreshes of schools in one chain serialise here, so no parent sum misses a
    # child.
    parents: list[tuple[Level, int, dict[str, int]]] = [(Level.FEDERAL, 0, {})]
    parents += [(Level.REGION, r, {"region_id": r}) for r in regions]
    parents += [
        (Level.MUNICIPALITY, m, {"region_id": region_of[m], "municipality_id": m})
        for m in municipalities
    ]
    one = len(wanted) == 1
    chain_ids = {"work_id": work_id, "region_id": region_id, "municipality_id": municipality_id}

    def lock() -> list[Any]:
        if one:
            return _CHAIN_LOCK.rows(actor=actor, **chain_ids)
        return list(
            _chains_lock_rows(
                actor, work_id=work_id, region_ids=regions, municipality_ids=municipalities
            )
        )

    if not {(level, unit_id) for level, unit_id, _ids in parents} <= set(lock()):
        aggregates = WorkAggregate.objects.for_actor(actor, A.VIEW_ANALYTICS)
        for level, unit_id, ids in parents:  # a chain's first results: make its rows
            aggregates.get_or_create(work_id=work_id, level=level, unit_id=unit_id, defaults=ids)
        lock()
    campaign = work.campaign_id
    result_rows = (
        _SCHOOL_ROWS.rows(actor=actor, work_id=work_id, school_id=wanted[0], campaign_id=campaign)
        if one
        else _schools_result_rows(actor, work_id=work_id, school_ids=wanted, campaign_id=campaign)
    )
    by_school: dict[int, list[_ResultRow]] = {school: [] for school in wanted}
    for row in result_rows:
        by_school[row[0]].append(_ResultRow(*row))
    school_values: dict[int, dict[str, Any] | None] = {}
    for school, rows in by_school.items():
        codes = {row.code for row in rows if row.is_ovz}
        computed = _school_values(work, columns, rows, codes)
        school_values[school] = computed if computed["participants"] or computed["absent"] else None
    # the stored children of each parent, by (parent level, parent unit)
    children: dict[tuple[int, int], dict[int, dict[str, Any]]] = defaultdict(dict)
    stored = (
        _CHAIN_CHILDREN.rows(actor=actor, **chain_ids)
        if one
        else _chains_children_rows(
            actor, work_id=work_id, region_ids=regions, municipality_ids=municipalities
        )
    )
    # (the rows recomputed here are left out: each is summed under its parent of now, which
    # for a school that moved is not the one its stored row names)
    recomputed = {(Level.SCHOOL, school) for school in wanted}
    recomputed |= {(Level.MUNICIPALITY, m) for m in municipalities}
    recomputed |= {(Level.REGION, r) for r in regions}
    for level, unit_id, row_region, row_municipality, *summed in stored:
        if (level, unit_id) in recomputed:
            continue
        parent = (
            (Level.MUNICIPALITY, row_municipality)
            if level == Level.SCHOOL
            else (Level.REGION, row_region)
            if level == Level.MUNICIPALITY
            else (Level.FEDERAL, 0)
        )
        children[parent][unit_id] = dict(zip(_SUMMED_FIELDS, summed, strict=True))
    # The rows written, in the order of old (each school, then its parents upwards): each
    # parent is summed from its stored children with the rows just computed in their place.
    written: list[_Written] = []
    fresh: dict[tuple[int, int], dict[int, dict[str, Any] | None]] = defaultdict(dict)
    for school in wanted:
        region, municipality = places[school]
        ids = {"region_id": region, "municipality_id": municipality, "school_id": school}
        written.append((Level.SCHOOL, school, ids, school_values[school]))
        fresh[(Level.MUNICIPALITY, municipality)][school] = school_values[school]
    for level, units in (
        (Level.MUNICIPALITY, municipalities),
        (Level.REGION, regions),
        (Level.FEDERAL, [0]),
    ):
        for unit_id in units:
            below = dict(children[(level, unit_id)])
            below.update((c, v) for c, v in fresh[(level, unit_id)].items() if v is not None)
            total = _sum(list(below.values()), columns, work.max_score) if below else None
            if level == Level.MUNICIPALITY:
                parent_ids = {"region_id": region_of[unit_id], "municipality_id": unit_id}
                fresh[(Level.REGION, region_of[unit_id])][unit_id] = total
            elif level == Level.REGION:
                parent_ids = {"region_id": unit_id, "municipality_id": None}
                fresh[(Level.FEDERAL, 0)][unit_id] = total
            else:
                parent_ids = {"region_id": None, "municipality_id": None}
            written.append((level, unit_id, {**parent_ids, "school_id": None}, total))
    return _write_rows(actor, work_id, written)


def _write_rows(
    actor: Actor, work_id: int, written: list[_Written]
) -> dict[int, WorkAggregate | None]:
    """Store a refresh's rows: one UPDATE of those that exist, an INSERT of each new one (a
    school's first results), a DELETE of each left without values; each school's row as
    written."""
    now = timezone.now()
    updates = [
        {"level": level, "unit_id": unit_id, **ids, **row_values, "computed_at": now}
        for level, unit_id, ids, row_values in written
        if row_values is not None
    ]
    ids_found = _update_rows(work_id, updates) if updates else {}
    schools: dict[int, WorkAggregate | None] = {}
    names = [f.attname for f in WorkAggregate._meta.concrete_fields]
    using = router.db_for_write(WorkAggregate)
    updated = iter(updates)
    for level, unit_id, ids, row_values in written:
        if row_values is not None:
            stored = next(updated)
            if (level, unit_id) in ids_found:
                if level == Level.SCHOOL:
                    values = {"id": ids_found[(level, unit_id)], "work_id": work_id, **stored}
                    schools[unit_id] = WorkAggregate.from_db(
                        using, names, [values[name] for name in names]
                    )
                continue  # updated
        rows_scope = WorkAggregate.objects.for_actor(actor, A.VIEW_ANALYTICS)
        if row_values is None:  # no child (left): the row goes
            rows_scope.filter(work_id=work_id, level=level, unit_id=unit_id).delete()
            if level == Level.SCHOOL:
                schools[unit_id] = None
            continue
        created = rows_scope.create(  # a school's first results
            work_id=work_id, level=level, unit_id=unit_id, **ids, **row_values
        )
        if level == Level.SCHOOL:
            schools[unit_id] = created
    return schools


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
    results = ParticipantResult.objects.for_actor(actor, A.VIEW_RESULTS)
    written = 0
    todo = []
    for work in works:
        aggregates.filter(work_id=work.pk).delete()
        if in_database and not results.filter(work_id=work.pk).exists():
            continue  # no results, no rows: the statement would only be planned (~50 ms)
        todo.append((work, work.columns.count()))
    parallel = settings.ANALYTICS_REBUILD_CONNECTIONS
    # Other connections see committed results only: in an outer transaction, one connection.
    outermost = len(connection.atomic_blocks) == 1
    if in_database and parallel > 1 and len(todo) > 1 and outermost:
        return rebuild.rebuild_parallel(works=todo, connections_max=parallel)
    for work, columns in todo:
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
