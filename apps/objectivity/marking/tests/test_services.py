"""Markers of a review, allocation, marks, the third marker and final results."""

from __future__ import annotations

from collections import Counter

import pytest

from apps.core.models import AuditEvent
from apps.objectivity.audit import ObjectivityAudit
from apps.objectivity.marking import selectors, services
from apps.objectivity.marking.messages import (
    MarkingConflictError,
    MarkingInvalidError,
    MarkingNotFoundError,
)
from apps.objectivity.marking.tests.factories import ready_booklets, recheck
from apps.objectivity.models import MarkTask, Review, ReviewCase
from apps.objectivity.tests.scene import Scene
from apps.registration.access import actor_for_user
from apps.registration.tests.factories import grant, make_user
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _tasks(review: Review, **filters: object) -> list[MarkTask]:
    return list(MarkTask.objects.filter(review=review, **filters).order_by("pk"))


def test_allocation_counts_by_hand(scene: Scene) -> None:
    # given 12 ready booklets of A1a, a re-check with 25 % marked twice and 3 markers
    ready_booklets(scene, "A1a")
    review = recheck(scene, double_share=25)
    # when the coordinator allocates
    created = services.review_allocate(actor=scene.actor("regional"), review_id=review.pk)
    # then 12×15 round-1 tasks and 3 booklets (25 % of 12) × 15 round-2 tasks are made
    assert created == 12 * 15 + 3 * 15
    assert len(_tasks(review, round=1)) == 180
    round2 = _tasks(review, round=2)
    assert len({t.booklet_id for t in round2}) == 3
    # and each column is balanced: 15 tasks over 3 markers, 5 each
    per = Counter((t.column_id, t.marker_id) for t in _tasks(review))
    assert set(per.values()) == {5}
    # and the second marker of a task is never its first
    first = {(t.booklet_id, t.column_id): t.marker_id for t in _tasks(review, round=1)}
    assert all(t.marker_id != first[(t.booklet_id, t.column_id)] for t in round2)
    # and the case is being marked; the allocation is audited
    assert ReviewCase.objects.get(review=review).status == ReviewCase.Status.MARKING
    assert AuditEvent.objects.filter(action=ObjectivityAudit.REVIEW_ALLOCATE).count() == 1


def test_allocation_is_seeded_and_idempotent(scene: Scene) -> None:
    # given the same booklets in two reviews with the same seed
    ready_booklets(scene, "A1a", 10)
    one = recheck(scene, double_share=30, seed=99)
    services.review_allocate(actor=scene.actor("regional"), review_id=one.pk)
    # when allocating again (no new booklets)
    again = services.review_allocate(actor=scene.actor("regional"), review_id=one.pk)
    # then nothing new is made
    assert again == 0
    assert len(_tasks(one)) == 10 * 15 + 3 * 15
    # and when more scans arrive, only their tasks are added
    ready_booklets(scene, "A1a", 2)
    assert (
        services.review_allocate(actor=scene.actor("regional"), review_id=one.pk) == 2 * 15 + 1 * 15
    )


def test_allocation_refuses_without_markers_or_second_marker(scene: Scene) -> None:
    ready_booklets(scene, "A1a", 2)
    review = recheck(scene, double_share=20, markers=scene.markers[:1])
    with pytest.raises(MarkingConflictError) as err:
        services.review_allocate(actor=scene.actor("regional"), review_id=review.pk)
    assert "двух экспертов" in err.value.message
    assert not _tasks(review)


def test_markers_set_accepts_commission_refuses_others(scene: Scene) -> None:
    review = recheck(scene, markers=[])
    regional = scene.actor("regional")
    # when the region's commission is set
    saved = services.markers_set(
        actor=regional, review_id=review.pk, user_ids=[u.pk for u in scene.markers]
    )
    assert {m.user_id for m in saved} == {u.pk for u in scene.markers}
    # then a federal marker or a school's expert is refused with a Russian message, nothing changed
    with pytest.raises(MarkingInvalidError) as err:
        services.markers_set(
            actor=regional,
            review_id=review.pk,
            user_ids=[scene.markers[0].pk, scene.federal_markers[0].pk],
        )
    assert "не эксперт комиссии" in err.value.message
    assert {m.user_id for m in review.markers.filter(active=True)} == {u.pk for u in scene.markers}
    # and region B's coordinator does not find the review at all
    other = make_user("t_regional_b", PASSWORD)
    grant(other, "regional", scene.world.regions["B"])
    with pytest.raises(MarkingNotFoundError):
        services.markers_set(
            actor=actor_for_user(other), review_id=review.pk, user_ids=[scene.markers[0].pk]
        )
    assert AuditEvent.objects.filter(action=ObjectivityAudit.MARKERS_SET).count() == 1


