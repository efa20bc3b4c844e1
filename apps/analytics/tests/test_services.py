"""Aggregates computed by hand for the small data set (see factories.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from apps.analytics.models import WorkAggregate
from apps.analytics.tasks import analytics_school_refresh_task
from apps.analytics.tests.factories import A1A, put_results
from apps.core.scoping import Level
from conftest import World

FIELDS = (
    "schools",
    "participants",
    "absent",
    "mark2",
    "mark3",
    "mark4",
    "mark5",
    "histogram",
    "column_sums",
    "column_sums_by_mark",
    "journal_lower",
    "journal_equal",
    "journal_higher",
    "journal_missing",
    "journal_gap2",
    "region_id",
    "municipality_id",
    "school_id",
)


def _snapshot(work: Any) -> dict[tuple[int, int], dict[str, Any]]:
    return {
        (a.level, a.unit_id): {f: getattr(a, f) for f in FIELDS}
        for a in WorkAggregate.objects.filter(work=work)
    }


def _get(work: Any, level: Level, unit_id: int) -> WorkAggregate:
    return WorkAggregate.objects.get(work=work, level=level, unit_id=unit_id)


@pytest.mark.django_db
def test_school_aggregate_by_hand(world: World, loaded: Any) -> None:
    # given the results of A1a (6 participants, one absent, X scores, a missing journal mark)
    # when its aggregate was refreshed
    agg = _get(loaded, Level.SCHOOL, world.schools["A1a"].pk)
    # then the absent participant counts nowhere but in «absent», and X counts 0
    assert (agg.schools, agg.participants, agg.absent) == (1, 6, 1)
    assert (agg.mark2, agg.mark3, agg.mark4, agg.mark5) == (1, 2, 2, 1)
    assert agg.histogram == [0, 1, 0, 2, 1, 1, 1]
    assert agg.column_sums == [10, 8, 4]
    assert agg.column_sums_by_mark == {
        "2": [1, 0, 0],
        "3": [3, 2, 1],
        "4": [4, 4, 1],
        "5": [2, 2, 2],
    }
    assert (agg.journal_lower, agg.journal_equal, agg.journal_higher) == (2, 2, 1)
    assert (agg.journal_missing, agg.journal_gap2) == (1, 1)


@pytest.mark.django_db
def test_roll_up_to_municipality_region_and_russia(world: World, loaded: Any) -> None:
    # given three schools refreshed one by one
    # when the parents were rolled up from their children
    muni = _get(loaded, Level.MUNICIPALITY, world.municipalities["A2"].pk)
    region = _get(loaded, Level.REGION, world.regions["A"].pk)
    russia = _get(loaded, Level.FEDERAL, 0)
    # then the municipality A2 equals its only school A2a
    assert (muni.participants, muni.absent, muni.mark2, muni.mark3) == (6, 1, 2, 1)
    assert muni.histogram == [1, 1, 1, 0, 2, 0, 1]
    assert muni.column_sums == [8, 6, 3]
    # and region A sums A1a and A2a
    assert (region.schools, region.participants, region.absent) == (2, 12, 2)
    assert (region.mark2, region.mark3, region.mark4, region.mark5) == (3, 3, 4, 2)
    assert region.histogram == [1, 2, 1, 2, 3, 1, 2]
    assert region.column_sums == [18, 14, 7]
    assert region.column_sums_by_mark["4"] == [8, 7, 2]
    assert (region.journal_lower, region.journal_equal, region.journal_higher) == (3, 4, 3)
    assert (region.journal_missing, region.journal_gap2) == (2, 2)
    assert (region.region_id, region.municipality_id, region.school_id) == (
        world.regions["A"].pk,
        None,
        None,
    )
    # and Russia adds B1a
    assert (russia.schools, russia.participants) == (3, 14)
    assert (russia.mark2, russia.mark3, russia.mark4, russia.mark5) == (4, 3, 4, 3)
    assert russia.column_sums == [20, 16, 9]


@pytest.mark.django_db
def test_incremental_equals_rebuild(world: World, loaded: Any) -> None:
    # given aggregates built incrementally, then a re-upload of A1a with fewer participants
    put_results(world.schools["A1a"], loaded, A1A[:3])
    analytics_school_refresh_task(school_id=world.schools["A1a"].pk, work_id=loaded.pk)
    incremental = _snapshot(loaded)
    # when everything is rebuilt from scratch
    call_command("analytics_rebuild")
    # then the numbers are identical, row for row
    assert _snapshot(loaded) == incremental
    assert incremental[(Level.REGION, world.regions["A"].pk)]["participants"] == 9


@pytest.mark.django_db
def test_task_is_idempotent(world: World, loaded: Any) -> None:
    # given the aggregates after the uploads
    before = _snapshot(loaded)
    count = WorkAggregate.objects.count()
    # when the task runs twice more for the same school
    for _ in range(2):
        analytics_school_refresh_task(school_id=world.schools["A2a"].pk, work_id=loaded.pk)
    # then nothing changed
    assert _snapshot(loaded) == before
    assert (
        WorkAggregate.objects.count() == count == 9
    )  # 3 schools, 3 municipalities, 2 regions, Russia


@pytest.mark.django_db
def test_school_without_results_leaves_the_chain(world: World, loaded: Any) -> None:
    # given B1a's results withdrawn
    put_results(world.schools["B1a"], loaded, [])
    # when it is refreshed
    analytics_school_refresh_task(school_id=world.schools["B1a"].pk, work_id=loaded.pk)
    # then its school, municipality and region rows are gone and Russia is region A alone
    assert not WorkAggregate.objects.filter(region_id=world.regions["B"].pk).exists()
    assert _get(loaded, Level.FEDERAL, 0).participants == 12
