"""Malformed input is refused with 400 and a Russian message, never a 500.

* a JSON body nested 100,000 deep used to exhaust the parser's recursion (500 on any endpoint);
* a query-string id above 64 bits used to reach the database, which cannot hold it (500).
"""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import World

HUGE = "1" + "0" * 20  # above 2**64
DEEP = "[" * 100_000 + "]" * 100_000


def _client(world: World, role: str) -> Client:
    client = world.client_for(role)
    client.raise_request_exception = False  # a crash is a 500 here, as a caller would see it
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/school-dates/",
        "/api/v1/reserve-days/",
        "/api/v1/specialists/",
    ],
)
def test_a_deeply_nested_json_body_is_a_400(world: World, url: str) -> None:
    # given a school organizer
    client = _client(world, "school_organizer")
    # when it posts a JSON body nested 100,000 levels deep
    response = client.post(url, DEEP, content_type="application/json")
    # then the API refuses it as malformed, in Russian, before any view code runs
    assert response.status_code == 400, response.content[:300]
    assert "вложенность" in response.json()["detail"]


@pytest.mark.django_db
def test_a_reasonably_nested_json_body_still_works(world: World) -> None:
    # given a normal body (a few levels) with a missing field
    client = _client(world, "school_organizer")
    # when it is posted
    response = client.post(
        "/api/v1/school-dates/", {"school": [{"a": {"b": [1]}}]}, content_type="application/json"
    )
    # then it reaches validation (a field error, not a parse error)
    assert response.status_code == 400
    assert "school" in {e["field"] for e in response.json()["errors"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("regional", "/api/v1/schools/?municipality={}"),
        ("regional", "/api/v1/applications/?municipality={}"),
        ("regional", "/api/v1/monitoring/registration/lagging/?municipality={}"),
        ("regional", "/api/v1/school-dates/?school={}"),
        ("regional", "/monitoring/registration/lagging/?municipality={}"),
        ("school_organizer", "/schools/{school}/schedule/?campaign={}"),
    ],
)
def test_an_id_above_64_bits_in_a_filter_is_a_400(world: World, role: str, url: str) -> None:
    # given a coordinator or a school
    client = _client(world, role)
    # when it filters by an id too large for any database column
    response = client.get(url.format(HUGE, school=world.schools["A1a"].pk))
    # then it gets 400 with a Russian message, not a server error
    assert response.status_code == 400, url
    text = (
        response.json()["detail"]
        if response["Content-Type"].startswith("application/json")
        else response.content.decode()
    )
    assert "целое число" in text


def test_int_param_accepts_ids_and_nothing_else() -> None:
    from apps.core.params import MAX_ID, int_param

    # an absent or empty filter is no filter; an id in range is the id
    assert int_param(None) is None
    assert int_param("") is None
    assert int_param("42") == 42
    assert int_param(str(MAX_ID)) == MAX_ID
    # anything else is refused: too large, negative, not ASCII digits, not a number
    for raw in (str(MAX_ID + 1), HUGE, "-1", "²", "١٢", "1e3", " 7", "abc"):
        with pytest.raises(ValueError, match="целое число"):
            int_param(raw)


def test_json_depth_ignores_brackets_inside_strings() -> None:
    from apps.core.jsonsafe import JSONTooDeepError, json_depth, loads

    # brackets and escaped quotes inside strings do not count; real nesting does
    assert json_depth('{"a": "[[[{{{", "b": "\\"]]]", "c": [[1]]}') == 3
    assert loads('["[[[[[[[["]', max_depth=1) == ["[[[[[[[["]
    # and a document past the bound is a JSONDecodeError pointing at the first level too many
    with pytest.raises(JSONTooDeepError) as caught:
        loads('{"a": [[[1]]]}', max_depth=3)
    assert caught.value.pos == 8
