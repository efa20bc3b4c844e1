"""The full rebuild writes exactly the rows the incremental refreshes write, field for field
(subsets included), on SQLite and on PostgreSQL, where the rebuild is one ``INSERT … SELECT``
per work (``apps/analytics/rebuild.py``) and is also compared with the portable Python path.

Run on PostgreSQL with ``DATABASE_URL=postgres://…`` (see docs/analytics-reports.md)."""

from __future__ import annotations

import random
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.analytics import rebuild
from apps.analytics.models import WorkAggregate
from apps.analytics.services import analytics_rebuild, analytics_school_refresh
from apps.analytics.tests.factories import put_results, small_work
from apps.campaigns.tests.factories import CampaignFactory, SubjectFactory, WorkFactory
from apps.core.scoping import Level
from apps.materials.models import ParticipantCode
from apps.results.models import ParticipantResult
from conftest import World, need_service

IGNORED = {"id", "computed_at"}
FIELDS = [f.attname for f in WorkAggregate._meta.concrete_fields if f.attname not in IGNORED]


def _snapshot() -> dict[tuple[int, int, int], dict[str, Any]]:
    rows = WorkAggregate.objects.values(*FIELDS)
    return {(r["work_id"], r["level"], r["unit_id"]): r for r in rows}


def _rows(work: Any, rng: random.Random, size: int) -> list[tuple[Any, ...]]:
    """``size`` participants of ``work``: some absent, «X» cells, no journal mark, journal marks
    two apart; (code, scores or None for absent, journal mark)."""
    maxima = list(work.columns.order_by("position").values_list("max_score", flat=True))
    rows: list[tuple[Any, ...]] = []
    for n in range(size):
        code = f"{40001 + n}"
        if rng.random() < 0.15:
            rows.append((code, None, None))
            continue
        scores = [None if rng.random() < 0.1 else rng.randint(0, m) for m in maxima]
        rows.append((code, scores, rng.choice((0, 2, 3, 4, 5))))
    return rows


def _put(school: Any, work: Any, rows: list[tuple[Any, ...]]) -> None:
    put_results(school, work, [(c, s if s is not None else "отсутствовал", j) for c, s, j in rows])


def _edge_rows(work: Any, school: Any) -> None:
    """Rows the upload never writes but the aggregates must treat alike in every path: a mark
    left empty (the scale decides), a score line shorter and one longer than the columns, a
    primary score above the maximum (the histogram's last bucket)."""
    results = ParticipantResult.objects.filter(work=work, school_id=school.pk, code__gte="45000")
    first, second, third, fourth = list(results.order_by("code"))
    first.mark = None
    first.save(update_fields=["mark"])
    second.scores = second.scores[:1]
    second.save(update_fields=["scores"])
    third.scores = [*third.scores, 7, None]
    third.save(update_fields=["scores"])
    fourth.primary_score = work.max_score + 3
    fourth.mark = None
    fourth.save(update_fields=["primary_score", "mark"])


def _ovz(work: Any, school: Any, codes: list[str], *, ovz: bool = True) -> None:
    for code in codes:
        ParticipantCode.objects.create(
            campaign=work.campaign,
            school=school,
            municipality_id=school.municipality_id,
            region_id=school.region_id,
            grade=work.grade,
            code=code,
            ovz=ovz,
        )


