"""The pure rules of marking: the double-marking draw, discrepancies and final scores."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.objectivity.marking.rules import (
    PENDING,
    Final,
    Mark,
    discrepant,
    double_count,
    draw_double,
    least_loaded,
    resolve,
)

scores = st.one_of(st.none(), st.integers(min_value=0, max_value=6))


def test_double_count_rounds_half_up() -> None:
    # given shares and numbers of booklets counted by hand
    # then the number marked twice is the share rounded half up
    assert double_count(20, 12) == 2  # 2.4
    assert double_count(25, 10) == 3  # 2.5
    assert double_count(0, 50) == 0
    assert double_count(100, 7) == 7


@settings(deadline=None)
@given(st.lists(st.integers(1, 10_000), unique=True, max_size=60), st.integers(0, 100))
def test_draw_double_is_exact_and_replayable(ids: list[int], share: int) -> None:
    # when the same draw is made twice, in any order of ids
    first = draw_double(42, ids, share)
    again = draw_double(42, list(reversed(ids)), share)
    # then it is the same set, of exactly the share, taken from the ids
    assert first == again
    assert len(first) == double_count(share, len(ids))
    assert first <= set(ids)


def test_discrepancy_at_the_threshold_boundary() -> None:
    # a difference equal to the threshold is agreement; one more is a discrepancy
    assert not discrepant(2, 1, 1)
    assert discrepant(2, 0, 1)
    assert discrepant(1, 0, 0)
    assert not discrepant(None, 0, 0)  # «X» counts 0
    assert discrepant(None, 2, 1)


def test_final_score_rules_by_hand() -> None:
    # a single round: its mark; not entered: pending
    assert resolve({1: Mark(True, 3)}, 0) == Final(True, 3)
    assert resolve({1: Mark(False)}, 0) is PENDING
    # two rounds within the threshold: the mean rounded up
    assert resolve({1: Mark(True, 2), 2: Mark(True, 1)}, 1) == Final(True, 2)
    # both «X»: «X»
    assert resolve({1: Mark(True, None), 2: Mark(True, None)}, 0) == Final(True, None)
    # above the threshold: pending until the third marker; then the third's mark
    assert resolve({1: Mark(True, 2), 2: Mark(True, 0)}, 1) is PENDING
    third = {1: Mark(True, 2), 2: Mark(True, 0), 3: Mark(True, 1)}
    assert resolve(third, 1) == Final(True, 1)
    # one of two rounds not marked yet: pending
    assert resolve({1: Mark(True, 2), 2: Mark(False)}, 5) is PENDING
    assert resolve({}, 0) is PENDING


@settings(deadline=None)
@given(scores, scores, st.integers(0, 3))
def test_final_of_two_rounds_lies_between_them(a: int | None, b: int | None, t: int) -> None:
    result = resolve({1: Mark(True, a), 2: Mark(True, b)}, t)
    if discrepant(a, b, t):
        assert result is PENDING
    else:
        # then it is final and between the two marks, the mean rounded up
        assert result.final
        low, high = sorted((a or 0, b or 0))
        assert low <= (result.score or 0) <= high
        if a is not None or b is not None:
            assert result.score == math.ceil(((a or 0) + (b or 0)) / 2)


@settings(deadline=None)
@given(scores, scores, scores, st.integers(0, 3))
def test_third_mark_always_wins(a: int | None, b: int | None, c: int | None, t: int) -> None:
    marks = {1: Mark(True, a), 2: Mark(True, b), 3: Mark(True, c)}
    assert resolve(marks, t) == Final(True, c)


def test_least_loaded_prefers_order_on_ties() -> None:
    assert least_loaded([5, 3, 9], {5: 1, 3: 1, 9: 0}) == 9
    assert least_loaded([5, 3, 9], {}) == 5
    assert least_loaded([], {}) is None


def test_least_loaded_breaks_column_ties_by_total_load() -> None:
    # equal load in the column: the one with less work overall
    assert least_loaded([5, 3, 9], {5: 1, 3: 1, 9: 1}, {5: 4, 3: 2, 9: 3}) == 3
