"""Writes of the marking: the markers of a review, the allocation of booklets' tasks (a seeded
share marked twice, load balanced per task column), a marker's scores (a discrepancy above the
threshold goes to a third marker), the third marker's assignment and the closing of a review.

docs/objectivity/marking.md tells the rules; ``rules.py`` holds the pure parts.
"""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from apps.campaigns.models import Work
from apps.core.scoping import Scope
from apps.core.services import audit_record
from apps.objectivity import reviews
from apps.objectivity.actions import ObjectivityActions as A
from apps.objectivity.audit import ObjectivityAudit
from apps.objectivity.marking import selectors
from apps.objectivity.marking.eligibility import covers, marker_fits
from apps.objectivity.marking.messages import (
    MarkingConflictError,
    MarkingInvalidError,
    MarkingNotFoundError,
)
from apps.objectivity.marking.rules import THIRD, discrepant, draw_double, least_loaded
from apps.objectivity.models import Booklet, MarkTask, Review, ReviewCase, ReviewMarker
from apps.registration.access import Actor, actor_for_user
from apps.registration.constants import Role
from apps.registration.models import User

_SYSTEM = Actor.system(reason="marking: booklets and tasks of a managed review")


def _open(review: Review) -> None:
    if review.status != Review.Status.OPEN:
        raise MarkingConflictError("review_closed", title=review.title)


def _unit_label(review: Review) -> str:
    if review.kind == Review.Kind.FEDERAL or review.region_id is None:
        return "федерального уровня"
    if review.municipality_id is not None:
        return "муниципалитета"
    return "региона"


def markers_set(*, actor: Any, review_id: int, user_ids: list[int]) -> list[ReviewMarker]:
    """Make ``user_ids`` the active markers of the review (others stay, inactive: their tasks
    remain theirs until reassigned). Refused whole, with every reason, if one does not fit."""
    review = selectors.review_manage_get(actor=actor, review_id=review_id)
    _open(review)
    wanted = list(dict.fromkeys(int(u) for u in user_ids))
    if not wanted:
        raise MarkingInvalidError("markers_empty")
    users = {u.pk: u for u in User.objects.filter(pk__in=wanted, is_active=True)}
    problems: list[tuple[int, MarkingInvalidError]] = []
    for user_id in wanted:
        user = users.get(user_id)
        if user is None:
            problems.append((user_id, MarkingInvalidError("marker_unknown", user=user_id)))
            continue
        name = user.full_name or user.username
        if not marker_fits(review, actor_for_user(user)):
            if review.kind == Review.Kind.SCHOOL:
                problems.append((user_id, MarkingInvalidError("marker_not_expert", name=name)))
            else:
                unit = _unit_label(review)
                error = MarkingInvalidError("marker_not_commission", name=name, unit=unit)
                problems.append((user_id, error))
    if problems:
        first = problems[0][1]
        raise MarkingInvalidError(
            first.code,
            details=[{"user": u, "message": e.message} for u, e in problems],
            **first.extra,
        )
    with transaction.atomic():
        existing = {m.user_id: m for m in ReviewMarker.objects.filter(review=review)}
        for user_id in wanted:
            marker = existing.get(user_id)
            if marker is None:
                ReviewMarker.objects.create(review=review, user_id=user_id, active=True)
            elif not marker.active:
                marker.active = True
                marker.save(update_fields=["active", "updated_at"])
        ReviewMarker.objects.filter(review=review, active=True).exclude(user_id__in=wanted).update(
            active=False
        )
        audit_record(
            actor=actor,
            action=ObjectivityAudit.MARKERS_SET,
            target=review,
            scope=Scope.of_row(review),
            details={"markers": wanted},
        )
    return list(ReviewMarker.objects.filter(review=review, active=True).order_by("pk"))


def _active_markers(review: Review) -> list[tuple[int, Scope]]:
    """(user id, scope) of the review's active markers that still fit, in a seeded order."""
    found = []
    for m in ReviewMarker.objects.filter(review=review, active=True).select_related("user"):
        marker_actor = actor_for_user(m.user)
        if marker_fits(review, marker_actor):
            found.append((m.user_id, marker_actor.scope))
    found.sort(key=lambda pair: pair[0])
    random.Random(f"markers:{review.seed}").shuffle(found)  # noqa: S311 - replayable
    return found


