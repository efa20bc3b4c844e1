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
    # checking: the school gives each class's works to its experts; an expert (or the organizer
    # on its behalf) enters the scores of the codes given to it; coordinators read the progress
    VIEW_CHECKING = "schoolday.view_checking"
    ASSIGN_EXPERTS = "schoolday.assign_experts"
    ENTER_SCORES = "schoolday.enter_scores"
    ISSUE_EXPERT_ACCOUNTS = "schoolday.issue_expert_accounts"
    # the record of the day: materials handed out and returned per room
    RECORD_DAY = "schoolday.record_day"


HOLDERS: dict[str, frozenset[Role]] = {
    SchoolDayActions.VIEW_SCHOOL_DAY: EVERYONE,
    SchoolDayActions.EDIT_SCHOOL_DAY: frozenset({Role.SCHOOL_ORGANIZER}),
    # the technical specialist prints and packs with the organizer (Saratov instruction, p. 7)
    SchoolDayActions.PRINT_PACKETS: SCHOOL | {Role.SYSTEM},
    SchoolDayActions.VIEW_CHECKING: EVERYONE | {Role.EXPERT},
    SchoolDayActions.ASSIGN_EXPERTS: frozenset({Role.SCHOOL_ORGANIZER}),
    SchoolDayActions.ENTER_SCORES: frozenset({Role.SCHOOL_ORGANIZER, Role.EXPERT}),
    SchoolDayActions.ISSUE_EXPERT_ACCOUNTS: frozenset({Role.SCHOOL_ORGANIZER}),
    SchoolDayActions.RECORD_DAY: SCHOOL,
}
