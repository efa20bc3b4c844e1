"""The analytics app's actions and the roles that hold them (registered from its ``ready``).

Every role reads the reports of its units; the individual results (per participant code) are the
school's own report; objectivity markers are for the levels above the schools.
"""

from __future__ import annotations

from apps.registration.actions import ABOVE_SCHOOLS, EVERYONE, SCHOOL
from apps.registration.constants import Role


class AnalyticsActions:
    VIEW_ANALYTICS = "analytics.view"
    VIEW_INDIVIDUAL_RESULTS = "analytics.view_individual"
    VIEW_OBJECTIVITY = "analytics.view_objectivity"


_A = AnalyticsActions
HOLDERS: dict[str, frozenset[Role]] = {
    _A.VIEW_ANALYTICS: EVERYONE,
    _A.VIEW_INDIVIDUAL_RESULTS: SCHOOL | {Role.SYSTEM},
    _A.VIEW_OBJECTIVITY: ABOVE_SCHOOLS,
}
