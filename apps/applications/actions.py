"""The applications app's actions and the roles that hold them (registered from its ``ready``).

Schools fill and submit; municipal and regional coordinators edit, confirm and reopen (each up
to its level); the federal operator watches.
"""

from __future__ import annotations

from apps.registration.actions import ABOVE_SCHOOLS, COORDINATORS, EVERYONE, SCHOOL
from apps.registration.constants import Role


class ApplicationActions:
    VIEW_APPLICATION = "applications.view"
    EDIT_APPLICATION = "applications.edit"
    SUBMIT_APPLICATION = "applications.submit"
    CONFIRM_APPLICATION = "applications.confirm"
    REOPEN_APPLICATION = "applications.reopen"
    IMPORT_APPLICATIONS = "applications.import"
    APPLICATION_SUMMARY = "applications.summary"
    MONITOR_APPLICATIONS = "applications.monitor"


_A = ApplicationActions
HOLDERS: dict[str, frozenset[Role]] = {
    _A.VIEW_APPLICATION: EVERYONE,
    _A.EDIT_APPLICATION: COORDINATORS | SCHOOL,
    _A.SUBMIT_APPLICATION: SCHOOL,
    _A.CONFIRM_APPLICATION: COORDINATORS,
    _A.REOPEN_APPLICATION: COORDINATORS,
    _A.IMPORT_APPLICATIONS: COORDINATORS | SCHOOL,
    _A.APPLICATION_SUMMARY: COORDINATORS,
    _A.MONITOR_APPLICATIONS: ABOVE_SCHOOLS,
}
