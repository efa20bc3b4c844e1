"""Time the marking screen: «time to next page» for a commission marker.

Builds on a throw-away database (Django's test-database machinery; SQLite in a temporary
directory unless DATABASE_URL names PostgreSQL) with test settings: the shared objectivity
scene (Русский язык 4 класс, 15 task columns), N scanned booklets (default 2,000, their pages the
variant's rendered pages, one stored image per variant page) in region A's re-check, 20 % marked
twice, allocated to the region's three markers. Then, as one marker, over I iterations (default
200) of one task column:

* ``next_task`` (the selector alone);
* GET of the marking screen (Django test Client, logged in): next task, crops' list, criteria;
* GET of the task's first crop (PNG cut from the stored page);
* POST of the mark (saves, checks the pair and the case, redirects).

Prints median and p95 in ms.

    .venv/bin/python bench/marking_next.py
    .venv/bin/python bench/marking_next.py --booklets 500 --iterations 50
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpr_portal.settings.test")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _timed(step: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = step()
    return (time.perf_counter() - start) * 1000, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--booklets", type=int, default=2000)
    parser.add_argument("--iterations", type=int, default=200)
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


def _booklets(scene: Any, total: int) -> None:
    """``total`` READY booklets over A1a, A1b and A2a, pages shared per variant page."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from apps.objectivity.marking.tests.factories import page_pngs
    from apps.objectivity.models import Booklet, ScanBatch, ScanPage

    keys = ("A1a", "A1b", "A2a")
    for n, key in enumerate(keys):
        school = scene.school(key)
        ids = {"municipality_id": school.municipality_id, "region_id": school.region_id}
        batch = ScanBatch.objects.create(
            school=school,
            work=scene.work,
            file_path=f"bench/{key}.pdf",
            file_name="сканы.pdf",
            file_sha256=hashlib.sha256(key.encode()).hexdigest(),
            status=ScanBatch.Status.DONE,
            **ids,
        )
        docs = {d.number: d for d in scene.variant_docs(key)}
        variants = scene.variants(key)
        stored = {}
        for v in variants:
            stored[v.pk] = [
                default_storage.save(f"bench/{key}/{v.number}-{p}.png", ContentFile(png))
                for p, png in enumerate(page_pngs(docs[v.number]), start=1)
            ]
        count = total // len(keys) + (1 if n < total % len(keys) else 0)
        booklets = Booklet.objects.bulk_create(
            [
                Booklet(
                    batch=batch,
                    work=scene.work,
                    variant=variants[i % len(variants)],
                    seq=i + 1,
                    pages_expected=len(stored[variants[i % len(variants)].pk]),
                    code=f"{i:05d}",
                    status=Booklet.Status.READY,
                    school_id=school.pk,
                    **ids,
                )
                for i in range(count)
            ],
            batch_size=1000,
        )
        pages = []
        for i, booklet in enumerate(booklets):
            for p, path in enumerate(stored[booklet.variant_id], start=1):
                pages.append(
                    ScanPage(
                        batch=batch,
                        index=i * 10 + p,
                        booklet=booklet,
                        page_number=p,
                        status=ScanPage.Status.IDENTIFIED,
                        image_path=path,
                        width=600,
                        height=849,
                        school_id=school.pk,
                        **ids,
                    )
                )
        ScanPage.objects.bulk_create(pages, batch_size=2000)


def run(args: argparse.Namespace) -> None:
    import time_machine
    from django.test import Client
    from django.urls import reverse

    from apps.objectivity.marking import selectors, services
    from apps.objectivity.marking.tests.factories import recheck
    from apps.objectivity.models import MarkTask
    from apps.objectivity.tests.scene import IN_WINDOW, build_scene
    from apps.registration.access import actor_for_user
    from conftest import build_world

    with time_machine.travel(IN_WINDOW, tick=True):
        t0 = time.perf_counter()
        scene = build_scene(build_world())
        _booklets(scene, args.booklets)
        review = recheck(scene, ("A1a", "A1b", "A2a"), double_share=20, threshold=1)
        setup = time.perf_counter() - t0
        t0 = time.perf_counter()
        created = services.review_allocate(actor=scene.actor("regional"), review_id=review.pk)
        allocate = time.perf_counter() - t0

        user = scene.markers[0]
        actor = actor_for_user(user)
        column = scene.work.columns.get(label="4")
        client = Client()
        client.force_login(user)
        screen = reverse("objectivity-marking-screen", args=[review.pk])
        mine = MarkTask.objects.filter(review=review, marker=user).count()
        # warm-up: the variant sheets (regions, criteria) are cached per variant
        client.get(screen, {"column": column.pk})

        nexts, pages, crops, posts = [], [], [], []
        for i in range(args.iterations):
            ms, task = _timed(
                lambda: selectors.next_task(actor=actor, review_id=review.pk, column_id=column.pk)
            )
            nexts.append(ms)
            ms, response = _timed(lambda: client.get(screen, {"column": column.pk}))
            assert response.status_code == 200, response.status_code
            pages.append(ms)
            crop = reverse("objectivity-marking-crop", args=[task.pk])
            ms, response = _timed(partial(client.get, crop, {"part": 0}))
            assert response.status_code == 200, response.status_code
            crops.append(ms)
            enter = reverse("objectivity-marking-enter", args=[task.pk])
            ms, response = _timed(partial(client.post, enter, {"score": str(i % 4)}))
            assert response.status_code == 302, response.status_code
            posts.append(ms)

    print(f"database:             {connection_vendor()}")
    print(f"booklets:             {args.booklets} × 15 columns, 20 % twice")
    print(f"setup (scene, scans): {setup:7.2f} s")
    print(f"allocate:             {allocate:7.2f} s ({created} tasks, 3 markers)")
    print(f"marker's tasks:       {mine}")
    print(f"iterations:           {args.iterations} (task column 4)")
    for label, values in (
        ("next_task", nexts),
        ("screen GET", pages),
        ("crop GET (PNG)", crops),
        ("mark POST", posts),
        ("next page (GET+crop)", [a + b for a, b in zip(pages, crops, strict=True)]),
    ):
        median, p95 = statistics.median(values), _pct(values, 0.95)
        print(f"{label:<21} median {median:7.1f} ms   p95 {p95:7.1f} ms")


def connection_vendor() -> str:
    from django.db import connection

    return f"{connection.vendor} ({connection.settings_dict['NAME']})"


if __name__ == "__main__":
    main()
