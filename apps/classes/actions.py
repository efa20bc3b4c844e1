"""The classes app's actions and the roles that hold them (registered from its ``ready``).

A school keeps its class register and its classes' days (and asks reserve days for its classes);
coordinators read the registers and the distribution of their unit, and move a class's day with a
reason (as they move a school's day, ADR 0014); the federal operator runs and publishes the
assignment.
"""

from __future__ import annotations

from apps.registration.actions import ABOVE_SCHOOLS, COORDINATORS, EVERYONE, FEDERAL_SIDE, SCHOOL
from apps.registration.constants import Role


class ClassActions:
    VIEW_CLASSES = "classes.view"
    EDIT_CLASSES = "classes.edit"
    SET_CLASS_DATES = "classes.set_dates"
    MOVE_CLASS_DAY = "classes.move_class_day"
    VIEW_DISTRIBUTION = "classes.view_distribution"
    RUN_ASSIGNMENT = "classes.run_assignment"
    LOAD_REGISTERS = "classes.load_registers"


HOLDERS: dict[str, frozenset[Role]] = {
    ClassActions.VIEW_CLASSES: EVERYONE,
    ClassActions.EDIT_CLASSES: frozenset({Role.SCHOOL_ORGANIZER}),
    ClassActions.SET_CLASS_DATES: frozenset({Role.SCHOOL_ORGANIZER}),
    ClassActions.MOVE_CLASS_DAY: COORDINATORS,
    ClassActions.VIEW_DISTRIBUTION: ABOVE_SCHOOLS,
    ClassActions.RUN_ASSIGNMENT: FEDERAL_SIDE,
    # the registers of many schools at once (classes_bulk_create: system jobs, the demo)
    ClassActions.LOAD_REGISTERS: FEDERAL_SIDE,
}

__all__ = ["HOLDERS", "SCHOOL", "ClassActions"]
