"""Who may mark in a review, and which schools' works a marker can reach."""

from __future__ import annotations

from typing import Any

from apps.core.scoping import Level, Scope
from apps.objectivity.models import Review
from apps.registration.access import Actor
from apps.registration.constants import Role


def marker_fits(review: Review, actor: Actor) -> bool:
    """Whether the user behind ``actor`` may mark in ``review``: a school's review takes the
    school's experts; a federal one the federal commission; a municipal one the
    municipality's commission; a regional one the region's (or its municipalities')."""
    scope = actor.scope
    if review.kind == Review.Kind.SCHOOL:
        return actor.role == Role.EXPERT and scope.school_id == review.school_id
    if actor.role != Role.MARKER:
        return False
    if review.kind == Review.Kind.FEDERAL or review.region_id is None:
        return scope.level is Level.FEDERAL
    if review.municipality_id is not None:
        return scope.municipality_id == review.municipality_id
    return scope.level is not Level.FEDERAL and scope.region_id == review.region_id


def covers(scope: Scope, row: Any) -> bool:
    """Whether a marker's scope reaches a school-owned row (a municipal marker of a regional
    review marks only its municipality's schools; ``for_actor`` would hide the others)."""
    if scope.level is Level.FEDERAL:
        return True
    if scope.level is Level.REGION:
        return bool(scope.region_id == row.region_id)
    if scope.level is Level.MUNICIPALITY:
        return bool(scope.municipality_id == row.municipality_id)
    return bool(scope.school_id == row.school_id)
