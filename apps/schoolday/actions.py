"""The school day app's actions and the roles that hold them (registered from its ``ready``).

A school keeps its rooms and the adults of the day, places its classes into rooms and prints the
delivery packets; coordinators read whether each school is ready for each work.
"""

from __future__ import annotations

from apps.registration.actions import EVERYONE, SCHOOL
from apps.registration.constants import Role


class SchoolDayActions:
    VIEW_SCHOOL_DAY = "schoolday.view"
    EDIT_SCHOOL_DAY = "schoolday.edit"
    PRINT_PACKETS = "schoolday.print_packets"


HOLDERS: dict[str, frozenset[Role]] = {
    SchoolDayActions.VIEW_SCHOOL_DAY: EVERYONE,
    SchoolDayActions.EDIT_SCHOOL_DAY: frozenset({Role.SCHOOL_ORGANIZER}),
    # the technical specialist prints and packs with the organizer (Saratov instruction, p. 7)
    SchoolDayActions.PRINT_PACKETS: SCHOOL | {Role.SYSTEM},
}
