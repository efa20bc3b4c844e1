"""The core of reviews and their cases, shared by the federal sample, re-checks, the scans and
the marking: creating a review and its cases, and moving a case along its statuses.

A case moves requested → scanned (every booklet of the school's latest upload has its code) →
marking (its booklets are allocated) → marked (every task has its final score) → closed (the
coordinator's outcome, or the federal publication). Only forward, except that a new upload of
scans returns a case that is not yet marking to «scanned» again.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from apps.core.scoping import Scope
from apps.core.services import audit_record
from apps.objectivity.audit import ObjectivityAudit
from apps.objectivity.models import FederalSample, Review, ReviewCase

Status = ReviewCase.Status
_ORDER = [Status.REQUESTED, Status.SCANNED, Status.MARKING, Status.MARKED, Status.CLOSED]


def new_seed() -> int:
    """A fresh seed for a draw or an allocation (recorded on the row, so it can be replayed)."""
    return secrets.randbelow(2**62)


def review_create(
    *,
    actor: Any,
    kind: str,
    work: Any,
    title: str,
    unit_scope: Scope,
    double_share: int = 20,
    threshold: int = 0,
    seed: int | None = None,
    sample: FederalSample | None = None,
) -> Review:
    """A new open review of ``work`` run by the unit of ``unit_scope`` (federal: no ids).
    The caller checks the actor's right to open it and audits the opening."""
    return Review.objects.create(
        kind=kind,
        work=work,
        title=title,
        sample=sample,
        double_share=double_share,
        threshold=threshold,
        seed=new_seed() if seed is None else seed,
        opened_by=getattr(actor, "user", None),
        region_id=unit_scope.region_id,
        municipality_id=unit_scope.municipality_id,
        school_id=unit_scope.school_id,
    )


def case_add(review: Review, school: Any, *, reason: str, flags: Iterable[str] = ()) -> ReviewCase:
    """The school's case in ``review`` (created once; a second call returns the same case)."""
    case, _ = ReviewCase.objects.get_or_create(  # unscoped: the caller checked the school
        review=review,
        school=school,
        defaults={
            "reason": reason,
            "flags": list(flags),
            "municipality_id": school.municipality_id,
            "region_id": school.region_id,
        },
    )
    return case


def case_advance(case: ReviewCase, status: str, *, actor: Any = None) -> bool:
    """Move ``case`` forward to ``status`` (never back; closed stays closed). Audited when an
    actor is given. Returns whether it moved."""
    if case.status == Status.CLOSED or _ORDER.index(Status(status)) <= _ORDER.index(
        Status(case.status)
    ):
        return False
    before = case.status
    case.status = status
    case.save(update_fields=["status", "updated_at"])
    if actor is not None:
        audit_record(
            actor=actor,
            action=ObjectivityAudit.CASE_STATUS,
            target=case,
            scope=Scope.of_row(case),
            details={"from": before, "to": status},
        )
    return True


def cases_on_scans_ready(*, school_id: int, work_id: int) -> int:
    """Every booklet of the school's latest upload for the work has its code: its open cases
    that were waiting for scans (or had them, before a new upload) become «scanned»."""
    with transaction.atomic():
        return ReviewCase.objects.filter(  # unscoped: the scans' job, for their own school
            school_id=school_id,
            review__work_id=work_id,
            review__status=Review.Status.OPEN,
            status=Status.REQUESTED,
        ).update(status=Status.SCANNED)


def open_cases_of(*, school_id: int, work_id: int) -> list[ReviewCase]:
    """The school's cases in open reviews of the work (what its scans are wanted for)."""
    return list(
        ReviewCase.objects.filter(  # unscoped: the caller checked the school
            school_id=school_id, review__work_id=work_id, review__status=Review.Status.OPEN
        ).select_related("review")
    )
