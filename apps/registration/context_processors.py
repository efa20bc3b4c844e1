"""The cabinet menu of the current role: the items the apps registered that the actor may see."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from apps.core import registry
from apps.registration.access import A, get_actor


def cabinet(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    actor = get_actor(request)
    # Each app declares its items in its ``menu.py`` (``core.registry.register_menu``).
    sections = [(section.label, links) for section, links in registry.menu_for(actor)]
    return {
        "actor": actor,
        # The default clock of ``{% instant %}``: the actor's own unit (a page about another
        # unit passes that unit, or sets ``place`` in its context).
        "actor_place": actor.unit,
        "cabinet_menu": [link for _section, links in sections for link in links],
        "menu_sections": sections,
        "can_totp": actor.can(A.USE_TOTP),
    }
