"""Helpers of the re-check tests: schools' own results with a flagged school, the clock after
the results' release (objectivity markers are embargoed before it), a marked case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.analytics.services import analytics_rebuild
from apps.objectivity.models import ReviewCase
from apps.objectivity.reviews import case_advance
from apps.objectivity.tests.scene import Scene
from apps.results import xlsx as results_xlsx


def high_rows(scene: Scene, key: str) -> list[results_xlsx.Row]:
    """Every participant of school ``key`` with the maximum score of every task («5»)."""
    columns = list(scene.work.columns.order_by("position"))
    return [
        results_xlsx.Row(code, False, 1 + i % 2, tuple(c.max_score for c in columns), 1, 5)
        for i, code in enumerate(scene.codes[key])
    ]


def low_rows(scene: Scene, key: str) -> list[results_xlsx.Row]:
    """Every participant of school ``key`` with 1 point in each basic («Б») task and nothing
    else: 11 points, «3» (no marker fires for such a school)."""
    columns = list(scene.work.columns.order_by("position"))
    scores = tuple(1 if c.difficulty == "Б" else 0 for c in columns)
    return [
        results_xlsx.Row(code, False, 1 + i % 2, scores, 1, 3)
        for i, code in enumerate(scene.codes[key])
    ]


def results_in(scene: Scene) -> None:
    """A1a far above its region (flagged «above_region»), the others low; aggregates built."""
    scene.upload_own("A1a", high_rows(scene, "A1a"))
    for key in ("A1b", "A2a", "B1a"):
        scene.upload_own(key, low_rows(scene, key))
    analytics_rebuild(work_id=scene.work.pk)


def after_release(scene: Scene, time_machine: Any) -> None:
    """The clock on the day after the work's results release (reports and markers open)."""
    day = scene.work.results_release_date + dt.timedelta(days=1)
    time_machine.move_to(dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC), tick=False)


def mark_case(case: ReviewCase) -> ReviewCase:
    """The case moved on as scans, allocation and marking move it (``reviews.case_advance``)."""
    for status in (ReviewCase.Status.SCANNED, ReviewCase.Status.MARKING):
        case_advance(case, status)
    case_advance(case, ReviewCase.Status.MARKED)
    return case


def scanned_booklets(scene: Scene, key: str, codes: list[str]) -> list[Any]:
    """The school's processed upload with one READY booklet per code (what the scans job and
    the code entry leave behind), variant 1."""
    from apps.objectivity.models import Booklet, ScanBatch

    school = scene.school(key)
    variant = scene.variants(key)[0]
    batch = ScanBatch.objects.create(
        school=school,
        work=scene.work,
        file_path=f"tests/scans/{key}.pdf",
        file_name="сканы.pdf",
        file_sha256="0" * 64,
        status=ScanBatch.Status.DONE,
        pages=len(codes),
        identified=len(codes),
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )
    return [
        Booklet.objects.create(
            batch=batch,
            work=scene.work,
            variant=variant,
            seq=n,
            pages_expected=1,
            code=code,
            status=Booklet.Status.READY,
            school_id=school.pk,
            municipality_id=school.municipality_id,
            region_id=school.region_id,
        )
        for n, code in enumerate(codes, start=1)
    ]
