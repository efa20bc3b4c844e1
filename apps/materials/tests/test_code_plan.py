"""The issue plan of a grade's codes (``generation.plan_codes``), as properties over random
inputs: no number twice, no code lost, every group gets what it wants, fixed codes never move,
movable ones are re-attached oldest first, and planning again changes nothing."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.materials.generation import CodePlan, IssuedCode, Wanted, plan_codes

GROUPS = (101, 102, 103, 104)


@st.composite
def grades(draw: st.DrawFn) -> tuple[list[IssuedCode], list[Wanted]]:
    """Codes of one grade (numbers unique, with gaps) and what some register classes want."""
    count = draw(st.integers(min_value=0, max_value=40))
    numbers = draw(
        st.lists(
            st.integers(min_value=1, max_value=200), min_size=count, max_size=count, unique=True
        )
    )
    codes = [
        IssuedCode(
            n,
            draw(st.sampled_from((None, *GROUPS))),
            draw(st.booleans()),
            movable=draw(st.booleans()),
        )
        for n in numbers
    ]
    # a movable code belongs to no current group (the service's rule)
    codes = [IssuedCode(c.n, None, c.reserve, True) if c.movable else c for c in codes]
    chosen = draw(st.lists(st.sampled_from(GROUPS), unique=True, max_size=len(GROUPS)))
    wanted = [
        Wanted(
            group,
            draw(st.integers(min_value=0, max_value=15)),
            draw(st.integers(min_value=0, max_value=3)),
        )
        for group in chosen
    ]
    return codes, wanted


def _after(codes: list[IssuedCode], plan: CodePlan) -> list[IssuedCode]:
    """The grade's codes once the plan is applied (attached codes are then fixed)."""
    attached = {n: (group, reserve) for n, group, reserve in plan.attach}
    out = []
    for c in codes:
        if c.n in attached:
            group, reserve = attached[c.n]
            out.append(IssuedCode(c.n, group, reserve, movable=False))
        else:
            out.append(c)
    out += [IssuedCode(n, group, reserve) for n, group, reserve in plan.new]
    return out


@settings(max_examples=300, deadline=None)
@given(grades())
def test_a_plan_keeps_every_code_gives_every_group_its_need_and_repeats_to_nothing(
    grade: tuple[list[IssuedCode], list[Wanted]],
) -> None:
    codes, wanted = grade
    # when the grade's codes are planned
    plan = plan_codes(codes, wanted)
    after = _after(codes, plan)
    # then no number is issued twice, and new numbers come after the grade's highest
    numbers = [c.n for c in after]
    assert len(numbers) == len(set(numbers))
    highest = max((c.n for c in codes), default=0)
    assert [n for n, _, _ in plan.new] == list(range(highest + 1, highest + 1 + len(plan.new)))
    # and no code is lost: each movable code is attached or released, once; fixed ones untouched
    movable = sorted(c.n for c in codes if c.movable)
    attached = [n for n, _, _ in plan.attach]
    assert sorted(attached + list(plan.release)) == movable
    fixed = {c.n for c in codes if not c.movable}
    assert not fixed & set(attached)
    # and each group has exactly what it wants of each kind, or more if its fixed codes exceed it
    held = Counter((c.group, c.reserve) for c in after if not c.movable)
    before = Counter((c.group, c.reserve) for c in codes if not c.movable)
    for w in wanted:
        for kind, count in ((False, w.participants), (True, w.reserve)):
            assert held[(w.group, kind)] == max(count, before[(w.group, kind)]), (w, kind)
    # and new codes are issued only when no movable code was left over
    assert not (plan.new and plan.release)
    # and planning again attaches, releases nothing new and issues nothing
    again = plan_codes(after, wanted)
    assert again.attach == ()
    assert again.new == ()
    assert set(again.release) == set(plan.release)


def test_movable_codes_go_oldest_first_same_kind_first() -> None:
    # given codes 1–6 issued per grade (2 and 5 reserve) and a fixed code 9 of class 101
    codes = [IssuedCode(n, None, n in (2, 5), movable=True) for n in range(1, 7)]
    codes.append(IssuedCode(9, 101, False))
    # when class 101 wants 3 participants and 1 reserve, class 102 two participants and 1 reserve
    plan = plan_codes(codes, [Wanted(101, 3, 1), Wanted(102, 2, 1)])
    # then 101 keeps 9 and takes the oldest participants' codes 1 and 3 and the oldest reserve 2;
    # 102 gets 4 and 6 and reserve 5; nothing is left, nothing new
    assert plan.attach == (
        (1, 101, False),
        (3, 101, False),
        (2, 101, True),
        (4, 102, False),
        (6, 102, False),
        (5, 102, True),
    )
    assert plan.release == ()
    assert plan.new == ()


def test_a_code_of_the_other_kind_fills_a_slot_before_a_new_one_is_issued() -> None:
    # given three reserve codes issued per grade, and a class wanting 2 participants, 1 reserve
    codes = [IssuedCode(n, None, True, movable=True) for n in (1, 2, 3)]
    # when planned
    plan = plan_codes(codes, [Wanted(101, 2, 1)])
    # then the reserve slot takes code 1, the participants' slots codes 2 and 3 (marked so)
    assert sorted(plan.attach) == [(1, 101, True), (2, 101, False), (3, 101, False)]
    assert plan.new == ()


def test_fixed_codes_alone_count_as_before_and_new_ones_follow_the_highest() -> None:
    # given a per-grade issue (groups are class numbers; nothing moves)
    codes = [IssuedCode(n, 1, False) for n in (1, 2, 3)] + [IssuedCode(4, 1, True)]
    # when class 1 now wants 5 and 2 reserve
    plan = plan_codes(codes, [Wanted(1, 5, 2)])
    # then two participants' codes and one reserve code are appended after 4
    assert plan.new == ((5, 1, False), (6, 1, False), (7, 1, True))
    assert plan.attach == ()
    assert plan.release == ()
