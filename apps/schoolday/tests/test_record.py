"""The record of the day (apps/schoolday/record/): materials handed out once on the day
(school-local), returned with counts that add up to the room's kits, return packets sealed,
corrections on the day audited with both values; the readiness overview's column; the API and
the page.

The day is ``test_packets.build_day``: «Кабинет 1» 4А 14, «Кабинет 2» 4Б 11 + 4В 4 (a room of
two classes: 15 kits by hand), «Кабинет 3» 4В 16. The school is moved to Yekaterinburg
(UTC+5, МСК+2) so that the school's day and Moscow's differ.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from apps.campaigns import schedule
from apps.core.models import AuditEvent
from apps.registration.access import Actor, actor_for_user
from apps.schoolday.audit import SchoolDayAudit
from apps.schoolday.messages import SchoolDayError, SchoolDayInvalidError
from apps.schoolday.models import DayRecord
from apps.schoolday.overview import selectors as overview
from apps.schoolday.record import selectors, services
from apps.schoolday.tests.factories import RoomFactory, SeatFactory, SittingFactory
from apps.schoolday.tests.test_packets import Day, build_day
from conftest import World

ZONE = "Asia/Yekaterinburg"


def _day(world: World, key: str = "A1a") -> Day:
    school = world.schools[key]
    school.time_zone = ZONE
    school.save(update_fields=["time_zone"])
    return build_day(school)


def _local(day: Day, hour: int, minute: int = 0, days: int = 0) -> dt.datetime:
    """An instant on the school's clock, ``days`` after the work day."""
    return schedule.at_local(day.date + dt.timedelta(days=days), dt.time(hour, minute), ZONE)


def _organizer(world: World) -> Actor:
    return actor_for_user(world.users["school_organizer"])


def _hand_out_all(world: World, day: Day, now: dt.datetime) -> None:
    for sitting in day.sittings.values():
        services.day_record_hand_out(actor=_organizer(world), sitting_id=sitting.pk, now=now)


@pytest.mark.django_db
def test_the_hand_out_before_the_day_is_refused_naming_the_local_day_and_zone(
    world: World,
) -> None:
    # given the day of a school in Yekaterinburg, one minute before its midnight (school-local)
    day = _day(world)
    sitting = day.sittings["Кабинет 2"]
    eve = _local(day, 23, 59, days=-1)
    # when the organizer confirms the hand-out
    with pytest.raises(SchoolDayError) as refused:
        services.day_record_hand_out(actor=_organizer(world), sitting_id=sitting.pk, now=eve)
    # then it is refused, naming the day, the opening instant and the school's zone
    message = refused.value.message
    assert refused.value.code == "record_before_day"
    assert f"{day.date:%d.%m.%Y}" in message
    assert f"откроется {day.date:%d.%m.%Y} 00:00 (МСК+2, время ОО)" in message
    assert f"Сейчас в ОО {eve.astimezone(dt.timezone(dt.timedelta(hours=5))):%d.%m.%Y} 23:59" in (
        message
    )
    assert not DayRecord.objects.filter(sitting=sitting).exists()
    # and one minute after the school's midnight (still the eve in Moscow) it is accepted
    record = services.day_record_hand_out(
        actor=_organizer(world), sitting_id=sitting.pk, now=_local(day, 0, 1)
    )
    assert record.handed_out_at == _local(day, 0, 1)
    assert record.handed_out_by == world.users["school_organizer"]


@pytest.mark.django_db
def test_the_hand_out_is_confirmed_once_and_audited(world: World) -> None:
    # given the work day's morning
    day = _day(world)
    sitting = day.sittings["Кабинет 2"]
    morning = _local(day, 8, 30)
    # when the technical specialist confirms the hand-out
    tech = actor_for_user(world.users["school_tech"])
    services.day_record_hand_out(actor=tech, sitting_id=sitting.pk, now=morning)
    # then one audit row names the room and its 15 kits (4Б 11 + 4В 4)
    (event,) = AuditEvent.objects.filter(action=SchoolDayAudit.RECORD_HAND_OUT)
    assert event.details["room"] == "Кабинет 2"
    assert (event.details["kits"], event.details["participants"]) == (15, 15)
    assert event.school_id == day.school.pk
    assert event.user == world.users["school_tech"]
    # and a second confirmation is refused, naming the first instant on the school's clock
    with pytest.raises(SchoolDayError) as twice:
        services.day_record_hand_out(
            actor=_organizer(world), sitting_id=sitting.pk, now=morning + dt.timedelta(hours=1)
        )
    assert twice.value.code == "record_already_handed_out"
    assert f"{day.date:%d.%m.%Y} 08:30 (МСК+2, время ОО)" in twice.value.message
    assert AuditEvent.objects.filter(action=SchoolDayAudit.RECORD_HAND_OUT).count() == 1