@pytest.fixture
def scene(world: World) -> dict[str, Any]:
    """Two works of one campaign (3 and 15 columns) over the eight schools of the world: one
    school without results, one with absent participants only, ОВЗ codes at some schools, one
    school whose participants are all ОВЗ (and an ОВЗ code of another campaign, which must not
    count)."""
    rng = random.Random(20261207)
    small = small_work()
    large = WorkFactory(
        campaign=small.campaign, subject=SubjectFactory(code="math", name="Математика"), grade=5
    )
    other = CampaignFactory(year=2025)
    for key, school in sorted(world.schools.items()):
        if key == "B2b":
            continue  # no results at all
        for work in (small, large):
            rows = _rows(work, rng, rng.randint(3, 14))
            if key == "B2a" and work is small:
                rows = [(c, None, None) for c, _, _ in rows]  # only absent participants
            if key == "A2b" and work is small:
                rows += [(f"4500{n}", [1, 2, 0], 4) for n in range(4)]  # see _edge_rows
            _put(school, work, rows)
    _ovz(small, world.schools["A1a"], ["40001", "40002", "40003"])
    _ovz(small, world.schools["A1b"], ["40004"], ovz=False)
    _ovz(large, world.schools["B1a"], ["40002", "40005"])
    # every participant of B1b is ОВЗ: its rows have an «ovz» subset only
    only_ovz = ParticipantResult.objects.filter(school_id=world.schools["B1b"].pk)
    _ovz(large, world.schools["B1b"], sorted(set(only_ovz.values_list("code", flat=True))))
    ParticipantCode.objects.create(
        campaign=other,
        school=world.schools["A2a"],
        municipality_id=world.schools["A2a"].municipality_id,
        region_id=world.schools["A2a"].region_id,
        grade=4,
        code="40001",
        ovz=True,
    )
    _edge_rows(small, world.schools["A2b"])
    return {"works": (small, large), "rng": rng}


def _refresh_all(world: World, works: tuple[Any, ...]) -> None:
    for school in world.schools.values():
        for work in works:
            analytics_school_refresh(school_id=school.pk, work_id=work.pk)


@pytest.mark.django_db
def test_rebuild_equals_incremental(world: World, scene: dict[str, Any]) -> None:
    # given the aggregates built by the refreshes after each school's upload
    _refresh_all(world, scene["works"])
    incremental = _snapshot()
    # (every level, both works, and ОВЗ subsets that are not empty)
    assert {level for _, level, _ in incremental} == set(Level)
    assert len(incremental) == 2 * (7 + 4 + 2 + 1)
    federal = incremental[(scene["works"][0].pk, Level.FEDERAL, 0)]
    assert federal["subsets"]["ovz"]["participants"] > 0
    # (and units with one subset only: no ОВЗ participants, or ОВЗ participants only)
    only_ovz = incremental[(scene["works"][1].pk, Level.SCHOOL, world.schools["B1b"].pk)]
    assert only_ovz["subsets"]["ovz"]["participants"] > 0
    assert (
        only_ovz["subsets"]["no_ovz"]["participants"]
        == only_ovz["subsets"]["no_ovz"]["absent"]
        == 0
    )
    assert only_ovz["histogram"] == only_ovz["subsets"]["ovz"]["histogram"]
    no_ovz = incremental[(scene["works"][1].pk, Level.SCHOOL, world.schools["A2a"].pk)]
    assert no_ovz["subsets"]["ovz"]["participants"] == 0
    # when everything is rebuilt from scratch (in the database on PostgreSQL)
    with CaptureQueriesContext(connection) as queries:
        written = analytics_rebuild()
    # then every row is identical, field for field
    assert written == len(incremental)
    assert _snapshot() == incremental
    if connection.vendor == "postgresql":
        # (one statement per work computed the rows: no participant row came to Python)
        assert sum("WITH raw AS" in q["sql"] for q in queries.captured_queries) == 2
        assert not any(
            q["sql"].startswith('SELECT "results_participantresult"')
            for q in queries.captured_queries
        )
    # and the portable path (Python, row by row) writes them too
    assert analytics_rebuild(portable=True) == len(incremental)
    assert _snapshot() == incremental


@pytest.mark.django_db
def test_incremental_after_rebuild_changes_nothing(world: World, scene: dict[str, Any]) -> None:
    # given the aggregates of a full rebuild only
    analytics_rebuild()
    rebuilt = _snapshot()
    # when every school × work is refreshed as after an upload
    _refresh_all(world, scene["works"])
    # then the rows are the same (and no row was added or lost)
    assert _snapshot() == rebuilt


