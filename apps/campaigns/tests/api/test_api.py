"""The campaigns API: read for everyone, write for the federal operator, school dates and
reserve days scoped by the school, validation errors in Russian."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from apps.campaigns import documents, selectors
from apps.campaigns.models import ReserveDayRequest, SchoolWorkDate, Work
from apps.campaigns.tests.factories import WorkFactory
from apps.registration.access import actor_for_user
from conftest import World

NOW = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
ROLES = ("federal", "regional", "municipal", "school_organizer", "school_tech")


def work_body(campaign_id: int, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "campaign": campaign_id,
        "subject_code": "history",
        "subject_name": "История",
        "grade": 5,
        "max_score": 5,
        "mark3_from": 2,
        "mark4_from": 3,
        "mark5_from": 4,
        "period_start": "2026-04-20",
        "period_end": "2026-04-30",
        "recommended_dates": ["2026-04-21"],
        "materials_publish_date": "2026-04-16",
        "results_upload_deadline": "2026-05-07",
        "results_release_date": "2026-05-20",
        "columns": [
            {"label": "1", "max_score": 2, "difficulty": "Б", "topic": "Карта"},
            {"label": "2К1", "max_score": 3, "difficulty": "П"},
        ],
    }
    body.update(over)
    return body


@pytest.mark.django_db
def test_everyone_reads_works_and_the_plan_graph(world: World) -> None:
    # given Русский язык 4 класс
    work = WorkFactory()
    for role in ROLES:
        client = world.client_for(role)
        # when any role lists works and the plan-graph
        works = client.get("/api/v1/works/").json()
        plan = client.get("/api/v1/plan-graph/").json()
        # then it gets the columns with ФИС ОКО headers and the plan-graph dates
        first = works["results"][0]
        assert first["id"] == work.pk
        assert first["max_score"] == 24
        assert [c["header"] for c in first["columns"]][:2] == ["1 (2б)", "2 (1б)"]
        assert plan["works"][0]["period_start"] == "2026-04-11"
        assert plan["works"][0]["latest_materials_date"] == "2026-04-07"
        assert client.get("/api/v1/campaigns/").status_code == 200


@pytest.mark.django_db
def test_only_the_federal_operator_writes(world: World) -> None:
    # given a campaign
    work = WorkFactory()
    body = work_body(work.campaign_id)
    # when a regional coordinator tries to create or change a work
    regional = world.client_for("regional")
    created = regional.post("/api/v1/works/", body, content_type="application/json")
    changed = regional.patch(
        f"/api/v1/works/{work.pk}/", {"duration_minutes": 60}, content_type="application/json"
    )
    # then it is refused
    assert created.status_code == 403
    assert changed.status_code == 403
    # when the federal operator does
    federal = world.client_for("federal")
    created = federal.post("/api/v1/works/", body, content_type="application/json")
    changed = federal.patch(
        f"/api/v1/works/{work.pk}/", {"duration_minutes": 60}, content_type="application/json"
    )
    # then the work is created (with its new subject) and the other one changed
    assert created.status_code == 201, created.json()
    assert created.json()["columns"][1]["label"] == "2К1"
    assert changed.status_code == 200
    assert changed.json()["duration_minutes"] == 60
    assert Work.objects.count() == 2


@pytest.mark.django_db
def test_invalid_work_gets_russian_problems_per_field(world: World) -> None:
    # given a work whose scale exceeds its maximum and whose labels repeat
    work = WorkFactory()
    body = work_body(work.campaign_id, mark5_from=6)
    body["columns"][1]["label"] = "1"
    # when the federal operator posts it
    response = world.client_for("federal").post(
        "/api/v1/works/", body, content_type="application/json"
    )
    # then it is refused with every problem by field, in Russian
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "work_invalid"
    fields = {(p["field"], p["column"]) for p in data["errors"]}
    assert ("mark5_from", None) in fields
    assert ("label", 1) in fields
    assert "не может превышать максимальный балл" in data["detail"]
    assert Work.objects.count() == 1


@pytest.mark.django_db
def test_json_document_round_trip_through_the_api(world: World) -> None:
    # given the campaign exported as a JSON document
    work = WorkFactory()
    federal = world.client_for("federal")
    doc = federal.get(f"/api/v1/campaigns/{work.campaign_id}/export/").json()
    before = selectors.campaign_spec(
        actor=actor_for_user(world.users["federal"]), campaign_id=work.campaign_id
    )
    # when it is posted back and applied at once
    response = federal.post(
        "/api/v1/work-imports/",
        {"campaign": work.campaign_id, "document": doc, "apply": True},
        content_type="application/json",
    )
    # then nothing changed
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "applied"
    assert response.json()["preview"]["counts"]["unchanged"] == 1
    after = selectors.campaign_spec(
        actor=actor_for_user(world.users["federal"]), campaign_id=work.campaign_id
    )
    assert after == before
    # and a broken document is refused with its place named
    doc["works"][0]["grade"] = 3
    response = federal.post(
        "/api/v1/work-imports/",
        {"campaign": work.campaign_id, "document": doc},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "работа № 1 (russian, 3 класс), поле grade" in response.json()["errors"][0]["message"]
    assert doc["format"] == documents.FORMAT


@pytest.mark.django_db
def test_a_previewed_works_upload_is_applied_once_through_the_api(world: World) -> None:
    # given the campaign's JSON document with a changed duration, uploaded for a preview only
    work = WorkFactory()
    federal = world.client_for("federal")
    doc = federal.get(f"/api/v1/campaigns/{work.campaign_id}/export/").json()
    doc["works"][0]["duration_minutes"] = 60
    uploaded = federal.post(
        "/api/v1/work-imports/",
        {"campaign": work.campaign_id, "document": doc},
        content_type="application/json",
    )
    assert uploaded.status_code == 201, uploaded.json()
    batch = uploaded.json()["id"]
    assert uploaded.json()["status"] == "preview"
    assert uploaded.json()["preview"]["counts"]["replaced"] == 1
    work.refresh_from_db()
    assert work.duration_minutes == 45
    # when it is applied (the batch named in the body)
    applied = federal.post(
        "/api/v1/work-imports/apply/", {"batch": batch}, content_type="application/json"
    )
    # then the answer is the import framework's outcome and the work changed
    assert applied.status_code == 200
    assert applied.json() == {
        "done": True,
        "message": "Изменения применены.",
        "batch": batch,
        "status": "applied",
    }
    work.refresh_from_db()
    assert work.duration_minutes == 60
    # and applying it again is refused without an error; an unknown batch is 404
    again = federal.post(
        "/api/v1/work-imports/apply/", {"batch": batch}, content_type="application/json"
    )
    assert again.status_code == 200
    assert again.json()["done"] is False
    assert "уже применён" in again.json()["message"]
    missing = federal.post(
        "/api/v1/work-imports/apply/", {"batch": 999999}, content_type="application/json"
    )
    assert missing.status_code == 404


@pytest.mark.django_db
def test_a_stale_works_preview_answers_409_through_the_api(world: World) -> None:
    # given a previewed upload, then the work changed elsewhere
    work = WorkFactory()
    federal = world.client_for("federal")
    doc = federal.get(f"/api/v1/campaigns/{work.campaign_id}/export/").json()
    uploaded = federal.post(
        "/api/v1/work-imports/",
        {"campaign": work.campaign_id, "document": doc},
        content_type="application/json",
    )
    Work.objects.filter(pk=work.pk).update(duration_minutes=60)
    # when it is applied
    stale = federal.post(
        "/api/v1/work-imports/apply/",
        {"batch": uploaded.json()["id"]},
        content_type="application/json",
    )
    # then it is refused as stale (409) and nothing changed
    assert stale.status_code == 409
    assert stale.json()["code"] == "import_stale"
    work.refresh_from_db()
    assert work.duration_minutes == 60


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_school_sets_its_day_and_reads_its_instants_through_the_api(world: World) -> None:
    # given a grade-8 work and the school A1a in Kaliningrad
    work = WorkFactory(
        grade=8,
        subject__code="math",
        subject__name="Математика",
        columns=[("1", 10, "Б"), ("2", 14, "П")],
    )
    school = world.schools["A1a"]
    school.time_zone = "Europe/Kaliningrad"
    school.save()
    client = world.client_for("school_organizer")
    # when it sets a day outside the period
    refused = client.post(
        "/api/v1/school-dates/",
        {"school": school.pk, "work": work.pk, "date": "2026-05-20"},
        content_type="application/json",
    )
    # then the refusal is in Russian
    assert refused.status_code == 400
    assert "вне периода" in refused.json()["detail"]
    # when it sets 15.04
    ok = client.post(
        "/api/v1/school-dates/",
        {"school": school.pk, "work": work.pk, "date": "2026-04-15"},
        content_type="application/json",
    )
    assert ok.status_code == 200
    # then its schedule gives the instants in its own zone (UTC+2)
    row = client.get(f"/api/v1/schools/{school.pk}/schedule/").json()["works"][0]
    assert row["chosen_date"] == "2026-04-15"
    assert row["password_release_at"] == "2026-04-15T08:30:00+03:00"  # 05:30 UTC, shown in MSK
    assert row["criteria_available_at"] == "2026-04-15T14:00:00+03:00"
    assert row["upload_deadline_at"] == "2026-05-24T01:00:00+03:00"  # 22:00 UTC on 23.05
    # and a sibling school's day cannot be set
    other = client.post(
        "/api/v1/school-dates/",
        {"school": world.schools["A1b"].pk, "work": work.pk, "date": "2026-04-15"},
        content_type="application/json",
    )
    assert other.status_code == 404
    assert SchoolWorkDate.objects.count() == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_reserve_day_request_and_decision_through_the_api(world: World) -> None:
    # given a school's reserve-day request made through the API
    work = WorkFactory()
    school = world.schools["A1a"]
    created = world.client_for("school_tech").post(
        "/api/v1/reserve-days/",
        {
            "school": school.pk,
            "work": work.pk,
            "requested_date": "2026-05-20",
            "reason": "Карантин",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    req_id = created.json()["id"]
    # when the municipal coordinator tries to decide (not its right)
    municipal = world.client_for("municipal").post(
        "/api/v1/reserve-day-decisions/",
        {"request": req_id, "verdict": "approved"},
        content_type="application/json",
    )
    assert municipal.status_code == 403
    # when the regional coordinator rejects without a comment, then with one
    regional = world.client_for("regional")
    bare = regional.post(
        "/api/v1/reserve-day-decisions/",
        {"request": req_id, "verdict": "rejected"},
        content_type="application/json",
    )
    assert bare.status_code == 400
    assert "комментарий" in bare.json()["detail"]
    done = regional.post(
        "/api/v1/reserve-day-decisions/",
        {"request": req_id, "verdict": "rejected", "comment": "Проведите в период"},
        content_type="application/json",
    )
    # then the school sees the decision
    assert done.status_code == 200
    seen = world.client_for("school_organizer").get(f"/api/v1/reserve-days/{req_id}/").json()
    assert seen["decision"] == "rejected"
    assert seen["comment"] == "Проведите в период"
    assert ReserveDayRequest.objects.get().decided_by == world.users["regional"]
