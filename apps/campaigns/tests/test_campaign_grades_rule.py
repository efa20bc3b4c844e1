"""A work's grade is one of its campaign's grades (``CampaignGrade`` rows; 4–8 and 10 since
2025): the form, the API and the works import refuse a grade-9 or grade-11 work and name the
configured grades; the grades of the current campaign reach the apps below through core."""

from __future__ import annotations

import json
from typing import Any

import pytest

from apps.campaigns import documents, rules, selectors
from apps.campaigns.models import Campaign, CampaignGrade, Work
from apps.campaigns.tests.api.test_api import work_body
from apps.campaigns.tests.factories import CampaignFactory, SubjectFactory, WorkFactory
from apps.campaigns.tests.test_import import upload_errors
from apps.campaigns.tests.test_views import work_post
from apps.core import registry
from apps.registration.access import actor_for_user
from conftest import World

NAMED = "в кампании участвуют 4, 5, 6, 7, 8 и 10 классы"


def test_the_rule_names_the_configured_grades() -> None:
    assert rules.grade_problem(10, (4, 5, 6, 7, 8, 10)) is None
    problem = rules.grade_problem(9, (4, 5, 6, 7, 8, 10))
    assert problem is not None
    assert problem.field == "grade"
    assert NAMED in problem.message
    assert "9 класса" in problem.message
    empty = rules.grade_problem(4, ())
    assert empty is not None
    assert "ещё не заданы участвующие параллели" in empty.message


@pytest.mark.django_db
@pytest.mark.parametrize("grade", [9, 11])
def test_the_form_refuses_a_grade_outside_the_campaign(world: World, grade: int) -> None:
    # given a 2026-configured campaign (grades 4–8 and 10)
    campaign = CampaignFactory()
    subject = SubjectFactory()
    columns = [("1", 12, "Б"), ("2", 12, "П")]
    # when the federal operator submits a work of grade 9 or 11 through the cabinet form
    response = world.client_for("federal").post(
        f"/campaigns/{campaign.pk}/works/new/", work_post(subject.pk, columns, grade=grade)
    )
    # then the page names the campaign's grades and nothing is saved
    assert response.status_code == 200
    assert NAMED in response.content.decode()
    assert not Work.objects.filter(campaign=campaign).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("grade", [9, 11])
def test_the_api_refuses_a_grade_outside_the_campaign(world: World, grade: int) -> None:
    campaign = CampaignFactory()
    response = world.client_for("federal").post(
        "/api/v1/works/", work_body(campaign.pk, grade=grade), content_type="application/json"
    )
    assert response.status_code == 400
    data = response.json()
    assert ("grade", None) in {(p["field"], p["column"]) for p in data["errors"]}
    assert NAMED in data["detail"]
    assert not Work.objects.filter(campaign=campaign).exists()
    # and grade 10 of the same campaign is accepted
    ok = world.client_for("federal").post(
        "/api/v1/works/", work_body(campaign.pk, grade=10), content_type="application/json"
    )
    assert ok.status_code == 201, ok.json()


@pytest.mark.django_db
@pytest.mark.parametrize("grade", [9, 11])
def test_the_works_import_refuses_a_grade_outside_the_campaign(world: World, grade: int) -> None:
    # given a configured campaign's works document with a work moved to grade 9 or 11
    work = WorkFactory()
    federal = actor_for_user(world.users["federal"])
    doc = documents.campaign_document(
        selectors.campaign_spec(actor=federal, campaign_id=work.campaign_id)
    )
    doc["works"][0]["grade"] = grade
    # when it is uploaded into the campaign
    errors = upload_errors(federal, work.campaign, json.dumps(doc).encode(), "работы.json")
    # then the work is named with the campaign's grades, and nothing changed
    assert any(f"{grade} класс" in e and NAMED in e for e in errors), errors
    assert list(Work.objects.values_list("grade", flat=True)) == [4]


@pytest.mark.django_db
def test_a_campaign_without_grades_refuses_works_until_configured(world: World) -> None:
    campaign: Campaign = CampaignFactory(grades=[])
    body = work_body(campaign.pk, grade=5)
    client = world.client_for("federal")
    refused = client.post("/api/v1/works/", body, content_type="application/json")
    assert refused.status_code == 400
    assert "ещё не заданы участвующие параллели" in refused.json()["detail"]
    CampaignGrade.objects.create(campaign=campaign, grade=5)
    assert client.post("/api/v1/works/", body, content_type="application/json").status_code == 201


@pytest.mark.django_db
def test_core_gives_the_grades_of_the_current_campaign(db: Any) -> None:
    # given an older campaign of 4–11 and the current one of 4–8 and 10
    CampaignFactory(year=2024, is_active=False, grades=range(4, 12))
    current = CampaignFactory()
    # then core answers with the current campaign's grades
    assert registry.current_grades() == (4, 5, 6, 7, 8, 10)
    # and a current campaign with none configured yet falls back to the most recent ones
    CampaignGrade.objects.filter(campaign=current).delete()
    CampaignFactory(year=2025, is_active=False, grades=[4, 5, 6, 7, 8, 10])
    assert registry.current_grades() == (4, 5, 6, 7, 8, 10)
