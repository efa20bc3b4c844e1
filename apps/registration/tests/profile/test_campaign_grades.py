"""The school questionnaire asks about the current campaign's grades (4–8 and 10 since 2025),
which the campaigns app provides through core; other grades are refused in Russian."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.campaigns.tests.factories import CampaignFactory
from apps.registration.models import SchoolProfile
from apps.registration.profile.services import GradeCount, profile_errors, profile_grades
from apps.registration.tests.profile.test_api import body
from apps.registration.tests.profile.test_profile import form_data, valid_input

pytestmark = pytest.mark.django_db


def test_the_form_offers_the_current_campaigns_grades(world) -> None:
    # given an older campaign of 4–11 and the current one of 4–8 and 10
    current = CampaignFactory()
    CampaignFactory(year=current.year - 3, is_active=False, grades=range(4, 12))
    # when the school opens its questionnaire
    html = world.client_for("school_organizer").get(reverse("school-profile-edit")).content
    # then it asks about 4–8 and 10 only
    fields = re.findall(r'name="classes_(\d+)"', html.decode())
    assert fields == ["4", "5", "6", "7", "8", "10"]
    assert profile_grades() == ("4", "5", "6", "7", "8", "10")


def test_the_browser_form_saves_the_campaigns_grades(world) -> None:
    CampaignFactory()
    response = world.client_for("school_organizer").post(
        reverse("school-profile-edit"), form_data()
    )
    assert response.status_code == 302
    assert set(SchoolProfile.objects.get().grades) == {"4", "5", "6", "7", "8", "10"}


@pytest.mark.parametrize("grade", ["9", "11"])
def test_grades_9_and_11_are_refused_in_russian(world, grade: str) -> None:
    # given the 2026-configured campaign
    CampaignFactory()
    # when the rules check a profile with pupils in grade 9 or 11
    data = valid_input(grades={"5": GradeCount(2, 50), grade: GradeCount(1, 25)})
    errors = profile_errors(data)
    # then the grade is named with the grades that take part
    assert errors["grades"] == [
        f"Параллели {grade} не участвуют в ВПР: участвуют 4, 5, 6, 7, 8 и 10 классы. "
        "Укажите числа только для них."
    ]
    # and the API refuses it likewise and saves nothing
    response = world.client_for("school_organizer").put(
        "/api/v1/school-profile/",
        body(grades={grade: {"classes": 1, "pupils": 25}}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "участвуют 4, 5, 6, 7, 8 и 10 классы" in str(response.json()["errors"])
    assert not SchoolProfile.objects.exists()
