"""The results app's actions and the roles that hold them (registered from its ``ready``).

The school uploads (organizer and technical specialist alike); municipal and regional
coordinators see their schools' results, monitor uploads, remind late schools and reopen uploads
after the deadline; the federal operator monitors.
"""

from __future__ import annotations

from apps.registration.actions import ABOVE_SCHOOLS, COORDINATORS, EVERYONE, SCHOOL
from apps.registration.constants import Role


class ResultsActions:
    VIEW_RESULTS = "results.view"
    UPLOAD_RESULTS = "results.upload"
    REOPEN_RESULTS = "results.reopen"
    MONITOR_RESULTS = "results.monitor"
    REMIND_RESULTS = "results.remind"


_A = ResultsActions
HOLDERS: dict[str, frozenset[Role]] = {
    _A.VIEW_RESULTS: EVERYONE,
    _A.UPLOAD_RESULTS: SCHOOL,
    _A.REOPEN_RESULTS: COORDINATORS,
    _A.MONITOR_RESULTS: ABOVE_SCHOOLS,
    _A.REMIND_RESULTS: COORDINATORS,
}
