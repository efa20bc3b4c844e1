"""An upload's statistics job (``results_stats_run``: the school's statistics, then the
analytics) writes exactly the rows of the previous implementation (the ORM path kept here as the
reference), from the same state, step by step; on SQLite and PostgreSQL. The statistics'
reads are compiled once and their row is written by one UPDATE (or its first INSERT).

Run on PostgreSQL with ``DATABASE_URL=postgres://…``."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.analytics.models import WorkAggregate
from apps.analytics.tests import test_refresh_identity as analytics_identity
from apps.analytics.tests.factories import put_results
from apps.campaigns.tests.factories import SubjectFactory, WorkFactory
from apps.core.models import Job
from apps.core.scoping import Level
from apps.materials.models import ParticipantCode
from apps.registration.access import A, Actor
from apps.results import selectors as sel
from apps.results.constants import RESULTS_STATS
from apps.results.models import ParticipantResult, ResultSheet, ResultVersion, SchoolWorkStats
from apps.results.services import results_stats_refresh, results_stats_run
from conftest import World

STATS_FIELDS = [f.attname for f in SchoolWorkStats._meta.concrete_fields]
STATS_COMPARED = [name for name in STATS_FIELDS if name not in {"id", "computed_at"}]


# --- the previous implementation, verbatim but for its name (the reference) -----------------


def _reference_stats_refresh(*, school_id: int, work_id: int) -> SchoolWorkStats | None:
    actor = Actor.system(reason="results.stats_refresh")
    with transaction.atomic():
        sheet = (
            ResultSheet.objects.for_actor(actor, A.VIEW_RESULTS)
            .select_for_update()
            .filter(school_id=school_id, work_id=work_id)
            .first()
        )
        if sheet is None or sheet.current_version_id is None:
            return None
        work = sel.work_get(actor=actor, work_id=work_id)
        columns = work.columns.count()
        rows = list(
            ParticipantResult.objects.for_actor(actor, A.VIEW_RESULTS)
            .filter(sheet=sheet)
            .values_list("absent", "scores", "primary_score", "mark", "journal_mark")
        )
        histogram = [0] * (work.max_score + 1)
        sums = [0] * columns
        marks: Counter[int] = Counter()
        journal: Counter[str] = Counter()
        versus: Counter[str] = Counter()
        present = 0
        for absent, scores, primary, mark, journal_mark in rows:
            if absent or primary is None or mark is None:
                continue
            present += 1
            histogram[min(primary, work.max_score)] += 1
            for j, score in enumerate(scores[: len(sums)]):
                sums[j] += score or 0
            marks[mark] += 1
            journal[str(journal_mark)] += 1
            if journal_mark:
                versus[
                    "lower" if mark < journal_mark else "higher" if mark > journal_mark else "equal"
                ] += 1
        values = {
            "municipality_id": sheet.municipality_id,
            "region_id": sheet.region_id,
            "version_number": sheet.version_count,
            "participants": present,
            "absent": len(rows) - present,
            "mark2": marks[2],
            "mark3": marks[3],
            "mark4": marks[4],
            "mark5": marks[5],
            "histogram": histogram,
            "column_sums": sums,
            "journal": dict(sorted(journal.items())),
            "vs_journal": {key: versus[key] for key in ("lower", "equal", "higher")},
            "computed_at": timezone.now(),
        }
        stats_rows = SchoolWorkStats.objects.for_actor(actor, A.VIEW_RESULTS)
        mine = stats_rows.filter(school_id=school_id, work_id=work_id)
        if not mine.update(**values):
            stats_rows.create(school_id=school_id, work_id=work_id, **values)
    return mine.first()


# --- helpers --------------------------------------------------------------------------------


def _upload(school: Any, work: Any, rows: list[tuple[Any, ...]]) -> None:
    """Replace a school's results and make them its sheet's current version (as an upload)."""
    put_results(school, work, rows)
    sheet = ResultSheet.objects.get(school=school, work=work)
    version = ResultVersion.objects.filter(sheet=sheet).order_by("-number").first()
    sheet.current_version = version
    sheet.version_count = version.number if version is not None else 0
    sheet.save(update_fields=["current_version", "version_count"])


def _random_rows(work: Any, rng: random.Random, size: int) -> list[tuple[Any, ...]]:
    maxima = list(work.columns.order_by("position").values_list("max_score", flat=True))
    rows: list[tuple[Any, ...]] = []
    for n in range(size):
        code = f"{40001 + n}"
        if rng.random() < 0.15:
            rows.append((code, "отсутствовал", None))
            continue
        scores = [None if rng.random() < 0.1 else rng.randint(0, m) for m in maxima]
        rows.append((code, scores, rng.choice((0, 2, 3, 4, 5))))
    return rows


def _edge_rows(school: Any, work: Any) -> None:
    """Rows the upload never writes, counted alike by both: a mark left empty (not counted), a
    score line shorter and one longer than the columns, a primary score above the maximum."""
    first, second, third, fourth = list(
        ParticipantResult.objects.filter(school_id=school.pk, work=work, absent=False).order_by(
            "code"
        )[:4]
    )
    first.mark = None
    first.save(update_fields=["mark"])
    second.scores = second.scores[:1]
    second.save(update_fields=["scores"])
    third.scores = [*third.scores, 7, None]
    third.save(update_fields=["scores"])
    fourth.primary_score = work.max_score + 3
    fourth.save(update_fields=["primary_score"])


def _stats() -> dict[tuple[int, int], dict[str, Any]]:
    rows = SchoolWorkStats.objects.values(*STATS_COMPARED)
    return {(r["school_id"], r["work_id"]): r for r in rows}


def _fields(row: Any, names: list[str]) -> dict[str, Any] | None:
    return None if row is None else {name: getattr(row, name) for name in names}


def _same_stats(school: Any, work: Any) -> SchoolWorkStats | None:
    """The reference, then from the same rows the refresh: identical rows and returned row."""
    before = list(SchoolWorkStats.objects.values(*STATS_FIELDS))
    expected_row = _reference_stats_refresh(school_id=school.pk, work_id=work.pk)
    expected = _stats()
    SchoolWorkStats.objects.all().delete()
    SchoolWorkStats.objects.bulk_create(SchoolWorkStats(**row) for row in before)
    returned = results_stats_refresh(school_id=school.pk, work_id=work.pk)
    assert _stats() == expected
    assert _fields(returned, STATS_COMPARED) == _fields(expected_row, STATS_COMPARED)
    if returned is not None:  # the row returned is the row stored (its id and instant too)
        stored = SchoolWorkStats.objects.values(*STATS_FIELDS).get(pk=returned.pk)
        assert _fields(returned, STATS_FIELDS) == stored
    return returned


@pytest.fixture
def works(world: World) -> tuple[Any, Any]:
    """Two works of one campaign: 3 and 15 columns."""
    from apps.analytics.tests.factories import small_work

    small = small_work()
    large = WorkFactory(
        campaign=small.campaign, subject=SubjectFactory(code="math", name="Математика"), grade=5
    )
    return small, large


# --- tests ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_statistics_are_the_rows_of_the_previous_implementation(
    world: World, works: tuple[Any, Any]
) -> None:
    rng = random.Random(20261207)
    small, large = works
    # a school × work without a sheet, and a sheet without a current version: no row
    assert _same_stats(world.schools["B2b"], small) is None
    ResultSheet.objects.create(
        school=world.schools["B2b"],
        work=small,
        municipality_id=world.schools["B2b"].municipality_id,
        region_id=world.schools["B2b"].region_id,
    )
    assert _same_stats(world.schools["B2b"], small) is None
    # the first statistics of every school × work (an INSERT), then a re-upload (an UPDATE)
    for key, school in sorted(world.schools.items()):
        if key == "B2b":
            continue
        for work in (small, large):
            _upload(school, work, _random_rows(work, rng, rng.randint(6, 20)))
            assert _same_stats(school, work) is not None
    _edge_rows(world.schools["A2b"], small)
    _upload(world.schools["A1a"], large, _random_rows(large, rng, 3))
    for key in ("A2b", "A1a"):
        for work in (small, large):
            assert _same_stats(world.schools[key], work) is not None
    # only absent participants
    _upload(world.schools["B2a"], small, [("40001", "отсутствовал", None)])
    only_absent = _same_stats(world.schools["B2a"], small)
    assert only_absent is not None
    assert (only_absent.participants, only_absent.absent) == (0, 1)
    # the statistics read and write three statements, the reads compiled once
    with CaptureQueriesContext(connection) as queries:
        results_stats_refresh(school_id=world.schools["A1a"].pk, work_id=small.pk)
    statements = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith(("SELECT", "UPDATE"))
    ]
    assert len(statements) == 3
    assert statements[2].startswith('UPDATE "results_schoolworkstats"')


@pytest.mark.django_db
def test_the_job_writes_the_rows_of_the_previous_implementation(
    world: World, works: tuple[Any, Any]
) -> None:
    rng = random.Random(7)
    small, large = works
    jobs = []
    for _key, school in sorted(world.schools.items()):
        for work in (small, large):
            _upload(school, work, _random_rows(work, rng, rng.randint(4, 12)))
            jobs.append((school, work))
    for code in ("40001", "40002", "40003"):  # ОВЗ participants at two schools
        for key in ("A1a", "B1b"):
            school = world.schools[key]
            ParticipantCode.objects.create(
                campaign=small.campaign,
                school=school,
                municipality_id=school.municipality_id,
                region_id=school.region_id,
                grade=small.grade,
                code=code,
                ovz=True,
            )
    for number, (school, work) in enumerate(jobs):
        # given the rows of the previous implementation's statistics and analytics
        before = (
            list(SchoolWorkStats.objects.values(*STATS_FIELDS)),
            list(WorkAggregate.objects.values(*analytics_identity.ALL_FIELDS)),
        )
        _reference_stats_refresh(school_id=school.pk, work_id=work.pk)
        analytics_identity._reference_refresh(school_id=school.pk, work_id=work.pk)
        expected = (_stats(), analytics_identity._snapshot())
        SchoolWorkStats.objects.all().delete()
        SchoolWorkStats.objects.bulk_create(SchoolWorkStats(**row) for row in before[0])
        analytics_identity._restore(before[1])
        # when the job of that upload runs from the same rows
        job = Job.objects.create(
            kind=RESULTS_STATS,
            key=f"{RESULTS_STATS}:identity:{number}",
            region_id=school.region_id,
            municipality_id=school.municipality_id,
            school_id=school.pk,
            params={"school_id": school.pk, "work_id": work.pk, "version": 1},
        )
        with CaptureQueriesContext(connection) as queries:
            stats = results_stats_run(job_id=job.pk)
        # then it writes the same rows, and is done
        assert (_stats(), analytics_identity._snapshot()) == expected
        assert stats is not None
        assert stats.pk == SchoolWorkStats.objects.get(school_id=school.pk, work_id=work.pk).pk
        job.refresh_from_db()
        assert job.status == Job.Status.DONE
        # and a job run again (a redelivered message) does nothing
        assert results_stats_run(job_id=job.pk) is None
    # (every level, ОВЗ participants summed up to Russia)
    federal = WorkAggregate.objects.get(work=small, level=Level.FEDERAL)
    assert federal.subsets["ovz"]["participants"] > 0
    # a re-upload's job, with the school's rows in place: the claim (UPDATE, SELECT), the
    # statistics (3), the analytics (5), the job done (1)
    school = world.schools["A1a"]
    _upload(school, small, _random_rows(small, rng, 5))
    job = Job.objects.create(
        kind=RESULTS_STATS,
        key=f"{RESULTS_STATS}:identity:again",
        region_id=school.region_id,
        municipality_id=school.municipality_id,
        school_id=school.pk,
        params={"school_id": school.pk, "work_id": small.pk, "version": 2},
    )
    with CaptureQueriesContext(connection) as queries:
        results_stats_run(job_id=job.pk)
    statements = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].split(None, 1)[0].upper() in {"SELECT", "UPDATE", "INSERT", "DELETE", "WITH"}
    ]
    assert len(statements) == 11, statements
    assert SchoolWorkStats.objects.get(school_id=school.pk, work_id=small.pk).participants == (
        WorkAggregate.objects.get(work=small, level=Level.SCHOOL, unit_id=school.pk).participants
    )
