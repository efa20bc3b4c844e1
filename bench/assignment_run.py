"""Time the whole national assignment run (``apps.classes.assignment.services.assignment_run``).

``bench/assignment.py`` times the pure algorithm; this one times the service the federal operator
calls, on PostgreSQL: reading every active class (one query), the pools, the algorithm, the
stats, deleting the previous draft's rows and writing the ``ClassWork`` rows. Issue 15 target: a
national run (40,000 schools × ~10 classes) under a minute.

What it does, all in one command:

1. creates its own PostgreSQL database (``vpr_bench_assign`` on 127.0.0.1 as ``postgres``;
   ``--db`` picks another ``vpr_bench_*`` name; a leftover one is dropped first) and migrates it
   with ``vpr_portal.settings.local`` (``DATABASE_URL`` set, ``DJANGO_DEBUG=0``, tasks eager);
2. writes the data directly (a bench may): a campaign with the 2026 grades (4–8, 10) and pools
   (grade 4: Русский язык and Математика compulsory, one of three assigned; grades 5, 6: the two
   compulsory and two of six assigned; grades 7, 8: two of seven; grade 10: no compulsory work,
   two of six), 89 regions, 28 municipalities each, ``--schools`` schools spread over them, and
   per school and grade 0–3 classes (weights 1 : 3 : 4 : 2, the generator of
   ``bench/assignment.py``: 407,433 classes for 40,000 schools with the default data seed) with
   their compulsory ``ClassWork`` rows, all with ``bulk_create`` in batches of 5,000;
3. runs ``assignment_run`` as the system actor twice (the second replaces the first draft: its
   assigned rows are deleted and written again) and prints for each: classes, rows written
   (stats and a count in the database), wall time, CPU time of this process and of the
   PostgreSQL backend serving it (``/proc``), the queries (``CaptureQueriesContext``: count and
   the time spent inside them; the COPY of the rows is not seen by it) and the load average;
4. always (``finally``) drops the database (``dropdb --force``), unless ``--keep``.

``--profile`` runs the first call under cProfile and prints the top entries (cumulative time).

    .venv/bin/python bench/assignment_run.py --schools 2000
    .venv/bin/python bench/assignment_run.py                    # 40,000 schools, ~7 min in all
    .venv/bin/python bench/assignment_run.py --schools 2000 --profile
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import io
import os
import pstats
import random
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 60.0
DB_NAME = "vpr_bench_assign"
PG = ["-h", "127.0.0.1", "-U", "postgres"]
BATCH = 5000
REGIONS = 89
MUNICIPALITIES_PER_REGION = 28
GRADES = (4, 5, 6, 7, 8, 10)
LETTERS = "АБВ"
# grade → (compulsory subjects, assigned subjects, assigned per class): the 2026 shape.
COMPULSORY = ("russian", "math")
SUBJECTS = {
    "russian": "Русский язык",
    "math": "Математика",
    "world": "Окружающий мир",
    "reading": "Литературное чтение",
    "foreign": "Иностранный язык",
    "history": "История",
    "biology": "Биология",
    "geography": "География",
    "social": "Обществознание",
    "literature": "Литература",
    "physics": "Физика",
    "chemistry": "Химия",
}
POOLS: dict[int, tuple[tuple[str, ...], tuple[str, ...], int]] = {
    4: (COMPULSORY, ("world", "reading", "foreign"), 1),
    5: (COMPULSORY, ("history", "biology", "geography", "social", "literature", "foreign"), 2),
    6: (COMPULSORY, ("history", "biology", "geography", "social", "literature", "foreign"), 2),
    7: (
        COMPULSORY,
        ("history", "biology", "geography", "social", "literature", "foreign", "physics"),
        2,
    ),
    8: (
        COMPULSORY,
        ("history", "biology", "geography", "social", "literature", "foreign", "physics"),
        2,
    ),
    10: ((), ("history", "biology", "geography", "social", "physics", "chemistry"), 2),
}


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _batched(rows: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(rows), BATCH):
        yield rows[i : i + BATCH]


def dropdb(name: str, timeout: float) -> bool:
    """DROP DATABASE … WITH (FORCE); False if it did not finish in time (see bench/README.md:
    PostgreSQL 15 waits for every backend of the cluster to absorb a barrier)."""
    try:
        subprocess.run(
            ["dropdb", *PG, "--if-exists", "--force", name],
            check=False,
            capture_output=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return False
    return True


def _backend_cpu() -> float:
    """CPU seconds (user + system) of the PostgreSQL backend serving this connection."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        (pid,) = cur.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the data --------------------------------------------------------------------------------


