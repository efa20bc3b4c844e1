"""The federal sample's pages and API: the draw form and the strata, a school's notice (its own
works only), the results page of a federally checked work, publication through the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.objectivity.models import FederalSample, ReviewCase
from apps.objectivity.sample.tests.helpers import case_of, draw_all, federal_scores, mark_booklets
from apps.objectivity.tests.scene import Scene
from apps.results import xlsx


def _html(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_federal_operator_draws_on_the_page_and_sees_the_strata(scene: Scene) -> None:
    client = scene.world.client_for("federal")
    url = reverse("objectivity-sample") + f"?campaign={scene.work.campaign_id}"
    page = client.get(url)
    assert page.status_code == 200
    assert "Провести выборку" in _html(page)
    posted = {"works": [str(scene.work.pk)], "share": "50", "min_per_region": "1", "seed": "11"}
    response = client.post(url, posted)
    sample = FederalSample.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("objectivity-sample-detail", args=[sample.pk])
    detail = _html(client.get(response["Location"]))
    region_a = scene.world.regions["A"]
    # the strata row of region A: 3 schools taking part, 2 drawn; the seed is shown
    assert (
        f'{region_a.code} {region_a.name}</td><td class="num">3</td><td class="num">2</td>'
        in detail
    )
    assert "<code data-seed>11</code>" in detail
    # nothing marked yet: no publication offered
    assert "Сделать федеральные баллы официальными" not in detail
    assert detail.count("после проверки работ") == 3
    case = ReviewCase.objects.filter(review__sample=sample).first()
    assert case is not None
    case.status = ReviewCase.Status.MARKED
    case.save()
    detail = _html(client.get(response["Location"]))
    assert detail.count("Сделать федеральные баллы официальными") == 1


@pytest.mark.django_db
def test_bad_draw_shows_the_russian_error_and_changes_nothing(scene: Scene) -> None:
    client = scene.world.client_for("federal")
    url = reverse("objectivity-sample") + f"?campaign={scene.work.campaign_id}"
    posted = {"works": [str(scene.work.pk)], "share": "0", "min_per_region": "1"}
    response = client.post(url, posted)
    assert response.status_code == 400
    assert "Доля ОО в выборке — число больше 0" in _html(response)
    assert not FederalSample.objects.exists()


@pytest.mark.django_db
def test_only_sampled_schools_get_the_cabinet_notice(scene: Scene) -> None:
    client = scene.world.client_for("school_organizer")  # the organizer of A1a
    notice = "вашей ОО проверяется федеральным организатором"
    assert notice not in _html(client.get(reverse("cabinet")))
    review = draw_all(scene)
    page = _html(client.get(reverse("cabinet")))
    assert notice in page
    assert "в аудиториях обязательны независимые наблюдатели" in page
    assert reverse("objectivity-scans-school", args=[scene.school("A1a").pk]) in page
    # the school's federal page names its own work only, never the other sampled schools
    cases = _html(client.get(reverse("objectivity-sample-cases")))
    assert scene.school("A1a").code in cases
    for key in ("A1b", "A2a", "B1a"):
        assert scene.school(key).code not in cases
    # a school taken out of the sample has no notice
    case_of(review, scene, "A1a").delete()
    assert notice not in _html(client.get(reverse("cabinet")))


@pytest.mark.django_db
def test_regional_coordinator_sees_its_regions_sampled_schools(scene: Scene) -> None:
    draw_all(scene)
    page = _html(scene.world.client_for("regional").get(reverse("objectivity-sample-cases")))
    for key in ("A1a", "A1b", "A2a"):
        assert scene.school(key).code in page
    assert scene.school("B1a").code not in page
    assert "Сделать федеральные баллы официальными" not in page
    # the sample page itself is the federal side's
    assert scene.world.client_for("regional").get(reverse("objectivity-sample")).status_code == 403


@pytest.mark.django_db
def test_results_page_shows_official_federal_scores_with_own_beside(scene: Scene) -> None:
    review = draw_all(scene)
    own = scene.own_rows("A1a")
    scene.upload_own("A1a", own)
    mark_booklets(scene, review, "A1a", len(own))
    case = case_of(review, scene, "A1a")
    published = scene.world.client_for("federal").post(
        reverse("objectivity-sample-publish", args=[case.pk])
    )
    assert published.status_code == 302
    url = reverse("results-work", args=[scene.school("A1a").pk, scene.work.pk])
    page = _html(scene.world.client_for("school_organizer").get(url))
    assert "Официальные результаты — федеральная проверка" in page
    assert "Баллы ОО по заданиям" in page
    first_own = " ".join("X" if s is None else str(s) for s in own[0].scores)
    assert f'<td class="own-scores">{first_own}</td>' in page
    total = sum(s or 0 for s in federal_scores(scene, 0))
    assert f"<td><strong>{total}</strong></td>" in page


@pytest.mark.django_db
def test_api_draw_list_cases_and_publish(scene: Scene) -> None:
    client = scene.world.client_for("federal")
    body = {
        "campaign": scene.work.campaign_id,
        "works": [scene.work.pk],
        "share": "100",
        "min_per_region": 1,
        "seed": 5,
    }
    created = client.post("/api/v1/objectivity/samples/", body, content_type="application/json")
    assert created.status_code == 201
    data = created.json()
    assert data["seed"] == 5
    assert data["strata"][0]["drawn"] == 4
    assert sorted(r["population"] for r in data["strata"][0]["regions"]) == [1, 3]
    listed = client.get("/api/v1/objectivity/samples/").json()
    assert [s["id"] for s in listed] == [data["id"]]
    cases = client.get(f"/api/v1/objectivity/samples/{data['id']}/cases/").json()
    assert len(cases) == 4
    assert {c["status"] for c in cases} == {"requested"}
    # a second draw of a sample in use is refused with the Russian message
    case = ReviewCase.objects.get(school=scene.school("A1a"))
    case.status = ReviewCase.Status.SCANNED
    case.save()
    again = client.post("/api/v1/objectivity/samples/", body, content_type="application/json")
    assert again.status_code == 409
    assert "провести выборку заново нельзя" in again.json()["detail"]
    # publishing before the booklets are marked: 409 naming the school
    url = f"/api/v1/objectivity/federal-cases/{case.pk}/publish/"
    early = client.post(url)
    assert early.status_code == 409
    assert scene.school("A1a").code in early.json()["detail"]
    # marked: published
    scene.upload_own("A1a", scene.own_rows("A1a"))
    mark_booklets(scene, case.review, "A1a", 12)
    done = client.post(url)
    assert done.status_code == 200
    assert done.json()["case"]["status"] == "closed"
    assert done.json()["participants"] == 12


@pytest.mark.django_db
def test_api_school_sees_only_its_own_federal_case(scene: Scene) -> None:
    draw_all(scene)
    client = scene.world.client_for("school_organizer")
    rows = client.get("/api/v1/objectivity/federal-cases/").json()
    assert [r["school_code"] for r in rows] == [scene.school("A1a").code]
    assert client.get("/api/v1/objectivity/samples/").status_code == 403
    case = ReviewCase.objects.get(school=scene.school("A1a"))
    assert client.post(f"/api/v1/objectivity/federal-cases/{case.pk}/publish/").status_code == 403


@pytest.mark.django_db
def test_api_bad_draw_is_400_in_russian(scene: Scene) -> None:
    body = {"campaign": scene.work.campaign_id, "works": [], "share": "10", "min_per_region": 1}
    response = scene.world.client_for("federal").post(
        "/api/v1/objectivity/samples/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "Отметьте хотя бы одну работу" in response.json()["detail"]
    assert not FederalSample.objects.exists()


def test_row_helper_is_the_form_row() -> None:
    # the publication feeds results with form rows: «X» stays None, the sum ignores it
    row = xlsx.Row("40001", False, 1, (1, None, 2), None, None)
    assert row.primary_score == 3
