"""The objectivity control app's actions and the roles that hold them (registered from its
``ready``).

A school (or a coordinator) uploads the scans of its paper works and types the participant
codes the machine cannot read; the federal operator draws the federal sample and publishes the
federal scores; regional and municipal coordinators open re-checks and follow their cases;
commission markers (and a school's experts on screen) mark only the works allocated to them.
"""

from __future__ import annotations

from apps.registration.actions import ABOVE_SCHOOLS, EVERYONE, FEDERAL_SIDE, SCHOOL
from apps.registration.constants import Role


class ObjectivityActions:
    VIEW_SCANS = "objectivity.view_scans"
    UPLOAD_SCANS = "objectivity.upload_scans"
    IDENTIFY_BOOKLETS = "objectivity.identify_booklets"
    VIEW_REVIEWS = "objectivity.view_reviews"
    MANAGE_REVIEWS = "objectivity.manage_reviews"
    COMMENT_CASES = "objectivity.comment_cases"
    MANAGE_MARKERS = "objectivity.manage_markers"
    MARK = "objectivity.mark"
    DRAW_SAMPLE = "objectivity.draw_sample"
    PUBLISH_FEDERAL = "objectivity.publish_federal"
    VIEW_RECHECK_REPORT = "objectivity.view_recheck_report"


HOLDERS: dict[str, frozenset[Role]] = {
    ObjectivityActions.VIEW_SCANS: EVERYONE,
    ObjectivityActions.UPLOAD_SCANS: SCHOOL | ABOVE_SCHOOLS,
    ObjectivityActions.IDENTIFY_BOOKLETS: SCHOOL | ABOVE_SCHOOLS,
    ObjectivityActions.VIEW_REVIEWS: EVERYONE,
    # a coordinator opens re-checks in its unit; the federal side runs the federal review; a
    # school organizer opens its own on-screen review (services check the kind)
    ObjectivityActions.MANAGE_REVIEWS: ABOVE_SCHOOLS | {Role.SCHOOL_ORGANIZER},
    ObjectivityActions.COMMENT_CASES: EVERYONE - {Role.SYSTEM},
    ObjectivityActions.MANAGE_MARKERS: ABOVE_SCHOOLS - {Role.SYSTEM},
    ObjectivityActions.MARK: frozenset({Role.MARKER, Role.EXPERT}),
    ObjectivityActions.DRAW_SAMPLE: FEDERAL_SIDE,
    ObjectivityActions.PUBLISH_FEDERAL: FEDERAL_SIDE,
    ObjectivityActions.VIEW_RECHECK_REPORT: ABOVE_SCHOOLS,
}
