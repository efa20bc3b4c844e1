"""The school day's pages and API: the organizer edits in the browser and through the API with
Russian errors, the technical specialist reads, coordinators see the readiness overview."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.schoolday.models import Person, Room, Seat, Sitting
from apps.schoolday.tests.conftest import Day, login
from apps.schoolday.tests.factories import PersonFactory


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _day_url(day: Day, name: str = "schoolday-placement") -> str:
    return reverse(name, args=[day.school.pk, day.russian.pk])


@pytest.mark.django_db
def test_the_school_day_page_lists_the_work_days(day: Day) -> None:
    # when the organizer opens «Аудитории и рассадка»
    response = login(day.organizer_user).get(reverse("schoolday-school", args=[day.school.pk]))
    # then both work days are listed with their participants and a link to the placement
    text = response.content.decode()
    assert response.status_code == 200
    assert "Аудитории и рассадка: Школа дня проведения" in text
    assert f"{day.date:%d.%m.%Y}" in text
    assert f"{day.math_date:%d.%m.%Y}" in text
    assert f"{_day_url(day)}?date={day.date.isoformat()}" in text
    assert ">64<" in text  # the Russian day's participants


@pytest.mark.django_db
def test_the_rooms_page_adds_a_room_and_a_person_with_russian_errors(day: Day) -> None:
    client = login(day.organizer_user)
    page = reverse("schoolday-rooms", args=[day.school.pk])
    # given the page with its forms
    assert "Добавить аудиторию" in client.get(page).content.decode()
    # when a room with more computers than seats is sent
    add_room = reverse("schoolday-room-add", args=[day.school.pk])
    response = client.post(add_room, {"name": "Кабинет 5", "seats": "10", "computers": "12"})
    # then the page comes back with the error and nothing is added
    assert response.status_code == 400
    assert "Аудитория «Кабинет 5»: компьютеров (12) больше, чем мест (10)." in (
        response.content.decode()
    )
    assert not Room.objects.filter(name="Кабинет 5").exists()
    # and an empty name is named too
    response = client.post(add_room, {"name": "", "seats": "x"})
    text = response.content.decode()
    assert "Укажите название аудитории" in text
    assert "«Мест для участников» — целое число." in text
    # when a good room and an expert are sent
    response = client.post(add_room, {"name": "Кабинет 5", "seats": "10"})
    assert response.status_code == 302
    response = client.post(
        reverse("schoolday-person-add", args=[day.school.pk]),
        {
            "duty": "expert",
            "full_name": "Эксперт Тестовый",
            "subjects": [day.russian.subject_id],
            "teaches": [day.classes["4Б"].pk],
        },
    )
    assert response.status_code == 302
    # then both are on the page
    text = client.get(page).content.decode()
    assert "Кабинет 5" in text
    assert "Эксперт Тестовый" in text
    assert "4Б" in text


@pytest.mark.django_db
def test_room_and_person_edit_and_remove_pages(day: Day) -> None:
    client = login(day.organizer_user)
    room = day.rooms["Кабинет 1"]
    person = PersonFactory(school=day.school)
    edit = reverse("schoolday-room-edit", args=[room.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"name": "Кабинет 1", "seats": "0"})
    assert "«Мест для участников» — не меньше 1." in response.content.decode()
    assert client.post(edit, {"name": "Кабинет 1а", "seats": "16"}).status_code == 302
    room.refresh_from_db()
    assert (room.name, room.seats) == ("Кабинет 1а", 16)
    person_edit = reverse("schoolday-person-edit", args=[person.pk])
    assert client.get(person_edit).status_code == 200
    response = client.post(person_edit, {"duty": "observer", "full_name": "Наблюдатель Новый"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.duty == Person.Duty.OBSERVER
    client.post(reverse("schoolday-person-remove", args=[person.pk]))
    client.post(reverse("schoolday-room-remove", args=[room.pk]))
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not Room.objects.filter(pk=room.pk).exists()


@pytest.mark.django_db
def test_the_technical_specialist_reads_without_forms(day: Day) -> None:
    client = login(day.tech_user)
    page = client.get(reverse("schoolday-rooms", args=[day.school.pk])).content.decode()
    assert "Кабинет 10" in page
    assert "Добавить аудиторию" not in page
    day_page = client.get(f"{_day_url(day)}?date={day.date.isoformat()}").content.decode()
    assert "Изменить рассадку" not in day_page
    assert "Кабинет 10" in day_page
    response = client.post(
        reverse("schoolday-room-add", args=[day.school.pk]), {"name": "X", "seats": "5"}
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_the_placement_page_saves_the_proposal_the_table_and_the_staff(day: Day) -> None:
    client = login(day.organizer_user)
    url = f"{_day_url(day)}?date={day.date.isoformat()}"
    # given the page before anything is saved: the proposal and the button to keep it
    text = client.get(url).content.decode()
    assert "Рассадка ещё не сохранена" in text
    assert "Сохранить предложение" in text
    # when the proposal is saved
    response = client.post(
        _day_url(day, "schoolday-placement-propose"), {"date": day.date.isoformat()}
    )
    assert response.status_code == 302
    assert Seat.objects.filter(school_id=day.school.pk).count() == 4
    # when the table moves 4В whole into «Кабинет 10» with 4Б, and leaves «Кабинет 1» empty
    cw, r = day.russian_works, day.rooms
    table = {
        "date": day.date.isoformat(),
        f"n-{cw['4А'].pk}-{r['Кабинет 2'].pk}": "24",
        f"n-{cw['4Б'].pk}-{r['Кабинет 10'].pk}": "22",
        f"n-{cw['4В'].pk}-{r['Кабинет 10'].pk}": "18",
    }
    response = client.post(_day_url(day, "schoolday-placement-save"), table, follow=True)
    # then «Кабинет 10» would hold 40 at 30 seats: refused in Russian, nothing changes
    assert "аудитория «Кабинет 10»: 40 участников при 30 местах" in response.content.decode()
    assert Seat.objects.filter(school_id=day.school.pk).count() == 4
    # when it is fixed: 8 of 4В in «Кабинет 1»
    table[f"n-{cw['4В'].pk}-{r['Кабинет 10'].pk}"] = "8"
    table[f"n-{cw['4В'].pk}-{r['Кабинет 1'].pk}"] = "10"
    response = client.post(_day_url(day, "schoolday-placement-save"), table, follow=True)
    assert "Рассадка сохранена." in response.content.decode()
    seats = {
        (s.sitting.room.name, s.offset, s.count)
        for s in Seat.objects.filter(class_work=cw["4В"]).select_related("sitting__room")
    }
    assert seats == {("Кабинет 1", 0, 10), ("Кабинет 10", 10, 8)}
    # when organizers and an observer are set
    organizer = PersonFactory(school=day.school)
    observer = PersonFactory(school=day.school, duty=Person.Duty.OBSERVER)
    response = client.post(
        _day_url(day, "schoolday-staff-save"),
        {
            "date": day.date.isoformat(),
            f"organizer-{r['Кабинет 1'].pk}": str(organizer.pk),
            f"observers-{r['Кабинет 1'].pk}": [str(observer.pk)],
        },
        follow=True,
    )
    assert "Организаторы и наблюдатели сохранены." in response.content.decode()
    sitting = Sitting.objects.get(room=r["Кабинет 1"], date=day.date)
    assert sitting.organizer == organizer
    assert list(sitting.observers.all()) == [observer]
    # and a bad number in the table is refused in Russian
    response = client.post(
        _day_url(day, "schoolday-placement-save"),
        {"date": day.date.isoformat(), f"n-{cw['4А'].pk}-{r['Кабинет 2'].pk}": "-3"},
        follow=True,
    )
    assert "Класс 4А, аудитория «Кабинет 2»: укажите целое число участников" in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_a_post_without_a_day_is_refused(day: Day) -> None:
    response = login(day.organizer_user).post(_day_url(day, "schoolday-placement-propose"))
    assert response.status_code == 400
    assert "Укажите день проведения" in response.content.decode()


@pytest.mark.django_db
def test_coordinators_see_the_readiness_page(day: Day) -> None:
    client = login(day.municipal_user)
    response = client.get(reverse("schoolday-readiness"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Готовность ОО ко дню проведения" in text
    assert "Школа дня проведения" in text
    assert client.get(reverse("schoolday-readiness") + "?state=bad").status_code == 400
    assert client.get(reverse("schoolday-school", args=[day.school.pk])).status_code == 200


# --- API ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_rooms_and_people_crud(day: Day) -> None:
    api = _api(day.organizer_user)
    base = reverse("api-schoolday-room-list", args=[day.school.pk])
    listed = api.get(base).json()
    assert [r["name"] for r in listed] == ["Кабинет 1", "Кабинет 2", "Кабинет 10"]
    created = api.post(base, {"name": "Кабинет 7", "seats": 12, "computers": 12}, format="json")
    assert created.status_code == 201
    room_id = created.json()["id"]
    refused = api.put(
        reverse("api-schoolday-room", args=[room_id]),
        {"name": "Кабинет 7", "seats": 10, "computers": 12},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "room_computers_over_seats"
    taken = api.post(base, {"name": "Кабинет 7", "seats": 5}, format="json")
    assert (taken.status_code, taken.json()["code"]) == (409, "room_name_taken")
    removed = api.delete(reverse("api-schoolday-room", args=[room_id]))
    assert removed.json() == {"outcome": "deleted"}
    people = reverse("api-schoolday-person-list", args=[day.school.pk])
    expert = api.post(
        people,
        {
            "duty": "expert",
            "full_name": "Эксперт Апи",
            "subjects": [day.russian.subject_id],
            "teaches": [day.classes["4А"].pk],
        },
        format="json",
    )
    assert expert.status_code == 201
    assert expert.json()["teaches"] == [day.classes["4А"].pk]
    assert [p["full_name"] for p in api.get(people + "?duty=expert").json()] == ["Эксперт Апи"]
    assert api.get(people + "?duty=pupil").status_code == 400
    # the technical specialist reads, never writes
    tech = _api(day.tech_user)
    assert tech.get(base).status_code == 200
    assert tech.post(base, {"name": "X", "seats": 5}, format="json").status_code == 403


@pytest.mark.django_db
def test_api_placement_propose_change_and_staff(day: Day) -> None:
    api = _api(day.organizer_user)
    url = reverse("api-schoolday-placement", args=[day.school.pk, day.russian.pk])
    # given the proposal read before anything is saved
    shown = api.get(url, {"date": day.date.isoformat()}).json()
    assert shown["saved"] is False
    assert shown["participants"] == 64
    # when it is saved
    proposed = api.post(
        reverse("api-schoolday-placement-propose", args=[day.school.pk, day.russian.pk]),
        {"date": day.date.isoformat()},
        format="json",
    ).json()
    assert proposed["saved"] is True
    assert proposed["placed"] == 64
    rooms = {r["name"]: r for r in proposed["rooms"]}
    assert rooms["Кабинет 10"]["placed"] == 25
    # when a change leaves 4В short
    cw, r = day.russian_works, day.rooms
    refused = api.put(
        url,
        {
            "date": day.date.isoformat(),
            "runs": [
                {"class_work": cw["4А"].pk, "room": r["Кабинет 2"].pk, "count": 24},
                {"class_work": cw["4Б"].pk, "room": r["Кабинет 10"].pk, "count": 22},
                {"class_work": cw["4В"].pk, "room": r["Кабинет 1"].pk, "count": 15},
            ],
        },
        format="json",
    )
    # then the error names the class, with the problems in ``errors``
    body = refused.json()
    assert refused.status_code == 400
    assert body["detail"] == "Рассадка не сохранена: класс 4В: рассажено 15 участников из 18."
    assert body["errors"] == [
        {"message": "класс 4В: рассажено 15 участников из 18", "class_work": cw["4В"].pk}
    ]
    # when organizers are set through the API
    organizer = PersonFactory(school=day.school)
    staffed = api.put(
        reverse("api-schoolday-staff", args=[day.school.pk, day.russian.pk]),
        {
            "date": day.date.isoformat(),
            "rooms": [{"room": r["Кабинет 2"].pk, "organizer": organizer.pk, "observers": []}],
        },
        format="json",
    )
    assert staffed.status_code == 200
    rooms = {x["name"]: x for x in staffed.json()["rooms"]}
    assert rooms["Кабинет 2"]["organizer"] == {"id": organizer.pk, "full_name": organizer.full_name}
    # and the work days list and the coordinators' readiness show it
    days = api.get(reverse("api-schoolday-days", args=[day.school.pk])).json()
    russian = next(d for d in days if d["work"] == day.russian.pk)
    assert (russian["placed"], russian["rooms"], russian["rooms_with_organizer"]) == (64, 3, 1)
    overview = _api(day.municipal_user).get(reverse("api-schoolday-readiness")).json()
    assert overview["total"]["days"] == 2
    assert overview["total"]["placed"] == 1
    # and a coordinator may read the placement but not change it
    coordinator = _api(day.municipal_user)
    assert coordinator.get(url, {"date": day.date.isoformat()}).status_code == 200
    assert coordinator.put(url, {}, format="json").status_code == 403
