"""The federal sample's draw: stratified counts, a reproducible seed, one sample per campaign,
refusals with Russian messages, and what schools and coordinators see of it."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from apps.core.models import AuditEvent
from apps.objectivity.audit import ObjectivityAudit
from apps.objectivity.models import FederalSample, Review, ReviewCase, ScanBatch
from apps.objectivity.sample import selectors, services
from apps.objectivity.sample.messages import SampleError, SampleInvalidError
from apps.objectivity.tests.scene import Scene


def _draw(scene: Scene, **kwargs: object) -> FederalSample:
    params: dict[str, object] = {
        "campaign_id": scene.work.campaign_id,
        "work_ids": [scene.work.pk],
        "share": 50,
        "min_per_region": 1,
        "seed": 2026,
    }
    params.update(kwargs)
    return services.sample_draw(actor=scene.actor("federal"), **params)  # type: ignore[arg-type]


def _drawn(sample: FederalSample) -> set[str]:
    return set(
        ReviewCase.objects.filter(review__sample=sample).values_list("school__code", flat=True)
    )


@pytest.mark.parametrize(
    ("population", "share", "minimum", "expected"),
    [
        (3, "50", 1, 2),
        (1, "50", 1, 1),
        (3, "10", 0, 0),
        (3, "10", 1, 1),
        (10, "25", 0, 3),
        (10, "35", 0, 4),
        (2, "100", 5, 2),
        (40, "2.5", 0, 1),
    ],
)
def test_stratum_size_by_hand(population: int, share: str, minimum: int, expected: int) -> None:
    # n = min(N, max(min, round half up(share·N/100))): 1.5→2, 0.5→1, 0.3→0, 2.5→3, 3.5→4
    assert services.stratum_size(population, Decimal(share), minimum) == expected


def test_draw_plan_is_the_seeded_sample_of_each_region_sorted_by_code() -> None:
    population = {5: {1: [("edu2", 12), ("edu1", 11), ("edu3", 13)], 2: [("edu9", 21)]}}
    plan = services.draw_plan(population, share=Decimal(50), min_per_region=1, seed=99)
    rng = random.Random(99)
    region1 = sorted(s for _c, s in rng.sample([("edu1", 11), ("edu2", 12), ("edu3", 13)], 2))
    region2 = sorted(s for _c, s in rng.sample([("edu9", 21)], 1))
    assert plan == {5: {1: region1, 2: region2}}


@pytest.mark.django_db
def test_draw_stratifies_by_region_and_records_everything(scene: Scene) -> None:
    # given four schools taking part: three in region A, one in region B
    sample = _draw(scene)
    region_a, region_b = scene.world.regions["A"], scene.world.regions["B"]
    # then region A gets round(1.5) = 2 schools, region B its only one
    assert sample.strata == {
        str(scene.work.pk): {
            str(region_a.pk): {"population": 3, "drawn": 2},
            str(region_b.pk): {"population": 1, "drawn": 1},
        }
    }
    drawn = _drawn(sample)
    assert len(drawn) == 3
    assert scene.school("B1a").code in drawn
    assert sample.seed == 2026
    assert sample.params["share"] == "50"
    review = Review.objects.get(sample=sample)
    assert review.kind == Review.Kind.FEDERAL
    assert review.work_id == scene.work.pk
    assert (review.region_id, review.municipality_id, review.school_id) == (None, None, None)
    cases = ReviewCase.objects.filter(review=review)
    assert {c.reason for c in cases} == {ReviewCase.Reason.SAMPLE}
    assert {c.status for c in cases} == {ReviewCase.Status.REQUESTED}
    event = AuditEvent.objects.get(action=ObjectivityAudit.SAMPLE_DRAW)
    assert event.details["cases"] == 3
    assert event.details["seed"] == 2026


@pytest.mark.django_db
def test_same_seed_same_sample_and_it_matches_a_hand_draw(scene: Scene) -> None:
    first = _drawn(_draw(scene, share=34, min_per_region=0, seed=41))
    second = _drawn(_draw(scene, share=34, min_per_region=0, seed=41))  # replaces the first
    assert first == second
    assert FederalSample.objects.count() == 1
    # by hand: region A round(1.02) = 1 school out of A1a, A1b, A2a sorted by code, B none
    a = sorted((scene.school(k).code, scene.school(k).pk) for k in ("A1a", "A1b", "A2a"))
    ((code, _pk),) = random.Random(41).sample(a, 1)
    assert first == {code}


@pytest.mark.django_db
def test_other_seeds_draw_other_schools(scene: Scene) -> None:
    samples = {
        frozenset(_drawn(_draw(scene, share=34, min_per_region=1, seed=s))) for s in range(8)
    }
    assert len(samples) > 1


@pytest.mark.django_db
def test_second_draw_refused_once_the_sample_is_in_use(scene: Scene) -> None:
    sample = _draw(scene)
    case = ReviewCase.objects.filter(review__sample=sample).first()
    assert case is not None
    school = case.school
    ScanBatch.objects.create(
        school=school,
        work=scene.work,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
        file_path="x.pdf",
        file_name="x.pdf",
        file_sha256="0" * 64,
    )
    with pytest.raises(SampleError) as refused:
        _draw(scene, seed=1)
    assert "уже проведена" in refused.value.message
    assert FederalSample.objects.get().pk == sample.pk  # nothing changed
    assert FederalSample.objects.get().seed == 2026


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"share": 0}, "Доля ОО"),
        ({"share": "сто"}, "Доля ОО"),
        ({"share": 101}, "Доля ОО"),
        ({"min_per_region": -1}, "Минимум ОО"),
        ({"work_ids": []}, "хотя бы одну работу"),
        ({"seed": -5}, "Зерно"),
    ],
)
def test_bad_parameters_are_refused_in_russian(
    scene: Scene, kwargs: dict[str, object], text: str
) -> None:
    with pytest.raises(SampleInvalidError) as refused:
        _draw(scene, **kwargs)
    assert text in refused.value.message
    assert not FederalSample.objects.exists()


@pytest.mark.django_db
def test_unknown_work_is_refused(scene: Scene) -> None:
    with pytest.raises(SampleInvalidError) as refused:
        _draw(scene, work_ids=[scene.work.pk, scene.work.pk + 10_000])
    assert f"Работа (id {scene.work.pk + 10_000}) не относится к кампании" in refused.value.message
    assert not FederalSample.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["regional", "municipal", "school_organizer", "marker"])
def test_only_the_federal_side_draws(scene: Scene, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.sample_draw(
            actor=scene.actor(role),
            campaign_id=scene.work.campaign_id,
            work_ids=[scene.work.pk],
            share=50,
            min_per_region=1,
        )


@pytest.mark.django_db
def test_schools_see_only_their_own_case_and_coordinators_their_unit(scene: Scene) -> None:
    sample = _draw(scene, share=100)
    assert len(_drawn(sample)) == 4
    # the school sees its own work in the sample, never the other schools
    school = scene.actor("school_organizer")
    notices = selectors.school_notices(actor=school, school_id=scene.school("A1a").pk)
    assert [n.work.pk for n in notices] == [scene.work.pk]
    seen = set(selectors.federal_cases(actor=school).values_list("school__code", flat=True))
    assert seen == {scene.school("A1a").code}
    # a regional coordinator sees its region's sampled schools
    regional = set(
        selectors.federal_cases(actor=scene.actor("regional")).values_list(
            "school__code", flat=True
        )
    )
    assert regional == {scene.school(k).code for k in ("A1a", "A1b", "A2a")}
    # the sample itself (strata of all regions) is the federal side's only
    assert not selectors.sample_list(actor=scene.actor("regional")).exists()
    assert selectors.sample_list(actor=scene.actor("federal")).get() == sample
