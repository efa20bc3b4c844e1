"""Figures per org unit over tables that copy the unit ids.

Tenant tables store ``region_id``/``municipality_id``/``school_id`` copied from the school
(docs/architecture.md, tenant scoping), so "a figure per unit one level down" is one GROUP BY on
the child level's column. The drill-down pages (registration and results monitoring, the classes'
distribution) count this way and join the counts to the units from
``registration.selectors.child_unit_list``: which units exist is the registration app's business,
core only knows the columns.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from django.db.models import QuerySet

from apps.core.scoping import Level

# The id column of each level on the tables that copy them (Application, ResultSheet, …).
UNIT_COLUMN = MappingProxyType(
    {
        Level.REGION: "region_id",
        Level.MUNICIPALITY: "municipality_id",
        Level.SCHOOL: "school_id",
    }
)


def per_unit(rows: QuerySet[Any], column: str, **aggregates: Any) -> dict[int, dict[str, Any]]:
    """``aggregates`` of ``rows`` per value of ``column`` (a unit id column or a path to one,
    e.g. ``"application__municipality_id"``), in one query: ``{unit id: {column, names…}}``.

    ``rows`` is already scoped by the caller (``for_actor``); units without rows are absent.
    """
    grouped = rows.order_by().values(column).annotate(**aggregates)
    return {row[column]: row for row in grouped}