@pytest.mark.django_db
def test_the_return_counts_must_add_up_to_the_kits_of_a_room_of_two_classes(
    world: World,
) -> None:
    # given «Кабинет 2» (4Б 11 + 4В 4 = 15 kits by hand), its materials handed out
    day = _day(world)
    sitting = day.sittings["Кабинет 2"]
    actor = _organizer(world)
    services.day_record_hand_out(actor=actor, sitting_id=sitting.pk, now=_local(day, 8, 30))
    after_work = _local(day, 11, 0)
    # when 13 used and 1 unused are reported
    with pytest.raises(SchoolDayInvalidError) as wrong:
        services.day_record_return(
            actor=actor,
            sitting_id=sitting.pk,
            used_kits=13,
            unused_kits=1,
            sealed=True,
            note="",
            now=after_work,
        )
    # then the refusal gives the figures, and nothing is recorded
    assert wrong.value.code == "record_counts_mismatch"
    assert "использованных (13) и неиспользованных (1)" in wrong.value.message
    assert "вместе 14, а в пакете аудитории 15" in wrong.value.message
    record = DayRecord.objects.get(sitting=sitting)
    assert (record.returned_at, record.used_kits) == (None, None)
    # and 13 used with 2 unused (absent pupils' kits) is recorded and audited
    services.day_record_return(
        actor=actor,
        sitting_id=sitting.pk,
        used_kits=13,
        unused_kits=2,
        sealed=True,
        note="  Двое отсутствовали  ",
        now=after_work,
    )
    record.refresh_from_db()
    assert (record.used_kits, record.unused_kits, record.sealed) == (13, 2, True)
    assert record.note == "Двое отсутствовали"
    assert record.returned_at == after_work
    (event,) = AuditEvent.objects.filter(action=SchoolDayAudit.RECORD_RETURN)
    assert (event.details["used_kits"], event.details["unused_kits"], event.details["kits"]) == (
        13,
        2,
        15,
    )


@pytest.mark.django_db
def test_the_return_needs_the_hand_out_and_sealed_packets(world: World) -> None:
    # given «Кабинет 1» (4А: 14 kits), nothing handed out yet
    day = _day(world)
    sitting = day.sittings["Кабинет 1"]
    actor = _organizer(world)
    now = _local(day, 11, 0)
    values: dict[str, Any] = {"used_kits": 14, "unused_kits": 0, "note": "", "now": now}
    # when the return is confirmed first
    with pytest.raises(SchoolDayError) as early:
        services.day_record_return(actor=actor, sitting_id=sitting.pk, sealed=True, **values)
    # then it is refused until the hand-out
    assert early.value.code == "record_not_handed_out"
    services.day_record_hand_out(actor=actor, sitting_id=sitting.pk, now=_local(day, 8, 0))
    # and a return with packets not sealed is refused with its own text
    with pytest.raises(SchoolDayInvalidError) as unsealed:
        services.day_record_return(actor=actor, sitting_id=sitting.pk, sealed=False, **values)
    assert unsealed.value.code == "record_not_sealed"
    assert "ВДП №1 и №2" in unsealed.value.message
    # and so are missing counts
    with pytest.raises(SchoolDayInvalidError) as missing:
        services.day_record_return(
            actor=actor,
            sitting_id=sitting.pk,
            used_kits=None,
            unused_kits=0,
            sealed=True,
            note="",
            now=now,
        )
    assert missing.value.code == "record_count_required"
    assert DayRecord.objects.get(sitting=sitting).returned_at is None
    assert not AuditEvent.objects.filter(action=SchoolDayAudit.RECORD_RETURN).exists()