def review_allocate(*, actor: Any, review_id: int) -> int:
    """Give the review's markers the tasks of the READY booklets of its cases' schools not yet
    allocated: per booklet and form column a round-1 task; for the seeded ``double_share``% of
    the booklets a round-2 task too, to another marker. Load is balanced per column (least
    loaded first, a seeded order on ties). Returns the number of tasks created (0 again)."""
    review = selectors.review_manage_get(actor=actor, review_id=review_id)
    _open(review)
    markers = _active_markers(review)
    if not markers:
        raise MarkingConflictError("no_markers")
    if review.double_share > 0 and len(markers) < 2:
        raise MarkingConflictError("double_needs_two", share=review.double_share)
    cases = list(
        ReviewCase.objects.for_actor(_SYSTEM, A.VIEW_REVIEWS)
        .filter(review=review)
        .exclude(status=ReviewCase.Status.CLOSED)
    )
    allocated = set(
        MarkTask.objects.for_actor(_SYSTEM, A.VIEW_REVIEWS)
        .filter(review=review)
        .values_list("booklet_id", flat=True)
    )
    booklets = list(
        Booklet.objects.for_actor(_SYSTEM, A.VIEW_SCANS)
        .filter(
            work_id=review.work_id,
            school_id__in=[c.school_id for c in cases],
            status=Booklet.Status.READY,
        )
        .exclude(pk__in=allocated)
        .order_by("pk")
    )
    if not booklets:
        return 0
    double = draw_double(review.seed, [b.pk for b in booklets], review.double_share)
    columns = selectors.columns_of(review)
    order = [user_id for user_id, _ in markers]
    scopes = dict(markers)
    load: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for column_id, marker_id, n in (
        MarkTask.objects.for_actor(_SYSTEM, A.VIEW_REVIEWS)
        .filter(review=review, marker__isnull=False)
        .values("column_id", "marker_id")
        .annotate(n=Count("pk"))
        .values_list("column_id", "marker_id", "n")
    ):
        load[column_id][marker_id] = n
    total: dict[int, int] = defaultdict(int)
    for per_column in load.values():
        for marker_id, n in per_column.items():
            total[marker_id] += n
    tasks = []
    fitting = {b.pk: [u for u in order if covers(scopes[u], b)] for b in booklets}
    for column in columns:  # column by column: a marker's work is one task across booklets
        for booklet in booklets:
            fits = fitting[booklet.pk]
            first = least_loaded(fits, load[column.pk], total)
            rounds: list[tuple[int, int | None]] = [(1, first)]
            if booklet.pk in double:
                others = [u for u in fits if u != first]
                rounds.append((2, least_loaded(others, load[column.pk], total)))
            for rnd, chosen in rounds:
                if chosen is not None:
                    load[column.pk][chosen] += 1
                    total[chosen] += 1
                tasks.append(
                    MarkTask(
                        review=review,
                        booklet=booklet,
                        column=column,
                        round=rnd,
                        marker_id=chosen,
                        school_id=booklet.school_id,
                        municipality_id=booklet.municipality_id,
                        region_id=booklet.region_id,
                    )
                )
    schools = {b.school_id for b in booklets}
    with transaction.atomic():
        MarkTask.objects.bulk_create(tasks, batch_size=2000)
        for case in cases:
            if case.school_id in schools:
                reviews.case_advance(case, ReviewCase.Status.MARKING, actor=actor)
        audit_record(
            actor=actor,
            action=ObjectivityAudit.REVIEW_ALLOCATE,
            target=review,
            scope=Scope.of_row(review),
            details={
                "booklets": len(booklets),
                "double": len(double),
                "tasks": len(tasks),
                "markers": len(order),
            },
        )
    return len(tasks)


