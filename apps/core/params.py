"""Integers from the query string or a form: the one parser every filter and id field uses.

A filter value either is an id the database can hold or it is refused with 400: never passed on
to a query that the database cannot run (an id above 64 bits used to answer 500), never silently
dropped. ``str.isdigit`` is not enough: it accepts «²» and «١٢», which ``int`` then rejects or
reads as another number.
"""

from __future__ import annotations

import re

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


def int_param(raw: str | None) -> int | None:
    """None for an absent or empty value; the integer for ASCII digits up to ``MAX_ID``; any
    other value raises ``QueryParameterError`` (400)."""
    if raw is None or raw == "":
        return None
    if not _DIGITS.fullmatch(raw) or int(raw) > MAX_ID:
        raise QueryParameterError(raw)
    return int(raw)
