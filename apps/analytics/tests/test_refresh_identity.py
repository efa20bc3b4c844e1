"""The refresh after an upload (``analytics_school_refresh``: reads compiled once, the parents'
children in one read, one UPDATE of the chain's rows) writes exactly the rows of the previous
implementation (the ORM path kept here as the reference: a read per parent, an UPDATE per row),
step by step from the same state, and the rows of a full rebuild; on SQLite and PostgreSQL.

The scene is ``test_rebuild_identity``'s: two works over the eight schools of two regions, ОВЗ
codes (and one of another campaign), a school without results, one with absent participants
only, rows the upload never writes. The steps add a school's first results, a re-upload, a
school whose results are gone (its rows deleted upwards), and a school moved to a municipality
of the other region."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.analytics import services
from apps.analytics.models import WorkAggregate
from apps.analytics.services import (
    _RESULT_FIELDS,
    _SUMMED_FIELDS,
    _school_values,
    _sum,
    _system,
    analytics_rebuild,
    analytics_school_refresh,
)
from apps.analytics.tests import test_rebuild_identity as rebuild_identity
from apps.analytics.tests.factories import small_work
from apps.campaigns.models import Work
from apps.core.scoping import Level
from apps.materials import ovz
from apps.registration.access import A
from apps.registration.models import School
from apps.results.models import ParticipantResult
from conftest import World, need_service

# the scene of the rebuild's identity tests (a fixture), and its helpers
scene = rebuild_identity.scene
_put, _rows = rebuild_identity._put, rebuild_identity._rows

ALL_FIELDS = [f.attname for f in WorkAggregate._meta.concrete_fields]
COMPARED = [name for name in ALL_FIELDS if name not in {"id", "computed_at"}]


# --- the previous implementation, verbatim but for its names (the reference) ----------------


def _reference_write(
    work_id: int, level: Level, unit_id: int, ids: dict[str, Any], values: Any
) -> None:
    rows = WorkAggregate.objects.for_actor(_system(), A.VIEW_ANALYTICS)
    row = rows.filter(work_id=work_id, level=level, unit_id=unit_id)
    if values is None:
        row.delete()
        return
    if not row.update(**ids, **values, computed_at=timezone.now()):
        rows.create(work_id=work_id, level=level, unit_id=unit_id, **ids, **values)


@transaction.atomic
def _reference_refresh(*, school_id: int, work_id: int) -> WorkAggregate | None:
    actor = _system()
    work = Work.objects.for_actor(actor, A.VIEW_CAMPAIGNS).get(pk=work_id)
    columns = work.columns.count()
    school = School.objects.for_actor(actor, A.VIEW_SCHOOL).get(pk=school_id)
    aggregates = WorkAggregate.objects.for_actor(actor, A.VIEW_ANALYTICS).filter(work_id=work_id)
    parents: tuple[tuple[Level, int, dict[str, int]], ...] = (
        (Level.FEDERAL, 0, {}),
        (Level.REGION, school.region_id, {"region_id": school.region_id}),
        (
            Level.MUNICIPALITY,
            school.municipality_id,
            {"region_id": school.region_id, "municipality_id": school.municipality_id},
        ),
    )
    locked = (
        aggregates.select_for_update()
        .filter(level__lt=Level.SCHOOL, unit_id__in=[0, school.region_id, school.municipality_id])
        .order_by("level")
        .values_list("level", "unit_id")
    )
    if not {(level, unit_id) for level, unit_id, _ids in parents} <= set(locked):
        for level, unit_id, ids in parents:
            aggregates.get_or_create(work_id=work_id, level=level, unit_id=unit_id, defaults=ids)
        list(locked.all())
    rows = ParticipantResult.objects.for_actor(actor, A.VIEW_RESULTS).filter(
        work_id=work_id, school_id=school_id
    )
    codes = ovz.ovz_codes(school_id=school_id, campaign_id=work.campaign_id)
    values = _school_values(work, columns, rows.values_list(*_RESULT_FIELDS, named=True), codes)
    has_rows = values["participants"] or values["absent"]
    ids = {
        "region_id": school.region_id,
        "municipality_id": school.municipality_id,
        "school_id": school.pk,
    }
    _reference_write(work_id, Level.SCHOOL, school.pk, ids, values if has_rows else None)
    chain = (
        (Level.MUNICIPALITY, school.municipality_id, Level.SCHOOL, "municipality_id"),
        (Level.REGION, school.region_id, Level.MUNICIPALITY, "region_id"),
        (Level.FEDERAL, 0, Level.REGION, None),
    )
    for level, unit_id, child_level, path in chain:
        child_rows = aggregates.filter(level=child_level)
        if path:
            child_rows = child_rows.filter(**{path: unit_id})
        children = list(child_rows.values(*_SUMMED_FIELDS))
        parent_ids = {
            "region_id": school.region_id if level >= Level.REGION else None,
            "municipality_id": school.municipality_id if level >= Level.MUNICIPALITY else None,
            "school_id": None,
        }
        total = _sum(children, columns, work.max_score) if children else None
        _reference_write(work_id, level, unit_id, parent_ids, total)
    return aggregates.filter(level=Level.SCHOOL, unit_id=school_id).first()


# --- helpers --------------------------------------------------------------------------------


def _stored() -> list[dict[str, Any]]:
    return list(WorkAggregate.objects.order_by("id").values(*ALL_FIELDS))


def _snapshot() -> dict[tuple[int, int, int], dict[str, Any]]:
    rows = WorkAggregate.objects.values(*COMPARED)
    return {(r["work_id"], r["level"], r["unit_id"]): r for r in rows}


def _restore(stored: list[dict[str, Any]]) -> None:
    WorkAggregate.objects.all().delete()
    WorkAggregate.objects.bulk_create(WorkAggregate(**row) for row in stored)


def _fields(row: WorkAggregate | None, names: list[str]) -> dict[str, Any] | None:
    return None if row is None else {name: getattr(row, name) for name in names}


def _same_as_reference(school: Any, work: Any) -> WorkAggregate | None:
    """Refresh ``school`` × ``work`` with the reference, then from the same rows with the
    refresh: the rows written and the row returned must be identical."""
    before = _stored()
    expected_row = _reference_refresh(school_id=school.pk, work_id=work.pk)
    expected = _snapshot()
    _restore(before)
    returned = analytics_school_refresh(school_id=school.pk, work_id=work.pk)
    assert _snapshot() == expected
    assert _fields(returned, COMPARED) == _fields(expected_row, COMPARED)
    if returned is not None:  # the row returned is the row stored (its id and instant too)
        assert _fields(returned, ALL_FIELDS) == WorkAggregate.objects.values(*ALL_FIELDS).get(
            pk=returned.pk
        )
    return returned


def _statements(queries: CaptureQueriesContext) -> list[str]:
    """The statements that read or write (not the savepoints of the test's transaction)."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].split(None, 1)[0].upper() in {"SELECT", "UPDATE", "INSERT", "DELETE", "WITH"}
    ]


