"""A work day's placement against the database: the proposal saved equals the hand counts
(participants per room and per class, codes per room through the offsets), a changed placement
is checked whole (nothing changes on a refusal), organizers and observers follow their rules,
and the day is fixed once it is over in the school's zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.campaigns import schedule
from apps.core.models import AuditEvent
from apps.schoolday.audit import SchoolDayAudit
from apps.schoolday.messages import SchoolDayError, SchoolDayInvalidError
from apps.schoolday.models import Person, Seat, Sitting
from apps.schoolday.placement import selectors, services
from apps.schoolday.placement.rules import Move
from apps.schoolday.tests.conftest import Day
from apps.schoolday.tests.factories import PersonFactory, RoomFactory


def _propose(day: Day) -> list[Sitting]:
    return services.placement_propose(
        actor=day.actor, school_id=day.school.pk, work_id=day.russian.pk, date=day.date
    )


def _seats(day: Day, date: dt.date | None = None) -> list[tuple[str, str, int, int]]:
    return sorted(
        (s.sitting.room.name, s.class_work.school_class.label, s.offset, s.count)
        for s in Seat.objects.filter(
            sitting__school_id=day.school.pk, sitting__date=date or day.date
        ).select_related("sitting__room", "class_work__school_class")
    )


def _placement(day: Day, work: Any = None, date: dt.date | None = None) -> selectors.Placement:
    return selectors.placement(
        actor=day.actor,
        school_id=day.school.pk,
        work_id=(work or day.russian).pk,
        date=date or day.date,
    )


@pytest.mark.django_db
def test_the_proposal_of_a_school_with_several_classes_and_rooms_equals_hand_counts(
    day: Day,
) -> None:
    # given codes issued to the three classes (4В: 40001–40018)
    day.codes("4А", 24, 40101)
    day.codes("4Б", 22, 40201)
    codes_v = day.codes("4В", 18, 40001)
    # when the organizer saves the automatic proposal of the Russian day
    sittings = _propose(day)
    # then three rooms are used, as counted by hand (test_rules): 4В is split by code order
    assert len(sittings) == 3
    assert _seats(day) == [
        ("Кабинет 1", "4В", 0, 15),
        ("Кабинет 10", "4Б", 0, 22),
        ("Кабинет 10", "4В", 15, 3),
        ("Кабинет 2", "4А", 0, 24),
    ]
    # and the page's reading: participants per room and per class, codes per room
    found = _placement(day)
    assert found.saved
    assert found.all_placed
    per_room = {r.room.name: r.placed for r in found.rooms}
    assert per_room == {"Кабинет 1": 15, "Кабинет 2": 24, "Кабинет 10": 25}
    per_class = {c.label: c.placed for c in found.classes}
    assert per_class == {"4А": 24, "4Б": 22, "4В": 18}
    rooms = {r.room.name: r for r in found.rooms}
    assert rooms["Кабинет 1"].codes == codes_v[:15]
    assert rooms["Кабинет 10"].codes[-3:] == codes_v[15:]
    assert len(rooms["Кабинет 10"].codes) == 25
    assert sum(len(r.codes) for r in found.rooms) == 64  # every code once, no reserve code
    assert "40501" not in {c for r in found.rooms for c in r.codes}
    # and the codes of one sitting read back for its sheet, per class run
    sitting = Sitting.objects.get(room=day.rooms["Кабинет 10"], date=day.date)
    assert selectors.room_codes(actor=day.actor, sitting_id=sitting.pk) == [
        ("4Б", [str(40201 + i) for i in range(22)]),
        ("4В", codes_v[15:]),
    ]
    # and the change is in the audit log with the runs
    event = AuditEvent.objects.get(action=SchoolDayAudit.PLACEMENT_PROPOSE)
    assert event.school_id == day.school.pk
    assert {"class": "4В", "room": "Кабинет 1", "offset": 0, "count": 15} in event.details["runs"]


@pytest.mark.django_db
def test_the_page_shows_the_proposal_before_anything_is_saved(day: Day) -> None:
    # given nothing saved for the day
    found = _placement(day)
    # then the proposal is shown, not saved, not counted as placed
    assert not found.saved
    assert not found.all_placed
    assert {r.room.name: r.placed for r in found.rooms} == {
        "Кабинет 1": 15,
        "Кабинет 2": 24,
        "Кабинет 10": 25,
    }
    assert Seat.objects.count() == 0


@pytest.mark.django_db
def test_a_computer_class_goes_to_the_room_with_computers(day: Day) -> None:
    # when the Mathematics day (4В in the computer form, 10) is proposed
    services.placement_propose(
        actor=day.actor, school_id=day.school.pk, work_id=day.math.pk, date=day.math_date
    )
    # then 4В sits at the computers of «Кабинет 10»; the paper classes fill the others
    seats = _seats(day, day.math_date)
    assert ("Кабинет 10", "4В", 0, 10) in seats
    assert {label for room, label, _, _ in seats if room == "Кабинет 10"} >= {"4В"}
    assert sum(c for _, _, _, c in seats) == 56


@pytest.mark.django_db
def test_the_school_moves_a_run_and_changes_the_split(day: Day) -> None:
    # given the proposal saved, with an organizer in «Кабинет 2»
    _propose(day)
    organizer = PersonFactory(school=day.school)
    services.staff_save(
        actor=day.actor,
        school_id=day.school.pk,
        work_id=day.russian.pk,
        date=day.date,
        staff=[services.StaffInput(day.rooms["Кабинет 2"].pk, organizer.pk)],
    )
    cw = day.russian_works
    r = day.rooms
    # when the school seats 4В as 10 in «Кабинет 1» and 8 in «Кабинет 2» with 4А split 16 + 8
    services.placement_save(
        actor=day.actor,
        school_id=day.school.pk,
        work_id=day.russian.pk,
        date=day.date,
        moves=[
            Move(cw["4А"].pk, r["Кабинет 2"].pk, 16),
            Move(cw["4А"].pk, r["Кабинет 10"].pk, 8),
            Move(cw["4Б"].pk, r["Кабинет 10"].pk, 22),
            Move(cw["4В"].pk, r["Кабинет 1"].pk, 10),
            Move(cw["4В"].pk, r["Кабинет 2"].pk, 8),
        ],
    )
    # then the seats follow, each class's codes in the order of its lines
    assert _seats(day) == [
        ("Кабинет 1", "4В", 0, 10),
        ("Кабинет 10", "4А", 16, 8),
        ("Кабинет 10", "4Б", 0, 22),
        ("Кабинет 2", "4А", 0, 16),
        ("Кабинет 2", "4В", 10, 8),
    ]
    # and the room still used keeps its organizer
    assert Sitting.objects.get(room=r["Кабинет 2"], date=day.date).organizer_id == organizer.pk
    assert AuditEvent.objects.filter(action=SchoolDayAudit.PLACEMENT_SAVE).count() == 1


@pytest.mark.django_db
def test_a_bad_placement_names_the_class_and_room_and_changes_nothing(day: Day) -> None:
    # given the proposal saved
    _propose(day)
    before = _seats(day)
    cw, r = day.russian_works, day.rooms
    # when the school sends 4А whole into «Кабинет 1» (15 seats) and forgets 4Б
    with pytest.raises(SchoolDayInvalidError) as caught:
        services.placement_save(
            actor=day.actor,
            school_id=day.school.pk,
            work_id=day.russian.pk,
            date=day.date,
            moves=[
                Move(cw["4А"].pk, r["Кабинет 1"].pk, 24),
                Move(cw["4В"].pk, r["Кабинет 2"].pk, 18),
            ],
        )
    # then the refusal names each class and room, and the saved placement is untouched
    assert caught.value.message == (
        "Рассадка не сохранена: класс 4Б: рассажено 0 участников из 22; "
        "аудитория «Кабинет 1»: 24 участников при 15 местах."
    )
    assert _seats(day) == before
    assert not AuditEvent.objects.filter(action=SchoolDayAudit.PLACEMENT_SAVE).exists()


@pytest.mark.django_db
def test_a_room_of_another_school_is_refused_whole(day: Day) -> None:
    # given a room of another school
    foreign = RoomFactory()
    cw = day.russian_works
    with pytest.raises(SchoolDayInvalidError) as caught:
        services.placement_save(
            actor=day.actor,
            school_id=day.school.pk,
            work_id=day.russian.pk,
            date=day.date,
            moves=[
                Move(cw["4А"].pk, foreign.pk, 24),
                Move(cw["4Б"].pk, day.rooms["Кабинет 10"].pk, 22),
                Move(cw["4В"].pk, day.rooms["Кабинет 1"].pk, 15),
                Move(cw["4В"].pk, day.rooms["Кабинет 2"].pk, 3),
            ],
        )
    assert f"аудитории (id {foreign.pk}) нет среди действующих аудиторий ОО" in caught.value.message
    assert Seat.objects.filter(school_id=day.school.pk).count() == 0


@pytest.mark.django_db
def test_placement_needs_a_day_with_classes_and_rooms(day: Day) -> None:
    with pytest.raises(SchoolDayInvalidError) as caught:
        services.placement_propose(
            actor=day.actor, school_id=day.school.pk, work_id=day.russian.pk, date=None
        )
    assert caught.value.code == "date_required"
    with pytest.raises(SchoolDayInvalidError) as caught:
        services.placement_propose(
            actor=day.actor,
            school_id=day.school.pk,
            work_id=day.russian.pk,
            date=day.math_date,
        )
    assert caught.value.message.startswith("Ни один класс ОО не пишет работу «Русский язык, 4")


@pytest.mark.django_db
def test_the_technical_specialist_and_other_schools_cannot_place(day: Day) -> None:
    from apps.registration.models import School

    with pytest.raises(School.DoesNotExist):
        services.placement_propose(
            actor=day.tech, school_id=day.school.pk, work_id=day.russian.pk, date=day.date
        )
    with pytest.raises(School.DoesNotExist):
        services.placement_propose(
            actor=day.municipal, school_id=day.school.pk, work_id=day.russian.pk, date=day.date
        )


@pytest.mark.django_db
def test_placement_is_fixed_once_the_day_is_over_in_the_school_zone(
    day: Day, time_machine: Any
) -> None:
    zone = "Asia/Kamchatka"
    type(day.school).objects.filter(pk=day.school.pk).update(time_zone=zone)
    day.school.refresh_from_db()
    # given the last minute of the day in Kamchatka: still open
    time_machine.move_to(schedule.at_local(day.date, dt.time(23, 59), zone), tick=False)
    _propose(day)
    # when the day is over there (while Moscow is still on that day)
    time_machine.move_to(
        schedule.at_local(day.date + dt.timedelta(days=1), dt.time(0, 0), zone), tick=False
    )
    # then every change is refused, and the page says so
    with pytest.raises(SchoolDayError) as caught:
        _propose(day)
    assert caught.value.status == 409
    assert caught.value.message.startswith(
        f"День проведения {day.date:%d.%m.%Y} уже закончился в часовом поясе ОО"
    )
    with pytest.raises(SchoolDayError):
        services.staff_save(
            actor=day.actor,
            school_id=day.school.pk,
            work_id=day.russian.pk,
            date=day.date,
            staff=[],
        )
    assert _placement(day).over


# --- organizers and observers -------------------------------------------------------------------


def _staff(day: Day, *items: services.StaffInput, work: Any = None, date: Any = None) -> Any:
    return services.staff_save(
        actor=day.actor,
        school_id=day.school.pk,
        work_id=(work or day.russian).pk,
        date=date or day.date,
        staff=list(items),
    )


@pytest.mark.django_db
def test_one_organizer_per_room_and_observers_may_cover_several_rooms(day: Day) -> None:
    # given the proposal saved and the school's people
    _propose(day)
    first, second = PersonFactory.create_batch(2, school=day.school)
    observer = PersonFactory(school=day.school, duty=Person.Duty.OBSERVER)
    r = day.rooms
    # when each room gets an organizer and one observer covers two rooms
    _staff(
        day,
        services.StaffInput(r["Кабинет 1"].pk, first.pk, (observer.pk,)),
        services.StaffInput(r["Кабинет 2"].pk, second.pk, (observer.pk,)),
    )
    # then it is saved and audited
    found = _placement(day)
    rooms = {row.room.name: row for row in found.rooms}
    assert rooms["Кабинет 1"].organizer == first
    assert rooms["Кабинет 2"].observers == [observer]
    assert not found.organizers_ok  # «Кабинет 10» has nobody yet
    assert AuditEvent.objects.filter(action=SchoolDayAudit.STAFF_SAVE).count() == 1
    # when the same organizer is put in two rooms of the day
    with pytest.raises(SchoolDayInvalidError) as caught:
        _staff(day, services.StaffInput(r["Кабинет 10"].pk, first.pk))
    # then it is refused naming both rooms, and nothing changes
    assert caught.value.message == (
        f"Организаторы и наблюдатели не сохранены: {first.full_name} уже организатор в "
        "аудитории «Кабинет 1»; в аудиторию «Кабинет 10» нужен другой организатор."
    )
    assert Sitting.objects.get(room=r["Кабинет 10"], date=day.date).organizer_id is None


@pytest.mark.django_db
def test_an_organizer_of_another_room_for_another_work_that_day_is_refused(day: Day) -> None:
    # given the Mathematics day moved to the Russian day, both placed
    for cw in day.math_works.values():
        cw.date = day.date
        cw.save(update_fields=["date"])
    _propose(day)
    services.placement_propose(
        actor=day.actor, school_id=day.school.pk, work_id=day.math.pk, date=day.date
    )
    organizer = PersonFactory(school=day.school)
    r = day.rooms
    _staff(day, services.StaffInput(r["Кабинет 10"].pk, organizer.pk))
    # (by hand: Mathematics seats 4В at the computers of «Кабинет 10», 4А in «Кабинет 2», and
    # 4Б over «Кабинет 2» (2) and «Кабинет 10» (20))
    assert _seats(day) == sorted(
        [
            ("Кабинет 1", "4В", 0, 15),
            ("Кабинет 10", "4Б", 0, 22),
            ("Кабинет 10", "4В", 15, 3),
            ("Кабинет 2", "4А", 0, 24),
            ("Кабинет 10", "4В", 0, 10),
            ("Кабинет 2", "4А", 0, 24),
            ("Кабинет 2", "4Б", 0, 2),
            ("Кабинет 10", "4Б", 2, 20),
        ]
    )
    # when the same person is to organize «Кабинет 2» for Mathematics that day
    with pytest.raises(SchoolDayInvalidError) as caught:
        _staff(day, services.StaffInput(r["Кабинет 2"].pk, organizer.pk), work=day.math)
    # then it is refused with the other room and work
    assert f"{organizer.full_name} уже организатор в аудитории «Кабинет 10»" in (
        caught.value.message
    )
    assert "(«Русский язык, 4 класс»)" in caught.value.message
    # but the same room for both works is fine: the organizer stays in the room
    _staff(day, services.StaffInput(r["Кабинет 10"].pk, organizer.pk), work=day.math)
    assert Sitting.objects.filter(organizer=organizer).count() == 2


@pytest.mark.django_db
def test_people_of_the_wrong_duty_or_school_and_unused_rooms_are_refused(day: Day) -> None:
    _propose(day)
    observer = PersonFactory(school=day.school, duty=Person.Duty.OBSERVER)
    expert = PersonFactory(school=day.school, duty=Person.Duty.EXPERT)
    stranger = PersonFactory()
    r = day.rooms
    with pytest.raises(SchoolDayInvalidError) as caught:
        _staff(
            day,
            services.StaffInput(r["Кабинет 1"].pk, observer.pk, (expert.pk,)),
            services.StaffInput(r["Кабинет 2"].pk, stranger.pk),
        )
    message = caught.value.message
    assert (
        f"аудитория «Кабинет 1»: {observer.full_name} — общественный наблюдатель, а не "
        "организатор в аудитории" in message
    )
    assert f"{expert.full_name} — эксперт по проверке, а не общественный наблюдатель" in message
    assert f"организатор (id {stranger.pk}) не найден" in message
    assert not Sitting.objects.filter(organizer__isnull=False).exists()
