"""The pure rules: values, the chain, plans."""

from __future__ import annotations

import pytest

from apps.applications.messages import ChainError
from apps.applications.models import Status
from apps.applications.rules import (
    AppState,
    LineValues,
    RawLine,
    Target,
    WorkRef,
    check_line,
    confirm_target,
    edit_refusal,
    parse_count,
    parse_line,
    plan_school,
    reopen_target,
    submit_target,
)
from apps.core.scoping import Level

RU4 = WorkRef(1, 4, "Русский язык")
WORKS = {RU4.id: RU4}


def _state(status: str | None, previous: str | None = None, **kw: object) -> AppState:
    return AppState(
        school_id=7,
        code="edu100007",
        name="Школа",
        application_id=1 if status else None,
        status=status,
        previous_status=previous,
        lines=kw.get("lines", {}),  # type: ignore[arg-type]
        grades=kw.get("grades", {"4": {"classes": 2, "pupils": 30}}),  # type: ignore[arg-type]
        deadline_passed=bool(kw.get("deadline_passed", False)),
        deadline_text="20.02.2026",
    )


@pytest.mark.parametrize(
    ("raw", "value", "error"),
    [
        (None, 0, ""),
        ("", 0, ""),
        (25, 25, ""),
        (25.0, 25, ""),
        (" 1 200 ", 1200, ""),
        (2.5, 0, "Нужно целое число, а указано 2.5."),
        ("два", 0, "Нужно целое число, а указано «два»."),
        (-3, 0, "Число не может быть отрицательным (указано -3)."),
        ("-3", 0, "Число не может быть отрицательным (указано -3)."),
        ("=A1*2", 0, "Формулы не допускаются: введите число."),
        (5000, 0, "Слишком большое число (5000); допускается не более 2000."),
        (True, 0, "Нужно целое число."),
    ],
)
def test_counts_are_whole_numbers_with_russian_errors(raw: object, value: int, error: str) -> None:
    # given a raw count from a form, a cell or JSON
    # when it is parsed
    # then it is a whole number in range, or a Russian message says why not
    assert parse_count(raw, maximum=2000) == (value, error)


def test_takes_part_accepts_da_net_only() -> None:
    # given «да», «НЕТ», an empty cell and a wrong word
    values = [parse_line(RawLine(raw, 0, 0)) for raw in ("да", "НЕТ", None, "может быть")]
    # then the first three parse, the last is refused in Russian
    assert [v[0].takes_part if v[0] else None for v in values] == [True, False, False, None]
    assert values[3][1] == [
        ("takes_part", "Допустимые значения: «да» или «нет», а указано «может быть».")
    ]


def test_line_rules_use_the_school_profile() -> None:
    # given a grade with 30 pupils in 2 classes (school profile)
    info = {"classes": 2, "pupils": 30}
    # when lines break the rules
    too_many = check_line(LineValues(True, 31, 3), grade=4, grade_info=info)
    declined_with_count = check_line(LineValues(False, 5, 0), grade=4, grade_info=info)
    empty_yes = check_line(LineValues(True, 0, 0), grade=4, grade_info=info)
    more_classes = check_line(LineValues(True, 2, 3), grade=4, grade_info=None)
    # then each problem is named with its field
    assert too_many == [
        (
            "participants",
            "Участников (31) больше, чем обучающихся 4 классов по опросному листу ОО (30).",
        ),
        ("classes", "Классов (3) больше, чем 4 классов в ОО по опросному листу (2)."),
    ]
    assert [f for f, _ in declined_with_count] == ["participants"]
    assert [f for f, _ in empty_yes] == ["participants", "classes"]
    assert more_classes == [("classes", "Классов (3) больше, чем участников (2).")]
    assert check_line(LineValues(True, 30, 2), grade=4, grade_info=info) == []


def test_chain_locks_each_level_below_the_confirmation() -> None:
    # given each status
    # then the school edits only drafts and submitted ones, before its deadline
    assert edit_refusal(Level.SCHOOL, Status.SUBMITTED, deadline_passed=False) is None
    assert edit_refusal(Level.SCHOOL, Status.DRAFT, deadline_passed=True).code == "deadline_passed"
    assert edit_refusal(
        Level.SCHOOL, Status.CONFIRMED_MUNICIPALITY, deadline_passed=False
    ).code == ("locked_municipality")
    # and the municipality until the region confirms; the region always
    assert (
        edit_refusal(Level.MUNICIPALITY, Status.CONFIRMED_MUNICIPALITY, deadline_passed=True)
        is None
    )
    assert edit_refusal(
        Level.MUNICIPALITY, Status.CONFIRMED_REGION, deadline_passed=False
    ).code == ("locked_region")
    assert edit_refusal(Level.REGION, Status.CONFIRMED_REGION, deadline_passed=True) is None


