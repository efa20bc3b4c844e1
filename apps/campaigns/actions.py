"""The campaigns app's actions and the roles that hold them (registered from its ``ready``).

Everyone reads the works and the plan-graph; the federal operator edits them; schools pick their
dates and ask for reserve days, which the regional coordinator decides; after a school's freeze
its municipal or regional coordinator moves its day (ADR 0014).
"""

from __future__ import annotations

from apps.registration.actions import COORDINATORS, EVERYONE, SCHOOL
from apps.registration.constants import Role


class CampaignActions:
    VIEW_CAMPAIGNS = "campaigns.view"
    MANAGE_CAMPAIGNS = "campaigns.manage"
    VIEW_SCHEDULE = "campaigns.view_schedule"
    EDIT_SCHEDULE = "campaigns.edit_schedule"
    VIEW_RESERVE_DAYS = "campaigns.view_reserve_days"
    REQUEST_RESERVE_DAY = "campaigns.request_reserve_day"
    DECIDE_RESERVE_DAY = "campaigns.decide_reserve_day"
    MOVE_SCHOOL_DAY = "campaigns.move_school_day"


_A = CampaignActions
HOLDERS: dict[str, frozenset[Role]] = {
    _A.VIEW_CAMPAIGNS: EVERYONE,
    _A.MANAGE_CAMPAIGNS: frozenset({Role.FEDERAL}),
    _A.VIEW_SCHEDULE: EVERYONE,
    _A.EDIT_SCHEDULE: SCHOOL,
    _A.VIEW_RESERVE_DAYS: EVERYONE,
    _A.REQUEST_RESERVE_DAY: SCHOOL,
    _A.DECIDE_RESERVE_DAY: frozenset({Role.REGIONAL}),
    _A.MOVE_SCHOOL_DAY: COORDINATORS,
}
