from __future__ import annotations

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_api_drill_down_matches_the_pages(world):
    # given the organizer of A1a has logged in
    user = world.users["school_organizer"]
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    client = world.client_for("federal")
    # when the federal operator walks country → region → municipality
    country = client.get("/api/v1/monitoring/registration/").json()
    region = client.get(f"/api/v1/monitoring/registration/regions/{world.regions['A'].pk}/").json()
    muni = client.get(
        f"/api/v1/monitoring/registration/municipalities/{world.municipalities['A1'].pk}/"
    ).json()
    # then each level lists the units below with their figures
    assert country["child_level"] == "region"
    assert country["totals"]["schools"] == 8
    assert {r["code"] for r in country["rows"]} == {
        world.regions["A"].code,
        world.regions["B"].code,
    }
    assert region["unit"]["id"] == world.regions["A"].pk
    a1 = next(r for r in region["rows"] if r["id"] == world.municipalities["A1"].pk)
    assert (a1["schools"], a1["schools_with_account"], a1["schools_logged_in"]) == (2, 1, 1)
    by_code = {r["code"]: r for r in muni["rows"]}
    assert by_code[world.schools["A1a"].code]["accounts_logged_in"] == 1
    assert by_code[world.schools["A1b"].code]["lagging"] is True


def test_api_lagging_and_scope(world):
    # given the municipal coordinator of A1
    client = world.client_for("municipal")
    # when it asks for schools without a login, and for region B's figures
    lagging = client.get("/api/v1/monitoring/registration/lagging/", {"kind": "login"}).json()
    foreign = client.get(
        f"/api/v1/monitoring/registration/municipalities/{world.municipalities['B1'].pk}/"
    )
    bad = client.get("/api/v1/monitoring/registration/lagging/", {"kind": "что-то"})
    # then only its own schools are listed, the foreign unit is missing, a bad kind is named
    assert {s["code"] for s in lagging["results"]} == {
        world.schools["A1a"].code,
        world.schools["A1b"].code,
    }
    assert foreign.status_code == 404
    assert bad.status_code == 400
    assert [e["field"] for e in bad.json()["errors"]] == ["kind"]
    assert "Допустимые значения" in bad.json()["errors"][0]["message"]