# --- tests ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_refresh_writes_the_rows_of_the_previous_implementation(
    world: World, scene: dict[str, Any]
) -> None:
    small, large = scene["works"]
    rng = scene["rng"]
    schools = world.schools
    # given the refreshes after each school's upload, from no aggregate at all (the chains'
    # first results: their rows are created), each compared with the reference
    for key in sorted(schools):
        for work in (small, large):
            _same_as_reference(schools[key], work)
    assert {level for _, level, _ in _snapshot()} == set(Level)
    # (ОВЗ participants counted in the subsets, several schools summed by one municipality)
    federal = _snapshot()[(small.pk, Level.FEDERAL, 0)]
    assert federal["subsets"]["ovz"]["participants"] > 0
    a1 = _snapshot()[(small.pk, Level.MUNICIPALITY, world.municipalities["A1"].pk)]
    assert a1["participants"] > 0
    assert (
        WorkAggregate.objects.filter(
            work=small, level=Level.SCHOOL, municipality_id=world.municipalities["A1"].pk
        ).count()
        == 2
    )
    # and they equal a full rebuild's rows (in the database, and in Python)
    incremental = _snapshot()
    analytics_rebuild()
    assert _snapshot() == incremental
    analytics_rebuild(portable=True)
    assert _snapshot() == incremental
    # when a school re-uploads fewer participants, and a school without results gets its first
    _put(schools["A1a"], small, _rows(small, rng, 2))
    first = _same_as_reference(schools["A1a"], small)
    assert first is not None
    assert first.participants + first.absent == 2
    _put(schools["B2b"], large, _rows(large, rng, 6))
    assert _same_as_reference(schools["B2b"], large) is not None
    # when a school's results are gone: its row goes, its parents are summed without it
    ParticipantResult.objects.filter(school_id=schools["A2a"].pk, work=small).delete()
    assert _same_as_reference(schools["A2a"], small) is None
    # when the last school of a municipality loses its results: the municipality's row goes too
    ParticipantResult.objects.filter(school_id=schools["A2b"].pk, work=small).delete()
    assert _same_as_reference(schools["A2b"], small) is None
    assert not WorkAggregate.objects.filter(
        work=small, level=Level.MUNICIPALITY, unit_id=world.municipalities["A2"].pk
    ).exists()
    # and a refresh that changes nothing (a redelivered job) writes the same rows again
    assert _same_as_reference(schools["B1b"], large) is not None
    # when a school is moved to a municipality of the other region, it is summed there
    moved = schools["A1b"]
    School.objects.filter(pk=moved.pk).update(
        municipality_id=world.municipalities["B1"].pk, region_id=world.regions["B"].pk
    )
    for work in (small, large):
        _same_as_reference(moved, work)
    # and its former municipality's next refresh leaves it out, as the reference does
    for work in (small, large):
        _same_as_reference(schools["A1a"], work)


