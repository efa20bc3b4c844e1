"""The full analytics rebuild of one work inside PostgreSQL: one ``INSERT … SELECT``.

``services.analytics_rebuild`` calls this on PostgreSQL instead of reading every participant row
into Python (3 million rows took over a minute that way, bench/analytics_national.py). The
statement computes what ``services.rows_values`` and ``services._sum`` compute:

1. ``a``: the work's results grouped by school × ОВЗ × effective mark (null for absent rows;
   ``mark`` or, when empty, the work's scale): the row count, the score histogram
   (``LEAST(primary_score, max)``), the column sums («X» and missing cells count 0; cells past
   the work's columns are ignored) and the journal comparison. ``raw`` reads each cell once
   (``OFFSET 0`` keeps the planner from folding the 15 extractions into the aggregates), so
   the grouping hashes rows of integers instead of sorting the jsonb lines (which spilled);
2. ``b``: one row per school × ОВЗ, the marks pivoted into ``mark2``..``mark5`` and the column
   sums by mark (absent rows only counted in ``absent``);
3. ``sch``: the school's place (its ``School`` row, as the refresh reads it), ``schools`` (1 when
   the subset has participants) and ``all_schools`` (1 on one row of a school with participants);
4. ``mun``, ``reg``, ``fed``: municipality, region and Russia, each the sum of its children per
   subset, as the incremental roll-up sums them;
5. ``p``/``t``: each unit's «no_ovz» and «ovz» rows side by side (a missing one is zeros, i.e.
   ``services._empty``) and their sum, the unit's own figures;
6. ``q``: ``subsets`` as ``to_jsonb`` of a row per subset (each figure converted once); the
   empty subset of a unit without «ovz» rows (or without «no_ovz» rows) is ``z``, the zeros
   converted once per statement (``jsonb_build_object`` re-walks the other subset, which costs
   less than converting 112 zeros), and a unit with one subset only takes its arrays from that
   subset instead of converting them again.

Several works are computed at once, each on its own connection reading the caller's snapshot
and writing into a staging table, then published in the caller's transaction
(``rebuild_parallel``, ADR 0030).

Integer sums do not depend on the order of addition, so the rows equal the incremental ones:
``apps/analytics/tests/test_rebuild_identity.py`` compares every field (subsets included) on
SQLite and PostgreSQL, and the bench compares the two paths at national scale. Only integers
read from the work and the models' table names are interpolated; ids and the scale are
parameters. Every row is read, as the rebuild's system actor (federal scope) sees them all.
"""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connection, transaction

from apps.analytics.models import MARKS, WorkAggregate
from apps.core.scoping import Level
from apps.materials.models import ParticipantCode
from apps.registration.models import School
from apps.results.models import ParticipantResult, ResultSheet

# Settings of the rebuild statement (see rebuild_work); work_mem is per sort or hash table.
SETTINGS = {"work_mem": "256MB", "jit": "off", "default_toast_compression": "lz4"}
# Staging tables of ``rebuild_parallel`` and the advisory lock that keeps rebuilds one at a time.
STAGING_PREFIX = "analytics_rebuild_"
REBUILD_LOCK = 7_301_801
JOURNAL = ("journal_lower", "journal_equal", "journal_higher", "journal_missing", "journal_gap2")


def _stat_columns(columns: int, max_score: int) -> list[str]:
    """The summable statistics of one unit × subset (``schools`` and ``all_schools`` apart)."""
    names = ["participants", "absent", *(f"mark{m}" for m in MARKS), *JOURNAL]
    names += [f"h{i}" for i in range(max_score + 1)]
    names += [f"c{j}" for j in range(columns)]
    names += [f"m{m}_{j}" for m in MARKS for j in range(columns)]
    return names


def _sums(names: list[str]) -> str:
    # sum(integer) accumulates in a bigint; every figure fits an integer (the table's type)
    return ", ".join(f"sum({n})::integer AS {n}" for n in names)


def _ints(prefix: str, names: list[str]) -> str:
    return f"ARRAY[{', '.join(prefix + n for n in names)}]::integer[]"


