"""The refresh of several schools at once (``analytics_schools_refresh``: a drain of statistics
jobs, ADR 0032) writes exactly the rows of refreshing them one by one from the same state, and
a full rebuild's; each parent is summed once, in a number of statements that does not grow
with the schools. On SQLite and PostgreSQL.

The scene is ``test_rebuild_identity``'s (two works over the eight schools of two regions,
ОВЗ codes, a school without results, one with absent participants only)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.analytics.models import WorkAggregate
from apps.analytics.services import analytics_rebuild, analytics_schools_refresh
from apps.analytics.tests import test_refresh_identity as identity
from apps.core.scoping import Level
from apps.registration.models import School
from apps.results.models import ParticipantResult
from conftest import World

scene = identity.scene
_put, _rows = identity._put, identity._rows


def _one_by_one(schools: list[Any], work: Any) -> dict[tuple[int, int, int], dict[str, Any]]:
    """The rows after refreshing ``schools`` one after the other, the state then restored."""
    before = identity._stored()
    for school in schools:
        identity.analytics_school_refresh(school_id=school.pk, work_id=work.pk)
    expected = identity._snapshot()
    identity._restore(before)
    return expected


def _same_as_one_by_one(schools: list[Any], work: Any) -> dict[int, WorkAggregate | None]:
    """Refresh ``schools`` together: the rows written equal the one-by-one refreshes', and each
    school's row returned is its row as stored (None when it has none)."""
    expected = _one_by_one(schools, work)
    returned = analytics_schools_refresh(work_id=work.pk, school_ids=[s.pk for s in schools])
    assert identity._snapshot() == expected
    assert set(returned) == {s.pk for s in schools}
    for school in schools:
        row = returned[school.pk]
        stored = WorkAggregate.objects.filter(work=work, level=Level.SCHOOL, unit_id=school.pk)
        if row is None:
            assert not stored.exists()
        else:
            assert (
                identity._fields(row, identity.ALL_FIELDS)
                == stored.values(*identity.ALL_FIELDS).get()
            )
    return returned


@pytest.mark.django_db
def test_schools_refreshed_together_write_the_rows_of_one_by_one(
    world: World, scene: dict[str, Any]
) -> None:
    small, large = scene["works"]
    rng: random.Random = scene["rng"]
    schools = world.schools
    everyone = [schools[key] for key in sorted(schools)]
    # given no aggregate at all: every school's first results (the chains' rows are created)
    for work in (small, large):
        _same_as_one_by_one(everyone, work)
    assert {level for _, level, _ in identity._snapshot()} == set(Level)
    assert len(identity._snapshot()) == 2 * (7 + 4 + 2 + 1)  # B2b has no results
    # and they equal a full rebuild's rows
    together = identity._snapshot()
    analytics_rebuild(portable=True)
    assert identity._snapshot() == together
    # when schools of both regions change at once: a re-upload, a school's first results, a
    # school whose results are gone, the last school of a municipality losing its results
    _put(schools["A1a"], small, _rows(small, rng, 2))
    _put(schools["B2b"], small, _rows(small, rng, 6))
    ParticipantResult.objects.filter(school_id=schools["A2a"].pk, work=small).delete()
    ParticipantResult.objects.filter(school_id=schools["A2b"].pk, work=small).delete()
    changed = [schools[key] for key in ("B2b", "A2a", "A1a", "A2b")]
    returned = _same_as_one_by_one(changed, small)
    assert returned[schools["A2a"].pk] is None
    assert returned[schools["B2b"].pk] is not None
    assert not WorkAggregate.objects.filter(
        work=small, level=Level.MUNICIPALITY, unit_id=world.municipalities["A2"].pk
    ).exists()
    # when a school moves to a municipality of the other region and is refreshed with a school
    # of its former municipality
    moved = schools["A1b"]
    School.objects.filter(pk=moved.pk).update(
        municipality_id=world.municipalities["B1"].pk, region_id=world.regions["B"].pk
    )
    for work in (small, large):
        _same_as_one_by_one([moved, schools["A1a"]], work)
    # and a school named twice is refreshed once, as a redelivered job changes nothing
    twice = analytics_schools_refresh(
        work_id=large.pk, school_ids=[schools["B1a"].pk, schools["B1a"].pk]
    )
    assert list(twice) == [schools["B1a"].pk]
    assert identity._snapshot() == _one_by_one([schools["B1a"]], large)
    # (the final rows still equal a rebuild's)
    incremental = identity._snapshot()
    analytics_rebuild(portable=True)
    assert identity._snapshot() == incremental


@pytest.mark.django_db
def test_refreshing_more_schools_together_takes_no_more_statements(
    world: World, scene: dict[str, Any]
) -> None:
    small, _large = scene["works"]
    # (every school with results: one without has its row deleted, a statement more)
    everyone = [s.pk for key, s in sorted(world.schools.items()) if key != "B2b"]
    analytics_schools_refresh(work_id=small.pk, school_ids=everyone)  # the rows exist now
    counts = {}
    for size in (2, 4, len(everyone)):
        with CaptureQueriesContext(connection) as queries:
            analytics_schools_refresh(work_id=small.pk, school_ids=everyone[:size])
        statements = identity._statements(queries)
        # the work, the schools' places, the chains' lock, the results, the children, one
        # UPDATE of every row
        counts[size] = len(statements)
        updates = [s for s in statements if 'UPDATE "analytics_workaggregate"' in s]
        assert len(updates) == 1, statements
    assert set(counts.values()) == {6}, counts
    # (one school takes the five compiled statements of ``analytics_school_refresh``)
    with CaptureQueriesContext(connection) as queries:
        analytics_schools_refresh(work_id=small.pk, school_ids=everyone[:1])
    assert len(identity._statements(queries)) == 5


@pytest.mark.django_db
def test_a_batch_with_an_unknown_school_fails_whole(world: World, scene: dict[str, Any]) -> None:
    small, _large = scene["works"]
    before = identity._stored()
    with pytest.raises(School.DoesNotExist):
        analytics_schools_refresh(
            work_id=small.pk, school_ids=[world.schools["A1a"].pk, 10_000_000]
        )
    assert identity._stored() == before
    assert analytics_schools_refresh(work_id=small.pk, school_ids=[]) == {}
