"""The pure placement rules: the automatic proposal against hand counts, and every refusal of a
placement the school sends."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.schoolday.messages import SchoolDayError, SchoolDayInvalidError
from apps.schoolday.placement import rules
from apps.schoolday.placement.rules import ClassSpec, Move, RoomSpec, Run

ROOMS = [
    RoomSpec(1, "Кабинет 1", 15),
    RoomSpec(2, "Кабинет 2", 26),
    RoomSpec(10, "Кабинет 10", 30, computers=12),
]


def _by_room(runs: list[Run]) -> dict[int, int]:
    found: dict[int, int] = {}
    for run in runs:
        found[run.room_id] = found.get(run.room_id, 0) + run.count
    return found


def test_proposal_keeps_classes_whole_and_splits_the_one_that_fits_nowhere() -> None:
    # given 4А 24, 4Б 22, 4В 18 paper participants and rooms of 15, 26 and 30 seats
    classes = [ClassSpec(101, "4А", 24), ClassSpec(102, "4Б", 22), ClassSpec(103, "4В", 18)]
    # when the proposal is made
    runs = rules.propose(ROOMS, classes)
    # then (by hand) 4А fills «Кабинет 2» best (2 left), 4Б goes to «Кабинет 10» (8 left), and
    # 4В, fitting no room whole, takes «Кабинет 1» (15) and the rest (3) goes to «Кабинет 10»
    assert runs == [
        Run(101, 2, 0, 24),
        Run(102, 10, 0, 22),
        Run(103, 1, 0, 15),
        Run(103, 10, 15, 3),
    ]
    assert _by_room(runs) == {1: 15, 2: 24, 10: 25}
    # and nothing is over a room's seats, every class is whole
    assert rules.check(ROOMS, classes, runs) == []


def test_proposal_puts_computer_classes_only_where_computers_are() -> None:
    # given 4В writing in the computer form (10) and 4А on paper (24)
    classes = [ClassSpec(101, "4А", 24), ClassSpec(103, "4В", 10, computer=True)]
    # when the proposal is made
    runs = rules.propose(ROOMS, classes)
    # then 4В sits in the only room with computers, 4А in the room it fills best
    assert Run(103, 10, 0, 10) in runs
    assert Run(101, 2, 0, 24) in runs
    assert rules.check(ROOMS, classes, runs) == []


def test_proposal_splits_a_computer_class_over_the_computers_only() -> None:
    # given two rooms with computers and a computer class larger than either
    rooms = [RoomSpec(1, "Кабинет 1", 20, computers=8), RoomSpec(2, "Кабинет 2", 20, computers=6)]
    runs = rules.propose(rooms, [ClassSpec(7, "4Г", 13, computer=True)])
    # then it fills the computers (8 + 5), codes in room order
    assert runs == [Run(7, 1, 0, 8), Run(7, 2, 8, 5)]


def test_proposal_refuses_a_class_the_rooms_cannot_seat() -> None:
    # given a computer class of 18 and 12 computers in all
    with pytest.raises(SchoolDayError) as caught:
        rules.propose(ROOMS, [ClassSpec(103, "4В", 18, computer=True)])
    # then the refusal names the class, what it needs and what is free
    assert caught.value.code == "class_no_room"
    assert caught.value.message == (
        "Класс 4В: не хватает мест в аудиториях с компьютерами — нужно 18, свободно 12. "
        "Добавьте аудиторию или распределите участников вручную."
    )


def test_rooms_are_in_natural_order() -> None:
    names = [r.name for r in rules.room_order(ROOMS)]
    assert names == ["Кабинет 1", "Кабинет 2", "Кабинет 10"]


def test_moves_get_offsets_in_the_order_of_each_class() -> None:
    runs = rules.runs_from_moves(
        [Move(5, 2, 10), Move(6, 2, 4), Move(5, 1, 0), Move(5, 10, 8), Move(6, 1, 20)]
    )
    assert runs == [Run(5, 2, 0, 10), Run(6, 2, 0, 4), Run(5, 10, 10, 8), Run(6, 1, 4, 20)]


def _messages(runs: list[Run], classes: list[ClassSpec]) -> list[str]:
    return [p.message for p in rules.check(ROOMS, classes, runs)]


def test_check_names_the_class_whose_places_do_not_add_up() -> None:
    classes = [ClassSpec(101, "4А", 24)]
    assert _messages([Run(101, 2, 0, 20)], classes) == ["класс 4А: рассажено 20 участников из 24"]


def test_check_names_the_room_over_its_seats() -> None:
    classes = [ClassSpec(101, "4А", 24)]
    assert _messages([Run(101, 1, 0, 24)], classes) == [
        "аудитория «Кабинет 1»: 24 участников при 15 местах"
    ]


def test_check_refuses_computer_classes_without_computers_and_over_them() -> None:
    classes = [ClassSpec(103, "4В", 18, computer=True)]
    assert _messages([Run(103, 2, 0, 18)], classes) == [
        "класс 4В пишет работу в компьютерной форме, а в аудитории «Кабинет 2» нет компьютеров"
    ]
    assert _messages([Run(103, 10, 0, 18)], classes) == [
        "аудитория «Кабинет 10»: 18 участников компьютерной формы при 12 компьютерах"
    ]


def test_check_refuses_unknown_rooms_classes_duplicates_and_gaps() -> None:
    classes = [ClassSpec(101, "4А", 24)]
    assert _messages([Run(999, 1, 0, 5)], classes)[0].startswith("класс (работа класса id 999)")
    assert "аудитории (id 77) нет" in _messages([Run(101, 77, 0, 24)], classes)[0]
    assert _messages([Run(101, 2, 0, 12), Run(101, 2, 12, 12)], classes)[0] == (
        "класс 4А указан в аудитории «Кабинет 2» дважды"
    )
    gap = _messages([Run(101, 2, 0, 12), Run(101, 10, 14, 12)], classes)
    assert gap == [
        "класс 4А: части класса должны идти подряд по кодам участников, без пропусков и повторов"
    ]


def test_raise_problems_refuses_with_every_problem_named() -> None:
    problems = rules.check(
        ROOMS, [ClassSpec(101, "4А", 24), ClassSpec(102, "4Б", 22)], [Run(101, 1, 0, 24)]
    )
    with pytest.raises(SchoolDayInvalidError) as caught:
        rules.raise_problems(problems)
    assert caught.value.status == 400
    assert caught.value.message == (
        "Рассадка не сохранена: класс 4Б: рассажено 0 участников из 22; "
        "аудитория «Кабинет 1»: 24 участников при 15 местах."
    )
    assert caught.value.details == [
        {"message": "класс 4Б: рассажено 0 участников из 22", "class_work": 102},
        {"message": "аудитория «Кабинет 1»: 24 участников при 15 местах", "room": 1},
    ]
    # and an empty list refuses nothing
    rules.raise_problems([])


def test_parse_date_takes_both_forms_and_refuses_others() -> None:
    today = timezone.localdate()
    assert rules.parse_date("") is None
    assert rules.parse_date(today.isoformat()) == today
    assert rules.parse_date(today.strftime("%d.%m.%Y")) == today
    with pytest.raises(SchoolDayInvalidError) as caught:
        rules.parse_date("31/01")
    assert caught.value.code == "date_invalid"
