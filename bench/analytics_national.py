"""Time the analytics at national scale: full rebuild, one upload's refresh, regional reports.

Runs on the PostgreSQL database named by DATABASE_URL, which must already be migrated and
seeded with ``seed_demo --size national`` (see bench/README.md). It writes synthetic results of
N participant-works (default 3,000,000) spread over every school and the first few released
works, inserted with COPY, then measures:

* ``analytics_rebuild`` (the management command) over all works;
* ``analytics_school_refresh`` of one school × work (what the Celery task runs after an upload);
* the regional coordinator's «Статистика по отметкам» and «Выполнение заданий» pages and the
  matching API calls (Django test Client, logged in as reg66), p50/p95.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vpr_bench_analytics \
        .venv/bin/python bench/analytics_national.py --participants 300000
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpr_portal.settings.local")

COPY_CHUNK = 1 << 20  # bytes per COPY write
PROFILES = 4096  # distinct score lines per work, picked at random per participant


def _timed(step: Callable[[], object]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- generation ---------------------------------------------------------------------------------


def _profiles(work: Any, columns: list[Any], rng: random.Random) -> list[tuple[str, int, int]]:
    """Score lines of one work: (scores JSON, primary score, mark). A participant's «ability»
    drives every column; about 3 % of cells are «X» (null)."""
    found = []
    for _ in range(PROFILES):
        ability = rng.betavariate(4, 2.5)
        scores: list[int | None] = []
        for column in columns:
            if rng.random() < 0.03:
                scores.append(None)
                continue
            got = sum(rng.random() < ability for _ in range(column.max_score))
            scores.append(got)
        primary = sum(s or 0 for s in scores)
        found.append((json.dumps(scores), primary, work.mark_for(primary)))
    return found


def _copy(cursor: Any, table: str, fields: tuple[str, ...], lines: Iterator[str]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(fields)}) FROM STDIN") as copy:
        buffer: list[str] = []
        size = 0
        for line in lines:
            buffer.append(line)
            size += len(line)
            if size >= COPY_CHUNK:
                copy.write("".join(buffer))
                buffer, size = [], 0
        if buffer:
            copy.write("".join(buffer))


def _plain_indexes(cursor: Any, table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's indexes that back no constraint."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename = %s AND NOT EXISTS (
            SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [table],
    )
    return list(cursor.fetchall())


def generate(works: list[Any], total: int, seed: int) -> dict[str, float]:
    """Insert sheets, one version each and ``total`` participant results (COPY)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from apps.registration.models import School

    rng = random.Random(seed)
    schools = list(School.objects.order_by("pk").values_list("pk", "municipality_id", "region_id"))
    per_work = total // len(works)
    base, extra = divmod(per_work, len(schools))
    timings: dict[str, float] = {}
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor: COPY
        now = timezone.now().isoformat()
        sheet_fields = (
            "created_at",
            "updated_at",
            "school_id",
            "work_id",
            "municipality_id",
            "region_id",
            "version_count",
        )
        _copy(
            cursor,
            "results_resultsheet",
            sheet_fields,
            (f"{now}\t{now}\t{s}\t{w.pk}\t{m}\t{r}\t1\n" for w in works for s, m, r in schools),
        )
        ids = [w.pk for w in works]
        cursor.execute(
            "SELECT id, school_id, work_id FROM results_resultsheet WHERE work_id = ANY(%s)", [ids]
        )
        sheets = {(s, w): pk for pk, s, w in cursor.fetchall()}
        counts = {
            (s, w.pk): base + (1 if i < extra else 0)
            for w in works
            for i, (s, _, _) in enumerate(schools)
        }
        version_fields = (
            "sheet_id",
            "school_id",
            "municipality_id",
            "region_id",
            "number",
            "uploaded_at",
            "source",
            "original_name",
            "file",
            "file_sha256",
            "participants",
            "absent",
            "snapshot",
            "changes",
            "late",
            "checked_by",
            "observer_name",
        )
        _copy(
            cursor,
            "results_resultversion",
            version_fields,
            (
                f"{sheets[(s, w.pk)]}\t{s}\t{m}\t{r}\t1\t{now}\tapi\t\t\t\t"
                f"{counts[(s, w.pk)]}\t0\t{{}}\t{{}}\tf\t{{}}\t\n"
                for w in works
                for s, m, r in schools
            ),
        )
        cursor.execute(
            "UPDATE results_resultsheet s SET current_version_id = v.id "
            "FROM results_resultversion v WHERE v.sheet_id = s.id AND s.work_id = ANY(%s)",
            [ids],
        )
        cursor.execute(
            "SELECT v.sheet_id, v.id FROM results_resultversion v "
            "JOIN results_resultsheet s ON s.id = v.sheet_id WHERE s.work_id = ANY(%s)",
            [ids],
        )
        versions = dict(cursor.fetchall())
        timings["sheets + versions (COPY)"] = time.perf_counter() - start

        indexes = _plain_indexes(cursor, "results_participantresult")
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        result_fields = (
            "school_id",
            "municipality_id",
            "region_id",
            "code",
            "absent",
            "variant",
            "scores",
            "primary_score",
            "mark",
            "journal_mark",
            "class_number",
            "work_id",
            "sheet_id",
            "version_id",
        )

        # No query may run while a COPY is open: the score lines are made beforehand.
        lines_of = {w.pk: _profiles(w, list(w.columns.order_by("position")), rng) for w in works}

        def lines() -> Iterator[str]:
            journal = (0, 2, 3, 3, 4, 4, 4, 5, 5)
            pick = rng.randrange
            for work in works:
                profiles = lines_of[work.pk]
                for s, m, r in schools:
                    sheet = sheets[(s, work.pk)]
                    version = versions[sheet]
                    head = f"{s}\t{m}\t{r}\t"
                    tail = f"\t{work.pk}\t{sheet}\t{version}\n"
                    for n in range(counts[(s, work.pk)]):
                        code = f"{40001 + n}"
                        if pick(100) < 3:
                            yield f"{head}{code}\tt\t\\N\t[]\t\\N\t\\N\t\\N\t\\N{tail}"
                            continue
                        scores, primary, mark = profiles[pick(PROFILES)]
                        yield (
                            f"{head}{code}\tf\t{1 + pick(2)}\t{scores}\t{primary}\t{mark}\t"
                            f"{journal[pick(9)]}\t{1 + pick(4)}{tail}"
                        )

        step = time.perf_counter()
        _copy(cursor, "results_participantresult", result_fields, lines())
        timings["participant results (COPY)"] = time.perf_counter() - step
        step = time.perf_counter()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred FK checks, before indexing
        timings["foreign-key checks"] = time.perf_counter() - step
        step = time.perf_counter()
        for _, definition in indexes:
            cursor.execute(definition)
        timings["re-create indexes"] = time.perf_counter() - step
    step = time.perf_counter()
    with connection.cursor() as cursor:
        for table in ("results_participantresult", "results_resultsheet", "results_resultversion"):
            cursor.execute(f"ANALYZE {table}")
    timings["ANALYZE"] = time.perf_counter() - step
    return timings