@pytest.mark.django_db
def test_reupload_after_rebuild_then_rebuild_again(world: World, scene: dict[str, Any]) -> None:
    # given a rebuild, then a re-upload at A1a (fewer participants) and a school that had
    # none (B2b), each refreshed incrementally
    small, large = scene["works"]
    analytics_rebuild()
    _put(world.schools["A1a"], small, _rows(small, scene["rng"], 2))
    _put(world.schools["B2b"], large, _rows(large, scene["rng"], 5))
    analytics_school_refresh(school_id=world.schools["A1a"].pk, work_id=small.pk)
    analytics_school_refresh(school_id=world.schools["B2b"].pk, work_id=large.pk)
    incremental = _snapshot()
    # when everything is rebuilt again, one work at a time
    for work in (small, large):
        analytics_rebuild(work_id=work.pk)
    # then the rebuild agrees with the refreshes
    assert _snapshot() == incremental
    assert incremental[(large.pk, Level.SCHOOL, world.schools["B2b"].pk)]["participants"] > 0


def _staging_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE starts_with(tablename, %s)",
            [rebuild.STAGING_PREFIX],
        )
        return [name for (name,) in cursor.fetchall()]


def _order() -> list[tuple[int, int, int]]:
    return list(WorkAggregate.objects.order_by("id").values_list("work_id", "level", "unit_id"))


@pytest.mark.django_db(transaction=True)
def test_parallel_rebuild_publishes_the_serial_rows(
    world: World, scene: dict[str, Any], settings: Any
) -> None:
    need_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL")
    # given the incremental rows, and a leftover staging table of a rebuild that died
    _refresh_all(world, scene["works"])
    incremental = _snapshot()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE UNLOGGED TABLE {rebuild.STAGING_PREFIX}dead_1 (id integer)")
    # and the rows of a rebuild on one connection, in their id order
    settings.ANALYTICS_REBUILD_CONNECTIONS = 1
    analytics_rebuild()
    assert _snapshot() == incremental
    serial = _order()
    # when the works are computed at once, each on a connection of its own
    settings.ANALYTICS_REBUILD_CONNECTIONS = 2
    with CaptureQueriesContext(connection) as queries:
        written = analytics_rebuild()
    # then the same rows are published, field for field and in the same id order
    assert written == len(incremental)
    assert _snapshot() == incremental
    assert _order() == serial
    # (computed elsewhere: this connection only copied two staged works and stamped them)
    statements = [q["sql"] for q in queries.captured_queries]
    assert not any("WITH raw AS" in sql for sql in statements)
    copies = [
        sql for sql in statements if sql.startswith("INSERT") and rebuild.STAGING_PREFIX in sql
    ]
    assert len(copies) == 2
    assert WorkAggregate.objects.values("computed_at").distinct().count() == 1
    # and no staging table is left, the dead one included
    assert _staging_tables() == []


@pytest.mark.django_db(transaction=True)
def test_parallel_rebuild_that_fails_changes_nothing(
    world: World, scene: dict[str, Any], settings: Any
) -> None:
    need_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL")
    # given the incremental rows
    _refresh_all(world, scene["works"])
    incremental = _snapshot()
    settings.ANALYTICS_REBUILD_CONNECTIONS = 2
    real_run = rebuild._run
    failing = scene["works"][1].pk

    def run(cursor: Any, work: Any, columns: int, *, into: str | None) -> int:
        written = real_run(cursor, work, columns, into=into)
        if work.pk == failing:
            raise RuntimeError("the statement of one work failed")
        return written

    # when one work's statement fails on its connection
    with mock.patch.object(rebuild, "_run", run), pytest.raises(RuntimeError):
        analytics_rebuild()
    # then the old rows stay as they were, and no staging table is left
    assert _snapshot() == incremental
    assert _staging_tables() == []
