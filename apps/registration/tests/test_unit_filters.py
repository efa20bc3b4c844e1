"""The filters of the unit lists (regions → municipalities → schools): a malformed or unknown
value is refused with 400 naming the parameter, in the API and on the municipality's page; a
unit the caller does not see (absent or out of scope) is 404; a known one narrows the list."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

UNKNOWN_ID = "987654321"


@pytest.mark.parametrize(
    ("route", "name", "value"),
    [
        ("api-school-list", "status", "nonsense"),
        ("api-school-list", "region", "x1"),
        ("api-municipality-list", "region", "-3"),
    ],
)
def test_an_unknown_unit_filter_is_a_400_in_the_api(
    world: Any, route: str, name: str, value: str
) -> None:
    # given the federal operator
    client = world.client_for("federal")
    # when a list is filtered by a value that names nothing
    response = client.get(reverse(route), {name: value})
    # then it is refused, naming the parameter, instead of an empty (or whole) list
    assert response.status_code == 400
    assert f"«{name}»" in response.json()["detail"]


@pytest.mark.parametrize(
    ("route", "name", "unit"),
    [
        ("api-school-list", "region", None),
        ("api-school-list", "municipality", None),
        ("api-school-list", "region", "B"),
        ("api-school-list", "municipality", "B1"),
        ("api-municipality-list", "region", "B"),
    ],
)
def test_a_unit_filter_outside_the_scope_is_a_404(
    world: Any, route: str, name: str, unit: str | None
) -> None:
    # given region A's coordinator
    client = world.client_for("regional")
    # when a list is filtered by a unit that does not exist, or by one of region B
    if unit is None:
        value = UNKNOWN_ID
    else:
        value = (world.regions if name == "region" else world.municipalities)[unit].pk
    response = client.get(reverse(route), {name: value})
    # then both answer alike: 404, never an empty list that tells them apart
    assert response.status_code == 404


def test_a_known_unit_filter_still_narrows_the_list(world: Any) -> None:
    # given the federal operator
    client = world.client_for("federal")
    a1 = world.municipalities["A1"]
    # when the schools are listed for municipality A1, active ones
    response = client.get(reverse("api-school-list"), {"municipality": a1.pk, "status": "active"})
    # then only A1's schools are listed
    assert response.status_code == 200
    rows = response.json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    codes = {r["code"] for r in rows}
    assert codes
    assert codes <= {s.code for s in world.schools.values() if s.municipality_id == a1.pk}


def test_the_municipality_page_refuses_an_unknown_status(world: Any) -> None:
    # given the municipal coordinator of A1 on its municipality's page
    client = world.client_for("municipal")
    url = reverse("municipality-detail", args=[world.municipalities["A1"].pk])
    # when the page is asked for a status no school has, then for every status ("")
    bad = client.get(url, {"status": "nonsense"})
    every = client.get(url, {"status": ""})
    # then the first is a 400 naming the parameter, the second lists the schools
    assert bad.status_code == 400
    assert every.status_code == 200
    assert world.schools["A1a"].short_name in every.content.decode()