def build(schools: int, data_seed: int) -> tuple[int, int, int]:
    """The campaign, the units, the schools, the classes and their compulsory rows.
    Returns (campaign id, classes, compulsory rows)."""
    from django.db import transaction
    from django.utils import timezone

    from apps.campaigns.models import Campaign, CampaignGrade, Participation, Subject, Work
    from apps.classes.models import ClassWork, SchoolClass
    from apps.registration.models import Municipality, Region, School

    today = timezone.localdate()
    start = today + dt.timedelta(days=30)
    rng = random.Random(data_seed)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            year=today.year + 1,
            session="spring",
            name=f"ВПР {today.year + 1} (bench)",
            application_deadline=today + dt.timedelta(days=10),
            is_active=True,
        )
        subjects = {
            code: Subject.objects.get_or_create(code=code, defaults={"name": name})[0]
            for code, name in SUBJECTS.items()
        }
        compulsory_works: dict[int, list[int]] = {}
        for grade, (compulsory, assigned, count) in POOLS.items():
            CampaignGrade.objects.create(campaign=campaign, grade=grade, assigned_count=count)
            compulsory_works[grade] = []
            for code in compulsory + assigned:
                work = Work.objects.create(
                    campaign=campaign,
                    subject=subjects[code],
                    grade=grade,
                    participation=Participation.COMPULSORY
                    if code in compulsory
                    else Participation.ASSIGNED,
                    max_score=20,
                    mark3_from=8,
                    mark4_from=12,
                    mark5_from=16,
                    duration_minutes=45,
                    encrypted_archive=grade == 8,
                    variants_per_school=2,
                    period_start=start,
                    period_end=start + dt.timedelta(days=30),
                    recommended_dates=[],
                    materials_publish_date=start - dt.timedelta(days=4),
                    results_upload_deadline=start + dt.timedelta(days=40),
                    results_release_date=start + dt.timedelta(days=50),
                )
                if code in compulsory:
                    compulsory_works[grade].append(work.pk)

        regions = Region.objects.bulk_create(
            Region(code=f"{r:02d}", name=f"Регион {r:02d}") for r in range(1, REGIONS + 1)
        )
        municipalities = Municipality.objects.bulk_create(
            Municipality(region=region, code=f"reg{region.code}_m{m:03d}", name=f"МО {m}")
            for region in regions
            for m in range(1, MUNICIPALITIES_PER_REGION + 1)
        )
        school_rows = [
            School(
                municipality=(mun := municipalities[n % len(municipalities)]),
                region_id=mun.region_id,
                code=f"edu{n + 1:06d}",
                full_name=f"Школа {n + 1}",
                short_name=f"Школа {n + 1}",
            )
            for n in range(schools)
        ]
        made_schools: list[School] = []
        for chunk in _batched(school_rows):
            made_schools += School.objects.bulk_create(chunk)

        class_rows = []
        for school in made_schools:
            for grade in GRADES:
                (n,) = rng.choices((0, 1, 2, 3), weights=(1, 3, 4, 2))
                class_rows += [
                    SchoolClass(
                        campaign=campaign,
                        school_id=school.pk,
                        municipality_id=school.municipality_id,
                        region_id=school.region_id,
                        grade=grade,
                        letter=LETTERS[i],
                        number=i + 1,
                        pupils=25,
                    )
                    for i in range(n)
                ]
        compulsory_rows = 0
        for chunk in _batched(class_rows):
            made = SchoolClass.objects.bulk_create(chunk)
            rows = [
                ClassWork(
                    school_class_id=c.pk,
                    work_id=work_id,
                    source=ClassWork.Source.COMPULSORY,
                    school_id=c.school_id,
                    municipality_id=c.municipality_id,
                    region_id=c.region_id,
                )
                for c in made
                for work_id in compulsory_works[c.grade]
            ]
            ClassWork.objects.bulk_create(rows, batch_size=BATCH)
            compulsory_rows += len(rows)
    return campaign.pk, len(class_rows), compulsory_rows


# --- the timed run ---------------------------------------------------------------------------


