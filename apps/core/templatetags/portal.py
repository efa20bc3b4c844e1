"""Template filters shared by the cabinets."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def width_class(value: object) -> str:
    """A percentage as the CSS class of a bar's width (``w-0`` … ``w-100``, portal.css).

    Bars take their width from a class, not a ``style`` attribute, so the pages work under a
    Content-Security-Policy without 'unsafe-inline' (docs/security.md). Whole percents are
    enough for a bar; the exact value stays in the text next to it.
    """
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        return "w-0"
    if not number.is_finite():
        return "w-0"
    return f"w-{min(max(round(number), 0), 100)}"