def _enter(user: object, task: MarkTask, score: int | None) -> MarkTask:
    return services.mark_enter(actor=actor_for_user(user), mark_task_id=task.pk, score=score)


def _user(scene: Scene, user_id: int | None) -> object:
    return next(u for u in scene.markers if u.pk == user_id)


@pytest.mark.parametrize(("a", "b", "third"), [(2, 1, False), (2, 0, True), (None, 1, False)])
def test_third_marker_at_threshold_boundary(
    scene: Scene, a: int | None, b: int | None, third: bool
) -> None:
    # given a booklet marked twice with threshold 1
    ready_booklets(scene, "A1a", 1)
    review = recheck(scene, double_share=100, threshold=1)
    services.review_allocate(actor=scene.actor("regional"), review_id=review.pk)
    column = review.work.columns.get(label="4")  # maximum 3
    one = _tasks(review, round=1, column=column)[0]
    two = _tasks(review, round=2, column=column)[0]
    # when both markers enter their scores
    _enter(_user(scene, one.marker_id), one, a)
    _enter(_user(scene, two.marker_id), two, b)
    # then a third task exists only when they differ by more than 1, for the marker who did neither
    thirds = _tasks(review, round=3)
    assert bool(thirds) is third
    if third:
        assert thirds[0].marker_id not in {one.marker_id, two.marker_id}
        assert thirds[0].marker_id is not None


def test_final_results_and_case_marked(scene: Scene) -> None:
    # given one booklet marked twice with threshold 0
    ready_booklets(scene, "A1a", 1)
    review = recheck(scene, double_share=100, threshold=0)
    services.review_allocate(actor=scene.actor("regional"), review_id=review.pk)
    columns = list(review.work.columns.order_by("position"))
    # when round 1 gives 1 to every task, round 2 agrees except on the first column (0)
    for task in _tasks(review, round=1):
        _enter(_user(scene, task.marker_id), task, min(1, task.column.max_score))
    for task in _tasks(review, round=2):
        first = task.column_id == columns[0].pk
        _enter(_user(scene, task.marker_id), task, 0 if first else min(1, task.column.max_score))
    # then the first column waits for the third marker, the case is not marked
    [result] = selectors.booklet_results(review=review)
    assert not result.final
    assert result.pending == (columns[0].label,)
    assert ReviewCase.objects.get(review=review).status == ReviewCase.Status.MARKING
    # when the third marker gives «X»
    [third] = _tasks(review, round=3)
    _enter(_user(scene, third.marker_id), third, None)
    # then everything is final: «X» in column 1, 1 elsewhere; primary = 14; the case is marked
    [result] = selectors.booklet_results(review=review)
    assert result.final
    assert result.scores == (None, *(min(1, c.max_score) for c in columns[1:]))
    assert result.primary == sum(min(1, c.max_score) for c in columns[1:])
    assert ReviewCase.objects.get(review=review).status == ReviewCase.Status.MARKED
    progress = selectors.review_progress(review=review)
    assert (progress.tasks, progress.entered, progress.final_booklets) == (31, 31, 1)
    # and the review may now close; afterwards marks are frozen
    services.review_close(actor=scene.actor("regional"), review_id=review.pk)
    with pytest.raises(MarkingConflictError):
        _enter(_user(scene, third.marker_id), third, 1)


def test_mark_enter_refuses_bad_score_and_foreign_task(scene: Scene) -> None:
    ready_booklets(scene, "A1a", 1)
    review = recheck(scene)
    services.review_allocate(actor=scene.actor("regional"), review_id=review.pk)
    task = _tasks(review)[0]
    owner = _user(scene, task.marker_id)
    # a score above the maximum: a Russian message naming the task, nothing saved
    with pytest.raises(MarkingInvalidError) as err:
        _enter(owner, task, task.column.max_score + 1)
    assert f"Задание {task.column.label}" in err.value.message
    task.refresh_from_db()
    assert task.entered_at is None
    # another marker's task: as good as missing
    stranger = next(u for u in scene.markers if u.pk != task.marker_id)
    with pytest.raises(MarkingNotFoundError):
        _enter(stranger, task, 0)
    # a re-entry is allowed and audited each time
    _enter(owner, task, 0)
    _enter(owner, task, 1 if task.column.max_score else 0)
    assert AuditEvent.objects.filter(action=ObjectivityAudit.MARK_ENTER).count() == 2


