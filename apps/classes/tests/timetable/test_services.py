"""A day and a form per class and work: the school-day rules of ADR 0014 applied to each class.

The day lies inside the work's period; the school picks or changes it only until the end of the
day before, school-local; a chosen day that has begun never moves; computer form only where the
work allows it; only the class works the school can see (an assigned work before publication is
as good as missing).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from apps.campaigns import schedule
from apps.classes.audit import ClassesAudit
from apps.classes.messages import ClassesError, ClassesInvalidError
from apps.classes.models import AssignmentRun, ClassWork
from apps.classes.tests.timetable.conftest import (
    KAMCHATKA,
    Works,
    ZonedSchool,
    class_work,
    clock,
    school_class,
)
from apps.classes.timetable import selectors, services
from apps.core.models import AuditEvent
from apps.registration.access import actor_for_user
from conftest import World

ONE = dt.timedelta(days=1)


def _set(who: ZonedSchool, cw: ClassWork, day: dt.date) -> ClassWork:
    return services.class_work_date_set(actor=who.actor, class_work_id=cw.pk, date=day)


@pytest.mark.django_db
def test_a_day_inside_the_period_is_set_and_moved_with_an_audit_row(
    kamchatka: ZonedSchool, works: Works
) -> None:
    # given 4А of the Kamchatka school with its compulsory Русский язык, five days before the period
    cw = class_work(school_class(works, kamchatka.school, 4, "А", 1), works.russian4)
    day, later = works.start + 2 * ONE, works.start + 5 * ONE
    with time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False):
        # when the organizer sets a day, then moves it
        _set(kamchatka, cw, day)
        moved = _set(kamchatka, cw, later)
    # then the class's day is the later one, chosen by the organizer
    assert moved.date == later
    cw.refresh_from_db()
    assert cw.date == later
    assert cw.date_set_by == kamchatka.user
    # and each change is audited with the old and the new day
    events = AuditEvent.objects.filter(action=ClassesAudit.CLASS_DATE_SET).order_by("pk")
    assert [(e.details["previous"], e.details["date"]) for e in events] == [
        (None, day.isoformat()),
        (day.isoformat(), later.isoformat()),
    ]
    assert {e.school_id for e in events} == {kamchatka.school.pk}
    assert events[0].details["class"] == "4А"


@pytest.mark.django_db
@pytest.mark.parametrize("offset", [-1, 21])
def test_a_day_outside_the_period_is_refused_and_nothing_changes(
    kamchatka: ZonedSchool, works: Works, offset: int
) -> None:
    # given 4А's Русский язык with a day chosen inside the period
    cw = class_work(school_class(works, kamchatka.school, 4, "А", 1), works.russian4)
    chosen = works.start + ONE
    with time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False):
        _set(kamchatka, cw, chosen)
        # when the organizer asks for the day before the period or the day after it
        outside = works.start + offset * ONE
        with pytest.raises(ClassesInvalidError) as caught:
            _set(kamchatka, cw, outside)
    # then it is refused in Russian, naming the class, the day, the period and the reserve-day step
    error = caught.value
    assert error.code == "date_outside_period"
    assert error.status == 400
    assert "4А" in error.message
    assert outside.strftime("%d.%m.%Y") in error.message
    assert works.end.strftime("%d.%m.%Y") in error.message
    assert "Запросить резервный день" in error.message
    # and the chosen day stays
    cw.refresh_from_db()
    assert cw.date == chosen
    assert AuditEvent.objects.filter(action=ClassesAudit.CLASS_DATE_SET).count() == 1


@pytest.mark.django_db
def test_a_day_that_has_begun_in_the_school_zone_cannot_be_chosen(
    kamchatka: ZonedSchool, works: Works, world: World
) -> None:
    # given 01:00 in Kamchatka on a day of the period: in UTC and in Moscow it is still the day
    # before
    day = works.start + 3 * ONE
    now = clock(day, 1, KAMCHATKA)
    assert now.date() == day - ONE
    kam = class_work(school_class(works, kamchatka.school, 4, "А", 1), works.russian4)
    moscow = class_work(school_class(works, world.schools["A1a"], 4, "А", 1), works.russian4)
    organizer = actor_for_user(world.users["school_organizer"])
    with time_machine.travel(now, tick=False):
        # when the Kamchatka school picks that day
        with pytest.raises(ClassesError) as caught:
            _set(kamchatka, kam, day)
        # then it is refused (409): the day has begun there
        assert caught.value.code == "date_frozen"
        assert caught.value.status == 409
        assert day.strftime("%d.%m.%Y") in caught.value.message
        assert "4А" in caught.value.message
        # but the next day is still its to pick
        assert _set(kamchatka, kam, day + ONE).date == day + ONE
        # and a Moscow school, where the day has not begun, may pick it at the same instant
        picked = services.class_work_date_set(actor=organizer, class_work_id=moscow.pk, date=day)
        assert picked.date == day
    kam.refresh_from_db()
    assert kam.date == day + ONE


@pytest.mark.django_db
def test_a_chosen_day_that_has_begun_no_longer_moves(kamchatka: ZonedSchool, works: Works) -> None:
    # given 8А chose a day of its encrypted Математика in advance
    cw = class_work(school_class(works, kamchatka.school, 8, "А", 1), works.math8)
    day = works.start + 2 * ONE
    with time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False):
        _set(kamchatka, cw, day)
    # when at 23:59 local on the day before it still moves it one day later and back
    with time_machine.travel(clock(day - ONE, 23, KAMCHATKA, minute=59), tick=False):
        _set(kamchatka, cw, day + ONE)
        _set(kamchatka, cw, day)
    # and at 01:00 local on the day (still the day before in UTC) it tries to move it again
    with (
        time_machine.travel(clock(day, 1, KAMCHATKA), tick=False),
        pytest.raises(ClassesError) as caught,
    ):
        _set(kamchatka, cw, day + 2 * ONE)
    # then it is refused and the day stays
    assert caught.value.code == "date_frozen"
    cw.refresh_from_db()
    assert cw.date == day


@pytest.mark.django_db
def test_computer_form_only_where_the_work_allows_it(kamchatka: ZonedSchool, works: Works) -> None:
    # given 4А with Русский язык (paper only) and Математика (computer allowed)
    klass = school_class(works, kamchatka.school, 4, "А", 1)
    russian, math = class_work(klass, works.russian4), class_work(klass, works.math4)
    with time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False):
        # when the organizer picks the computer form for both
        with pytest.raises(ClassesInvalidError) as caught:
            services.class_work_form_set(
                actor=kamchatka.actor, class_work_id=russian.pk, form="computer"
            )
        saved = services.class_work_form_set(
            actor=kamchatka.actor, class_work_id=math.pk, form="computer"
        )
        # and an unknown form
        with pytest.raises(ClassesInvalidError) as unknown:
            services.class_work_form_set(actor=kamchatka.actor, class_work_id=math.pk, form="oral")
    # then Русский язык is refused in Russian and stays on paper
    assert caught.value.code == "form_not_allowed"
    assert "Русский язык" in caught.value.message
    russian.refresh_from_db()
    assert russian.form == ClassWork.Form.PAPER
    assert unknown.value.code == "form_unknown"
    # and Математика is on computer, audited with the old form
    assert saved.form == ClassWork.Form.COMPUTER
    event = AuditEvent.objects.get(action=ClassesAudit.CLASS_FORM_SET)
    assert (event.details["previous"], event.details["form"]) == ("paper", "computer")


@pytest.mark.django_db
def test_the_form_no_longer_changes_once_the_day_has_begun(
    kamchatka: ZonedSchool, works: Works
) -> None:
    # given 4А's Математика chosen for a day in advance
    cw = class_work(school_class(works, kamchatka.school, 4, "А", 1), works.math4)
    day = works.start + ONE
    with time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False):
        _set(kamchatka, cw, day)
    # when on that day (local) the organizer switches it to computer
    with (
        time_machine.travel(clock(day, 8, KAMCHATKA), tick=False),
        pytest.raises(ClassesError) as caught,
    ):
        services.class_work_form_set(actor=kamchatka.actor, class_work_id=cw.pk, form="computer")
    # then it is refused and the form stays
    assert caught.value.code == "form_frozen"
    cw.refresh_from_db()
    assert cw.form == ClassWork.Form.PAPER


@pytest.mark.django_db
def test_another_school_class_work_is_as_good_as_missing(world: World, works: Works) -> None:
    # given a class work of the sibling school A1b
    other = class_work(school_class(works, world.schools["A1b"], 4, "А", 1), works.math4)
    organizer = actor_for_user(world.users["school_organizer"])  # at A1a
    with time_machine.travel(clock(works.start - 5 * ONE, 9, "Europe/Moscow"), tick=False):
        # when A1a's organizer sets its day or form
        with pytest.raises(ClassWork.DoesNotExist):
            services.class_work_date_set(
                actor=organizer, class_work_id=other.pk, date=works.start + ONE
            )
        with pytest.raises(ClassWork.DoesNotExist):
            services.class_work_form_set(actor=organizer, class_work_id=other.pk, form="computer")
    # then nothing changed (404 for the page and the API)
    other.refresh_from_db()
    assert (other.date, other.form) == (None, ClassWork.Form.PAPER)


@pytest.mark.django_db
def test_an_assigned_work_is_missing_until_the_school_sees_the_assignment(
    kamchatka: ZonedSchool, works: Works
) -> None:
    # given 4А's assigned Окружающий мир from a run published to schools from a day in the future
    publish_on = works.start - 7 * ONE
    run = AssignmentRun.objects.create(
        campaign=works.campaign, seed=7, status=AssignmentRun.Status.DRAFT, publish_on=publish_on
    )
    cw = class_work(
        school_class(works, kamchatka.school, 4, "А", 1),
        works.world4,
        source=ClassWork.Source.ASSIGNED,
        run=run,
    )
    day = works.start + ONE
    # when the school sets its day while the run is still a draft
    with (
        time_machine.travel(clock(publish_on + ONE, 9, KAMCHATKA), tick=False),
        pytest.raises(ClassWork.DoesNotExist),
    ):
        _set(kamchatka, cw, day)
    AssignmentRun.objects.filter(pk=run.pk).update(status=AssignmentRun.Status.PUBLISHED)
    # and once published, at 23:00 local on the day before the publication day
    with time_machine.travel(clock(publish_on - ONE, 23, KAMCHATKA), tick=False):
        with pytest.raises(ClassWork.DoesNotExist):
            _set(kamchatka, cw, day)
        assert not selectors.timetable(actor=kamchatka.actor, school_id=kamchatka.school.pk).rows
    # then it is refused as missing; from 00:00 local on the publication day it is the school's
    with time_machine.travel(clock(publish_on, 0, KAMCHATKA), tick=False):
        assert _set(kamchatka, cw, day).date == day


@pytest.mark.django_db
def test_one_day_for_every_class_of_a_grade(kamchatka: ZonedSchool, works: Works) -> None:
    # given 4А, 4Б and 4В with Математика
    rows = [
        class_work(school_class(works, kamchatka.school, 4, letter, n), works.math4)
        for n, letter in enumerate("АБВ", start=1)
    ]
    day = works.start + 4 * ONE
    with time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False):
        # when the organizer gives them all one day
        saved = services.class_works_date_set_for_grade(
            actor=kamchatka.actor, school_id=kamchatka.school.pk, work_id=works.math4.pk, date=day
        )
    # then every class has it, each audited
    assert sorted(r.school_class.label for r in saved) == ["4А", "4Б", "4В"]
    assert set(
        ClassWork.objects.filter(pk__in=[r.pk for r in rows]).values_list("date", flat=True)
    ) == {day}
    events = AuditEvent.objects.filter(action=ClassesAudit.CLASS_DATE_SET)
    assert sorted(e.details["class"] for e in events) == ["4А", "4Б", "4В"]
    assert all(e.details["bulk"] for e in events)


@pytest.mark.django_db
def test_one_day_for_a_grade_is_all_or_nothing_and_names_the_refused_class(
    kamchatka: ZonedSchool, works: Works
) -> None:
    # given 4Б already wrote Математика on the first day of the period, 4А and 4В have no day
    rows = {
        letter: class_work(school_class(works, kamchatka.school, 4, letter, n), works.math4)
        for n, letter in enumerate("АБВ", start=1)
    }
    first = works.start
    with time_machine.travel(clock(first - 5 * ONE, 9, KAMCHATKA), tick=False):
        _set(kamchatka, rows["Б"], first)
    # when, on the third day, the organizer gives all three the fifth day
    with (
        time_machine.travel(clock(first + 2 * ONE, 9, KAMCHATKA), tick=False),
        pytest.raises(ClassesError) as caught,
    ):
        services.class_works_date_set_for_grade(
            actor=kamchatka.actor,
            school_id=kamchatka.school.pk,
            work_id=works.math4.pk,
            date=first + 4 * ONE,
        )
    # then it is refused, naming 4Б (whose day has passed), and no class changed
    error = caught.value
    assert error.code == "bulk_refused"
    assert [d["class"] for d in error.details] == ["4Б"]
    assert "4Б" in error.message
    assert "4А" not in error.message
    dates = {k: ClassWork.objects.get(pk=v.pk).date for k, v in rows.items()}
    assert dates == {"А": None, "Б": first, "В": None}


@pytest.mark.django_db
def test_one_day_for_a_grade_outside_the_period_is_refused_for_every_class(
    kamchatka: ZonedSchool, works: Works
) -> None:
    # given 4А and 4Б with Математика
    for n, letter in enumerate("АБ", start=1):
        class_work(school_class(works, kamchatka.school, 4, letter, n), works.math4)
    # when the organizer gives them a day after the period
    with (
        time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False),
        pytest.raises(ClassesInvalidError) as caught,
    ):
        services.class_works_date_set_for_grade(
            actor=kamchatka.actor,
            school_id=kamchatka.school.pk,
            work_id=works.math4.pk,
            date=works.end + ONE,
        )
    # then it is a bad request naming both classes; nothing changed
    assert caught.value.status == 400
    assert [d["class"] for d in caught.value.details] == ["4А", "4Б"]
    assert not ClassWork.objects.filter(date__isnull=False).exists()


@pytest.mark.django_db
def test_the_instants_of_a_row_are_those_of_the_plan_graph_for_the_school_days(
    kamchatka: ZonedSchool, works: Works
) -> None:
    # given 8А chose a day of its encrypted Математика, 8Б has none yet
    chosen = class_work(school_class(works, kamchatka.school, 8, "А", 1), works.math8)
    open_ = class_work(school_class(works, kamchatka.school, 8, "Б", 2), works.math8)
    day = works.start + 6 * ONE
    with time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False):
        _set(kamchatka, chosen, day)
        # when the timetable is read
        plan = selectors.timetable(actor=kamchatka.actor, school_id=kamchatka.school.pk)
    rows = {row.class_work.pk: row for row in plan.rows}
    # then each row's instants are the school's for the work (its first and last class day, here
    # the one chosen day) in the school's zone: the password is one for the whole school
    assert rows[chosen.pk].instants == schedule.instants(works.math8, KAMCHATKA, day)
    assert rows[open_.pk].instants == rows[chosen.pk].instants
    assert rows[chosen.pk].instants.password_release_at == clock(day, 7, KAMCHATKA, minute=30)
    # while only the class with a day is frozen by it
    assert rows[open_.pk].class_work.date is None
    assert plan.zone == KAMCHATKA
    assert [b.school_class.label for b in plan.classes] == ["8А", "8Б"]
    assert rows[chosen.pk].weekday == selectors.WEEKDAYS[day.weekday()]


def test_two_class_days_give_the_school_one_password_and_criteria_after_the_last(
    kamchatka: ZonedSchool, works: Works
) -> None:
    # given 8А writing the encrypted Математика on one day and 8Б three days later
    a = class_work(school_class(works, kamchatka.school, 8, "А", 1), works.math8)
    b = class_work(school_class(works, kamchatka.school, 8, "Б", 2), works.math8)
    first, last = works.start + 2 * ONE, works.start + 5 * ONE
    with time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False):
        _set(kamchatka, a, first)
        _set(kamchatka, b, last)
        plan = selectors.timetable(actor=kamchatka.actor, school_id=kamchatka.school.pk)
    rows = {row.class_work.pk: row for row in plan.rows}
    # then both rows read the password at 07:30 on the first day and the criteria after the last
    expected = schedule.instants(works.math8, KAMCHATKA, first, last=last)
    assert rows[a.pk].instants == expected
    assert rows[b.pk].instants == expected
    assert expected.password_release_at == clock(first, 7, KAMCHATKA, minute=30)
    assert expected.criteria_available_at == schedule.at_local(last, dt.time(14), "Europe/Moscow")
