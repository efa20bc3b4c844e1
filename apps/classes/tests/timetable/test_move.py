"""A coordinator moves a class's day, with a reason: the rules of a school day's move (ADR 0014)
applied to a class — also after the school's freeze, never while the old or the new day has
released anything, not to a past day, inside the period or on an approved reserve day, no class
day once a grade-8 work's criteria are out — audited with the reason; the school's day follows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from apps.campaigns import services as campaign_services
from apps.campaigns.models import SchoolWorkDate
from apps.classes.audit import ClassesAudit
from apps.classes.messages import ClassesError, ClassesInvalidError
from apps.classes.models import ClassWork
from apps.classes.tests.timetable.conftest import (
    KAMCHATKA,
    Works,
    ZonedSchool,
    class_work,
    clock,
    school_class,
)
from apps.classes.timetable import services
from apps.core.models import AuditEvent
from apps.registration.access import Actor, actor_for_user
from apps.registration.tests.factories import grant, make_user

ONE = dt.timedelta(days=1)


def _coordinator(role: str, unit: Any, login: str) -> Actor:
    user = make_user(login, "Test-Password-2026")
    grant(user, role, unit)
    return actor_for_user(user)


@pytest.fixture
def municipal(kamchatka: ZonedSchool) -> Actor:
    return _coordinator("municipal", kamchatka.school.municipality, "t_move_municipal")


@pytest.fixture
def regional(kamchatka: ZonedSchool) -> Actor:
    return _coordinator("regional", kamchatka.school.region, "t_move_regional")


def _move(actor: Actor, cw: ClassWork, day: dt.date, reason: str = "Карантин") -> ClassWork:
    return services.class_work_date_move(actor=actor, class_work_id=cw.pk, date=day, reason=reason)


def _grade8(works: Works, who: ZonedSchool, days: dict[str, dt.date | None]) -> dict[str, Any]:
    """8А, 8Б, … with the encrypted Математика, each on its day set by the school (so the
    school's day follows), five days before the period."""
    rows = {
        letter: class_work(school_class(works, who.school, 8, letter, n), works.math8)
        for n, letter in enumerate(days, start=1)
    }
    with time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False):
        for letter, day in days.items():
            if day is not None:
                services.class_work_date_set(
                    actor=who.actor, class_work_id=rows[letter].pk, date=day
                )
    return {k: ClassWork.objects.get(pk=v.pk) for k, v in rows.items()}


@pytest.mark.django_db
def test_a_coordinator_moves_a_frozen_class_day_with_a_reason_and_the_school_day_follows(
    kamchatka: ZonedSchool, works: Works, municipal: Actor
) -> None:
    # given 8А writing the encrypted Математика on a day and 8Б two days later
    day = works.start + 2 * ONE
    rows = _grade8(works, kamchatka, {"А": day, "Б": day + 2 * ONE})
    # when at 06:00 local on 8А's day (frozen for the school, the password at 07:30 not out)
    with time_machine.travel(clock(day, 6, KAMCHATKA), tick=False):
        # the school can no longer move it
        with pytest.raises(ClassesError) as frozen:
            services.class_work_date_set(
                actor=kamchatka.actor, class_work_id=rows["А"].pk, date=day + 3 * ONE
            )
        # but its municipal coordinator moves it, with a reason
        moved = _move(municipal, rows["А"], day + 3 * ONE, "  Отключение электричества  ")
    assert frozen.value.code == "date_frozen"
    # then 8А writes on the new day, set by the coordinator
    assert moved.date == day + 3 * ONE
    assert ClassWork.objects.get(pk=rows["А"].pk).date_set_by == municipal.user
    # and the move is audited with the reason and the old day
    event = AuditEvent.objects.get(action=ClassesAudit.CLASS_DATE_MOVE)
    assert event.details["reason"] == "Отключение электричества"
    assert (event.details["previous"], event.details["class"]) == (day.isoformat(), "8А")
    assert event.school_id == kamchatka.school.pk
    # and the school's day is the first class day now: 8Б's
    row = SchoolWorkDate.objects.get(school=kamchatka.school, work=works.math8)
    assert row.date == day + 2 * ONE


@pytest.mark.django_db
def test_a_move_needs_a_reason_and_never_goes_to_a_past_day(
    kamchatka: ZonedSchool, works: Works, regional: Actor
) -> None:
    # given 8А on a day of the period
    day = works.start + 4 * ONE
    rows = _grade8(works, kamchatka, {"А": day})
    with time_machine.travel(clock(works.start + ONE, 9, KAMCHATKA), tick=False):
        # when the coordinator moves it without a reason, and to yesterday (school-local)
        with pytest.raises(ClassesInvalidError) as no_reason:
            _move(regional, rows["А"], day + ONE, "   ")
        with pytest.raises(ClassesInvalidError) as past:
            _move(regional, rows["А"], works.start)
        # and outside the period without an approved reserve day
        with pytest.raises(ClassesInvalidError) as outside:
            _move(regional, rows["А"], works.end + ONE)
    # then each is refused in Russian and the day stays
    assert no_reason.value.code == "move_reason_required"
    assert past.value.code == "date_in_past"
    assert outside.value.code == "date_outside_period"
    assert ClassWork.objects.get(pk=rows["А"].pk).date == day
    assert not AuditEvent.objects.filter(action=ClassesAudit.CLASS_DATE_MOVE).exists()


