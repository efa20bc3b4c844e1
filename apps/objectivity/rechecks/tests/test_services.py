"""Opening a re-check (flags, a seeded random draw, the unit's bounds), comments and closing."""

from __future__ import annotations

from typing import Any

import pytest

from apps.core.models import AuditEvent
from apps.objectivity.audit import ObjectivityAudit
from apps.objectivity.models import CaseComment, Review, ReviewCase
from apps.objectivity.rechecks import selectors, services
from apps.objectivity.rechecks.messages import (
    RecheckError,
    RecheckForbiddenError,
    RecheckInvalidError,
    RecheckNotFoundError,
)
from apps.objectivity.rechecks.tests.helpers import after_release, mark_case, results_in
from apps.objectivity.tests.scene import Scene


class Raises:
    """``pytest.raises`` that also checks the Russian message of the domain error."""

    def __init__(self, error: type[Exception], text: str = "") -> None:
        self.context = pytest.raises(error)
        self.text = text

    def __enter__(self) -> Any:
        self.info = self.context.__enter__()
        return self.info

    def __exit__(self, *exc: Any) -> bool:
        handled = self.context.__exit__(*exc)
        assert self.text in self.info.value.message
        return bool(handled)


@pytest.fixture
def ready(scene: Scene, time_machine: Any) -> Scene:
    results_in(scene)
    after_release(scene, time_machine)
    return scene


@pytest.mark.django_db
def test_candidates_show_the_analytics_markers_of_the_unit(ready: Scene) -> None:
    # given region A's results with A1a far above the region
    found = selectors.candidates(actor=ready.actor("regional"), work_id=ready.work.pk)
    # then the unit's three schools taking part are listed, A1a first with its marker
    assert found.rows[0].school.pk == ready.school("A1a").pk
    assert {c.school.pk for c in found.rows} == {ready.school(k).pk for k in ("A1a", "A1b", "A2a")}
    assert "above_region" in found.rows[0].codes
    # the names a case shows for its marker codes are the analytics' own
    assert all(selectors.FLAG_LABELS[m.code] == m.label for m in found.rows[0].markers)
    assert [c.school.pk for c in found.flagged] == [ready.school("A1a").pk]
    assert found.embargo_until is None


@pytest.mark.django_db
def test_open_from_flags_and_at_random(ready: Scene) -> None:
    actor = ready.actor("regional")
    a1a = ready.school("A1a").pk
    # when the coordinator ticks the flagged school and asks for one random more
    review = services.recheck_open(
        actor=actor, work_id=ready.work.pk, school_ids=[a1a], random_count=1, seed=42
    )
    # then a re-check of region A with the seed and two cases is opened
    assert review.kind == Review.Kind.RECHECK
    assert (review.region_id, review.municipality_id, review.seed) == (
        ready.school("A1a").region_id,
        None,
        42,
    )
    cases = {c.school_id: c for c in ReviewCase.objects.filter(review=review)}
    assert cases[a1a].reason == ReviewCase.Reason.FLAGS
    assert "above_region" in cases[a1a].flags
    drawn = [s for s, c in cases.items() if c.reason == ReviewCase.Reason.RANDOM]
    pool = [ready.school(k).pk for k in ("A1b", "A2a")]
    assert drawn == services.draw_random(pool, 1, 42)
    assert all(c.status == ReviewCase.Status.REQUESTED for c in cases.values())
    # and the opening and both requests for scans are audited
    assert AuditEvent.objects.filter(action=ObjectivityAudit.REVIEW_OPEN).count() == 1
    assert AuditEvent.objects.filter(action=ObjectivityAudit.SCANS_REQUEST).count() == 2
    # and the school sees what it is asked for
    asked = selectors.requests_for_school(actor=ready.actor("school_organizer"))
    assert [(r.work.pk, r.status) for r in asked] == [(ready.work.pk, "requested")]
    assert "Регион" in asked[0].unit_label or "регион" in asked[0].unit_label


def test_the_random_draw_is_reproducible() -> None:
    pool = list(range(100, 140))
    first = services.draw_random(pool, 5, 2026)
    assert first == services.draw_random(list(reversed(pool)), 5, 2026)
    assert len(set(first)) == 5
    assert set(first) <= set(pool)
    assert first != services.draw_random(pool, 5, 2027)


@pytest.mark.django_db
def test_a_municipal_recheck_belongs_to_the_municipality(ready: Scene) -> None:
    review = services.recheck_open(
        actor=ready.actor("municipal"), work_id=ready.work.pk, school_ids=[], random_count=2
    )
    assert review.municipality_id == ready.school("A1a").municipality_id
    schools = set(ReviewCase.objects.filter(review=review).values_list("school_id", flat=True))
    assert schools == {ready.school("A1a").pk, ready.school("A1b").pk}
    # the region sees the municipality's re-check in its list; the other municipality does not
    assert [r.review.pk for r in selectors.recheck_list(actor=ready.actor("regional"))] == [
        review.pk
    ]


