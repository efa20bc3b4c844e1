"""The list filters of the API as the OpenAPI schema documents them, one definition each.

Every list route that filters by campaign, work, unit or state names its parameters with these
(``extend_schema(parameters=[...])``); the values are parsed by ``core.params`` exactly as the
HTML pages parse them, and an unknown value is a 400 naming the parameter in both channels.
``tests/api/test_filters.py`` walks the schema and sends each an unknown value.
"""

from __future__ import annotations

from collections.abc import Collection

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

_UNKNOWN = " Неизвестное значение — ошибка 400 с именем параметра."

CAMPAIGN_PARAMETER = OpenApiParameter(
    "campaign",
    OpenApiTypes.INT,
    description="Кампания (id); без параметра — текущая или все, как на странице." + _UNKNOWN,
)
WORK_PARAMETER = OpenApiParameter("work", OpenApiTypes.INT, description="Работа (id)." + _UNKNOWN)
REGION_PARAMETER = OpenApiParameter(
    "region", OpenApiTypes.INT, description="Регион (id); вне области видимости — 404."
)
MUNICIPALITY_PARAMETER = OpenApiParameter(
    "municipality", OpenApiTypes.INT, description="Муниципалитет (id); вне области видимости — 404."
)


def choice_parameter(name: str, choices: Collection[str], description: str) -> OpenApiParameter:
    """A filter with a closed list of values (a state, a status), the list in the schema."""
    return OpenApiParameter(
        name, OpenApiTypes.STR, enum=list(choices), description=description + _UNKNOWN
    )