def _subset_rows(prefix: str, columns: int, max_score: int) -> str:
    """Two LATERAL rows named like ``rows_values``' dict (``<prefix>obj``, with its nested
    ``<prefix>bm`` by mark) from the columns ``<prefix><name>`` of ``t``: ``to_jsonb`` of a row
    converts every figure once (nested ``jsonb_build_object`` calls re-walk their arguments)."""
    counts = ["schools", "participants", "absent", *(f"mark{m}" for m in MARKS), *JOURNAL]
    by_mark = ", ".join(
        f'{_ints(prefix, [f"m{m}_{j}" for j in range(columns)])} AS "{m}"' for m in MARKS
    )
    fields = ", ".join(f"{prefix}{n} AS {n}" for n in counts)
    histogram = _ints(prefix, [f"h{i}" for i in range(max_score + 1)])
    sums = _ints(prefix, [f"c{j}" for j in range(columns)])
    return (
        f"CROSS JOIN LATERAL (SELECT {by_mark}) {prefix}bm\n"
        f"CROSS JOIN LATERAL (SELECT {fields}, {histogram} AS histogram, {sums} AS column_sums, "
        f"{prefix}bm AS column_sums_by_mark) {prefix}obj"
    )


def rebuild_statement(*, columns: int, max_score: int, into: str | None = None) -> str:
    """The ``INSERT … SELECT`` writing every aggregate row of one work (see the module doc)
    into the aggregates' table, or into the staging table ``into`` (``rebuild_parallel``).

    Parameters: ``work``, ``campaign``, ``mark3``, ``mark4``, ``mark5`` (the conversion scale)."""
    columns, max_score = int(columns), int(max_score)
    stats = _stat_columns(columns, max_score)
    results = ParticipantResult._meta.db_table
    codes = ParticipantCode._meta.db_table
    schools = School._meta.db_table
    aggregates = into or WorkAggregate._meta.db_table
    per_row = [
        "count(*)::integer AS n",
        *(f"count(*) FILTER (WHERE bucket = {i})::integer AS h{i}" for i in range(max_score + 1)),
        *(f"sum(s{j})::integer AS c{j}" for j in range(columns)),
        "count(*) FILTER (WHERE journal > 0 AND mark < journal)::integer AS journal_lower",
        "count(*) FILTER (WHERE journal > 0 AND mark = journal)::integer AS journal_equal",
        "count(*) FILTER (WHERE journal > 0 AND mark > journal)::integer AS journal_higher",
        "count(*) FILTER (WHERE journal = 0)::integer AS journal_missing",
        "count(*) FILTER (WHERE journal > 0 AND abs(mark - journal) >= 2)::integer AS journal_gap2",
    ]

    # Stage b: absent rows (mark null) only in «absent»; the marks and column sums pivoted.
    def pivot(expression: str, name: str, where: str = "mark IS NOT NULL") -> str:
        return f"COALESCE(sum({expression}) FILTER (WHERE {where}), 0)::integer AS {name}"

    pivots = [
        pivot("n", "participants"),
        pivot("n", "absent", "mark IS NULL"),
        *(pivot("n", f"mark{m}", f"mark = {m}") for m in MARKS),
        *(pivot(n, n) for n in JOURNAL),
        *(pivot(f"h{i}", f"h{i}") for i in range(max_score + 1)),
        *(pivot(f"c{j}", f"c{j}") for j in range(columns)),
        *(pivot(f"c{j}", f"m{m}_{j}", f"mark = {m}") for m in MARKS for j in range(columns)),
    ]
    plain = ", ".join(stats)
    # each cell read once per row, before the grouping (see the module doc)
    cells = ", ".join(f"COALESCE((r.scores ->> {j})::integer, 0) AS s{j}" for j in range(columns))
    sums = _sums(stats)
    school, muni, region, federal = (
        int(Level.SCHOOL),
        int(Level.MUNICIPALITY),
        int(Level.REGION),
        int(Level.FEDERAL),
    )
    counts = ["schools", "participants", "absent", *(f"mark{m}" for m in MARKS), *JOURNAL]
    both = ", ".join(
        f"COALESCE(n.{c}, 0) AS n_{c}, COALESCE(o.{c}, 0) AS o_{c}" for c in ["schools", *stats]
    )
    all_values = ", ".join(f"n_{c} + o_{c} AS {c}" for c in stats)
    zeros = ", ".join(f"0 AS z_{c}" for c in ["schools", *stats])
    histogram = _ints("", [f"h{i}" for i in range(max_score + 1)])
    column_sums = _ints("", [f"c{j}" for j in range(columns)])
    by_mark = ", ".join(
        f"'{m}', to_jsonb({_ints('', [f'm{m}_{j}' for j in range(columns)])})" for m in MARKS
    )
    return f"""
WITH raw AS (
    SELECT r.school_id, pc.code IS NOT NULL AS ovz,
           CASE WHEN r.absent THEN NULL
                WHEN r.mark > 0 THEN r.mark
                WHEN COALESCE(r.primary_score, 0) >= %(mark5)s THEN 5
                WHEN COALESCE(r.primary_score, 0) >= %(mark4)s THEN 4
                WHEN COALESCE(r.primary_score, 0) >= %(mark3)s THEN 3
                ELSE 2 END AS mark,
           LEAST(COALESCE(r.primary_score, 0), {max_score}) AS bucket,
           COALESCE(r.journal_mark, 0) AS journal,
           {cells}
    FROM {results} r
    LEFT JOIN (
        SELECT school_id, code FROM {codes} WHERE campaign_id = %(campaign)s AND ovz
    ) pc ON pc.school_id = r.school_id AND pc.code = r.code
    WHERE r.work_id = %(work)s
    OFFSET 0
),
a AS (
    SELECT school_id, ovz, mark, {", ".join(per_row)}
    FROM raw GROUP BY school_id, ovz, mark
),
b AS (
    SELECT school_id, ovz, {", ".join(pivots)} FROM a GROUP BY school_id, ovz
),
sch AS (
    SELECT b.school_id AS unit_id, sc.region_id, sc.municipality_id, b.ovz,
           (b.participants > 0)::integer AS schools,
           (row_number() OVER w = 1 AND sum(b.participants) OVER w > 0)::integer AS all_schools,
           {", ".join(f"b.{n}" for n in stats)}
    FROM b JOIN {schools} sc ON sc.id = b.school_id
    WINDOW w AS (PARTITION BY b.school_id)
),
mun AS (
    SELECT municipality_id AS unit_id, region_id, ovz, sum(schools)::integer AS schools,
           sum(all_schools)::integer AS all_schools, {sums}
    FROM sch GROUP BY municipality_id, region_id, ovz
),
reg AS (
    SELECT region_id AS unit_id, ovz, sum(schools)::integer AS schools,
           sum(all_schools)::integer AS all_schools, {sums}
    FROM mun GROUP BY region_id, ovz
),
fed AS (
    SELECT ovz, sum(schools)::integer AS schools, sum(all_schools)::integer AS all_schools,
           {sums}
    FROM reg GROUP BY ovz
),
u AS (
    SELECT {school} AS level, unit_id, region_id, municipality_id, unit_id AS school_id, ovz,
           schools, all_schools, {plain} FROM sch
    UNION ALL
    SELECT {muni}, unit_id, region_id, unit_id, NULL, ovz, schools, all_schools, {plain}
    FROM mun
    UNION ALL
    SELECT {region}, unit_id, unit_id, NULL, NULL, ovz, schools, all_schools, {plain} FROM reg
    UNION ALL
    SELECT {federal}, 0, NULL, NULL, NULL, ovz, schools, all_schools, {plain} FROM fed
),
p AS (
    SELECT COALESCE(n.level, o.level) AS level, COALESCE(n.unit_id, o.unit_id) AS unit_id,
           COALESCE(n.region_id, o.region_id) AS region_id,
           COALESCE(n.municipality_id, o.municipality_id) AS municipality_id,
           COALESCE(n.school_id, o.school_id) AS school_id,
           COALESCE(n.all_schools, 0) + COALESCE(o.all_schools, 0) AS all_schools,
           o.level IS NOT NULL AS has_ovz, n.level IS NOT NULL AS has_no_ovz, {both}
    FROM (SELECT * FROM u WHERE NOT ovz) n
    FULL JOIN (SELECT * FROM u WHERE ovz) o ON o.level = n.level AND o.unit_id = n.unit_id
),
t AS (
    SELECT p.*, all_schools AS schools, {all_values} FROM p
),
z AS MATERIALIZED (
    SELECT to_jsonb(z_obj) AS empty FROM (SELECT {zeros}) zeros
    {_subset_rows("z_", columns, max_score)}
),
q AS (
    SELECT t.*,
           CASE WHEN has_ovz AND has_no_ovz THEN to_jsonb(sub)
                WHEN has_ovz THEN jsonb_build_object('no_ovz', z.empty, 'ovz', to_jsonb(o_obj))
                ELSE jsonb_build_object('no_ovz', to_jsonb(n_obj), 'ovz', z.empty) END AS subsets
    FROM t CROSS JOIN z
    {_subset_rows("n_", columns, max_score)}
    {_subset_rows("o_", columns, max_score)}
    CROSS JOIN LATERAL (SELECT o_obj AS ovz, n_obj AS no_ovz) sub
    OFFSET 0
)
INSERT INTO {aggregates} (
    work_id, level, unit_id, region_id, municipality_id, school_id, {", ".join(counts)},
    histogram, column_sums, column_sums_by_mark, subsets, computed_at
)
SELECT %(work)s, level, unit_id, region_id, municipality_id, school_id, {", ".join(counts)},
       CASE WHEN has_ovz AND has_no_ovz THEN to_jsonb({histogram})
            WHEN has_ovz THEN subsets -> 'ovz' -> 'histogram'
            ELSE subsets -> 'no_ovz' -> 'histogram' END AS histogram,
       CASE WHEN has_ovz AND has_no_ovz THEN to_jsonb({column_sums})
            WHEN has_ovz THEN subsets -> 'ovz' -> 'column_sums'
            ELSE subsets -> 'no_ovz' -> 'column_sums' END AS column_sums,
       CASE WHEN has_ovz AND has_no_ovz THEN jsonb_build_object({by_mark})
            WHEN has_ovz THEN subsets -> 'ovz' -> 'column_sums_by_mark'
            ELSE subsets -> 'no_ovz' -> 'column_sums_by_mark' END AS column_sums_by_mark,
       subsets, now() AS computed_at
FROM q
"""  # noqa: S608 - integers and table names from the models