@pytest.mark.django_db
def test_a_correction_on_the_day_keeps_both_values_and_the_day_after_is_closed(
    world: World,
) -> None:
    # given «Кабинет 3» (4В: 16 kits) returned as 16 used
    day = _day(world)
    sitting = day.sittings["Кабинет 3"]
    actor = _organizer(world)
    services.day_record_hand_out(actor=actor, sitting_id=sitting.pk, now=_local(day, 8, 0))
    first = _local(day, 11, 0)
    services.day_record_return(
        actor=actor,
        sitting_id=sitting.pk,
        used_kits=16,
        unused_kits=0,
        sealed=True,
        note="",
        now=first,
    )
    # when it is corrected the same evening to 15 used and 1 unused
    services.day_record_return(
        actor=actor,
        sitting_id=sitting.pk,
        used_kits=15,
        unused_kits=1,
        sealed=True,
        note="Один комплект не вскрыт",
        now=_local(day, 18, 0),
    )
    # then the record holds the new values (returned at the first confirmation) ...
    record = DayRecord.objects.get(sitting=sitting)
    assert (record.used_kits, record.unused_kits, record.returned_at) == (15, 1, first)
    # ... and the audit keeps both values
    (event,) = AuditEvent.objects.filter(action=SchoolDayAudit.RECORD_CORRECT)
    assert event.details["before"] == {
        "used_kits": 16,
        "unused_kits": 0,
        "sealed": True,
        "note": "",
    }
    assert event.details["after"]["used_kits"] == 15
    assert event.details["after"]["note"] == "Один комплект не вскрыт"
    # and after the school's midnight the record no longer changes
    with pytest.raises(SchoolDayError) as closed:
        services.day_record_return(
            actor=actor,
            sitting_id=sitting.pk,
            used_kits=16,
            unused_kits=0,
            sealed=True,
            note="",
            now=_local(day, 0, 5, days=1),
        )
    assert closed.value.code == "record_day_over"
    assert "(МСК+2, время ОО)" in closed.value.message
    record.refresh_from_db()
    assert record.used_kits == 15


@pytest.mark.django_db
def test_the_day_records_list_rooms_with_classes_and_kits(world: World) -> None:
    # given the day with «Кабинет 1» handed out
    day = _day(world)
    actor = _organizer(world)
    services.day_record_hand_out(
        actor=actor, sitting_id=day.sittings["Кабинет 1"].pk, now=_local(day, 8, 0)
    )
    # when the record of the day is read by the municipal coordinator
    found = selectors.day_records(
        actor=actor_for_user(world.users["municipal"]),
        school_id=day.school.pk,
        work_id=day.work.pk,
        date=day.date,
    )
    # then every room shows its classes, participants and kits by hand, and its state
    rows = {r.sitting.room.name: r for r in found.rooms}
    assert list(rows) == ["Кабинет 1", "Кабинет 2", "Кабинет 3"]
    assert rows["Кабинет 2"].classes == [("4Б", 11), ("4В", 4)]
    assert {name: r.kits for name, r in rows.items()} == {
        "Кабинет 1": 14,
        "Кабинет 2": 15,
        "Кабинет 3": 16,
    }
    assert {name: r.state for name, r in rows.items()} == {
        "Кабинет 1": selectors.HANDED_OUT,
        "Кабинет 2": selectors.NONE,
        "Кабинет 3": selectors.NONE,
    }
    assert found.summary.label == "выдано 1 из 3 аудиторий"
    assert found.is_open(_local(day, 12, 0))
    assert not found.is_open(_local(day, 23, 59, days=-1))