def _pair_check(task: MarkTask, actor: Any) -> None:
    """After a round-1/2 mark: open (or drop) the third marker's task of the same task."""
    same = MarkTask.objects.for_actor(_SYSTEM, A.VIEW_REVIEWS).filter(
        review_id=task.review_id, booklet_id=task.booklet_id, column_id=task.column_id
    )
    rounds = {t.round: t for t in same}
    first, second, third = rounds.get(1), rounds.get(2), rounds.get(THIRD)
    if first is None or second is None or first.entered_at is None or second.entered_at is None:
        return
    if not discrepant(first.score, second.score, task.review.threshold):
        if third is not None and third.entered_at is None:
            third.delete()  # re-entered within the threshold: no third marker needed
        return
    if third is not None:
        return
    review = task.review
    busy = {first.marker_id, second.marker_id}
    candidates = [
        u for u, scope in _active_markers(review) if u not in busy and covers(scope, task)
    ]
    load = dict(
        MarkTask.objects.for_actor(_SYSTEM, A.VIEW_REVIEWS)
        .filter(review=review, marker_id__in=candidates, entered_at__isnull=True)
        .values("marker_id")
        .annotate(n=Count("pk"))
        .values_list("marker_id", "n")
    )
    MarkTask.objects.create(
        review=review,
        booklet_id=task.booklet_id,
        column_id=task.column_id,
        round=THIRD,
        marker_id=least_loaded(sorted(candidates), load),
        school_id=task.school_id,
        municipality_id=task.municipality_id,
        region_id=task.region_id,
    )


def _case_check(task: MarkTask, actor: Any) -> None:
    """Every task of the school's booklets in the review has its final score → case MARKED."""
    unmarked = MarkTask.objects.for_actor(_SYSTEM, A.VIEW_REVIEWS).filter(
        review_id=task.review_id, school_id=task.school_id, entered_at__isnull=True
    )
    if unmarked.exists():  # cheap: most marks leave work to do
        return
    results = selectors.booklet_results(review=task.review, school_id=task.school_id)
    if results and all(r.final for r in results):
        case = (
            ReviewCase.objects.for_actor(_SYSTEM, A.VIEW_REVIEWS)
            .filter(review_id=task.review_id, school_id=task.school_id)
            .first()
        )
        if case is not None:
            reviews.case_advance(case, ReviewCase.Status.MARKED, actor=actor)


