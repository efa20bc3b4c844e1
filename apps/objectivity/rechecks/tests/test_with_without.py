"""Results of a unit with and without re-checked schools, against hand counts."""

from __future__ import annotations

from typing import Any

import pytest

from apps.analytics.models import WorkAggregate
from apps.core.scoping import Level
from apps.objectivity.models import ReviewCase
from apps.objectivity.rechecks import selectors, services
from apps.objectivity.rechecks.tests.helpers import after_release, mark_case, results_in
from apps.objectivity.tests.scene import Scene


def _seed_drawing(pool: list[int], wanted: int) -> int:
    return next(s for s in range(1000) if services.draw_random(pool, 1, s) == [wanted])


@pytest.fixture
def closed(scene: Scene, time_machine: Any) -> Scene:
    # given A1a (12 × «5»), A1b, A2a, B1a (12 × «3» each); region A re-checks A1a (flagged) and
    # A2a (drawn); the commission does not confirm A1a's results and confirms A2a's
    results_in(scene)
    after_release(scene, time_machine)
    actor = scene.actor("regional")
    a1a, a1b, a2a = (scene.school(k).pk for k in ("A1a", "A1b", "A2a"))
    review = services.recheck_open(
        actor=actor,
        work_id=scene.work.pk,
        school_ids=[a1a],
        random_count=1,
        seed=_seed_drawing([a1b, a2a], a2a),
    )
    for case in ReviewCase.objects.filter(review=review):
        mark_case(case)
        outcome = "not_confirmed" if case.school_id == a1a else "confirmed"
        services.case_close(actor=actor, case_id=case.pk, outcome=outcome)
    return scene


def _counts(table: list[dict[str, Any]]) -> list[tuple[str, int | None, int, list[int]]]:
    return [
        (line["row"].name.split()[0], line["schools"], line["participants"], line["counts"])
        for line in table
    ]


@pytest.mark.django_db
def test_region_with_and_without_rechecked_schools(closed: Scene) -> None:
    region = WorkAggregate.objects.get(
        work=closed.work, level=Level.REGION, unit_id=closed.world.regions["A"].pk
    )
    # when region A's coordinator opens its results with and without re-checked schools
    found = selectors.results_with_without(actor=closed.actor("regional"), pk=region.pk)
    every, without_nc, without_all = found.variants
    assert [v["excluded"] for v in found.variants] == [0, 1, 2]
    # then (level, schools, participants, [«2», «3», «4», «5»]) per row equal hand counts:
    # all: Russia 48 (A1a's 12 «5»), region A 36, municipalities A1 24 and A2 12
    assert _counts(every["table"]) == [
        ("Вся", 4, 48, [0, 36, 0, 12]),
        ("Регион", 3, 36, [0, 24, 0, 12]),
        ("Муниципалитет", 2, 24, [0, 12, 0, 12]),
        ("Муниципалитет", 1, 12, [0, 12, 0, 0]),
    ]
    # without A1a (not confirmed): its 12 «5» are gone everywhere above it
    assert _counts(without_nc["table"]) == [
        ("Вся", 3, 36, [0, 36, 0, 0]),
        ("Регион", 2, 24, [0, 24, 0, 0]),
        ("Муниципалитет", 1, 12, [0, 12, 0, 0]),
        ("Муниципалитет", 1, 12, [0, 12, 0, 0]),
    ]
    # without every re-checked school (A1a and A2a)
    assert _counts(without_all["table"]) == [
        ("Вся", 2, 24, [0, 24, 0, 0]),
        ("Регион", 1, 12, [0, 12, 0, 0]),
        ("Муниципалитет", 1, 12, [0, 12, 0, 0]),
        ("Муниципалитет", 0, 0, [0, 0, 0, 0]),
    ]


@pytest.mark.django_db
def test_a_municipality_report_drops_the_excluded_school_row(closed: Scene) -> None:
    muni = WorkAggregate.objects.get(
        work=closed.work, level=Level.MUNICIPALITY, unit_id=closed.world.municipalities["A1"].pk
    )
    found = selectors.results_with_without(actor=closed.actor("municipal"), pk=muni.pk)
    names = [line["row"].name for line in found.variants[1]["table"]]
    assert closed.school("A1a").short_name not in names
    assert closed.school("A1b").short_name in names
    own = next(line for line in found.variants[1]["table"] if line["row"].is_self)
    assert (own["participants"], own["counts"]) == (12, [0, 12, 0, 0])
