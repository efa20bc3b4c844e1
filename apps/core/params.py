"""Integers from the query string or a form: the one parser every filter and id field uses.

The filters of the lists (``campaign``, ``work``, ``state``/``status``, the units) are read here
the same way in both channels, the HTML pages and the API: a value that is not an id, an id
that names no campaign or work the actor sees, or a state not among the list's choices is
refused with 400 and a Russian message naming the parameter (``FilterValueError``), never
ignored (a client that misspelt a filter must not take the unfiltered list for its answer).

A filter value either is an id the database can hold or it is refused with 400: never passed on
to a query that the database cannot run (an id above 64 bits used to answer 500), never silently
dropped. ``str.isdigit`` is not enough: it accepts «²» and «١٢», which ``int`` then rejects or
reads as another number.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from django.core.exceptions import BadRequest

# The largest value of a BigAutoField / bigint column, and so of any id in the portal.
MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


class QueryParameterError(BadRequest, ValueError):
    """A malformed integer parameter: answered 400 (HTML by Django, the API by
    ``apps.core.drf.exception_handler``), with the Russian ``message``."""

    def __init__(self, raw: str) -> None:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        self.message = (
            f"Неверное значение параметра запроса «{shown}»: ожидается целое число "
            f"от 0 до {MAX_ID}."
        )
        super().__init__(self.message)


class FilterValueError(QueryParameterError):
    """A filter value that names nothing: an unknown state, or an id of a campaign / work the
    actor does not see (whether it does not exist or is out of scope: both answer alike).
    400 with a Russian ``message`` naming the parameter."""

    def __init__(self, name: str, raw: object, expected: str) -> None:
        self.name = name
        text = str(raw)
        shown = text if len(text) <= 40 else text[:40] + "…"
        self.message = f"Неверное значение параметра «{name}»: «{shown}» — {expected}"
        BadRequest.__init__(self, self.message)


def int_param(raw: str | None, *, name: str = "") -> int | None:
    """None for an absent or empty value; the integer for ASCII digits up to ``MAX_ID``; any
    other value raises ``QueryParameterError`` (400; naming the parameter when ``name`` is
    given)."""
    if raw is None or raw == "":
        return None
    if not _DIGITS.fullmatch(raw) or int(raw) > MAX_ID:
        if name:
            raise FilterValueError(name, raw, f"ожидается целое число от 0 до {MAX_ID}.")
        raise QueryParameterError(raw)
    return int(raw)


def choice_param(
    raw: str | None, *, name: str, choices: Collection[str], default: str | None = None
) -> str | None:
    """``default`` for an absent or empty value; the value when it is one of ``choices``;
    anything else raises ``FilterValueError`` (400) listing the allowed values."""
    if raw is None or raw == "":
        return default
    if raw not in choices:
        allowed = ", ".join(str(c) for c in choices)
        raise FilterValueError(name, raw, f"допустимые значения: {allowed}.")
    return raw


def unknown_id(name: str, raw: object, what: str) -> FilterValueError:
    """The refusal of an id filter that names no ``what`` the actor sees (``what`` in the
    genitive: «кампании», «работы»)."""
    return FilterValueError(name, raw, f"нет {what} с таким номером.")
