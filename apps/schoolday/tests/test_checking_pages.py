"""The checking pages and API: the school distributes and reassigns (own-class refusals shown in
Russian), an expert's account sees only its codes, coordinators read the progress."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.registration.tests.factories import grant, make_user
from apps.schoolday.models import ExpertAssignment, Person
from apps.schoolday.tests.conftest import PASSWORD, Day, login
from apps.schoolday.tests.factories import PersonFactory


def _setup(day: Day) -> dict[str, Person]:
    day.codes("4А", 2, 10001)
    day.codes("4Б", 2, 20001)
    day.codes("4В", 2, 30001)
    return {
        name: PersonFactory(
            school=day.school,
            duty=Person.Duty.EXPERT,
            full_name=name,
            subjects=[day.russian.subject],
            teaches=teaches,
        )
        for name, teaches in (
            ("Эксперт 1", [day.classes["4А"]]),
            ("Эксперт 2", []),
        )
    }


def _api(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_school_distributes_and_own_class_refusal_is_shown(day: Day) -> None:
    experts = _setup(day)
    client = login(day.organizer_user)
    school_page = client.get(reverse("schoolday-checking-school", args=[day.school.pk]))
    assert school_page.status_code == 200
    assert "Русский язык, 4 класс" in school_page.content.decode()
    url = reverse("schoolday-checking", args=[day.school.pk, day.russian.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Распределить автоматически" in page.content.decode()
    # when the organizer distributes automatically
    client.post(reverse("schoolday-checking-auto", args=[day.school.pk, day.russian.pk]))
    assert ExpertAssignment.objects.filter(work=day.russian).count() == 6
    assert not ExpertAssignment.objects.filter(
        expert=experts["Эксперт 1"], code__school_class=day.classes["4А"]
    ).exists()
    # when the teacher of 4А is given a 4А code by hand
    answer = client.post(
        reverse("schoolday-checking-assign", args=[day.school.pk, day.russian.pk]),
        {"expert": experts["Эксперт 1"].pk, "codes": ["10001"]},
        follow=True,
    )
    # then the page shows the Russian refusal and the code stays with Эксперт 2
    assert "Код 10001 (класс 4А): Эксперт 1 преподаёт в 4А" in answer.content.decode()
    assert ExpertAssignment.objects.get(code__code="10001").expert == experts["Эксперт 2"]


@pytest.mark.django_db
def test_an_expert_page_and_api_show_only_its_codes(day: Day) -> None:
    experts = _setup(day)
    client = login(day.organizer_user)
    client.post(reverse("schoolday-checking-auto", args=[day.school.pk, day.russian.pk]))
    user = make_user("t_sd_expert_pages", PASSWORD)
    grant(user, "expert", day.school)
    experts["Эксперт 1"].user = user
    experts["Эксперт 1"].save(update_fields=["user"])
    mine = sorted(
        ExpertAssignment.objects.filter(expert=experts["Эксперт 1"]).values_list(
            "code__code", flat=True
        )
    )
    others = sorted(
        ExpertAssignment.objects.filter(expert=experts["Эксперт 2"]).values_list(
            "code__code", flat=True
        )
    )
    assert mine
    assert others
    works = login(user).get(reverse("schoolday-checking-school", args=[day.school.pk]))
    assert works.status_code == 200
    assert "Русский язык, 4 класс" in works.content.decode()
    assert "Передано вам" in works.content.decode()
    page = login(user).get(reverse("schoolday-checking", args=[day.school.pk, day.russian.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert all(code in text for code in mine)
    assert not any(code in text for code in others)
    assert "Распределить автоматически" not in text
    data = (
        _api(user)
        .get(reverse("api-schoolday-checking", args=[day.school.pk, day.russian.pk]))
        .json()
    )
    assert data["personal"]
    assert sorted(c["code"] for row in data["classes"] for c in row["codes"]) == mine
    # and it cannot distribute
    refused = _api(user).post(
        reverse("api-schoolday-checking-auto", args=[day.school.pk, day.russian.pk])
    )
    assert refused.status_code == 403


@pytest.mark.django_db
def test_api_assign_refusal_and_progress(day: Day) -> None:
    experts = _setup(day)
    api = _api(day.organizer_user)
    base = [day.school.pk, day.russian.pk]
    auto = api.post(reverse("api-schoolday-checking-auto", args=base))
    assert auto.status_code == 200
    assert auto.json()["given"] == 6
    refused = api.post(
        reverse("api-schoolday-checking-assign", args=base),
        {"expert": experts["Эксперт 1"].pk, "codes": ["10002"]},
        format="json",
    )
    assert refused.status_code == 400
    assert "Эксперт 1 преподаёт в 4А" in str(refused.json())
    moved = api.post(
        reverse("api-schoolday-checking-unassign", args=base),
        {"codes": ["30001"]},
        format="json",
    )
    assert moved.status_code == 200
    assert moved.json()["given"] == 5
    # the municipal coordinator's progress (page and API): 6 codes, 5 given, 2 experts
    municipal = _api(day.municipal_user)
    progress = municipal.get(
        reverse("api-schoolday-checking-progress") + f"?work={day.russian.pk}"
    ).json()
    row = next(r for r in progress["rows"] if r["school"] == day.school.pk)
    assert (row["codes"], row["given"], row["experts"], row["classes"]) == (6, 5, 2, 3)
    page = login(day.municipal_user).get(reverse("schoolday-checking-progress"))
    assert page.status_code == 200
    assert "Ход проверки работ" in page.content.decode()
    assert day.school.short_name in page.content.decode()
