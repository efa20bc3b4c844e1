"""The families app's actions and the roles that hold them (registered from its ``ready``).

The slips are the school's: its organizer and technical specialist print them (the specialist
prints the day's papers with the organizer); coordinators never get a pupil's slip. The
organizer records that a class's families were informed; every level reads those marks for
its schools (the coordinators' overview: docs/families.md).
"""

from __future__ import annotations

from apps.registration.actions import EVERYONE, SCHOOL
from apps.registration.constants import Role


class FamiliesActions:
    PRINT_SLIPS = "families.print_slips"
    MARK_INFORMED = "families.mark_informed"
    VIEW_INFORMED = "families.view_informed"


HOLDERS: dict[str, frozenset[Role]] = {
    FamiliesActions.PRINT_SLIPS: SCHOOL,
    FamiliesActions.MARK_INFORMED: frozenset({Role.SCHOOL_ORGANIZER}),
    FamiliesActions.VIEW_INFORMED: EVERYONE,
}
