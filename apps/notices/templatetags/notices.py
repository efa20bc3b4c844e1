"""``{% menu_badge href %}``: the count badge of a menu link (unread notices), or nothing."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def menu_badge(context: template.Context, href: str) -> str:
    count = (context.get("menu_badges") or {}).get(href)
    if count is None:
        return ""
    value = int(count() if callable(count) else count)
    if value <= 0:
        return ""
    return format_html('<span class="menu-badge" title="Непрочитанных: {}">{}</span>', value, value)


@register.inclusion_tag("notices/includes/contacts.html", takes_context=True)
def coordinator_contacts(context: template.Context) -> dict[str, Any]:
    """The contacts of the actor's coordinators (from the ``notices`` context processor)."""
    return {"contacts": context.get("coordinator_contacts") or []}
