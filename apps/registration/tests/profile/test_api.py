from __future__ import annotations

import pytest

from apps.registration.models import SchoolProfile

pytestmark = pytest.mark.django_db


def body(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "school_type": "gymnasium",
        "settlement_type": "town",
        "address": "пгт Заречный, ул. Мира, 1",
        "director_name": "Смирнова Анна Ивановна",
        "phone": "+7 845 222 33 44",
        "email": "gym@example.ru",
        "time_zone_confirmed": True,
        "grades": {"4": {"classes": 3, "pupils": 75}, "5": {"classes": 3, "pupils": 80}},
    }
    data.update(overrides)
    return data


def test_school_fills_its_profile_through_the_api(world):
    # given the technical specialist of A1a
    client = world.client_for("school_tech")
    # when it reads the empty profile, then puts a filled one
    empty = client.get("/api/v1/school-profile/").json()
    saved = client.put("/api/v1/school-profile/", body(), content_type="application/json")
    # then it was empty, and now it is filled for its own school
    assert empty["filled"] is False
    assert empty["school"]["id"] == world.schools["A1a"].pk
    assert saved.status_code == 200
    assert saved.json()["profile"]["grades"]["5"] == {"classes": 3, "pupils": 80}
    assert SchoolProfile.objects.get().school == world.schools["A1a"]


def test_api_rules_answer_in_russian_and_save_nothing(world):
    # given a school organizer
    client = world.client_for("school_organizer")
    # when it puts a profile with broken rules and shapes
    rules = client.put(
        "/api/v1/school-profile/",
        body(email="нет", time_zone_confirmed=False, grades={"4": {"classes": 1, "pupils": 0}}),
        content_type="application/json",
    )
    shape = client.put(
        "/api/v1/school-profile/",
        body(grades={"12": {"classes": 1, "pupils": 5}}),
        content_type="application/json",
    )
    # then each field is named with a Russian message, and nothing is saved
    assert rules.status_code == 400
    errors = {e["field"]: e["message"] for e in rules.json()["errors"]}
    assert "электронной почты" in errors["email"]
    assert "Подтвердите часовой пояс" in errors["time_zone_confirmed"]
    assert "не указаны обучающиеся" in errors["pupils_4"]
    assert shape.status_code == 400
    assert "участвуют 4, 5, 6, 7, 8 и 10 классы" in str(shape.json()["errors"])
    assert not SchoolProfile.objects.exists()


def test_api_profile_of_another_school_is_missing_and_coordinators_list_it(world):
    # given A1a has filled its profile
    world.client_for("school_organizer").put(
        "/api/v1/school-profile/", body(), content_type="application/json"
    )
    # when the school asks for a sibling's profile, and the coordinator for the list
    sibling = world.client_for("school_organizer").get(
        f"/api/v1/schools/{world.schools['A1b'].pk}/profile/"
    )
    listed = world.client_for("municipal").get("/api/v1/school-profiles/").json()["results"]
    pending = (
        world.client_for("municipal")
        .get("/api/v1/school-profiles/", {"filled": "false"})
        .json()["results"]
    )
    # then the sibling is missing, and the list says who has filled it
    assert sibling.status_code == 404
    assert {(s["code"], s["filled"]) for s in listed} == {
        (world.schools["A1a"].code, True),
        (world.schools["A1b"].code, False),
    }
    assert [s["code"] for s in pending] == [world.schools["A1b"].code]
