"""The notices app's actions and the roles that hold them (registered from its ``ready``).

Every role reads what came from above; the federal operator and the regional and municipal
coordinators publish to the levels below and see who has read it (docs/notices.md).
"""

from __future__ import annotations

from apps.registration.actions import ABOVE_SCHOOLS, EVERYONE
from apps.registration.constants import Role


class NoticeActions:
    VIEW_NOTICES = "notices.view"
    PUBLISH_NOTICES = "notices.publish"


HOLDERS: dict[str, frozenset[Role]] = {
    NoticeActions.VIEW_NOTICES: EVERYONE,
    NoticeActions.PUBLISH_NOTICES: ABOVE_SCHOOLS,
}