def rebuild_work(*, work: Any, columns: int) -> int:
    """Write every aggregate row of ``work`` from its results (PostgreSQL; the caller has
    deleted the old rows inside its transaction). Returns the number of rows written.

    The statement runs with ``SETTINGS`` (restored afterwards): it groups wide rows (a hundred
    figures each) in memory; JIT compilation costs more than it saves for one run of a statement
    this size; and its JSON rows are compressed with lz4 when the server has it (pglz took a
    sixth of the time; the values, and how they read back, are the same)."""
    with connection.cursor() as cursor:
        return _run(cursor, work, columns, into=None)


def _run(cursor: Any, work: Any, columns: int, *, into: str | None) -> int:
    statement = rebuild_statement(columns=columns, max_score=work.max_score, into=into)
    params = {
        "work": work.pk,
        "campaign": work.campaign_id,
        "mark3": work.mark3_from,
        "mark4": work.mark4_from,
        "mark5": work.mark5_from,
    }
    before = _set(cursor, _settings(cursor))
    try:
        cursor.execute(statement, params)
        written = int(cursor.rowcount)
    finally:
        _set(cursor, before)
    return written


def _settings(cursor: Any) -> dict[str, str]:
    """``SETTINGS`` less lz4 where the server was built without it."""
    cursor.execute(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    )
    row = cursor.fetchone()
    return {k: v for k, v in SETTINGS.items() if k != "default_toast_compression" or row[0]}