@pytest.mark.django_db
def test_a_released_day_never_moves_and_nothing_moves_onto_one(
    kamchatka: ZonedSchool, works: Works, regional: Actor
) -> None:
    # given 8А on one day and 8Б the next day
    day = works.start + 2 * ONE
    rows = _grade8(works, kamchatka, {"А": day, "Б": day + ONE})
    # when at 08:00 local on 8А's day (its password opened at 07:30) the coordinator moves 8А,
    # and moves 8Б onto that day
    with time_machine.travel(clock(day, 8, KAMCHATKA), tick=False):
        with pytest.raises(ClassesError) as old_locked:
            _move(regional, rows["А"], day + 3 * ONE)
        with pytest.raises(ClassesError) as new_locked:
            _move(regional, rows["Б"], day)
    # then both are refused, naming the password's opening; nothing moved
    assert old_locked.value.code == "date_locked"
    assert new_locked.value.code == "date_target_locked"
    assert "пароль к архиву" in old_locked.value.message
    assert [ClassWork.objects.get(pk=r.pk).date for r in rows.values()] == [day, day + ONE]


@pytest.mark.django_db
def test_no_class_day_once_the_criteria_are_out(
    kamchatka: ZonedSchool, works: Works, regional: Actor
) -> None:
    # given 8А wrote the encrypted Математика on a day and 8Б has no day
    day = works.start + 2 * ONE
    rows = _grade8(works, kamchatka, {"А": day, "Б": None})
    # when after 14:00 Moscow time that day (the criteria are out) the coordinator gives 8Б a day
    with (
        time_machine.travel(clock(day, 15, "Europe/Moscow"), tick=False),
        pytest.raises(ClassesError) as caught,
    ):
        _move(regional, rows["Б"], day + 3 * ONE)
    # then it is refused: 8Б would write after the criteria
    assert caught.value.code == "criteria_published"
    assert ClassWork.objects.get(pk=rows["Б"].pk).date is None


@pytest.mark.django_db
def test_a_coordinator_moves_a_class_onto_an_approved_reserve_day(
    kamchatka: ZonedSchool, works: Works, regional: Actor
) -> None:
    # given 4А's approved reserve day after the period and 4Б inside the period
    a = class_work(school_class(works, kamchatka.school, 4, "А", 1), works.math4)
    b = class_work(school_class(works, kamchatka.school, 4, "Б", 2), works.math4)
    reserve_day = works.end + 2 * ONE
    with time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False):
        services.class_work_date_set(
            actor=kamchatka.actor, class_work_id=b.pk, date=works.start + ONE
        )
        req = services.class_reserve_request(
            actor=kamchatka.actor,
            school_id=kamchatka.school.pk,
            work_id=works.math4.pk,
            class_work_ids=[a.pk],
            day=reserve_day,
            reason="Карантин",
        )
        campaign_services.reserve_day_decide(actor=regional, request_id=req.pk, verdict="approved")
        # when the coordinator moves 4Б onto the reserve day
        moved = _move(regional, b, reserve_day)
    # then 4Б writes on it, linked to the request; the school's day is now the reserve day
    assert (moved.date, moved.reserve_id) == (reserve_day, req.pk)
    row = SchoolWorkDate.objects.get(school=kamchatka.school, work=works.math4)
    assert (row.date, row.reserve_id) == (reserve_day, req.pk)


@pytest.mark.django_db
def test_only_the_school_coordinators_move_its_class_days(
    kamchatka: ZonedSchool, works: Works, world: Any
) -> None:
    # given 8А of the Kamchatka school on a day, and the world's coordinators of region A
    day = works.start + 2 * ONE
    rows = _grade8(works, kamchatka, {"А": day})
    outsiders = [
        actor_for_user(world.users["regional"]),
        actor_for_user(world.users["municipal"]),
        kamchatka.actor,  # the school itself has no move action
    ]
    with time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False):
        # when each of them moves 8А
        for actor in outsiders:
            with pytest.raises(ClassWork.DoesNotExist):
                _move(actor, rows["А"], day + ONE)
    # then the class work is as good as missing to each; the day stays
    assert ClassWork.objects.get(pk=rows["А"].pk).date == day
