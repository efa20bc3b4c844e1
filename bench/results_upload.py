"""Time a results upload: validate and store a 100-participant ФИС ОКО form (server side).

Builds on a throw-away database (Django's test-database machinery; SQLite in a temporary
directory unless DATABASE_URL names PostgreSQL) with test settings. Each round uploads a
different filled form of the same school × work, so every round validates every cell, locks the
school × work row, writes a new version and replaces 100 result rows.

Figures per round, each as CPU time (this process plus the forked parse child, which
``read_workbook`` runs isolated) and wall time, with its floor measured in the same run:
* floor: python-calamine alone reading the same bytes (every sheet to Python values) — the bare
  read that ``read_form`` cannot go below;
* parse+validate — ``apps.results.xlsx.read_form`` alone (the zip and size guards, the isolated
  python-calamine parse, every cell rule), and its ratio to the floor (issue 18: ≤ 2×);
* service — ``services.results_upload`` (scope checks, window, validation, the transaction with
  the row lock, version, 100 rows, audit), i.e. the server-side time of an upload; the
  statistics task it enqueues after commit runs on a worker in production, so here it is
  timed on its own (``stats task``) instead of inside the upload;
* API — the same through ``POST /api/v1/schools/{id}/results/{work_id}/`` in-process (Django
  test client: URL routing, authentication, multipart parsing, the view; no network).

    .venv/bin/python bench/results_upload.py
    DATABASE_URL=postgres://postgres@127.0.0.1/vpr_bench .venv/bin/python bench/results_upload.py
    .venv/bin/python bench/results_upload.py --participants 300 --rounds 50
    .venv/bin/python bench/results_upload.py --participants 10000 --rounds 3   # issue 18: < 1 s

The load average is printed with the figures: CPU time carries over between runs, wall time
moves with the load of others.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpr_portal.settings.test")

TARGET_MEDIAN_MS = 150.0
TARGET_RATIO = 2.0  # read_form / bare python-calamine read (issue 18)
TARGET_BIG_SECONDS = 1.0  # a 10,000-row form stored (issue 18)


def cpu_now() -> float:
    """CPU seconds of this process, of its reaped children (a parse child forked directly) and
    of its parse fork server with the children that server reaped (ADR 0029)."""
    import resource

    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime + fork_server_cpu()


def fork_server_cpu() -> float:
    """CPU seconds of this process's parse fork server and of the children it reaped."""
    from apps.core import forkserver

    pid = forkserver.warm()
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


