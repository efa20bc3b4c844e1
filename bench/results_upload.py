"""Time a results upload: validate and store a 100-participant ФИС ОКО form (server side).

Builds on a throw-away database (Django's test-database machinery; SQLite in a temporary
directory unless DATABASE_URL names PostgreSQL) with test settings. Each round uploads a
different filled form of the same school × work, so every round validates every cell, locks the
school × work row, writes a new version and replaces 100 result rows.

Three figures per round:
* parse+validate — ``apps.results.xlsx.read_form`` alone (python-calamine + every cell rule);
* service — ``services.results_upload`` (scope checks, window, validation, the transaction with
  the row lock, version, 100 rows, audit), i.e. the server-side time of an upload; the
  statistics task it enqueues after commit runs on a worker in production, so here it is
  timed on its own (``stats task``) instead of inside the upload;
* API — the same through ``POST /api/v1/schools/{id}/results/{work_id}/`` in-process (Django
  test client: URL routing, authentication, multipart parsing, the view; no network).

    .venv/bin/python bench/results_upload.py
    DATABASE_URL=postgres://postgres@127.0.0.1/vpr_bench .venv/bin/python bench/results_upload.py
    .venv/bin/python bench/results_upload.py --participants 300 --rounds 50
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

    if connection.vendor == "sqlite":
        tmpdir = tempfile.mkdtemp(prefix="vpr-bench-")
        connection.settings_dict["TEST"]["NAME"] = str(Path(tmpdir) / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"median {statistics.median(values) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   "
        f"min {ordered[0] * 1000:6.1f} ms"
    )


def run(args: argparse.Namespace) -> None:
    import datetime as dt

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client
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
            code=f"4{n:04d}",
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

    parse = []
    for content in forms[: args.rounds]:
        t0 = time.perf_counter()
        xlsx.read_form(content, spec)
        parse.append(time.perf_counter() - t0)

    services.results_upload(  # warm-up: creates the school × work row
        actor=actor, school_id=school.pk, work_id=work.pk, content=forms[-1], filename="w.xlsx"
    )
    import cProfile
    import pstats
    from unittest import mock

    enqueued: list[dict[str, int]] = []
    patch = mock.patch.object(services, "_enqueue_stats", lambda **ids: enqueued.append(ids))
    patch.start()

    profiler = cProfile.Profile() if args.profile else None
    service = []
    for content in forms[: args.rounds]:
        t0 = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        services.results_upload(
            actor=actor, school_id=school.pk, work_id=work.pk, content=content, filename="f.xlsx"
        )
        if profiler is not None:
            profiler.disable()
        service.append(time.perf_counter() - t0)
    patch.stop()
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    stats = []
    for ids in enqueued:
        t0 = time.perf_counter()
        services.results_stats_refresh(**ids)
        stats.append(time.perf_counter() - t0)

    client = Client()
    client.force_login(user)
    url = reverse("api-school-results", kwargs={"school_id": school.pk, "work_id": work.pk})
    api = []
    for content in forms[args.rounds : 2 * args.rounds]:
        upload = SimpleUploadedFile("f.xlsx", content)
        t0 = time.perf_counter()
        response = client.post(url, {"file": upload})
        api.append(time.perf_counter() - t0)
        assert response.status_code == 201, response.content

    versions = ResultVersion.objects.count()
    rows = ParticipantResult.objects.count()
    print(f"database:            {connection.vendor}")
    print(f"participants:        {args.participants} × {len(spec.columns)} task columns")
    print(f"rounds:              {args.rounds} (each a different file, {len(forms[0])} bytes)")
    print(f"build a filled form: {build * 1000:7.1f} ms (openpyxl; not part of an upload)")
    print(f"parse+validate:      {_ms(parse)}")
    print(f"service (stored):    {_ms(service)}")
    print(f"API in-process:      {_ms(api)} (stats task run eagerly inside)")
    print(f"stats task:          {_ms(stats)}")
    print(f"versions kept: {versions}, current result rows: {rows}")
    verdict = "meets" if statistics.median(service) * 1000 < TARGET_MEDIAN_MS else "misses"
    print(f"target: median under {TARGET_MEDIAN_MS:.0f} ms server-side — {verdict}")


if __name__ == "__main__":
    main()
