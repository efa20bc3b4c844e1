"""Time `manage.py seed_demo --size national` (and re-runs) on a fresh database.

The database is a throw-away one made by Django's test-database machinery: for SQLite a
temporary file, for PostgreSQL ``test_<name>`` of DATABASE_URL. The development database
(db.sqlite3) is never touched. See bench/README.md.

    .venv/bin/python bench/seed_national.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vpr_bench \
        .venv/bin/python bench/seed_national.py
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpr_portal.settings.local")


def _timed(step: Callable[[], object]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from apps.registration.models import Municipality, Region, School, User

    tmpdir = None
    if connection.vendor == "sqlite":
        tmpdir = tempfile.mkdtemp(prefix="vpr-bench-")
        connection.settings_dict["TEST"]["NAME"] = str(Path(tmpdir) / "bench.sqlite3")

    def seed(size: str) -> Callable[[], object]:
        return lambda: call_command("seed_demo", size=size, stdout=io.StringIO())

    old_name = ""

    def create() -> None:
        nonlocal old_name
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )

    migrate_s = _timed(create)
    try:
        db_name = connection.settings_dict["NAME"]
        national_s = _timed(seed("national"))
        counts = (
            Region.objects.count(),
            Municipality.objects.count(),
            School.objects.count(),
            User.objects.count(),
        )
        rerun_s = _timed(seed("national"))
        small_after_s = _timed(seed("small"))
        unchanged = counts == (
            Region.objects.count(),
            Municipality.objects.count(),
            School.objects.count(),
            User.objects.count(),
        )
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"database:            {connection.vendor} ({db_name})")
    print(f"migrate (fresh DB):  {migrate_s:6.2f} s")
    print(f"seed national:       {national_s:6.2f} s")
    print(f"seed national again: {rerun_s:6.2f} s")
    print(f"seed small after it: {small_after_s:6.2f} s")
    regions, municipalities, schools, users = counts
    print(
        f"rows: {regions} regions, {municipalities} municipalities, {schools} schools, "
        f"{users} demo accounts; {schools / national_s:,.0f} schools/s"
    )
    print(f"re-runs changed no counts: {'yes' if unchanged else 'NO'}")
    if tmpdir and not args.keep:
        Path(tmpdir).rmdir()


if __name__ == "__main__":
    main()