@pytest.mark.django_db
def test_the_readiness_overview_shows_the_record_of_the_day(world: World) -> None:
    # given the placed day and the municipal coordinator above the school
    day = _day(world)
    municipal = actor_for_user(world.users["municipal"])
    actor = _organizer(world)

    def label() -> tuple[str, str]:
        rows = overview.readiness(actor=municipal, campaign_id=day.work.campaign_id).rows
        row = next(r for r in rows if r.school_id == day.school.pk and r.work == day.work)
        return row.record.state, row.record.label

    # then nothing is recorded before the day
    assert label() == (selectors.NONE, "—")
    # when the three rooms are handed out
    _hand_out_all(world, day, _local(day, 8, 0))
    assert label() == (selectors.HANDED_OUT, "выдано 3 из 3 аудиторий")
    # when one room returns
    kits = {"Кабинет 1": 14, "Кабинет 2": 15, "Кабинет 3": 16}
    services.day_record_return(
        actor=actor,
        sitting_id=day.sittings["Кабинет 1"].pk,
        used_kits=14,
        unused_kits=0,
        sealed=True,
        note="",
        now=_local(day, 11, 0),
    )
    assert label() == (selectors.HANDED_OUT, "возвращено 1 из 3 аудиторий")
    # when all return
    for room in ("Кабинет 2", "Кабинет 3"):
        services.day_record_return(
            actor=actor,
            sitting_id=day.sittings[room].pk,
            used_kits=kits[room],
            unused_kits=0,
            sealed=True,
            note="",
            now=_local(day, 11, 0),
        )
    assert label() == (selectors.RETURNED, "возвращено 3 из 3 аудиторий")


@pytest.mark.django_db
def test_the_overview_page_and_api_carry_the_column(world: World) -> None:
    # given the day with one room handed out
    day = _day(world)
    services.day_record_hand_out(
        actor=_organizer(world), sitting_id=day.sittings["Кабинет 3"].pk, now=_local(day, 8, 0)
    )
    client = world.client_for("municipal")
    query = {"campaign": day.work.campaign_id}
    # when the coordinator opens the readiness page and API
    page = client.get(reverse("schoolday-readiness"), query)
    api = client.get(reverse("api-schoolday-readiness"), query)
    # then both show the record of the day
    assert page.status_code == 200
    html = page.content.decode()
    assert "Запись дня" in html
    assert "выдано 1 из 3 аудиторий" in html
    (row,) = [d for d in api.json()["days"] if d["school"] == day.school.pk]
    assert (row["record_state"], row["rooms_handed_out"], row["rooms_returned"]) == (
        "handed_out",
        1,
        0,
    )
    assert row["record_label"] == "выдано 1 из 3 аудиторий"


