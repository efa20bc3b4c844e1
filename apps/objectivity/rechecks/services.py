"""Writes of the regional re-checks: opening a re-check (schools from the objectivity markers
and/or a seeded random draw; the scans are requested from every school), comments on a case,
and closing a case with its outcome once the commission has marked it.

The shared core (a review, its cases, moving a case along) is ``apps.objectivity.reviews``.
"""

from __future__ import annotations

import random
from typing import Any

from django.db import transaction

from apps.core.scoping import Level, Scope
from apps.core.services import audit_record
from apps.objectivity import reviews
from apps.objectivity.actions import ObjectivityActions as Obj
from apps.objectivity.audit import ObjectivityAudit
from apps.objectivity.models import CaseComment, Review, ReviewCase
from apps.objectivity.rechecks import selectors
from apps.objectivity.rechecks.messages import (
    RecheckError,
    RecheckForbiddenError,
    RecheckInvalidError,
)
from apps.registration.access import Actor

COMMENT_MAX = 2000
THRESHOLD_MAX = 10
Status = ReviewCase.Status
Outcome = ReviewCase.Outcome
OUTCOMES = (Outcome.CONFIRMED, Outcome.PARTLY, Outcome.NOT_CONFIRMED)


def draw_random(pool: list[int], count: int, seed: int) -> list[int]:
    """``count`` school ids drawn from ``pool`` with ``seed`` (the same seed, the same pool:
    the same schools), in ascending order."""
    return sorted(random.Random(seed).sample(sorted(pool), count))  # noqa: S311 - replayable


def _check_settings(double_share: int, threshold: int, title: str) -> None:
    if not 0 <= double_share <= 100:
        raise RecheckInvalidError("recheck_double_share", value=double_share)
    if not 0 <= threshold <= THRESHOLD_MAX:
        raise RecheckInvalidError("recheck_threshold", value=threshold, max=THRESHOLD_MAX)
    if len(title) > 200:
        raise RecheckInvalidError("recheck_title_long")


def recheck_open(
    *,
    actor: Actor,
    work_id: int,
    school_ids: list[int],
    random_count: int = 0,
    seed: int | None = None,
    double_share: int = 20,
    threshold: int = 0,
    title: str = "",
) -> Review:
    """Open a re-check of ``work_id`` by the actor's unit (a region or a municipality): a case
    per chosen school (``school_ids``: flagged schools, reason «признаки» with their marker
    codes) and per school of a seeded random draw of ``random_count`` more among the unit's
    schools taking part (reason «случайный отбор»). The scans are requested from every school.
    A school outside the unit answers as missing (404)."""
    if not actor.can(Obj.MANAGE_REVIEWS) or actor.scope.level not in selectors.UNIT_LEVELS:
        raise RecheckForbiddenError("recheck_level")
    title = (title or "").strip()
    _check_settings(double_share, threshold, title)
    found = selectors.candidates(actor=actor, work_id=work_id)
    work = found.work
    by_id = {c.school.pk: c for c in found.rows}
    chosen = list(dict.fromkeys(int(s) for s in school_ids))
    for school_id in chosen:
        candidate = by_id.get(school_id)
        if candidate is None:
            _school_404_or_absent(actor, school_id, work)
        elif not candidate.flagged:
            raise RecheckInvalidError(
                "recheck_school_not_flagged", school=selectors.school_name(candidate.school)
            )
    for school_id in chosen:
        candidate = by_id[school_id]
        if candidate.busy_in:
            raise RecheckError(
                "recheck_school_busy",
                school=selectors.school_name(candidate.school),
                work=str(work),
                review=candidate.busy_in,
            )
    pool = [c.school.pk for c in found.rows if c.school.pk not in chosen and not c.busy_in]
    if not 0 <= random_count <= len(pool):
        raise RecheckInvalidError("recheck_random_count", available=len(pool), count=random_count)
    if not chosen and not random_count:
        raise RecheckInvalidError("recheck_empty")
    seed = reviews.new_seed() if seed is None else int(seed)
    drawn = draw_random(pool, random_count, seed) if random_count else []
    with transaction.atomic():
        review = reviews.review_create(
            actor=actor,
            kind=Review.Kind.RECHECK,
            work=work,
            title=title or f"Перепроверка: {work}",
            unit_scope=Scope(
                level=actor.scope.level,
                anchor_id=actor.scope.anchor_id,
                region_id=actor.scope.region_id,
                municipality_id=actor.scope.municipality_id,
            ),
            double_share=double_share,
            threshold=threshold,
            seed=seed,
        )
        cases = [
            reviews.case_add(
                review,
                by_id[s].school,
                reason=ReviewCase.Reason.FLAGS,
                flags=by_id[s].codes,
            )
            for s in chosen
        ] + [
            reviews.case_add(review, by_id[s].school, reason=ReviewCase.Reason.RANDOM)
            for s in drawn
        ]
        audit_record(
            actor=actor,
            action=ObjectivityAudit.REVIEW_OPEN,
            target=review,
            details={
                "kind": review.kind,
                "work": work.pk,
                "flagged": chosen,
                "random": drawn,
                "random_count": random_count,
                "seed": seed,
                "double_share": double_share,
                "threshold": threshold,
            },
        )
        for case in cases:
            _request_scans(actor, case)
    return review