class Timed:
    """CPU and wall seconds of each timed call."""

    def __init__(self) -> None:
        self.cpu: list[float] = []
        self.wall: list[float] = []

    def __enter__(self) -> Timed:
        self._cpu, self._wall = cpu_now(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cpu.append(cpu_now() - self._cpu)
        self.wall.append(time.perf_counter() - self._wall)

    def median_cpu(self) -> float:
        return statistics.median(self.cpu)


def calamine_read(content: bytes) -> dict[str, list[list[object]]]:
    """The floor: python-calamine reading every sheet of the bytes, nothing else."""
    import io

    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {
        name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for name in workbook.sheet_names
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="print the top cProfile entries")
    args = parser.parse_args()

    import logging

    import django

    django.setup()
    logging.getLogger().setLevel(logging.WARNING)
    from django.db import connection

    from apps.core import forkserver

    # the parse fork server ready before the first timed parse, as in a worker that has served
    forkserver.warm(wait=10.0)

    if connection.vendor == "sqlite":
        tmpdir = tempfile.mkdtemp(prefix="vpr-bench-")
        connection.settings_dict["TEST"]["NAME"] = str(Path(tmpdir) / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _ms(timed: Timed, floor: Timed | None = None) -> str:
    ordered = sorted(timed.wall)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    out = (
        f"CPU median {timed.median_cpu() * 1000:7.1f} ms   wall median "
        f"{statistics.median(timed.wall) * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms"
    )
    if floor is not None:
        out += f"   = {timed.median_cpu() / floor.median_cpu():4.1f}× floor (CPU)"
    return out


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(args: argparse.Namespace) -> None:
    import datetime as dt

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from apps.campaigns.models import SchoolWorkDate
    from apps.campaigns.tests.factories import WorkFactory
    from apps.materials.models import ParticipantCode
    from apps.registration.access import actor_for_user
    from apps.registration.tests.factories import SchoolFactory, grant, make_user
    from apps.results import selectors as sel
    from apps.results import services, xlsx
    from apps.results.models import ParticipantResult, ResultVersion

    settings.ALLOWED_HOSTS = ["*"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    today = timezone.localdate()
    work = WorkFactory(
        period_start=today - dt.timedelta(days=5),
        period_end=today + dt.timedelta(days=5),
        materials_publish_date=today - dt.timedelta(days=9),
        results_upload_deadline=today + dt.timedelta(days=10),
        results_release_date=today + dt.timedelta(days=20),
    )
    school = SchoolFactory()
    user = make_user("bench_school", "Bench-Password-2026")
    grant(user, "school_organizer", school)
    ParticipantCode.objects.bulk_create(
        ParticipantCode(
            campaign=work.campaign,
            school=school,
            municipality_id=school.municipality_id,
            region_id=school.region_id,
            grade=4,
            class_number=1 + n % 4,
            code=f"4{n:04d}" if args.participants < 10_000 else f"{10_000 + n}",
        )
        for n in range(1, args.participants + 1)
    )
    SchoolWorkDate.objects.create(
        school=school,
        work=work,
        date=today - dt.timedelta(days=1),
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )
    actor = actor_for_user(user)
    spec = sel.form_spec(
        actor=actor,
        school=school,
        work=sel.work_get(actor=actor, work_id=work.pk),
        action="results.upload",
    )
    rng = random.Random(2026)

    def form() -> bytes:
        rows = []
        for p in spec.prefill:
            if rng.random() < 0.05:
                rows.append(xlsx.Row(p.code, True, None, (), p.class_number, None))
                continue
            scores = tuple(
                None if rng.random() < 0.05 else rng.randint(0, c.max_score) for c in spec.columns
            )
            rows.append(
                xlsx.Row(
                    p.code, False, rng.randint(1, 2), scores, p.class_number, rng.randint(2, 5)
                )
            )
        return xlsx.form_workbook(spec, rows)

    t0 = time.perf_counter()
    forms = [form() for _ in range(2 * args.rounds + 2)]
    build = (time.perf_counter() - t0) / len(forms)

    floor, parse = Timed(), Timed()
    for content in forms[: args.rounds]:
        with floor:
            calamine_read(content)
        with parse:
            xlsx.read_form(content, spec)

    services.results_upload(  # warm-up: creates the school × work row
        actor=actor, school_id=school.pk, work_id=work.pk, content=forms[-1], filename="w.xlsx"
    )
    import cProfile
    import pstats
    from unittest import mock

    enqueued: list[dict[str, int]] = []
    patch = mock.patch.object(services, "_enqueue_stats", lambda **ids: enqueued.append(ids))
    patch.start()

    profiler = cProfile.Profile(time.process_time) if args.profile else None
    service = Timed()
    for content in forms[: args.rounds]:
        if profiler is not None:
            profiler.enable()
        with service:
            services.results_upload(
                actor=actor,
                school_id=school.pk,
                work_id=work.pk,
                content=content,
                filename="f.xlsx",
            )
        if profiler is not None:
            profiler.disable()
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    stats = Timed()
    stats_profiler = cProfile.Profile(time.process_time) if args.profile else None
    for ids in enqueued:  # the statistics job of each upload, as the worker runs it
        if stats_profiler is not None:
            stats_profiler.enable()
        with stats:
            services.results_stats_run(**ids)
        if stats_profiler is not None:
            stats_profiler.disable()
    # SQL statements of one upload and of one statistics job (counted apart from the timings)
    with CaptureQueriesContext(connection) as upload_queries:
        services.results_upload(
            actor=actor, school_id=school.pk, work_id=work.pk, content=forms[0], filename="q.xlsx"
        )
    upload_sql = list(upload_queries.captured_queries)
    with CaptureQueriesContext(connection) as stats_queries:
        services.results_stats_run(**enqueued[-1])
    stats_sql = list(stats_queries.captured_queries)
    if args.profile:
        for query in [*upload_sql, *stats_sql]:
            print("   ", query["sql"][:160])
    if stats_profiler is not None:
        pstats.Stats(stats_profiler).sort_stats("tottime").print_stats(20)

    patch.stop()
    client = Client()
    client.force_login(user)
    url = reverse("api-school-results", kwargs={"school_id": school.pk, "work_id": work.pk})
    api = Timed()
    for content in forms[args.rounds : 2 * args.rounds]:
        upload = SimpleUploadedFile("f.xlsx", content)
        with api:
            response = client.post(url, {"file": upload})
        assert response.status_code == 201, response.content

    versions = ResultVersion.objects.count()
    rows = ParticipantResult.objects.count()
    print(f"database:            {connection.vendor}")
    print(f"participants:        {args.participants} × {len(spec.columns)} task columns")
    print(f"rounds:              {args.rounds} (each a different file, {len(forms[0])} bytes)")
    print(f"build a filled form: {build * 1000:7.1f} ms (openpyxl; not part of an upload)")
    print(f"floor (calamine):    {_ms(floor)}")
    print(f"parse+validate:      {_ms(parse, floor)}")
    print(f"service (stored):    {_ms(service, floor)}")
    print(f"API in-process:      {_ms(api, floor)} (stats task run eagerly inside)")
    print(f"stats job:           {_ms(stats)}")
    print(f"SQL statements:      {len(upload_sql)} per upload, {len(stats_sql)} per statistics job")
    print(f"versions kept: {versions}, current result rows: {rows}   [{_load()}]")
    service_ms = statistics.median(service.wall) * 1000
    verdict = "meets" if service_ms < TARGET_MEDIAN_MS else "misses"
    print(f"target: median under {TARGET_MEDIAN_MS:.0f} ms server-side — {verdict}")
    ratio = parse.median_cpu() / floor.median_cpu()
    verdict = "meets" if ratio <= TARGET_RATIO else "misses"
    print(
        f"target: parse+validate ≤ {TARGET_RATIO:.0f}× the bare read (CPU) — {ratio:.2f}× {verdict}"
    )
    if args.participants >= 10_000:
        stored = statistics.median(service.wall)
        verdict = "meets" if stored < TARGET_BIG_SECONDS else "misses"
        print(
            f"target: a {args.participants}-row form stored in < {TARGET_BIG_SECONDS:.0f} s — "
            f"{stored:.2f} s wall, {service.median_cpu():.2f} s CPU {verdict}"
        )


if __name__ == "__main__":
    main()