def test_reentry_within_threshold_drops_unmarked_third(scene: Scene) -> None:
    ready_booklets(scene, "A1a", 1)
    review = recheck(scene, double_share=100, threshold=0)
    services.review_allocate(actor=scene.actor("regional"), review_id=review.pk)
    column = review.work.columns.filter(max_score__gte=1).order_by("position").first()
    one = _tasks(review, round=1, column=column)[0]
    two = _tasks(review, round=2, column=column)[0]
    _enter(_user(scene, one.marker_id), one, 1)
    _enter(_user(scene, two.marker_id), two, 0)
    assert len(_tasks(review, round=3)) == 1
    # when the second marker corrects to agree, the unmarked third task goes away
    _enter(_user(scene, two.marker_id), two, 1)
    assert _tasks(review, round=3) == []


def test_next_task_and_third_assign(scene: Scene) -> None:
    ready_booklets(scene, "A1a", 3)
    review = recheck(scene, double_share=100, threshold=0, markers=scene.markers[:2])
    services.review_allocate(actor=scene.actor("regional"), review_id=review.pk)
    marker = actor_for_user(scene.markers[0])
    first = selectors.next_task(actor=marker, review_id=review.pk)
    assert first is not None
    assert first.marker_id == scene.markers[0].pk
    column = first.column
    one = _tasks(review, round=1, column=column, booklet=first.booklet)[0]
    two = _tasks(review, round=2, column=column, booklet=first.booklet)[0]
    if column.max_score:
        _enter(_user(scene, one.marker_id), one, column.max_score)
        _enter(_user(scene, two.marker_id), two, 0)
        # with two markers only, the third task waits unassigned for the coordinator
        [third] = _tasks(review, round=3)
        assert third.marker_id is None
        progress = selectors.review_progress(review=review)
        assert progress.unassigned == 1
        # who may not give it to a marker who marked it already
        with pytest.raises(MarkingInvalidError):
            services.third_assign(
                actor=scene.actor("regional"), mark_task_id=third.pk, user_id=one.marker_id
            )
        services.markers_set(
            actor=scene.actor("regional"),
            review_id=review.pk,
            user_ids=[u.pk for u in scene.markers],
        )
        services.third_assign(
            actor=scene.actor("regional"), mark_task_id=third.pk, user_id=scene.markers[2].pk
        )
        third.refresh_from_db()
        assert third.marker_id == scene.markers[2].pk
    # next_task of a column gives only that column
    other = selectors.next_task(actor=marker, review_id=review.pk, column_id=column.pk)
    assert other is None or other.column_id == column.pk


def test_small_allocation_spreads_over_every_marker(scene: Scene) -> None:
    # given 2 booklets × 15 columns and 3 markers (fewer booklets than markers per column)
    ready_booklets(scene, "A1a", 2)
    review = recheck(scene)
    services.review_allocate(actor=scene.actor("regional"), review_id=review.pk)
    # then every marker gets 10 of the 30 tasks
    per = Counter(t.marker_id for t in _tasks(review))
    assert sorted(per.values()) == [10, 10, 10]


def test_school_review_marked_by_its_experts(scene: Scene) -> None:
    # given A1a's own on-screen review with two of its experts
    ready_booklets(scene, "A1a", 2)
    organizer = scene.actor("school_organizer")
    school = scene.school("A1a")
    review = services.school_review_open(
        actor=organizer, school_id=school.pk, work_id=scene.work.pk, double_share=50
    )
    second = make_user("t_expert2", PASSWORD, full_name="Эксперт Второй")
    grant(second, "expert", school)
    experts = [scene.world.users["expert"], second]
    services.markers_set(actor=organizer, review_id=review.pk, user_ids=[u.pk for u in experts])
    # when the organizer allocates
    assert services.review_allocate(actor=organizer, review_id=review.pk) == 2 * 15 + 1 * 15
    # then each expert marks its own tasks through its personal scope, and nobody else's
    for user in experts:
        actor = actor_for_user(user)
        task = selectors.next_task(actor=actor, review_id=review.pk)
        assert task is not None
        assert task.marker_id == user.pk
        services.mark_enter(actor=actor, mark_task_id=task.pk, score=0)
    foreign = MarkTask.objects.filter(review=review, marker=experts[1]).first()
    assert foreign is not None
    with pytest.raises(MarkingNotFoundError):
        services.mark_enter(actor=actor_for_user(experts[0]), mark_task_id=foreign.pk, score=0)
    # and a second opening returns the same review
    again = services.school_review_open(actor=organizer, school_id=school.pk, work_id=scene.work.pk)
    assert again.pk == review.pk
