"""Checking of the works: the school gives each class's codes to its experts of the subject,
never to an expert who teaches the class; an expert's account sees only its own codes;
coordinators read the progress; giving works closes with the checking window.

Hand counts (the ``day`` fixture's Russian work): 4А, 4Б and 4В with four codes each; experts
«Эксперт 1» (teaches 4А), «Эксперт 2», «Эксперт 3». Fewest codes first, ties by name:
4А → Э2, Э3, Э2, Э3; 4Б → Э1, Э1, Э1, Э2; 4В → Э3, Э1, Э2, Э3: four codes each, none of 4А
with Э1.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.core.errors import DomainError
from apps.core.models import AuditEvent
from apps.registration.access import actor_for_user
from apps.registration.models import School
from apps.registration.tests.factories import grant, make_user
from apps.schoolday.audit import SchoolDayAudit
from apps.schoolday.checking import selectors, services
from apps.schoolday.models import ExpertAssignment, Person
from apps.schoolday.overview.selectors import readiness
from apps.schoolday.tests.conftest import PASSWORD, Day
from apps.schoolday.tests.factories import PersonFactory


def _codes(day: Day) -> dict[str, list[str]]:
    return {
        "4А": day.codes("4А", 4, 10001),
        "4Б": day.codes("4Б", 4, 20001),
        "4В": day.codes("4В", 4, 30001),
    }


def _experts(day: Day) -> dict[str, Person]:
    return {
        "Э1": PersonFactory(
            school=day.school,
            duty=Person.Duty.EXPERT,
            full_name="Эксперт 1",
            subjects=[day.russian.subject],
            teaches=[day.classes["4А"]],
        ),
        "Э2": PersonFactory(
            school=day.school,
            duty=Person.Duty.EXPERT,
            full_name="Эксперт 2",
            subjects=[day.russian.subject],
        ),
        "Э3": PersonFactory(
            school=day.school,
            duty=Person.Duty.EXPERT,
            full_name="Эксперт 3",
            subjects=[day.russian.subject],
        ),
    }


def _given(day: Day) -> dict[str, str]:
    return dict(
        ExpertAssignment.objects.filter(school_id=day.school.pk, work=day.russian).values_list(
            "code__code", "expert__full_name"
        )
    )


def _auto(day: Day, **extra: Any) -> int:
    return services.checking_auto_assign(
        actor=day.actor, school_id=day.school.pk, work_id=day.russian.pk, **extra
    )


@pytest.mark.django_db
def test_auto_assign_splits_evenly_and_never_gives_a_teacher_their_class(day: Day) -> None:
    # given three classes of four codes and three experts, Эксперт 1 teaching 4А
    codes = _codes(day)
    _experts(day)
    # when the school distributes the works automatically
    assert _auto(day) == 12
    given = _given(day)
    # then every code has an expert, four each, as counted by hand
    assert sorted(given) == sorted(c for cs in codes.values() for c in cs)
    by_expert: dict[str, list[str]] = {}
    for code, name in given.items():
        by_expert.setdefault(name, []).append(code)
    assert {name: sorted(cs) for name, cs in by_expert.items()} == {
        "Эксперт 1": ["20001", "20002", "20003", "30002"],
        "Эксперт 2": ["10001", "10003", "20004", "30003"],
        "Эксперт 3": ["10002", "10004", "30001", "30004"],
    }
    # and the teacher of 4А checks none of 4А
    assert not [c for c in codes["4А"] if given[c] == "Эксперт 1"]
    # and the write is audited
    assert AuditEvent.objects.filter(action=SchoolDayAudit.CHECKING_AUTO_ASSIGN).count() == 1


@pytest.mark.django_db
def test_auto_assign_keeps_what_was_given_and_gives_only_new_codes(day: Day) -> None:
    codes = _codes(day)
    experts = _experts(day)
    # given 4Б's first code given by hand to Эксперт 3
    services.checking_assign(
        actor=day.actor,
        school_id=day.school.pk,
        work_id=day.russian.pk,
        expert_id=experts["Э3"].pk,
        codes=[codes["4Б"][0]],
    )
    # when the rest is distributed, twice
    assert _auto(day) == 11
    assert _auto(day) == 0
    # then the hand-given code stays with Эксперт 3 and the load is still even (4 each)
    given = _given(day)
    assert given[codes["4Б"][0]] == "Эксперт 3"
    loads = {name: list(given.values()).count(name) for name in set(given.values())}
    assert loads == {"Эксперт 1": 4, "Эксперт 2": 4, "Эксперт 3": 4}


@pytest.mark.django_db
def test_a_class_nobody_may_check_refuses_the_whole_distribution(day: Day) -> None:
    # given one expert of the subject, and they teach 4А
    _codes(day)
    PersonFactory(
        school=day.school,
        duty=Person.Duty.EXPERT,
        full_name="Эксперт 1",
        subjects=[day.russian.subject],
        teaches=[day.classes["4А"]],
    )
    # when the school distributes automatically
    with pytest.raises(DomainError) as refused:
        _auto(day)
    # then it is refused naming the class and why, and nothing is given
    assert "все эксперты по предмету преподают в 4А" in refused.value.message
    assert "класса 4А" in refused.value.message
    assert ExpertAssignment.objects.count() == 0


@pytest.mark.django_db
def test_no_expert_of_the_subject_is_named(day: Day) -> None:
    _codes(day)
    PersonFactory(school=day.school, duty=Person.Duty.EXPERT, subjects=[day.math.subject])
    with pytest.raises(DomainError) as refused:
        _auto(day)
    assert "нет экспертов по предмету" in refused.value.message
    assert ExpertAssignment.objects.count() == 0


@pytest.mark.django_db
def test_manual_assign_to_own_class_is_refused_and_nothing_changes(day: Day) -> None:
    codes = _codes(day)
    experts = _experts(day)
    _auto(day)
    before = _given(day)
    # when the teacher of 4А is given a 4Б code and a 4А code at once
    with pytest.raises(DomainError) as refused:
        services.checking_assign(
            actor=day.actor,
            school_id=day.school.pk,
            work_id=day.russian.pk,
            expert_id=experts["Э1"].pk,
            codes=[codes["4Б"][3], codes["4А"][0]],
        )
    # then it is refused naming the code and the class, and nothing changed (not even 4Б's)
    message = refused.value.message
    assert f"Код {codes['4А'][0]} (класс 4А): Эксперт 1 преподаёт в 4А" in message
    assert _given(day) == before
    assert not AuditEvent.objects.filter(action=SchoolDayAudit.CHECKING_ASSIGN).exists()


@pytest.mark.django_db
def test_manual_assign_moves_codes_and_refuses_foreign_codes_and_non_experts(day: Day) -> None:
    codes = _codes(day)
    experts = _experts(day)
    _auto(day)
    # when Эксперт 2 takes over a 4В code of Эксперт 3
    moved = codes["4В"][0]
    assert _given(day)[moved] == "Эксперт 3"
    services.checking_assign(
        actor=day.actor,
        school_id=day.school.pk,
        work_id=day.russian.pk,
        expert_id=experts["Э2"].pk,
        codes=[moved],
    )
    # then it is Эксперт 2's and the move is audited with whom it was taken from
    assert _given(day)[moved] == "Эксперт 2"
    event = AuditEvent.objects.get(action=SchoolDayAudit.CHECKING_ASSIGN)
    assert event.details["taken_from"] == {moved: "Эксперт 3"}
    # and a code of no class writing the work is refused by name
    with pytest.raises(DomainError) as unknown:
        services.checking_assign(
            actor=day.actor,
            school_id=day.school.pk,
            work_id=day.russian.pk,
            expert_id=experts["Э2"].pk,
            codes=["99999"],
        )
    assert "Код 99999 не относится к классам ОО" in unknown.value.message
    # and an organizer, an expert of another subject, an inactive expert are refused
    organizer = PersonFactory(school=day.school, full_name="Организатор 1")
    other = PersonFactory(school=day.school, duty=Person.Duty.EXPERT, subjects=[day.math.subject])
    retired = PersonFactory(
        school=day.school,
        duty=Person.Duty.EXPERT,
        subjects=[day.russian.subject],
        is_active=False,
    )
    for person, text in (
        (organizer, "а не эксперт по проверке"),
        (other, "не проверяет предмет «Русский язык»"),
        (retired, "больше не участвует"),
    ):
        with pytest.raises(DomainError) as refused:
            services.checking_assign(
                actor=day.actor,
                school_id=day.school.pk,
                work_id=day.russian.pk,
                expert_id=person.pk,
                codes=[codes["4Б"][0]],
            )
        assert text in refused.value.message


@pytest.mark.django_db
def test_unassign_takes_codes_back(day: Day) -> None:
    codes = _codes(day)
    _experts(day)
    _auto(day)
    taken = services.checking_unassign(
        actor=day.actor,
        school_id=day.school.pk,
        work_id=day.russian.pk,
        codes=codes["4В"][:2],
    )
    assert taken == 2
    assert len(_given(day)) == 10
    assert AuditEvent.objects.filter(action=SchoolDayAudit.CHECKING_UNASSIGN).count() == 1


@pytest.mark.django_db
def test_an_expert_sees_only_its_own_codes(day: Day) -> None:
    _codes(day)
    experts = _experts(day)
    _auto(day)
    # given Эксперт 2 with an account of its own
    user = make_user("t_sd_expert", PASSWORD)
    grant(user, "expert", day.school)
    experts["Э2"].user = user
    experts["Э2"].save(update_fields=["user"])
    expert = actor_for_user(user)
    # when it reads the assignments of the work (the personal scope)
    mine = selectors.assignments(actor=expert, school_id=day.school.pk, work_id=day.russian.pk)
    # then it sees its four codes only; the organizer sees all twelve
    assert sorted(a.code.code for a in mine) == ["10001", "10003", "20004", "30003"]
    assert {a.expert.full_name for a in mine} == {"Эксперт 2"}
    everyone = selectors.assignments(
        actor=day.actor, school_id=day.school.pk, work_id=day.russian.pk
    )
    assert everyone.count() == 12
    # and the school's checking page data shows the expert only its codes
    state = selectors.checking_get(actor=expert, school_id=day.school.pk, work_id=day.russian.pk)
    assert state.personal
    assert sorted(c.code for row in state.classes for c in row.codes) == [
        "10001",
        "10003",
        "20004",
        "30003",
    ]
    assert selectors.expert_of(expert) == experts["Э2"]
    # and it cannot give works itself
    with pytest.raises(School.DoesNotExist):  # out of its actions: nothing in its scope
        services.checking_auto_assign(actor=expert, school_id=day.school.pk, work_id=day.russian.pk)


@pytest.mark.django_db
def test_progress_figures_equal_hand_counts(day: Day) -> None:
    codes = _codes(day)
    experts = _experts(day)
    # given 4А and 4Б's codes given by hand (8 of 12), and none for Mathematics
    for label, expert in (("4А", "Э2"), ("4Б", "Э3")):
        services.checking_assign(
            actor=day.actor,
            school_id=day.school.pk,
            work_id=day.russian.pk,
            expert_id=experts[expert].pk,
            codes=codes[label],
        )
    # when the municipal coordinator reads the progress
    progress = selectors.checking_progress(actor=day.municipal)
    rows = {r.work: r for r in progress.rows if r.school_id == day.school.pk}
    russian = rows[day.russian]
    # then Russian: 3 classes, 12 codes to check, 8 given, 3 experts, window to the deadline
    assert (russian.classes, russian.codes, russian.given, russian.experts) == (3, 12, 8, 3)
    assert (russian.start, russian.last) == (day.date, day.russian.results_upload_deadline)
    assert not russian.all_given
    # and Mathematics (the same classes' codes): 12 codes, none given, no expert of it
    math = rows[day.math]
    assert (math.codes, math.given, math.experts) == (12, 0, 0)
    assert (progress.codes, progress.given, progress.all_given) == (24, 8, 0)
    # and the filter by work narrows to it
    only = selectors.checking_progress(actor=day.municipal, work_id=day.russian.pk)
    assert [r.work for r in only.rows] == [day.russian]


@pytest.mark.django_db
def test_readiness_counts_experts_when_every_code_is_given(day: Day) -> None:
    _codes(day)
    _experts(day)

    def row() -> Any:
        overview = readiness(actor=day.municipal, work_id=day.russian.pk)
        return next(r for r in overview.rows if r.school_id == day.school.pk)

    # given experts who may check every class, but no code given yet: not ready for experts
    assert (row().codes, row().codes_given) == (12, 0)
    assert not row().experts_ok
    # when every code is given
    _auto(day)
    # then the experts column is satisfied
    assert (row().codes, row().codes_given) == (12, 12)
    assert row().experts_ok


@pytest.mark.django_db
def test_the_window_closes_at_the_end_of_the_last_day_of_checking(day: Day) -> None:
    codes = _codes(day)
    experts = _experts(day)
    # given the federal operator set the last day of checking three days after the day
    day.russian.checking_until = day.date + dt.timedelta(days=3)
    day.russian.save(update_fields=["checking_until"])
    cw = day.russian_works["4А"]
    start, last = selectors.checking_window(day.school, day.russian, cw.date)
    assert (start, last) == (day.date, day.date + dt.timedelta(days=3))
    closes = selectors.checking_closes_at(day.school, day.russian, cw.date)
    # then checking is open from the day until the end of that last day, school-local
    assert not selectors.checking_open(
        day.school, day.russian, cw.date, closes - dt.timedelta(days=5)
    )
    assert selectors.checking_open(
        day.school, day.russian, cw.date, closes - dt.timedelta(seconds=1)
    )
    assert not selectors.checking_open(day.school, day.russian, cw.date, closes)
    # and giving works is allowed before the window, refused once it has closed
    assert _auto(day, now=closes - dt.timedelta(days=10)) == 12
    with pytest.raises(DomainError) as refused:
        services.checking_assign(
            actor=day.actor,
            school_id=day.school.pk,
            work_id=day.russian.pk,
            expert_id=experts["Э2"].pk,
            codes=[codes["4Б"][0]],
            now=closes,
        )
    last_text = f"{last:%d.%m.%Y}"
    assert f"последний день проверки — {last_text}" in refused.value.message
    assert "время ОО" in refused.value.message
    # and an empty checking_until falls back to the upload deadline
    day.russian.checking_until = None
    assert selectors.checking_window(day.school, day.russian, cw.date)[1] == (
        day.russian.results_upload_deadline
    )