def mark_enter(*, actor: Any, mark_task_id: int, score: int | None, comment: str = "") -> MarkTask:
    """The marker's score of its own task (None: «X»); may be changed until the review closes."""
    task = selectors.my_task_get(actor=actor, mark_task_id=mark_task_id)
    _open(task.review)
    if score is not None and not 0 <= score <= task.column.max_score:
        raise MarkingInvalidError(
            "score_out_of_range", label=task.column.label, max=task.column.max_score, score=score
        )
    with transaction.atomic():
        # the rounds of this task, locked in a fixed order before the mark is written: two
        # markers saving the two rounds at once see each other's mark, so a discrepancy always
        # opens its third marker's task (and never twice)
        list(
            MarkTask.objects.for_actor(_SYSTEM, A.VIEW_REVIEWS)
            .filter(review_id=task.review_id, booklet_id=task.booklet_id, column_id=task.column_id)
            .select_for_update()
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        before = (task.score, task.entered_at is not None)
        task.score = score
        task.comment = (comment or "").strip()[:300]
        task.entered_at = timezone.now()
        task.save(update_fields=["score", "comment", "entered_at", "updated_at"])
        audit_record(
            actor=actor,
            action=ObjectivityAudit.MARK_ENTER,
            target=task,
            scope=Scope.of_row(task),
            details={
                "review": task.review_id,
                "column": task.column.label,
                "round": task.round,
                "score": "X" if score is None else score,
                "changed": before[1],
            },
        )
        if task.round in (1, 2):
            _pair_check(task, actor)
        _case_check(task, actor)
    return task


def third_assign(*, actor: Any, mark_task_id: int, user_id: int) -> MarkTask:
    """The coordinator gives a waiting third-marker task to a marker of the review who marked
    neither round of it."""
    task = (
        MarkTask.objects.for_actor(actor, A.MANAGE_REVIEWS)
        .select_related("review")
        .filter(pk=mark_task_id)
        .first()
    )
    if task is None:
        raise MarkingNotFoundError("task_not_found")
    review = selectors.review_manage_get(actor=actor, review_id=task.review_id)
    _open(review)
    if task.round != THIRD:
        raise MarkingInvalidError("assign_not_third")
    if task.entered_at is not None:
        raise MarkingConflictError("assign_entered")
    markers = dict(_active_markers(review))
    if user_id not in markers:
        raise MarkingInvalidError("assign_not_marker", user=user_id)
    user = User.objects.get(pk=user_id)
    name = user.full_name or user.username
    if not covers(markers[user_id], task):
        raise MarkingInvalidError("assign_out_of_unit", name=name)
    if (
        MarkTask.objects.for_actor(_SYSTEM, A.VIEW_REVIEWS)
        .filter(
            review=review,
            booklet_id=task.booklet_id,
            column_id=task.column_id,
            round__in=(1, 2),
            marker_id=user_id,
        )
        .exists()
    ):
        raise MarkingInvalidError("assign_marked_before", name=name)
    with transaction.atomic():
        task.marker_id = user_id
        task.save(update_fields=["marker", "updated_at"])
        audit_record(
            actor=actor,
            action=ObjectivityAudit.REVIEW_ALLOCATE,
            target=review,
            scope=Scope.of_row(review),
            details={"third": task.pk, "marker": user_id},
        )
    return task


def review_close(*, actor: Any, review_id: int) -> Review:
    """Close the review once every allocated task has its final score; marks are then frozen."""
    review = selectors.review_manage_get(actor=actor, review_id=review_id)
    _open(review)
    left = sum(len(r.pending) for r in selectors.booklet_results(review=review))
    if left:
        raise MarkingConflictError("review_unfinished", title=review.title, left=left)
    with transaction.atomic():
        review.status = Review.Status.CLOSED
        review.closed_at = timezone.now()
        review.save(update_fields=["status", "closed_at", "updated_at"])
        audit_record(
            actor=actor,
            action=ObjectivityAudit.REVIEW_CLOSE,
            target=review,
            scope=Scope.of_row(review),
            details={"status": review.status},
        )
    return review


def school_review_open(
    *, actor: Any, school_id: int, work_id: int, double_share: int = 0, threshold: int = 0
) -> Review:
    """The school's own on-screen checking of a work by its experts (opened by its organizer;
    the school's open one when there is one already). Its markers are the school's experts."""
    school = selectors.school_manage_get(actor=actor, school_id=school_id)
    if actor.role != Role.SCHOOL_ORGANIZER:
        raise MarkingConflictError("school_review_organizer")
    work = Work.objects.filter(pk=work_id).first()
    if work is None:
        raise MarkingNotFoundError("work_not_found")
    if not 0 <= double_share <= 100:
        raise MarkingInvalidError("double_share_out_of_range", share=double_share)
    if not 0 <= threshold <= 99:
        raise MarkingInvalidError("threshold_out_of_range", threshold=threshold)
    found = (
        Review.objects.for_actor(actor, A.MANAGE_REVIEWS)
        .filter(kind=Review.Kind.SCHOOL, school_id=school.pk, work=work, status=Review.Status.OPEN)
        .first()
    )
    if found is not None:
        return found
    with transaction.atomic():
        review = reviews.review_create(
            actor=actor,
            kind=Review.Kind.SCHOOL,
            work=work,
            title=f"Проверка экспертами ОО: {work}",
            unit_scope=Scope.of_school(school.pk, school.municipality_id, school.region_id),
            double_share=double_share,
            threshold=threshold,
        )
        reviews.case_add(review, school, reason=ReviewCase.Reason.SCHOOL)
        audit_record(
            actor=actor,
            action=ObjectivityAudit.REVIEW_OPEN,
            target=review,
            scope=Scope.of_row(review),
            details={"kind": review.kind, "work": work.pk, "double_share": double_share},
        )
    return review
