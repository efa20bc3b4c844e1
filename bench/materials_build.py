"""Time the materials build: N schools × one work (variants, PDFs, xlsx, archive, publication).

Builds on a throw-away database (Django's test-database machinery; SQLite in a temporary
directory unless DATABASE_URL names PostgreSQL) with test settings (files in a temporary
MEDIA_ROOT). Runs the real task bodies in this one process, so the figure is per core.

    .venv/bin/python bench/materials_build.py                 # 200 schools, Русский язык 4
    .venv/bin/python bench/materials_build.py --grade8        # the encrypted .7z variant
    .venv/bin/python bench/materials_build.py --schools 50 --profile
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpr_portal.settings.test")

TARGET_PER_CORE = 4.5  # 40,000 schools × 6 works in 30 minutes on 32 cores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--grade8", action="store_true", help="an encrypted grade-8 work")
    parser.add_argument("--profile", action="store_true", help="print the top cProfile entries")
    args = parser.parse_args()

    import logging

    import django

    django.setup()
    logging.getLogger().setLevel(logging.WARNING)
    from django.db import connection

    tmpdir = None
    if connection.vendor == "sqlite":
        tmpdir = tempfile.mkdtemp(prefix="vpr-bench-")
        connection.settings_dict["TEST"]["NAME"] = str(Path(tmpdir) / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args: argparse.Namespace) -> None:
    from apps.core.models import Job
    from apps.materials import services
    from apps.materials.models import Kit
    from apps.materials.tests.factories import SYSTEM, apply, grade8, russian4
    from apps.registration.tests.factories import MunicipalityFactory, RegionFactory, SchoolFactory

    rng = random.Random(2026)
    t0 = time.perf_counter()
    work = grade8() if args.grade8 else russian4()
    region = RegionFactory()
    munis = [MunicipalityFactory(region=region) for _ in range(max(1, args.schools // 20))]
    for n in range(args.schools):
        school = SchoolFactory(municipality=munis[n % len(munis)])
        classes = rng.randint(1, 4)
        apply(school, work, participants=rng.randint(classes * 15, classes * 28), classes=classes)
    setup = time.perf_counter() - t0

    t0 = time.perf_counter()
    result = services.kits_generate(actor=SYSTEM, work_id=work.pk)
    generate = time.perf_counter() - t0

    from unittest import mock

    from apps.materials.tasks import kit_build_task

    # Create the jobs only: the loop below runs the task bodies itself, timed.
    with mock.patch.object(kit_build_task, "delay"):
        services.kit_build_request(actor=SYSTEM, work_id=work.pk)
    jobs = list(Job.objects.filter(kind=services.KIT_BUILD).values_list("pk", flat=True))
    services.BUILD_STATS.clear()
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t0 = time.perf_counter()
    c0 = time.process_time()
    for job_id in jobs:
        services.kit_build_run(job_id=job_id)
    build = time.perf_counter() - t0
    cpu = time.process_time() - c0
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)

    kits = Kit.objects.filter(work=work)
    ready = kits.filter(status=Kit.Status.READY).count()
    sizes = list(kits.values_list("archive_size", flat=True))
    stats = services.BUILD_STATS
    other = build - sum(stats.values())
    rate = len(jobs) / build
    print(f"work:                 {work} ({'7z AES-256' if work.encrypted_archive else 'zip'})")
    print(f"schools:              {args.schools} in {len(munis)} municipalities")
    print(f"setup:                {setup:7.2f} s")
    print(f"generate variants:    {generate:7.2f} s ({result.created} kits, codes included)")
    print(f"build archives:       {build:7.2f} s ({ready}/{len(jobs)} ready)")
    print(f"archives per second:  {rate:7.2f} per core (target {TARGET_PER_CORE})")
    print(
        f"  by CPU time:        {len(jobs) / cpu:7.2f} per core ({cpu:.2f} s CPU of {build:.2f} s)"
    )
    print(f"mean archive size:    {sum(sizes) / max(1, len(sizes)) / 1024:7.1f} KiB")
    for part in ("pdf", "xlsx", "compression", "storage"):
        value = stats.get(part, 0.0)
        print(f"  {part:<19} {value:7.2f} s  {100 * value / build:5.1f} %")
    print(f"  {'other (DB, manifest)':<19} {other:7.2f} s  {100 * other / build:5.1f} %")
    for label, per_core in (("wall clock", rate), ("CPU time", len(jobs) / cpu)):
        national = 40_000 * 6 / (per_core * 32) / 60
        print(f"national build by {label}: {national:5.1f} min on 32 cores (40,000 × 6 works)")


if __name__ == "__main__":
    main()
