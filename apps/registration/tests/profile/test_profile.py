from __future__ import annotations

import pytest
from django.urls import reverse

from apps.core.models import AuditEvent
from apps.registration.access import actor_for_user
from apps.registration.models import SchoolProfile
from apps.registration.profile.services import (
    DEFAULT_GRADES,
    GradeCount,
    ProfileInput,
    profile_errors,
    school_profile_save,
)

pytestmark = pytest.mark.django_db


def form_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "school_type": "lyceum",
        "settlement_type": "city",
        "address": "г. Тестовск, ул. Школьная, д. 1",
        "director_name": "Иванова Мария Петровна",
        "phone": "+7 (845) 222-33-44",
        "email": "school1@example.ru",
        "time_zone_confirmed": "on",
    }
    for grade in DEFAULT_GRADES:
        data[f"classes_{grade}"] = 2
        data[f"pupils_{grade}"] = 50
    data.update(overrides)
    return data


def valid_input(**overrides: object) -> ProfileInput:
    values: dict[str, object] = {
        "school_type": "sosh",
        "settlement_type": "rural",
        "address": "с. Малое, ул. Мира, 3",
        "director_name": "Петров Пётр Петрович",
        "phone": "88452223344",
        "email": "s@example.ru",
        "time_zone_confirmed": True,
        "grades": {str(g): GradeCount(1, 20) for g in DEFAULT_GRADES},
    }
    values.update(overrides)
    return ProfileInput(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("role", ["school_organizer", "school_tech"])
def test_school_fills_its_profile_in_the_browser(world, role):
    # given a school user
    client = world.client_for(role)
    school = world.schools["A1a"]
    page = client.get(reverse("school-profile-edit"))
    assert page.status_code == 200
    assert "Опросный лист ОО" in page.content.decode()
    audits = AuditEvent.objects.count()
    # when it submits a valid profile
    response = client.post(reverse("school-profile-edit"), form_data())
    # then it is saved for its own school, stamped, and audited once
    assert response.status_code == 302
    profile = SchoolProfile.objects.get(school=school)
    assert profile.school_type == "lyceum"
    assert profile.grades["7"] == {"classes": 2, "pupils": 50}
    assert profile.filled_by == world.users[role]
    assert profile.filled_at is not None
    assert AuditEvent.objects.count() == audits + 1
    event = AuditEvent.objects.first()
    assert event.action == "school_profile.save"
    assert event.school_id == school.pk
    assert "school1@example.ru" not in str(event.details)  # field names only, no contacts
    # and the profile page shows it
    shown = client.get(response["Location"]).content.decode()
    assert "Иванова Мария Петровна" in shown
    assert "Лицей" in shown


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"email": "не-почта"}, "email", "правильный адрес электронной почты"),
        ({"phone": "12-34"}, "phone", "10–11 цифр"),
        ({"director_name": "Иванова"}, "director_name", "фамилию, имя и отчество"),
        ({"time_zone_confirmed": ""}, "time_zone_confirmed", "Подтвердите часовой пояс"),
        ({"settlement_type": ""}, "settlement_type", "Заполните поле «Тип населённого пункта»"),
        ({"address": ""}, "address", "Заполните поле «Адрес ОО»"),
        ({"pupils_5": "пять"}, "pupils_5", "5 класс: введите число обучающихся целым числом"),
        ({"pupils_6": -3}, "pupils_6", "не может быть меньше 0"),
        ({"pupils_7": 0}, "pupils_7", "7 класс: указаны классы (2), но не указаны обучающиеся"),
        ({"pupils_8": 500}, "pupils_8", "больше 45 на класс"),
        ({"school_type": "nosh"}, "classes_5", "обучение только до 4 класса"),
    ],
)
def test_profile_errors_are_russian_and_save_nothing(world, overrides, field, fragment):
    # given a school organizer
    client = world.client_for("school_organizer")
    audits = AuditEvent.objects.count()
    # when it submits a profile with one problem
    response = client.post(reverse("school-profile-edit"), form_data(**overrides))
    # then the page stays, names the problem in Russian, and nothing is saved or audited
    assert response.status_code == 400
    assert fragment in response.content.decode()
    assert field in response.context["form"].errors
    assert not SchoolProfile.objects.exists()
    assert AuditEvent.objects.count() == audits


