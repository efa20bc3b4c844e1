"""The REST API of applications: open, lines, submit, confirm/reopen, summaries."""

from __future__ import annotations

from typing import Any

import pytest

from apps.applications.models import ApplicationDecision
from apps.applications.tests.conftest import Chain

pytestmark = pytest.mark.django_db


def _put(client: Any, app_id: int, lines: list[dict[str, Any]]) -> Any:
    return client.put(
        f"/api/v1/applications/{app_id}/lines/", {"lines": lines}, content_type="application/json"
    )


def test_school_applies_through_the_api(chain: Chain, world: Any) -> None:
    client = world.client_for("school_organizer")
    # when the school opens its application
    opened = client.post("/api/v1/applications/", {"school": chain.school().pk})
    assert opened.status_code == 200
    app = opened.json()
    assert app["status"] == "draft"
    assert app["allowed"] == {"edit": True, "submit": True, "confirm": False, "reopen": False}
    assert [line["subject"] for line in app["lines"]] == [
        "Математика",
        "Русский язык",
        "Математика",
    ]
    # and sets two lines
    put = _put(
        client,
        app["id"],
        [
            {"work": chain.ru4.pk, "takes_part": True, "participants": 25, "classes": 1},
            {"work": chain.ma5.pk, "takes_part": True, "participants": 20, "classes": 1},
        ],
    )
    assert put.status_code == 200
    lines = {
        line["work"]: line for line in client.get(f"/api/v1/applications/{app['id']}/lines/").json()
    }
    assert (lines[chain.ru4.pk]["participants"], lines[chain.ma4.pk]["takes_part"]) == (25, False)
    # and submits it
    submitted = client.post(f"/api/v1/applications/{app['id']}/submit/", {"comment": ""})
    assert submitted.status_code == 200
    assert submitted.json()["changed"] is True
    assert submitted.json()["application"]["status"] == "submitted"
    assert ApplicationDecision.objects.get().source == "api"
    # and the list shows only its own application
    listed = client.get("/api/v1/applications/").json()
    assert [a["school"]["code"] for a in listed["results"]] == [chain.school().code]


def test_bad_lines_answer_400_with_the_work_and_field(chain: Chain, world: Any) -> None:
    app = chain.open()
    client = world.client_for("school_organizer")
    response = _put(
        client,
        app.pk,
        [
            {"work": chain.ru4.pk, "takes_part": True, "participants": 60, "classes": 1},
            {"work": chain.ma4.pk, "takes_part": False, "participants": -2, "classes": 0},
            {"work": 999999, "takes_part": True, "participants": 1, "classes": 1},
        ],
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Заявка не сохранена: исправьте ошибки (3)."
    assert {(e["work"], e["field"]) for e in body["errors"]} == {
        (999999, ""),
        (chain.ma4.pk, "participants"),
        (chain.ru4.pk, "participants"),
    }
    assert not app.lines.exists()


def test_coordinators_confirm_and_reopen(chain: Chain, world: Any) -> None:
    app = chain.submitted()
    municipal, regional = world.client_for("municipal"), world.client_for("regional")
    assert (
        municipal.post(f"/api/v1/applications/{app.pk}/confirm/").json()["application"]["status"]
        == "confirmed_municipality"
    )
    assert (
        regional.post(f"/api/v1/applications/{app.pk}/confirm/").json()["application"]["status"]
        == "confirmed_region"
    )
    # the municipality may no longer reopen: 409 with the reason
    refused = municipal.post(f"/api/v1/applications/{app.pk}/reopen/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "locked_region"
    # the region may
    reopened = regional.post(f"/api/v1/applications/{app.pk}/reopen/", {"comment": "проверить"})
    assert reopened.json()["application"]["status"] == "confirmed_municipality"
    assert reopened.json()["application"]["decisions"][-1]["comment"] == "проверить"
    # a school may not confirm at all, and the federal operator may not edit
    assert (
        world.client_for("school_organizer")
        .post(f"/api/v1/applications/{app.pk}/confirm/")
        .status_code
        == 403
    )
    assert _put(world.client_for("federal"), app.pk, []).status_code == 403


def test_summaries(chain: Chain, world: Any) -> None:
    chain.submitted()
    regional = world.client_for("regional")
    own = regional.get("/api/v1/application-summary/").json()
    assert own["unit"]["code"] == world.regions["A"].code
    # listed by code (the factory's codes wrap after m999, so A2 may sort first)
    assert [c["code"] for c in own["children"]] == sorted(
        [world.municipalities["A1"].code, world.municipalities["A2"].code]
    )
    assert own["total"]["applied"] == 1
    assert own["total"]["participants"] == 49
    muni = regional.get(
        f"/api/v1/municipalities/{world.municipalities['A1'].pk}/application-summary/"
    ).json()
    assert [(c["code"], c["status"]) for c in muni["children"]] == [
        (world.schools["A1a"].code, "submitted"),
        (world.schools["A1b"].code, ""),
    ]
    # another region is as good as missing
    other = regional.get(f"/api/v1/regions/{world.regions['B'].pk}/application-summary/")
    assert other.status_code == 404