@pytest.mark.django_db
def test_the_api_records_the_day_and_refuses_others(world: World, time_machine: Any) -> None:
    # given the work day's morning on the school's clock
    day = _day(world)
    sitting = day.sittings["Кабинет 2"]
    time_machine.move_to(_local(day, 8, 30), tick=False)
    client = world.client_for("school_organizer")
    hand_out = reverse("api-schoolday-record-hand-out", args=[sitting.pk])
    give_back = reverse("api-schoolday-record-return", args=[sitting.pk])
    # when the organizer confirms the hand-out
    response = client.post(hand_out)
    # then the day's record comes back with the room handed out at that instant (UTC)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["open"], body["time_zone"], body["rooms_handed_out"]) == (True, ZONE, 1)
    room = next(r for r in body["rooms"] if r["sitting_id"] == sitting.pk)
    assert (room["participants"], room["kits"]) == (15, 15)
    assert room["classes"] == [
        {"school_class": "4Б", "participants": 11},
        {"school_class": "4В", "participants": 4},
    ]
    assert room["record"]["record_state"] == "handed_out"
    assert dt.datetime.fromisoformat(room["record"]["handed_out_at"]) == _local(day, 8, 30)
    # and a second hand-out is a conflict
    assert client.post(hand_out).status_code == 409
    # when the return does not add up, or the packets are not sealed
    wrong = client.post(
        give_back,
        {"used_kits": 10, "unused_kits": 1, "sealed": True},
        content_type="application/json",
    )
    unsealed = client.post(
        give_back,
        {"used_kits": 14, "unused_kits": 1, "sealed": False},
        content_type="application/json",
    )
    # then both are refused with the figures / the reason
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "record_counts_mismatch"
    assert "вместе 11, а в пакете аудитории 15" in wrong.json()["detail"]
    assert (unsealed.status_code, unsealed.json()["code"]) == (400, "record_not_sealed")
    # and a return that adds up is recorded
    done = client.post(
        give_back,
        {"used_kits": 14, "unused_kits": 1, "sealed": True, "note": "Один отсутствовал"},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    room = next(r for r in done.json()["rooms"] if r["sitting_id"] == sitting.pk)
    assert room["record"]["record_state"] == "returned"
    assert (room["record"]["used_kits"], room["record"]["unused_kits"]) == (14, 1)
    # and GET gives the same day to a coordinator, who may not write
    read = world.client_for("municipal").get(
        reverse("api-schoolday-record", args=[day.school.pk, day.work.pk]),
        {"date": day.date.isoformat()},
    )
    assert read.status_code == 200
    assert read.json()["summary"] == "возвращено 1 из 3 аудиторий"
    assert world.client_for("municipal").post(hand_out).status_code == 403
    # and another school's room is as good as missing
    other = SeatFactory(
        sitting=SittingFactory(
            room=RoomFactory(school=world.schools["A1b"]), work=day.work, date=day.date
        )
    ).sitting
    foreign = reverse("api-schoolday-record-hand-out", args=[other.pk])
    assert client.post(foreign).status_code == 404
    assert not DayRecord.objects.filter(sitting=other).exists()


@pytest.mark.django_db
def test_the_page_shows_the_rooms_and_records_the_day(world: World, time_machine: Any) -> None:
    # given the work day's morning
    day = _day(world)
    sitting = day.sittings["Кабинет 2"]
    time_machine.move_to(_local(day, 8, 30), tick=False)
    client = world.client_for("school_tech")
    url = reverse("schoolday-record", args=[day.school.pk, day.work.pk])
    # when the technical specialist opens the page
    page = client.get(url, {"date": day.date.isoformat()})
    # then it lists the rooms with their organizers and kits, and offers the hand-out
    assert page.status_code == 200
    html = page.content.decode()
    assert "Запись о дне проведения" in html
    assert "Организатор Аудиторный-2" in html
    assert "4Б — 11, 4В — 4 (всего 15)" in html
    assert reverse("schoolday-record-hand-out", args=[sitting.pk]) in html
    # when the hand-out is posted
    response = client.post(reverse("schoolday-record-hand-out", args=[sitting.pk]))
    # then the page comes back with the instant on the school's clock and the return form
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert f"{day.date:%d.%m.%Y} 08:30 (МСК+2, время ОО)" in html
    assert reverse("schoolday-record-return", args=[sitting.pk]) in html
    # when a return that does not add up is posted, the refusal is shown and nothing is kept
    bad = client.post(
        reverse("schoolday-record-return", args=[sitting.pk]),
        {"used": "15", "unused": "1", "sealed": "on"},
        follow=True,
    )
    assert "вместе 16, а в пакете аудитории 15" in bad.content.decode()
    assert DayRecord.objects.get(sitting=sitting).returned_at is None
    # and the school's day page links to the record
    days = client.get(
        reverse("schoolday-school", args=[day.school.pk]), {"campaign": day.work.campaign_id}
    )
    assert days.status_code == 200
    assert reverse("schoolday-record", args=[day.school.pk, day.work.pk]) in days.content.decode()
    assert "выдано 1 из 3 аудиторий" in days.content.decode()


@pytest.mark.django_db
def test_the_day_records_take_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    # given the day's three rooms, each handed out
    day = _day(world)
    _hand_out_all(world, day, _local(day, 8, 0))
    actor = _organizer(world)

    def read() -> list[tuple[int, str]]:
        found = selectors.day_records(
            actor=actor, school_id=day.school.pk, work_id=day.work.pk, date=day.date
        )
        return [(r.kits, r.state) for r in found.rooms]

    # when the record of the day is read
    with django_assert_num_queries(8):
        three = read()
    # then a fourth room (another class's run) costs no query more
    extra = SeatFactory(
        sitting=SittingFactory(
            room=RoomFactory(school=day.school, name="Кабинет 4"), work=day.work, date=day.date
        ),
        count=5,
    )
    services.day_record_hand_out(actor=actor, sitting_id=extra.sitting.pk, now=_local(day, 8, 5))
    with django_assert_num_queries(8):
        four = read()
    assert three == [(14, "handed_out"), (15, "handed_out"), (16, "handed_out")]
    assert four == [*three, (5, "handed_out")]