# --- measurements -------------------------------------------------------------------------------


def measure_refresh(works: list[Any], samples: int, seed: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.analytics.services import analytics_school_refresh
    from apps.results.models import ResultSheet

    rng = random.Random(seed + 1)
    pairs = list(
        ResultSheet.objects.filter(work__in=works).values_list("school_id", "work_id")[:200000]
    )
    chosen = rng.sample(pairs, min(samples, len(pairs)))
    analytics_school_refresh(school_id=chosen[0][0], work_id=chosen[0][1])  # warm-up
    times = []
    for school_id, work_id in chosen:
        times.append(
            _timed(
                functools.partial(analytics_school_refresh, school_id=school_id, work_id=work_id)
            )
        )
    with CaptureQueriesContext(connection) as queries:
        analytics_school_refresh(school_id=chosen[0][0], work_id=chosen[0][1])
    return times, len(queries)


def measure_requests(url: str, client: Any, count: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm-up: templates, connections
        response = client.get(url)
    status = response.status_code
    times = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        status = max(status, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return times, len(queries), status


def explain(sql_label: str, queryset: Any) -> None:
    print(f"\nEXPLAIN ANALYZE — {sql_label}")
    print(queryset.explain(analyze=True))


# --- the rebuild: CPU in this process and in its PostgreSQL backend, and the floor ------------


class Cost(NamedTuple):
    wall: float
    own_cpu: float  # this process (Python)
    db_cpu: float  # every PostgreSQL backend of the database (a rebuild may open its own)

    @property
    def cpu(self) -> float:
        return self.own_cpu + self.db_cpu


def _proc_cpu(pid: int) -> float | None:
    """CPU seconds of a process on this machine, None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _BackendsCpu(threading.Thread):
    """CPU of every PostgreSQL backend of this database while a step runs (the server must run
    on this machine): the backends there at the start count from their CPU then, those that
    appear later (a parallel rebuild's connections) count whole. Sampled every 0.1 s from its
    own connection: a backend that exits loses at most its last 0.1 s."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.started = threading.Event()
        self.done = threading.Event()
        self.error: BaseException | None = None

    def _sample(self, cursor: Any, baseline: bool) -> None:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        for (pid,) in cursor.fetchall():
            cpu = _proc_cpu(pid)
            if cpu is not None:
                self.first.setdefault(pid, cpu if baseline else 0.0)
                self.last[pid] = cpu

    def run(self) -> None:
        from django.db import connections

        own = connections["default"]
        try:
            with own.cursor() as cursor:
                self._sample(cursor, baseline=True)
                self.started.set()
                while not self.done.wait(0.1):
                    self._sample(cursor, baseline=False)
                self._sample(cursor, baseline=False)
        except BaseException as exc:  # reported by total()
            self.error = exc
            self.started.set()
        finally:
            own.close()

    def total(self) -> float:
        self.done.set()
        self.join()
        if self.error is not None:
            raise self.error
        return sum(self.last[pid] - self.first[pid] for pid in self.last)


def _costed(step: Callable[[], object]) -> Cost:
    backends = _BackendsCpu()
    backends.start()
    backends.started.wait()
    own, wall = time.process_time(), time.perf_counter()
    step()
    wall, own = time.perf_counter() - wall, time.process_time() - own
    return Cost(wall, own, backends.total())


def mark_ovz(works: list[Any], share: float) -> int:
    """Give ``share`` of the participants (the same codes at a school in every work, picked by
    school and code, so a re-run picks the same) an ОВЗ participant code; the others none.
    Returns the number of ОВЗ codes. Without them every unit has a «no_ovz» subset only. Codes
    are only added (a lower share needs a fresh database)."""
    from django.db import connection

    campaigns = {(w.campaign_id, w.grade) for w in works}
    per_mille = round(share * 1000)
    with connection.cursor() as cursor:
        for campaign, grade in sorted(campaigns) if per_mille > 0 else ():
            cursor.execute(
                "INSERT INTO materials_participantcode (created_at, updated_at, campaign_id, "
                "school_id, municipality_id, region_id, grade, code, reserve, accommodations, ovz) "
                "SELECT now(), now(), %s, school_id, municipality_id, region_id, %s, code, false, "
                "'[]', true FROM (SELECT DISTINCT school_id, municipality_id, region_id, code "
                "FROM results_participantresult WHERE work_id = ANY(%s)) r "
                "WHERE (school_id * 7919 + code::bigint * 104729) %% 1000 < %s "
                "ON CONFLICT (campaign_id, school_id, code) DO UPDATE SET ovz = true",
                [campaign, grade, [w.pk for w in works], per_mille],
            )
        cursor.execute(
            "SELECT count(*) FROM materials_participantcode WHERE campaign_id = ANY(%s) AND ovz",
            [[c for c, _ in campaigns]],
        )
        return int(cursor.fetchone()[0])


def measure_floor(works: list[Any]) -> Cost:
    """The floor of a rebuild: one bare GROUP BY school × work of the same rows (count and sum
    of the primary score), serial like the rebuild's INSERT … SELECT, nothing written."""
    from django.db import connection, transaction

    sql = (
        "SELECT sum(n), sum(s) FROM (SELECT count(*) AS n, sum(primary_score) AS s "
        "FROM results_participantresult WHERE work_id = ANY(%s) GROUP BY school_id, work_id) g"
    )
    ids = [w.pk for w in works]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(sql, [ids])  # warm the cache like the rebuild's own read
        return _costed(lambda: cursor.execute(sql, [ids]))


def measure_rebuild(step: Callable[[], object]) -> Cost:
    return _costed(step)


def rebuild_rows(label: str, cost: Cost, floor: Cost, total: int) -> list[tuple[str, str]]:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return [
        (
            label,
            f"{cost.wall:8.2f} s wall ({cost.wall / floor.wall:5.0f}× the floor), "
            f"{total / cost.wall:,.0f} results/s",
        ),
        (
            "  CPU: Python + PostgreSQL",
            f"{cost.own_cpu:8.2f} + {cost.db_cpu:6.2f} = {cost.cpu:6.2f} s "
            f"({cost.cpu / floor.db_cpu:5.0f}× the floor's {floor.db_cpu:.2f} s), "
            f"load average {load}",
        ),
    ]


def snapshot_aggregates() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_aggregates_before")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_aggregates_before AS SELECT * FROM analytics_workaggregate"
        )


def compare_with_snapshot() -> tuple[int, int]:
    """Rows of the two rebuilds that differ in any field but the id and the time (jsonb
    compares by value), and the number of rows compared; drops the snapshot."""
    from django.db import connection

    from apps.analytics.models import WorkAggregate

    names = [
        str(f.column)
        for f in WorkAggregate._meta.concrete_fields
        if f.name not in ("id", "computed_at")
    ]
    fields = ", ".join(names)
    with connection.cursor() as cursor:
        sql = (
            f"SELECT count(*) FROM ((SELECT {fields} FROM bench_aggregates_before EXCEPT ALL "  # noqa: S608
            f"SELECT {fields} FROM analytics_workaggregate) UNION ALL "
            f"(SELECT {fields} FROM analytics_workaggregate EXCEPT ALL "
            f"SELECT {fields} FROM bench_aggregates_before)) d"
        )
        cursor.execute(sql)  # the model's column names only (S608)
        differing = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM bench_aggregates_before")
        compared = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_aggregates_before")
    return differing, compared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=3_000_000)
    parser.add_argument("--works", type=int, default=3, help="how many released works get results")
    parser.add_argument("--refresh-samples", type=int, default=30)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--region", default="66", help="the regional coordinator's region code")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--reuse", action="store_true", help="keep results already in the database (no generation)"
    )
    parser.add_argument(
        "--ovz-share",
        type=float,
        default=0.0,
        help="share of participants with an ОВЗ code, e.g. 0.1 (0: none, the figures before 7.12)",
    )
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the hot queries")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also time the portable (Python) rebuild; compare its rows with the in-database one",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=None,
        help="works computed at once by the rebuild (ANALYTICS_REBUILD_CONNECTIONS; default: the "
        "setting's)",
    )
    parser.add_argument(
        "--serial-too",
        action="store_true",
        help="first time the rebuild on one connection, then compare its rows with the default's",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from apps.analytics.models import WorkAggregate
    from apps.analytics.services import analytics_rebuild
    from apps.campaigns.models import Work
    from apps.core.scoping import Level
    from apps.registration.models import Region, School, User
    from apps.results.models import ParticipantResult

    if args.connections is not None:
        settings.ANALYTICS_REBUILD_CONNECTIONS = args.connections
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL (see bench/README.md)")
    if not School.objects.exists():
        sys.exit("no schools: run `manage.py seed_demo --size national` first")
    works = list(
        Work.objects.filter(results_release_date__lt=timezone.localdate()).order_by("pk")[
            : args.works
        ]
    )
    rows: list[tuple[str, str]] = []
    existing = ParticipantResult.objects.filter(work__in=works).count()
    if existing and not args.reuse:
        sys.exit(f"{existing} results already there: use --reuse or a fresh database")
    if not existing:
        for label, seconds in generate(works, args.participants, args.seed).items():
            rows.append((f"generate: {label}", f"{seconds:8.2f} s"))
    total = ParticipantResult.objects.count()
    ovz = mark_ovz(works, args.ovz_share)
    rows.append(("participants with an ОВЗ code", f"{ovz:,} ({args.ovz_share:.0%} asked)"))
    rows.append(("participant results in the database", f"{total:,}"))
    rows.append(("schools", f"{School.objects.count():,}"))
    rows.append(("works with results", ", ".join(str(w) for w in works)))

    if args.compare:
        # the portable path first (the rebuild before issue 18): it writes into a table without
        # the in-database run's rows, the in-database run then replaces its rows (the usual case)
        floor = measure_floor(works)
        before = measure_rebuild(lambda: analytics_rebuild(portable=True))
        rows += rebuild_rows("rebuild, portable path (Python)", before, floor, total)
        snapshot_aggregates()
    floor = measure_floor(works)
    rows.append(
        (
            "floor: GROUP BY school, work (count, sum)",
            f"{floor.wall:8.2f} s wall, {floor.db_cpu:6.2f} s PostgreSQL CPU (serial)",
        )
    )
    if args.serial_too:
        parallel = settings.ANALYTICS_REBUILD_CONNECTIONS
        settings.ANALYTICS_REBUILD_CONNECTIONS = 1
        serial = measure_rebuild(lambda: call_command("analytics_rebuild", stdout=io.StringIO()))
        rows += rebuild_rows("analytics_rebuild, one connection", serial, floor, total)
        snapshot_aggregates()
        settings.ANALYTICS_REBUILD_CONNECTIONS = parallel
    after = measure_rebuild(lambda: call_command("analytics_rebuild", stdout=io.StringIO()))
    label = f"analytics_rebuild (all works, {settings.ANALYTICS_REBUILD_CONNECTIONS} connections)"
    rows += rebuild_rows(label, after, floor, total)
    if args.serial_too:
        differing, compared = compare_with_snapshot()
        rows.append(
            (
                "rows differing: parallel vs one connection",
                f"{differing:,} of {compared:,} compared",
            )
        )
    rows.append(("aggregate rows", f"{WorkAggregate.objects.count():,}"))
    if args.compare:
        differing, compared = compare_with_snapshot()
        rows.append(
            ("rows differing: in-database vs portable", f"{differing:,} of {compared:,} compared")
        )

    times, queries = measure_refresh(works, args.refresh_samples, args.seed)
    rows.append(
        (
            f"school refresh ×{len(times)} (median / p95 / max)",
            f"{statistics.median(times) * 1000:6.1f} / {_pct(times, 0.95) * 1000:6.1f} / "
            f"{max(times) * 1000:6.1f} ms, {queries} queries",
        )
    )

    region = Region.objects.get(code=args.region)
    aggregate = WorkAggregate.objects.get(work=works[0], level=Level.REGION, unit_id=region.pk)
    children = WorkAggregate.objects.filter(
        work=works[0], level=Level.MUNICIPALITY, region_id=region.pk
    ).count()
    rows.append((f"regional report: region {region.code}, work {works[0].pk}", f"{children} rows"))
    client = Client()
    client.force_login(User.objects.get(username=f"reg{args.region}"))
    targets = (
        ("page «Статистика по отметкам»", reverse("analytics-marks", args=[aggregate.pk])),
        ("page «Выполнение заданий»", reverse("analytics-tasks", args=[aggregate.pk])),
        ("API marks", f"/api/v1/analytics/{aggregate.pk}/marks/"),
        ("API tasks", f"/api/v1/analytics/{aggregate.pk}/tasks/"),
    )
    for label, url in targets:
        times, queries, status = measure_requests(url, client, args.requests)
        rows.append(
            (
                f"{label} ×{len(times)} (p50 / p95)",
                f"{_pct(times, 0.5) * 1000:6.1f} / {_pct(times, 0.95) * 1000:6.1f} ms, "
                f"{queries} queries, HTTP {status}",
            )
        )

    load = subprocess.run(
        ["uptime"], capture_output=True, text=True, check=False, env={**os.environ, "TZ": "UTC"}
    ).stdout.strip()
    rows.append(("machine load (uptime)", load))
    width = max(len(label) for label, _ in rows)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")

    if args.explain:
        school_id, work_id = ParticipantResult.objects.filter(work=works[0]).values_list(
            "school_id", "work_id"
        )[0]
        explain(
            "a school's results (refresh)",
            ParticipantResult.objects.filter(work_id=work_id, school_id=school_id),
        )
        explain(
            "the region's municipality rows (page, refresh roll-up)",
            WorkAggregate.objects.filter(
                work=works[0], level=Level.MUNICIPALITY, region_id=region.pk
            ),
        )
        explain(
            "the country's region rows (refresh roll-up)",
            WorkAggregate.objects.filter(work=works[0], level=Level.REGION),
        )


if __name__ == "__main__":
    main()