@pytest.mark.django_db
def test_refresh_takes_five_statements_and_one_update(world: World, scene: dict[str, Any]) -> None:
    small, large = scene["works"]
    for school in world.schools.values():
        analytics_school_refresh(school_id=school.pk, work_id=small.pk)
    rebuilt = _snapshot()
    # when a school whose chain has its rows is refreshed again
    with CaptureQueriesContext(connection) as queries:
        analytics_school_refresh(school_id=world.schools["A1a"].pk, work_id=small.pk)
    # then: the work and school, the chain's lock, the results with their ОВЗ marks, the
    # parents' children, and one UPDATE of the school's, municipality's, region's and Russia's rows
    statements = _statements(queries)
    assert len(statements) == 5
    assert statements[0].startswith('SELECT "campaigns_work"')
    assert "FOR UPDATE" in statements[1] or connection.vendor != "postgresql"
    assert "materials_participantcode" in statements[2]
    assert statements[4].startswith(("UPDATE", "WITH"))
    if connection.vendor == "postgresql":  # the rows as arrays: one statement for any count
        assert "unnest(" in statements[4]
    assert _snapshot() == rebuilt
    # (a school without results in a chain without rows: the rows are made, nothing stays)
    assert analytics_school_refresh(school_id=world.schools["B2b"].pk, work_id=large.pk) is None


@pytest.mark.django_db
def test_refresh_of_an_unknown_school_or_work_fails_as_before(world: World) -> None:
    work = small_work()
    with pytest.raises(Work.DoesNotExist):
        analytics_school_refresh(school_id=world.schools["A1a"].pk, work_id=work.pk + 1000)
    with pytest.raises(School.DoesNotExist):
        analytics_school_refresh(
            school_id=max(s.pk for s in world.schools.values()) + 1000, work_id=work.pk
        )
    assert not WorkAggregate.objects.exists()


def _refresh_together(pairs: list[tuple[Any, Any]]) -> list[Any]:
    """Refresh the school × work pairs at the same moment, each in a thread of its own (its own
    connection); the results, or the exceptions raised."""
    barrier = threading.Barrier(len(pairs))
    results: list[Any] = [None] * len(pairs)

    def run(i: int) -> None:
        school, work = pairs[i]
        try:
            barrier.wait()
            results[i] = analytics_school_refresh(school_id=school.pk, work_id=work.pk)
        except Exception as exc:  # reported by the assertion below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(pairs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_of_one_chain_miss_no_child(
    world: World, scene: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    need_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL")
    small, _large = scene["works"]
    # the school's values are computed inside the chain's lock: slowed down, so that the
    # refreshes certainly overlap
    real = services._school_values

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.15)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_school_values", slow)
    pairs = [(world.schools[key], small) for key in ("A1a", "A1b", "A2a", "A2b")]
    for key in ("B1a", "B1b", "B2a", "B2b"):  # the other region, one after the other
        analytics_school_refresh(school_id=world.schools[key].pk, work_id=small.pk)
    for phase in ("the region's first rows", "a re-upload at each school"):
        if phase == "a re-upload at each school":
            for school, work in pairs:
                _put(school, work, _rows(work, scene["rng"], 5))
        # when four schools of one region (two municipalities) are refreshed at the same moment
        results = _refresh_together(pairs)
        # then each ran, and every parent sums all its children: the rows of a full rebuild
        assert all(isinstance(r, WorkAggregate) for r in results), (phase, results)
        refreshed = _snapshot()
        analytics_rebuild(work_id=small.pk)
        assert _snapshot() == refreshed, phase
        assert refreshed[(small.pk, Level.REGION, world.regions["A"].pk)]["schools"] == 4