def test_transitions() -> None:
    # submit: only a draft, only before the deadline
    assert submit_target(Status.DRAFT, deadline_passed=False) == Status.SUBMITTED
    assert submit_target(Status.SUBMITTED, deadline_passed=True) is None
    with pytest.raises(ChainError, match="deadline_passed"):
        submit_target(Status.DRAFT, deadline_passed=True)
    # confirm: each coordinator to its own level, a draft too; nothing when already there
    assert confirm_target(Level.MUNICIPALITY, Status.SUBMITTED) == Status.CONFIRMED_MUNICIPALITY
    assert confirm_target(Level.MUNICIPALITY, Status.DRAFT) == Status.CONFIRMED_MUNICIPALITY
    assert confirm_target(Level.MUNICIPALITY, Status.CONFIRMED_REGION) is None
    assert confirm_target(Level.REGION, Status.CONFIRMED_MUNICIPALITY) == Status.CONFIRMED_REGION
    with pytest.raises(ChainError):
        confirm_target(Level.SCHOOL, Status.SUBMITTED)
    # reopen: back to the status before the latest confirmation
    assert reopen_target(Level.MUNICIPALITY, Status.CONFIRMED_MUNICIPALITY, "submitted") == (
        Status.SUBMITTED
    )
    assert reopen_target(Level.MUNICIPALITY, Status.CONFIRMED_MUNICIPALITY, "draft") == Status.DRAFT
    assert reopen_target(Level.REGION, Status.CONFIRMED_REGION, "confirmed_municipality") == (
        Status.CONFIRMED_MUNICIPALITY
    )
    assert reopen_target(Level.REGION, Status.CONFIRMED_REGION, None) == (
        Status.CONFIRMED_MUNICIPALITY
    )
    assert reopen_target(Level.REGION, Status.SUBMITTED, None) is None
    with pytest.raises(ChainError, match="locked_region"):
        reopen_target(Level.MUNICIPALITY, Status.CONFIRMED_REGION, "confirmed_municipality")


def test_plan_lists_changes_and_problems() -> None:
    # given a submitted application taking part with 20 pupils
    state = _state("submitted", lines={1: LineValues(True, 20, 1)})
    # when the same values, then too many participants, are asked for
    same = plan_school(
        state, Target(7, {1: LineValues(True, 20, 1)}), level=Level.SCHOOL, works=WORKS
    )
    bad = plan_school(
        state, Target(7, {1: LineValues(True, 40, 1)}), level=Level.SCHOOL, works=WORKS
    )
    # then the first changes nothing and the second names the field
    assert not same.changed
    assert same.issues == []
    assert [(i.work_id, i.field) for i in bad.issues] == [(1, "participants")]


def test_plan_of_a_coordinator_confirms_or_reopens_by_the_answer() -> None:
    state = _state("submitted")
    confirmed = _state("confirmed_municipality", previous="submitted")
    # when the municipality answers «да» for a submitted and «нет» for a confirmed application
    confirm = plan_school(state, Target(7, confirm=True), level=Level.MUNICIPALITY, works=WORKS)
    reopen = plan_school(confirmed, Target(7, confirm=False), level=Level.MUNICIPALITY, works=WORKS)
    keep = plan_school(confirmed, Target(7, confirm=True), level=Level.MUNICIPALITY, works=WORKS)
    # then it confirms, reopens, or leaves it
    assert (confirm.transition, confirm.status_after) == ("confirm", "confirmed_municipality")
    assert (reopen.transition, reopen.status_after) == ("reopen", "submitted")
    assert not keep.changed


def test_plan_refuses_a_school_upload_to_a_confirmed_application() -> None:
    state = _state("confirmed_municipality", previous="submitted")
    plan = plan_school(
        state, Target(7, {1: LineValues(True, 10, 1)}, submit=True), level=Level.SCHOOL, works=WORKS
    )
    assert plan.issues[0].message.startswith("Заявка подтверждена муниципальным координатором")
    assert plan.transition == ""