@pytest.mark.django_db
def test_schools_outside_the_unit_are_missing(ready: Scene) -> None:
    actor = ready.actor("municipal")
    for key in ("A2a", "B1a"):
        with pytest.raises(RecheckNotFoundError):
            services.recheck_open(
                actor=actor, work_id=ready.work.pk, school_ids=[ready.school(key).pk]
            )
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_bad_requests_are_refused_with_nothing_opened(ready: Scene) -> None:
    actor = ready.actor("regional")
    work = ready.work.pk
    with Raises(RecheckInvalidError, "хотя бы одну"):
        services.recheck_open(actor=actor, work_id=work, school_ids=[])
    with Raises(RecheckInvalidError, "нет признаков"):
        services.recheck_open(actor=actor, work_id=work, school_ids=[ready.school("A1b").pk])
    with Raises(RecheckInvalidError, "от 0 до 3"):
        services.recheck_open(actor=actor, work_id=work, school_ids=[], random_count=4)
    with Raises(RecheckInvalidError, "от 0 до 100"):
        services.recheck_open(
            actor=actor, work_id=work, school_ids=[], random_count=1, double_share=101
        )
    with pytest.raises(RecheckForbiddenError):
        services.recheck_open(
            actor=ready.actor("federal"), work_id=work, school_ids=[], random_count=1
        )
    with pytest.raises(RecheckForbiddenError):
        services.recheck_open(
            actor=ready.actor("school_organizer"), work_id=work, school_ids=[], random_count=1
        )
    assert not Review.objects.exists()
    # a school already in an open re-check of the work is not taken twice
    services.recheck_open(actor=actor, work_id=work, school_ids=[ready.school("A1a").pk])
    with Raises(RecheckError, "уже в открытой перепроверке"):
        services.recheck_open(actor=actor, work_id=work, school_ids=[ready.school("A1a").pk])
    assert Review.objects.count() == 1


@pytest.mark.django_db
def test_markers_are_embargoed_before_the_release(scene: Scene) -> None:
    # given results in but the clock inside the upload window
    results_in(scene)
    found = selectors.candidates(actor=scene.actor("regional"), work_id=scene.work.pk)
    # then no school is flagged yet; a random draw is still possible
    assert found.embargo_until is not None
    assert not found.flagged
    review = services.recheck_open(
        actor=scene.actor("regional"), work_id=scene.work.pk, school_ids=[], random_count=1
    )
    assert ReviewCase.objects.filter(review=review, reason=ReviewCase.Reason.RANDOM).count() == 1


def _case(scene: Scene) -> ReviewCase:
    review = services.recheck_open(
        actor=scene.actor("regional"),
        work_id=scene.work.pk,
        school_ids=[scene.school("A1a").pk],
    )
    return ReviewCase.objects.get(review=review)


@pytest.mark.django_db
def test_close_only_when_marked_and_with_an_outcome(ready: Scene) -> None:
    case = _case(ready)
    actor = ready.actor("regional")
    # while the commission has not marked it, no outcome
    with Raises(RecheckError, "проверила все работы"):
        services.case_close(actor=actor, case_id=case.pk, outcome="not_confirmed")
    mark_case(case)
    with Raises(RecheckInvalidError, "Выберите итог"):
        services.case_close(actor=actor, case_id=case.pk, outcome="")
    # a school may not close its own case
    with pytest.raises(RecheckForbiddenError):
        services.case_close(
            actor=ready.actor("school_organizer"), case_id=case.pk, outcome="confirmed"
        )
    closed = services.case_close(
        actor=actor, case_id=case.pk, outcome="not_confirmed", comment="Баллы завышены."
    )
    assert (closed.status, closed.outcome) == ("closed", "not_confirmed")
    assert CaseComment.objects.get(case=case).text == "Баллы завышены."
    event = AuditEvent.objects.get(action=ObjectivityAudit.CASE_STATUS, details__to="closed")
    assert event.details["outcome"] == "not_confirmed"
    with Raises(RecheckError, "уже закрыто"):
        services.case_close(actor=actor, case_id=case.pk, outcome="confirmed")
    # another region's coordinator does not see the case at all
    from apps.registration.access import actor_for_user
    from apps.registration.tests.factories import grant, make_user

    other = make_user("t_regional_b", "x-Password-123")
    grant(other, "regional", ready.world.regions["B"])
    with pytest.raises(RecheckNotFoundError):
        services.case_close(actor=actor_for_user(other), case_id=case.pk, outcome="confirmed")


@pytest.mark.django_db
def test_comments_are_seen_by_the_case_school_only(ready: Scene) -> None:
    case = _case(ready)
    services.case_comment_add(actor=ready.actor("regional"), case_id=case.pk, text="Ждём сканы.")
    services.case_comment_add(
        actor=ready.actor("school_organizer"), case_id=case.pk, text="Загрузим завтра."
    )
    seen = selectors.case_comments(actor=ready.actor("school_organizer"), case=case)
    assert [c.text for c in seen] == ["Ждём сканы.", "Загрузим завтра."]
    with pytest.raises(RecheckInvalidError):
        services.case_comment_add(actor=ready.actor("regional"), case_id=case.pk, text="  ")
    # another school neither sees nor comments on the case
    other = _existing_organizer("A1b")
    with pytest.raises(RecheckNotFoundError):
        services.case_comment_add(actor=other, case_id=case.pk, text="Чужое дело")
    with pytest.raises(RecheckNotFoundError):
        selectors.case_get(actor=other, case_id=case.pk)
    assert CaseComment.objects.count() == 2
    assert AuditEvent.objects.filter(action=ObjectivityAudit.CASE_COMMENT).count() == 2


def _existing_organizer(key: str) -> Any:
    """The organizer of school ``key`` made by the scene's upload of its results."""
    from apps.registration.access import actor_for_user
    from apps.registration.models import User

    return actor_for_user(User.objects.get(username=f"t_org_{key.lower()}"))
