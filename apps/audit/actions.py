"""The audit log's one action and the roles that hold it (registered from ``AuditConfig.ready``).

Schools do not read the log; coordinators read their units' part of it. Nobody holds an action
that writes or deletes audit events: the log is append-only.
"""

from __future__ import annotations

from apps.registration.actions import ABOVE_SCHOOLS
from apps.registration.constants import Role


class AuditLogActions:
    VIEW_AUDIT = "core.view_audit"


HOLDERS: dict[str, frozenset[Role]] = {AuditLogActions.VIEW_AUDIT: ABOVE_SCHOOLS}
