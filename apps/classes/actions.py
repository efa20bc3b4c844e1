"""The classes app's actions and the roles that hold them (registered from its ``ready``).

A school keeps its class register and its classes' days; coordinators read the registers and the
distribution of their unit; the federal operator runs and publishes the assignment.
"""

from __future__ import annotations

from apps.registration.actions import ABOVE_SCHOOLS, EVERYONE, FEDERAL_SIDE, SCHOOL
from apps.registration.constants import Role


class ClassActions:
    VIEW_CLASSES = "classes.view"
    EDIT_CLASSES = "classes.edit"
    SET_CLASS_DATES = "classes.set_dates"
    VIEW_DISTRIBUTION = "classes.view_distribution"
    RUN_ASSIGNMENT = "classes.run_assignment"


HOLDERS: dict[str, frozenset[Role]] = {
    ClassActions.VIEW_CLASSES: EVERYONE,
    ClassActions.EDIT_CLASSES: frozenset({Role.SCHOOL_ORGANIZER}),
    ClassActions.SET_CLASS_DATES: frozenset({Role.SCHOOL_ORGANIZER}),
    ClassActions.VIEW_DISTRIBUTION: ABOVE_SCHOOLS,
    ClassActions.RUN_ASSIGNMENT: FEDERAL_SIDE,
}

__all__ = ["HOLDERS", "SCHOOL", "ClassActions"]
