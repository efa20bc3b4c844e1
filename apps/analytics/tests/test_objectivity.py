"""Objectivity markers: each definition on a hand-made aggregate, and the coordinators' page."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from apps.analytics import objectivity as obj
from apps.analytics.models import WorkAggregate
from apps.core.scoping import Level
from conftest import World

WORK = SimpleNamespace(mark3_from=2, mark4_from=4, mark5_from=6)
COLUMNS = [
    SimpleNamespace(difficulty="Б", max_score=2),
    SimpleNamespace(difficulty="Б", max_score=2),
    SimpleNamespace(difficulty="П", max_score=2),
]


def _agg(**values: Any) -> SimpleNamespace:
    base = {
        "participants": 20,
        "histogram": [2, 2, 2, 2, 2, 2, 8],
        "column_sums": [30, 30, 10],
        "mark2": 4,
        "mark3": 4,
        "mark4": 4,
        "mark5": 8,
        "journal_lower": 2,
        "journal_equal": 16,
        "journal_higher": 2,
        "journal_gap2": 0,
    }
    return SimpleNamespace(**{**base, **values})


def test_boundary_peak() -> None:
    # given 20 participants with 8 at score 6 («5» from 6) and 2 at score 5
    # when the markers are computed
    # then the peak at 6 is flagged (8 ≥ 2 × 2 and 8 − 2 ≥ 3), the flat boundaries are not
    assert obj.boundary_peaks(_agg(), WORK) == [6]
    # and a histogram of fewer than 20 participants is never flagged
    assert obj.boundary_peaks(_agg(participants=19), WORK) == []


def test_hard_tasks_better_than_easy() -> None:
    # given basic tasks at 37.5 % and the advanced one at 75 %
    agg = _agg(column_sums=[15, 15, 30])
    # then the marker fires with both figures; the opposite does not
    assert obj.hard_better_than_easy(agg, COLUMNS) == (37.5, 75.0)
    assert obj.hard_better_than_easy(_agg(), COLUMNS) is None


def test_far_above_region_unless_selective() -> None:
    # given a school with 60 % of «4»+«5» and a region with 25 %
    region = _agg(participants=100, mark4=15, mark5=10)
    school = _agg()
    # then an ordinary school is flagged, a гимназия is not
    codes = [m.code for m in obj.markers(school, region, WORK, COLUMNS, "sosh")]
    assert "above_region" in codes
    codes = [m.code for m in obj.markers(school, region, WORK, COLUMNS, "gymnasium")]
    assert "above_region" not in codes


def test_journal_gaps() -> None:
    # given 2 of 20 participants with a gap of two marks (10 %)
    codes = [m.code for m in obj.markers(_agg(journal_gap2=2), None, WORK, COLUMNS, "sosh")]
    # then the journal marker fires; with one (5 %) it does not
    assert "journal_gap" in codes
    codes = [m.code for m in obj.markers(_agg(journal_gap2=1), None, WORK, COLUMNS, "sosh")]
    assert "journal_gap" not in codes


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC))
def test_objectivity_page_for_coordinators_only(world: World, loaded: Any) -> None:
    # given region A's aggregate and school A1a's
    region = WorkAggregate.objects.get(
        work=loaded, level=Level.REGION, unit_id=world.regions["A"].pk
    )
    school = WorkAggregate.objects.get(
        work=loaded, level=Level.SCHOOL, unit_id=world.schools["A1a"].pk
    )
    # when the regional coordinator and the school open the markers page
    page = world.client_for("regional").get(reverse("analytics-objectivity", args=[region.pk]))
    refused = world.client_for("school_organizer").get(
        reverse("analytics-objectivity", args=[school.pk])
    )
    # then the coordinator sees the region's schools, the school is refused
    assert page.status_code == 200
    assert page.content.decode().count("analytics/") >= 2
    assert refused.status_code == 403
