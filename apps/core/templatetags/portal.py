"""Template filters shared by the cabinets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from apps.core import instants

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


@register.simple_tag(takes_context=True)
def instant(
    context: template.Context,
    moment: Any,
    unit: Any = None,
    seconds: bool = False,
    bare: bool = False,
) -> str:
    """``{% instant moment [unit] %}`` → «07.12.2026 00:00 (МСК+2, время ОО)».

    The clock is ``unit`` when given, else the page's ``place`` (the unit the page is about),
    else the actor's own unit, else Moscow (core.instants). ``bare=True`` drops the label: only
    in a table column whose header carries ``{% zone_suffix %}`` of the same unit.
    """
    if unit is None:
        unit = context.get("place")
    if unit is None:
        unit = context.get("actor_place")
    if not isinstance(moment, dt.datetime):  # a missing variable renders as the placeholder
        moment = None
    if bare:
        return instants.format_clock(moment, unit, seconds=bool(seconds), empty="—")
    return instants.format_instant(moment, unit, seconds=bool(seconds), empty="—")


@register.simple_tag(takes_context=True)
def zone_suffix(context: template.Context, unit: Any = None) -> str:
    """``{% zone_suffix [unit] %}`` → «(МСК+2, время ОО)», for a column header of instants."""
    if unit is None:
        unit = context.get("place")
    if unit is None:
        unit = context.get("actor_place")
    return instants.zone_suffix(unit)
