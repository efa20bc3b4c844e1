"""The re-checks' API: candidates, open, list, detail, a case (comments, outcome), the
results with and without re-checked schools, what a school is asked for."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from apps.analytics.models import WorkAggregate
from apps.core.scoping import Level
from apps.objectivity.models import Review, ReviewCase
from apps.objectivity.rechecks.tests.helpers import after_release, mark_case, results_in
from apps.objectivity.tests.scene import Scene


@pytest.fixture
def ready(scene: Scene, time_machine: Any) -> Scene:
    results_in(scene)
    after_release(scene, time_machine)
    return scene


@pytest.mark.django_db
def test_open_a_recheck_through_the_api(ready: Scene) -> None:
    client = ready.world.client_for("regional")
    a1a = ready.school("A1a").pk
    # the candidates of the work: A1a first, with its marker
    found = client.get(reverse("api-objectivity-recheck-candidates") + f"?work={ready.work.pk}")
    assert found.status_code == 200
    rows = found.json()["rows"]
    assert rows[0]["school"] == a1a
    assert "above_region" in [m["code"] for m in rows[0]["markers"]]
    # open with the flagged school and one random more, seeded
    url = reverse("api-objectivity-rechecks")
    body = {"work": ready.work.pk, "schools": [a1a], "random_count": 1, "seed": 7}
    created = client.post(url, body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["seed"] == 7
    assert data["counts"]["requested"] == 2
    assert sorted(c["reason"] for c in data["cases"]) == ["flags", "random"]
    # the same request again: A1a is already in an open re-check of the work (409)
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 409
    assert "уже в открытой перепроверке" in again.json()["detail"]
    # the list and the detail
    listed = client.get(url).json()
    assert [r["id"] for r in listed] == [data["id"]]
    detail = client.get(reverse("api-objectivity-recheck", args=[data["id"]])).json()
    assert len(detail["cases"]) == 2


@pytest.mark.django_db
def test_bad_open_requests_answer_clear_errors(ready: Scene) -> None:
    client = ready.world.client_for("municipal")
    url = reverse("api-objectivity-rechecks")
    outside = client.post(
        url,
        {"work": ready.work.pk, "schools": [ready.school("B1a").pk]},
        content_type="application/json",
    )
    assert outside.status_code == 404
    empty = client.post(url, {"work": ready.work.pk}, content_type="application/json")
    assert empty.status_code == 400
    assert "хотя бы одну" in empty.json()["detail"]
    school = ready.world.client_for("school_organizer")
    refused = school.post(
        url, {"work": ready.work.pk, "random_count": 1}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_case_comments_close_and_the_school_side(ready: Scene) -> None:
    regional = ready.world.client_for("regional")
    opened = regional.post(
        reverse("api-objectivity-rechecks"),
        {"work": ready.work.pk, "schools": [ready.school("A1a").pk]},
        content_type="application/json",
    ).json()
    case_id = opened["cases"][0]["id"]
    school = ready.world.client_for("school_organizer")
    # the school is asked for the scans of the work
    asked = school.get(reverse("api-objectivity-recheck-requests")).json()
    assert [(a["case"], a["status"]) for a in asked] == [(case_id, "requested")]
    # both sides comment; the school reads the thread
    comments = reverse("api-objectivity-recheck-case-comments", args=[case_id])
    assert (
        regional.post(comments, {"text": "Ждём сканы"}, content_type="application/json").status_code
        == 201
    )
    answered = school.post(comments, {"text": "Загрузили"}, content_type="application/json")
    assert answered.status_code == 201
    assert [c["text"] for c in answered.json()["comments"]] == ["Ждём сканы", "Загрузили"]
    blank = school.post(comments, {"text": " "}, content_type="application/json")
    assert blank.status_code == 400
    # closing: not before the marking (409), never by the school (403)
    close = reverse("api-objectivity-recheck-case-close", args=[case_id])
    early = regional.post(close, {"outcome": "confirmed"}, content_type="application/json")
    assert early.status_code == 409
    assert (
        school.post(close, {"outcome": "confirmed"}, content_type="application/json").status_code
        == 403
    )
    mark_case(ReviewCase.objects.get(pk=case_id))
    done = regional.post(close, {"outcome": "partly"}, content_type="application/json")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["outcome"]) == ("closed", "partly")
    # the closed case no longer appears among the school's requests
    assert school.get(reverse("api-objectivity-recheck-requests")).json() == []


@pytest.mark.django_db
def test_results_with_and_without_through_the_api(ready: Scene) -> None:
    regional = ready.world.client_for("regional")
    opened = regional.post(
        reverse("api-objectivity-rechecks"),
        {"work": ready.work.pk, "schools": [ready.school("A1a").pk]},
        content_type="application/json",
    ).json()
    case = ReviewCase.objects.get(pk=opened["cases"][0]["id"])
    mark_case(case)
    regional.post(
        reverse("api-objectivity-recheck-case-close", args=[case.pk]),
        {"outcome": "not_confirmed"},
        content_type="application/json",
    )
    region = WorkAggregate.objects.get(
        work=ready.work, level=Level.REGION, unit_id=ready.world.regions["A"].pk
    )
    body = regional.get(reverse("api-objectivity-recheck-results", args=[region.pk])).json()
    own = [next(r for r in v["rows"] if r["is_self"]) for v in body["variants"]]
    # region A: 36 participants (A1a's 12 «5»); without A1a 24, all «3»
    assert [(o["participants"], o["counts"]) for o in own] == [
        (36, [0, 24, 0, 12]),
        (24, [0, 24, 0, 0]),
        (24, [0, 24, 0, 0]),
    ]
    assert [v["excluded"] for v in body["variants"]] == [0, 1, 1]