def test_rules_need_at_least_one_grade():
    # given a profile with no classes at all
    data = valid_input(grades={str(g): GradeCount(0, 0) for g in DEFAULT_GRADES})
    # when it is checked
    errors = profile_errors(data)
    # then the message asks for one grade
    assert errors == {
        "grades": [
            "Укажите число классов и обучающихся хотя бы в одной из параллелей: "
            "4, 5, 6, 7, 8 и 10 классы."
        ]
    }


def test_saving_twice_updates_the_same_profile(world):
    # given a saved profile
    actor = actor_for_user(world.users["school_organizer"])
    school_profile_save(actor=actor, data=valid_input())
    # when the school corrects its e-mail
    school_profile_save(actor=actor, data=valid_input(email="new@example.ru"))
    # then there is one profile with the new value, and the audit names the changed field
    assert SchoolProfile.objects.get().email == "new@example.ru"
    assert AuditEvent.objects.first().details == {"first": False, "changed": ["email"]}


def test_a_school_cannot_see_another_schools_profile(world):
    # given a profile of a sibling school in the same municipality
    sibling = world.schools["A1b"]
    SchoolProfile.objects.create(
        school=sibling,
        school_type="sosh",
        settlement_type="city",
        address="ул. Соседняя, 2",
        director_name="Сидоров Сидор Сидорович",
        phone="88452000000",
        email="b@example.ru",
    )
    client = world.client_for("school_organizer")
    # when the school opens the sibling's profile
    response = client.get(reverse("school-profile", args=[sibling.pk]))
    # then it is as good as missing
    assert response.status_code == 404
    # and its own (unfilled) profile page works
    own = client.get(reverse("school-profile", args=[world.schools["A1a"].pk]))
    assert own.status_code == 200
    assert "ещё не заполнен" in own.content.decode()


def test_coordinators_see_who_has_filled_the_profile(world):
    # given A1a has filled its profile, A1b has not
    school_profile_save(actor=actor_for_user(world.users["school_organizer"]), data=valid_input())
    # when the municipal coordinator opens the list
    client = world.client_for("municipal")
    html = client.get(reverse("school-profile-list")).content.decode()
    # then both of its schools are listed with their state, and the totals are right
    assert world.schools["A1a"].short_name in html
    assert world.schools["A1b"].short_name in html
    assert "не заполнен" in html
    assert "заполнили: <strong>1</strong>" in html
    assert world.schools["A2a"].short_name not in html
    # and the filter shows only those that have not filled it
    pending = client.get(reverse("school-profile-list"), {"filled": "no"}).content.decode()
    assert world.schools["A1b"].short_name in pending
    assert world.schools["A1a"].short_name not in pending
    # and the coordinator may read the filled profile
    shown = client.get(reverse("school-profile", args=[world.schools["A1a"].pk]))
    assert "Петров Пётр Петрович" in shown.content.decode()


def test_only_schools_edit_and_only_coordinators_list(world):
    # given every role
    # then the form is for school users only, the list for coordinators only
    for role in ("federal", "regional", "municipal"):
        assert world.client_for(role).get(reverse("school-profile-edit")).status_code == 403
        assert world.client_for(role).get(reverse("school-profile-list")).status_code == 200
    for role in ("school_organizer", "school_tech"):
        assert world.client_for(role).get(reverse("school-profile-list")).status_code == 403


def test_all_problems_are_shown_at_once(world):
    # given a form with a missing field and a broken rule elsewhere
    client = world.client_for("school_organizer")
    data = form_data(settlement_type="", email="нет", time_zone_confirmed="")
    # when it is submitted
    response = client.post(reverse("school-profile-edit"), data)
    # then the page names every problem in one go
    errors = response.context["form"].errors
    assert set(errors) == {"settlement_type", "email", "time_zone_confirmed"}
    assert "Опросный лист не сохранён" in response.content.decode()
