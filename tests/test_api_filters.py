"""Filters behave the same in both channels, and an unknown value is refused with 400.

Generated, in the spirit of the scoping contract: every API list route that documents a
``campaign``, ``work``, ``status`` or ``state`` query parameter in the OpenAPI schema is called
with a value naming nothing (an id no campaign or work has, a state no list knows) and must
answer 400 with a Russian message naming the parameter; every HTML page that names such a route
in ``api_routes`` (the parity mechanism) must answer the same request with 400 too. A new list
route or page that silently ignores an unknown filter fails here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from apps.campaigns.models import Work
from conftest import World
from tests.scoping.makers import MAKERS
from tests.scoping.test_contract import ALL_ROUTES, Route, _model_for

# The filters this test exercises and the unknown value each is sent.
UNKNOWN_ID = "987654321"
UNKNOWN = {"campaign": UNKNOWN_ID, "work": UNKNOWN_ID, "status": "nonsense", "state": "nonsense"}
# Routes whose filter check cannot run on the test world, each with the reason. The test
# asserts they still cannot (so a route that starts answering, or a page that starts offering
# the filter, is then checked and must leave this list); any other route that cannot run fails.
NOT_APPLICABLE_MARK = "not applicable"
NOT_APPLICABLE = {
    "application-home": "redirects a school to its application, a coordinator to monitoring",
    "school-materials": "the campaign picker shows only for a school with kits of two campaigns",
    # pages that do not offer their API twin's filter (yet): the API route is checked above
    "reconciliation-upload": "an upload form: no «status» picker on the page",
    "school-list": "no «status» picker (a municipality's page has it, and refuses it alike)",
    "materials-monitoring": "no «work» picker on the page",
    "work-create": "a creation form: no «campaign» picker",
    "reserve-day-create": "a request form: no «campaign» picker",
    "schoolday-print": "the print plan of one school day: no pickers",
    "objectivity-rechecks": "no «work» picker on the page (it accepts ?work=)",
    "objectivity-recheck-new": "a creation form: no «work» picker",
}
# Roles tried in turn: the first for whom the route answers 200 without the filter is used.
ROLES = ("federal", "regional", "municipal", "school_organizer")


@dataclass(frozen=True)
class Filtered:
    route: Route
    params: tuple[str, ...]


def _api_filtered() -> list[Filtered]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    by_regex: dict[str, tuple[str, ...]] = {}
    for path, item in schema["paths"].items():
        op = item.get("get")
        if not op:
            continue
        names = tuple(
            p["name"]
            for p in op.get("parameters", [])
            if p["in"] == "query" and p["name"] in UNKNOWN
        )
        if names:
            by_regex[re.sub(r"\{[^}]+\}", "{}", path)] = names
    found = []
    for route in ALL_ROUTES:
        if not route.name.startswith("api-") or "GET" not in route.methods:
            continue
        # a path() route (`<int:pk>`) or a router's regex (`^schools/(?P<pk>[^/.]+)/$`)
        regex = route.regex.removeprefix("api/v1/").removeprefix("^").removesuffix("$")
        shape = "/api/v1/" + re.sub(r"\(\?P<[^>]+>[^)]*\)|<[^>]+>", "{}", regex)
        if shape in by_regex:
            found.append(Filtered(route, by_regex[shape]))
    return found


API_FILTERED = _api_filtered()
API_BY_NAME = {f.route.name: f for f in API_FILTERED}
HTML_FILTERED = [
    Filtered(
        r,
        tuple(
            sorted(
                {p for n in r.view.api_routes if n in API_BY_NAME for p in API_BY_NAME[n].params}
            )
        ),
    )
    for r in ALL_ROUTES
    if not r.name.startswith("api-")
    and "GET" in r.methods
    and any(n in API_BY_NAME for n in getattr(r.view, "api_routes", ()) or ())
]


def _url(world: World, route: Route) -> str:
    values = {}
    for kwarg in route.kwargs:
        model = _model_for(route, kwarg)
        maker, levels = MAKERS[model]
        key = next(k for k in ("A1a", "A1", "A") if len(k) in levels)
        values[kwarg] = maker(world, key).pk
    return reverse(route.name, kwargs=values)


def _text(response: Any) -> str:
    if response["Content-Type"].startswith("application/json"):
        return str(response.json().get("detail", ""))
    return response.content.decode("utf-8", "replace")


def _offers(body: str, name: str) -> bool:
    """Whether a page offers the filter ``name``: a form field or a link carrying it."""
    return any(m in body for m in (f'name="{name}"', f"?{name}=", f"&amp;{name}=", f"&{name}="))


def _check(world: World, item: Filtered, *, page: bool = False) -> list[str]:
    """The params of ``item`` that do not answer 400 naming themselves ([] when all do). A
    page is checked for the filters of its API twin that it offers (a form field or a link)."""
    url = _url(world, item.route)
    work = MAKERS[Work][0](world, "A1a")  # a campaign with a work: pages show their filters
    # the baseline: no filter, else only the work (a list of one work's schools needs it)
    tries = [(role, base) for base in ({}, {"work": work.pk}) for role in ROLES]
    for role, base in tries:
        client: Client = world.client_for(role)
        client.raise_request_exception = False
        baseline = client.get(url, base)
        if baseline.status_code == 200:
            break
    else:
        return [NOT_APPLICABLE_MARK]  # no role opens it without filters
    params = item.params
    if page and baseline["Content-Type"].startswith("text/html"):
        body = baseline.content.decode("utf-8", "replace")
        params = tuple(p for p in params if _offers(body, p))
        if not params:
            return [NOT_APPLICABLE_MARK]  # the page offers none of its twin's filters
    wrong = []
    for name in params:
        response = client.get(url, {**base, name: UNKNOWN[name]})
        if response.status_code != 400 or f"«{name}»" not in _text(response):
            wrong.append(f"{name}: {response.status_code} as {role}")
    return wrong


def test_the_generated_lists_are_not_empty() -> None:
    # the schema walk finds the API list routes with filters (a broken walk tests nothing)
    names = {f.route.name for f in API_FILTERED}
    assert {"api-school-materials", "api-analytics-list", "api-school-list"} <= names
    assert len(API_FILTERED) >= 20


@pytest.mark.django_db
@pytest.mark.parametrize("item", API_FILTERED, ids=lambda f: f.route.name)
def test_an_unknown_filter_value_is_a_400_in_the_api(world: World, item: Filtered) -> None:
    assert _check(world, item) == _expected(item)


@pytest.mark.django_db
@pytest.mark.parametrize("item", HTML_FILTERED, ids=lambda f: f.route.name)
def test_an_unknown_filter_value_is_a_400_on_the_page(world: World, item: Filtered) -> None:
    assert _check(world, item, page=True) == _expected(item)


def _expected(item: Filtered) -> list[str]:
    # a route listed in NOT_APPLICABLE must really be one (else it is checked like the rest)
    return [NOT_APPLICABLE_MARK] if item.route.name in NOT_APPLICABLE else []


# --- the same filter gives the same objects in both channels (one case per filter kind) -------


def _aggregates(world: World) -> dict[str, Any]:
    """Aggregates of region A's units for two works of two campaigns (the regional's scope),
    and one of a school of region B (outside it)."""
    from apps.analytics.models import WorkAggregate
    from apps.campaigns.tests.factories import CampaignFactory, WorkFactory
    from tests.scoping.makers import _ids

    spring, autumn = CampaignFactory(year=2025), CampaignFactory(year=2026)
    works = {
        "spring": WorkFactory(campaign=spring, grade=4),
        "autumn": WorkFactory(campaign=autumn, grade=5),
    }
    made: dict[tuple[str, str], int] = {}
    for name, work in works.items():
        for key in ("A", "A1", "A2", "A1a", "B1a"):
            ids = _ids(world, key)
            unit_id = ids["school_id"] or ids["municipality_id"] or ids["region_id"]
            agg = WorkAggregate.objects.create(
                work=work, level=len(key), unit_id=unit_id, participants=10, **ids
            )
            made[(name, key)] = agg.pk
    return {"spring": spring, "autumn": autumn, "works": works, "ids": made}


def _page_ids(response: Any, attribute: str) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {int(v) for v in re.findall(rf'{attribute}="(\d+)"', response.content.decode())}


def _api_ids(response: Any, key: str = "id") -> set[int]:
    assert response.status_code == 200, response.content[:300]
    data = response.json()
    rows = data.get("results", data.get("items")) if isinstance(data, dict) else data
    return {row[key] for row in rows}


@pytest.mark.django_db
def test_the_aggregates_list_filters_alike_on_the_page_and_in_the_api(world: World) -> None:
    # given region A's aggregates of two campaigns, and the regional coordinator
    made = _aggregates(world)
    ids = made["ids"]
    client = world.client_for("regional")
    school = world.schools["A1a"].pk

    def both(query: dict[str, Any]) -> set[int]:
        page = _page_ids(client.get("/analytics/", query), "data-aggregate")
        api = _api_ids(client.get("/api/v1/analytics/", query))
        assert page == api, query
        return api

    # when it filters by campaign: the region and its municipalities of that campaign only
    assert both({"campaign": made["spring"].pk}) == {ids[("spring", k)] for k in ("A", "A1", "A2")}
    # by work: the same for the other campaign's work
    assert both({"work": made["works"]["autumn"].pk}) == {
        ids[("autumn", k)] for k in ("A", "A1", "A2")
    }
    # by unit (a school below the two levels the unfiltered list shows): its aggregates
    assert both({"level": "school", "unit": school}) == {
        ids[("spring", "A1a")],
        ids[("autumn", "A1a")],
    }
    # without filters: its own level and the one below, both campaigns
    assert both({}) == {ids[(c, k)] for c in ("spring", "autumn") for k in ("A", "A1", "A2")}
    # then a unit outside its scope answers like a unit that does not exist: 404 in both
    foreign = {"level": "school", "unit": world.schools["B1a"].pk}
    assert client.get("/analytics/", foreign).status_code == 404
    assert client.get("/api/v1/analytics/", foreign).status_code == 404
    # and a unit without its level, a work of another campaign, an unknown level: 400 naming it
    for query, name in (
        ({"unit": school}, "unit"),
        ({"campaign": made["spring"].pk, "work": made["works"]["autumn"].pk}, "work"),
        ({"level": "country"}, "level"),
    ):
        page = client.get("/analytics/", query)
        api = client.get("/api/v1/analytics/", query)
        assert page.status_code == api.status_code == 400, query
        assert f"«{name}»" in page.content.decode()
        assert f"«{name}»" in api.json()["detail"]


@pytest.mark.django_db
def test_the_aggregates_list_gives_each_aggregate_and_its_report_urls(world: World) -> None:
    # given an aggregate of region A
    made = _aggregates(world)
    agg = made["ids"][("spring", "A")]
    # when the regional lists its region's aggregates of the spring campaign
    response = world.client_for("regional").get(
        "/api/v1/analytics/", {"campaign": made["spring"].pk, "level": "region"}
    )
    # then it gets the aggregate's id, what it is about and where to read its reports
    [row] = response.json()["results"]
    assert row["id"] == agg
    assert row["level"] == "region"
    assert row["unit_id"] == world.regions["A"].pk
    assert row["campaign_id"] == made["spring"].pk
    assert row["work_id"] == made["works"]["spring"].pk
    assert row["reports"]["marks"].endswith(f"/api/v1/analytics/{agg}/marks/")


@pytest.mark.django_db
def test_the_school_materials_filter_by_campaign_alike_on_the_page_and_in_the_api(
    world: World,
) -> None:
    # given school A1a with a kit of one campaign and a kit of another
    from apps.campaigns.tests.factories import CampaignFactory, WorkFactory
    from apps.materials.models import Kit
    from tests.scoping.makers import _kit

    first = _kit(world, "A1a")
    other_work = WorkFactory(campaign=CampaignFactory(year=2026), grade=4)
    second = Kit.objects.get(pk=first.pk)
    second.pk = None
    second.work = other_work
    second.save()
    school = world.schools["A1a"].pk
    client = world.client_for("school_organizer")

    def both(query: dict[str, Any]) -> set[int]:
        page = _page_ids(client.get(f"/schools/{school}/materials/", query), "data-kit")
        api = _api_ids(client.get(f"/api/v1/schools/{school}/materials/", query), "kit_id")
        assert page == api, query
        return api

    # when it asks for one campaign, it gets that campaign's kit only (the API ignored it)
    assert both({"campaign": first.work.campaign_id}) == {first.pk}
    assert both({"campaign": other_work.campaign_id}) == {second.pk}
    assert both({}) == {first.pk, second.pk}
    # and an unknown campaign is a 400 naming the parameter in both channels
    for url in (f"/schools/{school}/materials/", f"/api/v1/schools/{school}/materials/"):
        response = client.get(url, {"campaign": UNKNOWN_ID})
        assert response.status_code == 400
        assert "«campaign»" in response.content.decode()