def rebuild_parallel(*, works: list[tuple[Any, int]], connections_max: int) -> int:
    """``rebuild_work`` of several works at once, each on its own connection, published in the
    caller's transaction (PostgreSQL; the caller has deleted the old rows). Returns the number
    of rows written.

    The caller's transaction exports its snapshot; each work's statement runs in a thread on a
    connection of its own that imports it (``REPEATABLE READ``), so every work is computed from
    the same results, as of the caller's snapshot, and writes into an unlogged staging table of
    its own, committed. The caller's transaction then copies the staged rows into the
    aggregates' table, work by work in the order given and each work's rows in the order its
    statement produced them (so the ids come out as one connection would give them), stamped
    with the caller's ``now()``, and drops the staging tables: the new rows appear together at
    its commit, or not at all. One rebuild at a time (a transaction-level advisory lock); a
    staging table left by a rebuild that failed half-way is dropped by the next one. The caller
    must not hold uncommitted changes to the results, which the other connections could not
    see (``services.analytics_rebuild`` only comes here as the outermost transaction)."""
    from django.db import connections

    alias = connection.alias
    token = secrets.token_hex(6)
    staged = [f"{STAGING_PREFIX}{token}_{work.pk}" for work, _ in works]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REBUILD_LOCK])
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND starts_with(tablename, %s)",
            [STAGING_PREFIX],
        )
        for (left,) in cursor.fetchall():
            cursor.execute(f'DROP TABLE IF EXISTS "{left}"')
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]

    def stage(item: tuple[Any, int], table: str) -> None:
        other = connections[alias]
        try:
            with transaction.atomic(using=alias), other.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
                cursor.execute(
                    f"CREATE UNLOGGED TABLE {table} "
                    f"(LIKE {WorkAggregate._meta.db_table} INCLUDING DEFAULTS)"
                )
                # ids in the order the statement writes its rows
                cursor.execute(
                    f"ALTER TABLE {table} ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY"
                )
                _run(cursor, item[0], item[1], into=table)
        finally:
            other.close()

    workers = max(1, min(connections_max, len(works)))
    copied = False
    written = 0
    try:
        # the largest works first (by schools with results), so that none starts last alone
        sizes = _sheets_with_results([work.pk for work, _ in works])
        order = sorted(zip(works, staged, strict=True), key=lambda x: -sizes.get(x[0][0].pk, 0))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(stage, item, table) for item, table in order]
            for future in futures:
                future.result()
        fields = WorkAggregate._meta.concrete_fields
        listed = ", ".join(str(f.column) for f in fields if f.column not in ("id", "computed_at"))
        with connection.cursor() as cursor:
            before = _set(cursor, _settings(cursor))
            copied = True  # from here on the staging tables are this transaction's to drop
            into = f"INSERT INTO {WorkAggregate._meta.db_table} ({listed}, computed_at)"
            for table in staged:
                cursor.execute(f"{into} SELECT {listed}, now() FROM {table} ORDER BY id")  # noqa: S608
                written += int(cursor.rowcount)
                cursor.execute(f"DROP TABLE {table}")
            _set(cursor, before)
    finally:
        if not copied:
            # A statement failed: the tables staged so far were committed by their connections,
            # and this transaction will roll back, so they are dropped on one that commits.
            with ThreadPoolExecutor(max_workers=1) as pool:
                pool.submit(_drop, alias, staged).result()
    return written


def _sheets_with_results(work_ids: list[int]) -> dict[int, int]:
    """Work id → its schools with results (a cheap measure of a work's size)."""
    sheets = ResultSheet._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT work_id, count(*) FROM {sheets} WHERE work_id = ANY(%s) "  # noqa: S608
            "AND current_version_id IS NOT NULL GROUP BY work_id",
            [work_ids],
        )
        return dict(cursor.fetchall())


def _drop(alias: str, tables: list[str]) -> None:
    from django.db import connections

    other = connections[alias]
    try:
        with other.cursor() as cursor:
            for table in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
    finally:
        other.close()


def _set(cursor: Any, values: dict[str, str]) -> dict[str, str]:
    """Set ``values`` until the end of the transaction; returns the values they replace."""
    names = list(values)
    cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(names)), names)
    before = dict(zip(names, cursor.fetchone(), strict=True))
    pairs = [x for name in names for x in (name, values[name])]
    cursor.execute("SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(names)), pairs)
    return before
