"""The JSON API of the journal comparison (with its 2+ gaps) and of the individual results."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.urls import reverse

from apps.analytics.models import WorkAggregate
from apps.core.scoping import Level
from conftest import World

from .test_reports import AFTER_RELEASE, BEFORE_RELEASE


def _agg(work: Any, level: Level, unit_id: int) -> WorkAggregate:
    return WorkAggregate.objects.get(work=work, level=level, unit_id=unit_id)


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_journal_api_lists_gap_codes_at_a_school_and_gap_schools_above(
    world: World, loaded: Any
) -> None:
    # given A1a (one 2+ gap: 40005) and region A (A1a and A2a with one gap each)
    school = _agg(loaded, Level.SCHOOL, world.schools["A1a"].pk)
    region = _agg(loaded, Level.REGION, world.regions["A"].pk)
    client = world.client_for("regional")
    # when the regional coordinator reads the journal API of both
    at_school = client.get(reverse("api-analytics-journal", args=[school.pk])).json()["report"]
    at_region = client.get(reverse("api-analytics-journal", args=[region.pk])).json()["report"]
    # then the school gives its anonymous codes and no school list
    assert at_school["gap_codes"] == [
        {"code": "40005", "mark": 2, "journal_mark": 4, "difference": -2}
    ]
    assert at_school["gap_schools"]["rows"] == []
    # and the region lists its two schools with gaps (1 of 5 with a journal mark each: a tie,
    # broken by the larger number, then the school's id), and no codes
    assert at_region["gap_codes"] == []
    rows = at_region["gap_schools"]["rows"]
    assert [(r["name"], r["gap2"], r["with_journal"], r["gap2_pct"]) for r in rows] == [
        (world.schools["A1a"].short_name, 1, 5, 20.0),
        (world.schools["A2a"].short_name, 1, 5, 20.0),
    ]
    assert at_region["gap_schools"]["with_gaps"] == 2
    assert at_region["gap_schools"]["schools"] == 2
    # and the per-unit comparison is still there: the school's own line (40002, 40005 lower;
    # 40001, 40006 equal; 40004 higher; 40003 without a journal mark)
    own = next(u for u in at_school["units"] if u["is_self"])
    assert (own["lower"], own["equal"], own["higher"], own["missing"]) == (2, 2, 1, 1)


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_individual_api_gives_codes_scores_and_marks_to_the_school_only(
    world: World, loaded: Any
) -> None:
    # given A1a's aggregate and region A's
    school = _agg(loaded, Level.SCHOOL, world.schools["A1a"].pk)
    region = _agg(loaded, Level.REGION, world.regions["A"].pk)
    url = reverse("api-analytics-individual", args=[school.pk])
    # when the school's organizer reads its individual results
    body = world.client_for("school_organizer").get(url).json()["report"]
    # then every participant is there by code, X as null, the absent one without scores
    by_code = {p["code"]: p for p in body["participants"]}
    assert list(by_code) == ["40001", "40002", "40003", "40004", "40005", "40006", "40007"]
    assert by_code["40003"]["scores"] == [2, 1, None]
    assert (by_code["40003"]["primary_score"], by_code["40003"]["mark"]) == (3, 3)
    assert by_code["40003"]["journal_mark"] is None
    assert (by_code["40005"]["mark"], by_code["40005"]["journal_mark"]) == (2, 4)
    assert by_code["40007"]["absent"] is True
    assert by_code["40007"]["scores"] == []
    assert by_code["40007"]["mark"] is None
    assert [t["max_score"] for t in body["tasks"]] == [2, 2, 2]
    # and no field could carry a name
    assert set(by_code["40001"]) == {
        "code",
        "class_number",
        "absent",
        "variant",
        "scores",
        "primary_score",
        "mark",
        "journal_mark",
    }
    # and the regional coordinator is refused (no right to individual results)
    assert world.client_for("regional").get(url).status_code == 403
    # and so is the federal operator, for a school and for a region
    federal = world.client_for("federal")
    assert federal.get(url).status_code == 403
    region_url = reverse("api-analytics-individual", args=[region.pk])
    assert federal.get(region_url).status_code == 403


@pytest.mark.django_db
def test_individual_and_journal_api_are_embargoed(world: World, loaded: Any) -> None:
    # given A1a's aggregate before the results-release date
    school = _agg(loaded, Level.SCHOOL, world.schools["A1a"].pk)
    with time_machine.travel(BEFORE_RELEASE):
        # when its organizer reads both APIs
        for name in ("api-analytics-individual", "api-analytics-journal"):
            body = world.client_for("school_organizer").get(reverse(name, args=[school.pk])).json()
            # then there is an embargo date and no numbers
            assert body["embargo_until"] is not None
            assert body["report"] is None
