"""Rooms and the adults of the day: the organizer's writes, their Russian refusals, and removal
(deleted when never used, kept inactive once a past day used it, refused while a coming day
does)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from apps.campaigns.tests.factories import SubjectFactory
from apps.classes.tests.factories import SchoolClassFactory
from apps.core.models import AuditEvent
from apps.registration.models import School
from apps.schoolday.audit import SchoolDayAudit
from apps.schoolday.messages import SchoolDayError, SchoolDayInvalidError
from apps.schoolday.models import Person, Room
from apps.schoolday.placement import services as placement
from apps.schoolday.rooms import services
from apps.schoolday.rooms.services import PersonInput, RoomInput
from apps.schoolday.tests.conftest import Day
from apps.schoolday.tests.factories import PersonFactory, SeatFactory, SittingFactory


def _room(day: Day, name: str = "Кабинет 21", seats: int = 20, computers: int = 0) -> Room:
    return services.room_create(
        actor=day.actor, school_id=day.school.pk, data=RoomInput(name, seats, computers)
    )


@pytest.mark.django_db
def test_the_organizer_adds_and_changes_a_room(day: Day) -> None:
    # when a room is added with extra spaces in its name
    room = _room(day, "  Кабинет   21 ", 20, 10)
    # then it is stored clean with the school's scope columns, and audited
    assert (room.name, room.seats, room.computers) == ("Кабинет 21", 20, 10)
    assert room.region_id == day.school.region_id
    # when it is changed
    services.room_update(actor=day.actor, room_id=room.pk, data=RoomInput("Кабинет 22", 25, 0))
    room.refresh_from_db()
    assert (room.name, room.seats, room.computers) == ("Кабинет 22", 25, 0)
    events = AuditEvent.objects.filter(action=SchoolDayAudit.ROOM_SAVE, target_id=str(room.pk))
    assert [e.details["created"] for e in events.order_by("pk")] == [True, False]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        (RoomInput(" ", 10), "room_name_required", "Укажите название аудитории"),
        (RoomInput("К", 0), "room_seats_out_of_range", "Мест для участников в аудитории — от 1"),
        (RoomInput("К", 61), "room_seats_out_of_range", "от 1 до 60; указано 61"),
        (RoomInput("К", 10, 11), "room_computers_over_seats", "компьютеров (11) больше, чем мест"),
    ],
)
def test_bad_room_values_are_refused_in_russian(
    day: Day, data: RoomInput, code: str, message: str
) -> None:
    with pytest.raises(SchoolDayInvalidError) as caught:
        services.room_create(actor=day.actor, school_id=day.school.pk, data=data)
    assert caught.value.code == code
    assert message in caught.value.message
    assert not Room.objects.filter(school=day.school, name="К").exists()


@pytest.mark.django_db
def test_a_room_name_is_taken_once_among_active_rooms(day: Day) -> None:
    with pytest.raises(SchoolDayError) as caught:
        _room(day, "кабинет 1")
    assert caught.value.status == 409
    assert caught.value.message == "Аудитория «кабинет 1» уже есть в списке ОО."


@pytest.mark.django_db
def test_only_the_school_organizer_writes(day: Day) -> None:
    with pytest.raises(School.DoesNotExist):
        services.room_create(actor=day.tech, school_id=day.school.pk, data=RoomInput("X", 5))
    with pytest.raises(School.DoesNotExist):
        services.room_create(actor=day.municipal, school_id=day.school.pk, data=RoomInput("X", 5))
    other = Room.objects.exclude(school=day.school)
    assert not other.exists()


@pytest.mark.django_db
def test_a_room_never_used_is_deleted_and_one_used_is_kept_inactive(day: Day) -> None:
    # given a room never used and a room used by a past day
    fresh = _room(day)
    used = day.rooms["Кабинет 1"]
    past = SittingFactory(room=used, date=timezone.localdate() - dt.timedelta(days=3))
    SeatFactory(sitting=past, count=5)
    # when both are removed
    first = services.room_remove(actor=day.actor, room_id=fresh.pk)
    second = services.room_remove(actor=day.actor, room_id=used.pk)
    # then the first is gone and the second stays in history, inactive
    assert first.outcome == services.DELETED
    assert not Room.objects.filter(pk=fresh.pk).exists()
    assert second.outcome == services.DEACTIVATED
    used.refresh_from_db()
    assert not used.is_active
    # and a new room may take its name
    assert _room(day, "Кабинет 1").is_active
    outcomes = sorted(
        e.details["outcome"] for e in AuditEvent.objects.filter(action=SchoolDayAudit.ROOM_REMOVE)
    )
    assert outcomes == ["deactivated", "deleted"]


@pytest.mark.django_db
def test_a_room_of_a_coming_day_is_neither_removed_nor_shrunk(day: Day) -> None:
    # given the Russian day placed (by hand: 25 in «Кабинет 10»)
    placement.placement_propose(
        actor=day.actor, school_id=day.school.pk, work_id=day.russian.pk, date=day.date
    )
    room = day.rooms["Кабинет 10"]
    # when the room is removed, or its seats cut below 25
    with pytest.raises(SchoolDayError) as removed:
        services.room_remove(actor=day.actor, room_id=room.pk)
    with pytest.raises(SchoolDayError) as shrunk:
        services.room_update(actor=day.actor, room_id=room.pk, data=RoomInput("Кабинет 10", 24, 12))
    # then both are refused naming the day and the work
    when = f"{day.date:%d.%m.%Y}"
    assert removed.value.message == (
        f"Аудитория «Кабинет 10» занята в рассадке на {when} («Русский язык, 4 класс»); "
        "сначала пересадите участников в другие аудитории."
    )
    assert shrunk.value.message == (
        f"Аудитория «Кабинет 10»: в рассадке на {when} («Русский язык, 4 класс») в ней 25 "
        "участников (всего); меньше сделать нельзя — сначала измените рассадку."
    )
    room.refresh_from_db()
    assert room.is_active
    assert room.seats == 30


# --- people -------------------------------------------------------------------------------------


def _person(day: Day, **values: Any) -> Person:
    data = {"duty": Person.Duty.ORGANIZER, "full_name": "Организатор Первый", **values}
    return services.person_create(
        actor=day.actor, school_id=day.school.pk, data=PersonInput(**data)
    )


@pytest.mark.django_db
def test_an_expert_has_subjects_and_the_classes_they_teach(day: Day) -> None:
    # when an expert is added with a subject and the class they teach
    expert = _person(
        day,
        duty=Person.Duty.EXPERT,
        full_name="Эксперт Русского",
        contact="+7 900 000-00-00",
        subject_ids=(day.russian.subject_id,),
        class_ids=(day.classes["4А"].pk,),
    )
    # then both are kept
    assert list(expert.subjects.all()) == [day.russian.subject]
    assert list(expert.teaches.all()) == [day.classes["4А"]]
    # and the audit row points at the person without their name
    event = AuditEvent.objects.get(action=SchoolDayAudit.PERSON_SAVE)
    assert event.details == {
        "created": True,
        "duty": "expert",
        "subjects": [day.russian.subject_id],
        "teaches": [day.classes["4А"].pk],
    }
    assert "Эксперт" not in str(event.details)


@pytest.mark.django_db
def test_person_values_are_checked(day: Day) -> None:
    other_class = SchoolClassFactory()
    cases = [
        ({"duty": "teacher"}, "Неизвестная роль участника дня проведения: «teacher»."),
        ({"full_name": "  "}, "Укажите фамилию, имя и отчество участника дня проведения."),
        ({"duty": Person.Duty.EXPERT}, "Укажите хотя бы один предмет, который проверяет эксперт."),
        (
            {"duty": Person.Duty.EXPERT, "subject_ids": (999_999,)},
            "Неизвестный предмет (id 999999).",
        ),
        (
            {
                "duty": Person.Duty.EXPERT,
                "subject_ids": (day.russian.subject_id,),
                "class_ids": (other_class.pk,),
            },
            f"Класс (id {other_class.pk}) не найден в реестре ОО.",
        ),
    ]
    for values, message in cases:
        with pytest.raises(SchoolDayInvalidError) as caught:
            _person(day, **values)
        assert caught.value.message == message
    assert not Person.objects.filter(school=day.school).exists()


@pytest.mark.django_db
def test_subjects_count_for_experts_only(day: Day) -> None:
    person = _person(
        day, duty=Person.Duty.OBSERVER, subject_ids=(SubjectFactory(code="x", name="X").pk,)
    )
    assert not person.subjects.exists()


@pytest.mark.django_db
def test_a_person_of_a_coming_day_keeps_their_duty_and_stays(day: Day) -> None:
    # given an organizer of a room on the coming Russian day
    placement.placement_propose(
        actor=day.actor, school_id=day.school.pk, work_id=day.russian.pk, date=day.date
    )
    person = _person(day)
    placement.staff_save(
        actor=day.actor,
        school_id=day.school.pk,
        work_id=day.russian.pk,
        date=day.date,
        staff=[placement.StaffInput(day.rooms["Кабинет 1"].pk, person.pk)],
    )
    # when the person is removed or made an observer
    with pytest.raises(SchoolDayError) as removed:
        services.person_remove(actor=day.actor, person_id=person.pk)
    with pytest.raises(SchoolDayError):
        services.person_update(
            actor=day.actor,
            person_id=person.pk,
            data=PersonInput(Person.Duty.OBSERVER, person.full_name),
        )
    # then both are refused with the day, the work and the room
    assert removed.value.message == (
        f"Организатор Первый назначен(а) организатором в аудитории на {day.date:%d.%m.%Y} "
        "(«Русский язык, 4 класс», аудитория «Кабинет 1»); сначала назначьте другого человека."
    )
    # but the contact may change
    services.person_update(
        actor=day.actor,
        person_id=person.pk,
        data=PersonInput(Person.Duty.ORGANIZER, person.full_name, "почта@школа"),
    )
    person.refresh_from_db()
    assert person.is_active
    assert person.contact == "почта@школа"


@pytest.mark.django_db
def test_a_person_of_a_past_day_is_kept_inactive_one_never_used_is_deleted(day: Day) -> None:
    past = SittingFactory(
        room=day.rooms["Кабинет 2"], date=timezone.localdate() - dt.timedelta(days=2)
    )
    observer = PersonFactory(school=day.school, duty=Person.Duty.OBSERVER)
    past.observers.set([observer])
    fresh = PersonFactory(school=day.school)
    assert services.person_remove(actor=day.actor, person_id=observer.pk).outcome == "deactivated"
    assert services.person_remove(actor=day.actor, person_id=fresh.pk).outcome == "deleted"
    observer.refresh_from_db()
    assert not observer.is_active
    assert list(past.observers.all()) == [observer]  # the record of the day stays whole
    assert not Person.objects.filter(pk=fresh.pk).exists()