def _school_404_or_absent(actor: Actor, school_id: int, work: Any) -> None:
    from apps.registration.access import A
    from apps.registration.models import School

    school = School.objects.for_actor(actor, A.VIEW_SCHOOL).filter(pk=school_id).first()
    if school is None:
        from apps.objectivity.rechecks.messages import RecheckNotFoundError

        raise RecheckNotFoundError("recheck_school_unknown", school=school_id)
    raise RecheckInvalidError(
        "recheck_school_not_taking_part", school=selectors.school_name(school), work=str(work)
    )


def _request_scans(actor: Actor, case: ReviewCase) -> None:
    """The school is asked for the scans (its cabinet lists ``selectors.requests_for_school``);
    scans it already uploaded in full count at once."""
    audit_record(
        actor=actor,
        action=ObjectivityAudit.SCANS_REQUEST,
        target=case,
        scope=Scope.of_row(case),
        details={"review": case.review_id, "work": case.review.work_id},
    )
    if selectors.scans_complete(school_id=case.school_id, work_id=case.review.work_id):
        reviews.case_advance(case, Status.SCANNED, actor=actor)


def case_comment_add(*, actor: Actor, case_id: int, text: str) -> CaseComment:
    """A comment on a case the actor sees (a school: its own case only)."""
    case = selectors.case_get(actor=actor, case_id=case_id, action=Obj.COMMENT_CASES)
    text = (text or "").strip()
    if not text:
        raise RecheckInvalidError("case_comment_empty")
    if len(text) > COMMENT_MAX:
        raise RecheckInvalidError("case_comment_long", max=COMMENT_MAX, length=len(text))
    return _comment(actor, case, text)


def _comment(actor: Actor, case: ReviewCase, text: str) -> CaseComment:
    if actor.user is None:  # a system job never comments
        raise RecheckForbiddenError("recheck_level")
    comment = CaseComment.objects.create(
        case=case,
        author=actor.user,
        role=str(actor.role or ""),
        text=text,
        school_id=case.school_id,
        municipality_id=case.municipality_id,
        region_id=case.region_id,
    )
    audit_record(
        actor=actor,
        action=ObjectivityAudit.CASE_COMMENT,
        target=case,
        scope=Scope.of_row(case),
        details={"comment": comment.pk, "length": len(text)},
    )
    return comment


def case_close(*, actor: Actor, case_id: int, outcome: str, comment: str = "") -> ReviewCase:
    """Close a re-check case with its outcome (only once the commission has marked it)."""
    case = selectors.case_get(actor=actor, case_id=case_id, action=Obj.MANAGE_REVIEWS)
    if actor.scope.level == Level.SCHOOL:
        raise RecheckForbiddenError("recheck_level")
    if case.review.kind != Review.Kind.RECHECK:
        raise RecheckError("case_not_recheck")
    if case.status == Status.CLOSED:
        raise RecheckError("case_closed", outcome=case.get_outcome_display())
    if outcome not in OUTCOMES:
        raise RecheckInvalidError("case_outcome_required")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise RecheckInvalidError("case_close_comment_long", max=COMMENT_MAX)
    if case.status != Status.MARKED:
        raise RecheckError("case_not_marked", status=case.get_status_display())
    with transaction.atomic():
        locked = ReviewCase.objects.for_actor(actor, Obj.MANAGE_REVIEWS).select_for_update()
        case = locked.select_related("review__work").get(pk=case.pk)
        if case.status != Status.MARKED:
            raise RecheckError("case_not_marked", status=case.get_status_display())
        case.outcome = outcome
        case.status = Status.CLOSED
        case.save(update_fields=["outcome", "status", "updated_at"])
        audit_record(
            actor=actor,
            action=ObjectivityAudit.CASE_STATUS,
            target=case,
            scope=Scope.of_row(case),
            details={"from": Status.MARKED, "to": Status.CLOSED, "outcome": outcome},
        )
        if comment:
            _comment(actor, case, comment)
    return case
