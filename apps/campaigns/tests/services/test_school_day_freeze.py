"""A school's day freezes before it begins (docs/adr/0014-school-day-freeze.md).

The school sets and changes its day only until the end of the day before, school-local. After
that only its municipal or regional coordinator may move it, with a reason, and only until the
first release bound to that day (the grade-8 password at 07:30 school-local). A released day
never moves again; a repeat goes through a reserve day that the regional coordinator approves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ObjectDoesNotExist

from apps.campaigns import services
from apps.campaigns.messages import CampaignError, CampaignInvalidError
from apps.campaigns.models import SchoolWorkDate
from apps.core.models import AuditEvent
from apps.registration.access import actor_for_user
from apps.registration.tests.factories import grant, make_user
from conftest import World

UTC = dt.UTC
BEFORE = dt.datetime(2026, 4, 1, 9, 0, tzinfo=UTC)  # the period is 11.04–16.05.2026
DAY = dt.date(2026, 4, 15)
LATER = dt.date(2026, 4, 20)
RESERVE = dt.date(2026, 5, 20)  # after the period
# Kamchatka is UTC+12: 15.04 begins there at 14.04 12:00 UTC; the password opens 14.04 19:30 UTC.
KAMCHATKA_DAY_BEGUN = dt.datetime(2026, 4, 14, 13, 0, tzinfo=UTC)  # 01:00 local on 15.04
KAMCHATKA_PASSWORD_OUT = dt.datetime(2026, 4, 14, 20, 0, tzinfo=UTC)  # 08:00 local on 15.04
KAMCHATKA_DAY_BEFORE_LATE = dt.datetime(2026, 4, 14, 11, 59, tzinfo=UTC)  # 23:59 local on 14.04
# Moscow (the world's schools): 15.04 06:00 MSK is after the freeze, before the 07:30 password.
MOSCOW_EARLY_ON_DAY = dt.datetime(2026, 4, 15, 3, 0, tzinfo=UTC)
MOSCOW_LATER_PASSWORD_OUT = dt.datetime(2026, 4, 20, 5, 0, tzinfo=UTC)  # 08:00 MSK on 20.04


def _set(school: Any, work: Any, day: dt.date) -> SchoolWorkDate:
    return services.school_date_set(
        actor=school.actor, school_id=school.school.pk, work_id=work.pk, day=day
    )


@pytest.mark.django_db
def test_a_school_cannot_pick_a_day_that_has_begun_in_its_zone(kamchatka: Any, grade8: Any) -> None:
    # given 01:00 on 15.04 in Kamchatka (still 14.04 in Moscow) and no day chosen yet
    with time_machine.travel(KAMCHATKA_DAY_BEGUN, tick=False):
        # when the school picks today, to read the password at 07:30
        with pytest.raises(CampaignError) as caught:
            _set(kamchatka, grade8, DAY)
        # then it is refused in Russian, naming the day and who may still change it
        assert caught.value.code == "date_frozen"
        assert "15.04.2026" in caught.value.message
        assert "координатор" in caught.value.message
        assert not SchoolWorkDate.objects.exists()
        # but tomorrow is still the school's to pick
        assert _set(kamchatka, grade8, dt.date(2026, 4, 16)).date == dt.date(2026, 4, 16)


@pytest.mark.django_db
def test_a_school_cannot_move_its_day_after_the_password_is_out(
    kamchatka: Any, grade8: Any
) -> None:
    # given the school chose 15.04 in advance
    with time_machine.travel(BEFORE, tick=False):
        _set(kamchatka, grade8, DAY)
    # when, at 08:00 local on that day (the password is out), it moves the day later
    with (
        time_machine.travel(KAMCHATKA_PASSWORD_OUT, tick=False),
        pytest.raises(CampaignError) as caught,
    ):
        _set(kamchatka, grade8, LATER)
    # then it is refused and the day stays
    assert caught.value.code == "date_frozen"
    assert SchoolWorkDate.objects.get().date == DAY


@pytest.mark.django_db
def test_a_school_changes_its_day_until_the_end_of_the_day_before(
    kamchatka: Any, grade8: Any
) -> None:
    # given the school chose 15.04 in advance
    with time_machine.travel(BEFORE, tick=False):
        _set(kamchatka, grade8, DAY)
    # when it moves the day at 23:59 local on 14.04
    with time_machine.travel(KAMCHATKA_DAY_BEFORE_LATE, tick=False):
        row = _set(kamchatka, grade8, LATER)
    # then the move is saved
    assert row.date == LATER
    assert SchoolWorkDate.objects.get().date == LATER


@pytest.mark.django_db
def test_the_page_and_the_api_refuse_a_frozen_day(world: World, grade8: Any) -> None:
    # given the school A1a (Moscow) chose 15.04 in advance
    school = world.schools["A1a"]
    # (logged in at each instant: a session opened today may have expired by a pinned one)
    with time_machine.travel(BEFORE, tick=False):
        ok = world.client_for("school_organizer").post(
            "/api/v1/school-dates/",
            {"school": school.pk, "work": grade8.pk, "date": "2026-04-15"},
            content_type="application/json",
        )
        assert ok.status_code == 200
    with time_machine.travel(MOSCOW_EARLY_ON_DAY, tick=False):
        client = world.client_for("school_organizer")
        # when, on the day, it moves the day through the page and through the API
        page = client.post(
            f"/schools/{school.pk}/schedule/set/",
            {"work": grade8.pk, "date": "2026-04-20"},
            follow=True,
        )
        api = client.post(
            "/api/v1/school-dates/",
            {"school": school.pk, "work": grade8.pk, "date": "2026-04-20"},
            content_type="application/json",
        )
        # then both refuse in Russian and the day stays
        assert "зафиксирована" in page.content.decode()
        assert api.status_code == 409
        assert api.json()["code"] == "date_frozen"
        assert "зафиксирована" in api.json()["detail"]
        # and the schedule page no longer offers the school a date form for it
        schedule = client.get(f"/schools/{school.pk}/schedule/").content.decode()
        assert 'name="date"' not in schedule
    assert SchoolWorkDate.objects.get().date == DAY


@pytest.mark.django_db
def test_the_coordinator_moves_a_frozen_day_with_a_reason_until_the_password(
    world: World, grade8: Any
) -> None:
    # given the school A1a chose 15.04, and it is 06:00 MSK on that day
    school = world.schools["A1a"]
    organizer = actor_for_user(world.users["school_organizer"])
    municipal = actor_for_user(world.users["municipal"])
    with time_machine.travel(BEFORE, tick=False):
        services.school_date_set(actor=organizer, school_id=school.pk, work_id=grade8.pk, day=DAY)
    args = {"school_id": school.pk, "work_id": grade8.pk, "day": LATER}
    with time_machine.travel(MOSCOW_EARLY_ON_DAY, tick=False):
        # when its municipal coordinator moves it without a reason
        with pytest.raises(CampaignInvalidError) as bare:
            services.school_date_move(actor=municipal, reason="  ", **args)
        # then a reason is asked for
        assert bare.value.code == "move_reason_required"
        # when a coordinator of another region tries
        stranger = make_user("t_reg_b", "Test-Password-2026")
        grant(stranger, "regional", world.regions["B"])
        with pytest.raises(ObjectDoesNotExist):
            services.school_date_move(actor=actor_for_user(stranger), reason="x", **args)
        # and the school itself tries the coordinators' way
        with pytest.raises(ObjectDoesNotExist):
            services.school_date_move(actor=organizer, reason="x", **args)
        # when the municipal coordinator moves it with a reason
        row = services.school_date_move(
            actor=municipal, reason="Авария водоснабжения, занятия отменены", **args
        )
    # then the day moves and the move is audited with the reason and the previous day
    assert row.date == LATER
    event = AuditEvent.objects.get(action="schedule.date_move")
    assert event.details["reason"] == "Авария водоснабжения, занятия отменены"
    assert event.details["previous"] == "2026-04-15"
    assert event.school_id == school.pk
    # and once the password of the new day is out, nobody moves it any more
    with time_machine.travel(MOSCOW_LATER_PASSWORD_OUT, tick=False):
        with pytest.raises(CampaignError) as locked:
            services.school_date_move(
                actor=municipal, reason="Ещё раз", school_id=school.pk, work_id=grade8.pk, day=DAY
            )
        api = world.client_for("regional").post(
            "/api/v1/school-date-moves/",
            {"school": school.pk, "work": grade8.pk, "date": "2026-05-10", "reason": "Ещё раз"},
            content_type="application/json",
        )
    assert locked.value.code == "date_locked"
    assert "резервный день" in locked.value.message
    assert api.status_code == 409
    assert api.json()["code"] == "date_locked"
    assert SchoolWorkDate.objects.get().date == LATER


@pytest.mark.django_db
def test_coordinators_move_days_through_the_page_and_the_api(world: World, grade8: Any) -> None:
    # given the school A1a chose 15.04, and it is 06:00 MSK on that day
    school = world.schools["A1a"]
    organizer = actor_for_user(world.users["school_organizer"])
    with time_machine.travel(BEFORE, tick=False):
        services.school_date_set(actor=organizer, school_id=school.pk, work_id=grade8.pk, day=DAY)
    with time_machine.travel(MOSCOW_EARLY_ON_DAY, tick=False):
        # when the school tries the coordinators' API
        refused = world.client_for("school_organizer").post(
            "/api/v1/school-date-moves/",
            {"school": school.pk, "work": grade8.pk, "date": "2026-04-20", "reason": "x"},
            content_type="application/json",
        )
        # then it lacks the right
        assert refused.status_code == 403
        # when the regional coordinator moves it through the API
        moved = world.client_for("regional").post(
            "/api/v1/school-date-moves/",
            {"school": school.pk, "work": grade8.pk, "date": "2026-04-20", "reason": "Карантин"},
            content_type="application/json",
        )
        assert moved.status_code == 200, moved.json()
        assert moved.json()["date"] == "2026-04-20"
        # and the municipal coordinator moves it again through the page
        page = world.client_for("municipal").post(
            f"/schools/{school.pk}/schedule/move/",
            {"work": grade8.pk, "date": "2026-04-22", "reason": "Отключение электричества"},
            follow=True,
        )
    # then both moves are saved and audited
    assert "Дата проведения перенесена" in page.content.decode()
    assert SchoolWorkDate.objects.get().date == dt.date(2026, 4, 22)
    assert AuditEvent.objects.filter(action="schedule.date_move").count() == 2


@pytest.mark.django_db
def test_a_released_day_is_repeated_only_through_an_approved_reserve_day(
    world: World, grade8: Any
) -> None:
    # given the school A1a held the grade-8 work on 15.04 (the password is out)
    school = world.schools["A1a"]
    organizer = actor_for_user(world.users["school_organizer"])
    regional = actor_for_user(world.users["regional"])
    with time_machine.travel(BEFORE, tick=False):
        services.school_date_set(actor=organizer, school_id=school.pk, work_id=grade8.pk, day=DAY)
    with time_machine.travel(dt.datetime(2026, 4, 15, 9, 0, tzinfo=UTC), tick=False):
        # when the school asks for a reserve day after the period and the region approves it
        req = services.reserve_day_request(
            actor=organizer,
            school_id=school.pk,
            work_id=grade8.pk,
            day=RESERVE,
            reason="Работа сорвана: эвакуация здания",
        )
        services.reserve_day_decide(
            actor=regional, request_id=req.pk, verdict="approved", comment="Повторное проведение"
        )
    # then the reserve day is the school's day, and the audit keeps the day it replaced
    row = SchoolWorkDate.objects.get()
    assert (row.date, row.reserve_id) == (RESERVE, req.pk)
    event = AuditEvent.objects.get(action="reserve_day.decide")
    assert event.details["previous"] == "2026-04-15"
