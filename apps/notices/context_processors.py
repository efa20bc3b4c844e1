"""Every page's unread-notice badge and the contacts of the actor's coordinators (lazy: a page
that does not render them runs no query)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from apps.registration.access import A, get_actor


def notices(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    actor = get_actor(request)
    if actor.role is None:
        return {}
    from apps.notices import selectors

    badges: dict[str, Any] = {}
    if actor.can(A.VIEW_NOTICES):
        # A callable: counted only when a menu renders the badge.
        badges[reverse("notice-list")] = lambda: selectors.notice_unread_count(actor=actor)
    return {
        # href of a menu link → the number its badge shows ({% menu_badge href %}).
        "menu_badges": badges,
        "coordinator_contacts": SimpleLazyObject(lambda: selectors.contacts_for(actor)),
    }