def timed_run(label: str, campaign_id: int, seed: int, profile: bool) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from apps.classes.assignment.services import assignment_run
    from apps.classes.models import ClassWork
    from apps.registration.access import Actor

    actor = Actor.system(reason="bench assignment_run")
    publish_on = timezone.localdate() + dt.timedelta(days=23)
    profiler = cProfile.Profile() if profile else None
    load_before = _load()
    backend_before = _backend_cpu()
    with CaptureQueriesContext(connection) as queries:
        wall = time.perf_counter()
        cpu = time.process_time()
        if profiler is not None:
            profiler.enable()
        run = assignment_run(actor=actor, campaign_id=campaign_id, seed=seed, publish_on=publish_on)
        if profiler is not None:
            profiler.disable()
        cpu = time.process_time() - cpu
        wall = time.perf_counter() - wall
    backend = _backend_cpu() - backend_before
    load_after = _load()
    in_sql = sum(float(q["time"]) for q in queries.captured_queries)
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
    count = len(queries.captured_queries)
    del queries
    written = ClassWork.objects.filter(run=run).count()
    compulsory = ClassWork.objects.filter(
        source=ClassWork.Source.COMPULSORY, school_class__campaign_id=campaign_id
    ).count()
    print(f"\n{label} (seed {seed}):")
    print(f"  classes:              {run.stats['classes']:,}")
    print(f"  assigned rows:        {run.stats['rows']:,} in stats, {written:,} in the database")
    print(f"  compulsory rows:      {compulsory:,} (kept)")
    print(
        f"  wall time:            {wall:7.2f} s ({run.stats['classes'] / wall:,.0f} classes/s)"
        f"{'   under cProfile' if profile else ''}"
    )
    print(f"  CPU time (Python):    {cpu:7.2f} s")
    print(f"  CPU time (postgres):  {backend:7.2f} s (the backend of this connection)")
    print(
        f"  queries:              {count} ({in_sql:.2f} s inside them; a COPY goes past Django's "
        "cursor wrapper, so it is neither counted nor timed here)"
    )
    for q in slowest:
        print(f"    {float(q['time']):6.2f} s  {q['sql'][:100]}")
    print(f"  load average:         {load_before} before, {load_after} after")
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())
    return {"wall": wall, "rows": written}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=987_654_321, help="the first run's seed")
    parser.add_argument("--data-seed", type=int, default=15, help="the generator's seed")
    parser.add_argument("--profile", action="store_true", help="the first run under cProfile")
    parser.add_argument("--db", default=DB_NAME, help="name of the throw-away database")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if not re.fullmatch(r"vpr_bench_[a-z0-9_]+", args.db):
        raise SystemExit("--db must look like vpr_bench_<letters, digits, _>")

    os.environ.pop("REDIS_URL", None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="vpr_portal.settings.local",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.db}",
        DJANGO_DEBUG="0",
    )
    print(f"started {time.strftime('%H:%M:%S', time.gmtime())} UTC, load average {_load()}")
    try:
        if not dropdb(args.db, timeout=60):
            raise SystemExit(f"could not drop a leftover {args.db} within 60 s; use --db")
        subprocess.run(["createdb", *PG, args.db], check=True, capture_output=True, timeout=60)
        import logging

        import django

        django.setup()
        logging.getLogger().setLevel(logging.WARNING)
        from django.core.management import call_command

        t0 = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        print(f"migrate:                {time.perf_counter() - t0:7.2f} s")
        t0 = time.perf_counter()
        campaign_id, classes, compulsory = build(args.schools, args.data_seed)
        print(
            f"build (bulk_create):    {time.perf_counter() - t0:7.2f} s — {args.schools:,} "
            f"schools, {classes:,} classes ({classes / max(args.schools, 1):.1f} per school), "
            f"{compulsory:,} compulsory rows"
        )
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        first = timed_run("first run (a new draft)", campaign_id, args.seed, args.profile)
        second = timed_run("second run (replaces the draft)", campaign_id, args.seed + 1, False)
        worst = max(first["wall"], second["wall"])
        verdict = "meets" if worst < TARGET_SECONDS else "misses"
        print(f"\ntarget: a national run under {TARGET_SECONDS:.0f} s wall time — {verdict}")
    finally:
        from django.db import connections

        with contextlib.suppress(Exception):  # Django is not set up if createdb failed
            connections.close_all()
        if args.keep:
            print(f"kept database {args.db}")
        elif not dropdb(args.db, timeout=120):
            print(f"DROP DATABASE {args.db} still waiting after 120 s (see dropdb docstring)")


if __name__ == "__main__":
    main()
