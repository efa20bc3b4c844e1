"""The assignment on the demo's national set: every active school of the national country (СПО
aside) with the register ``seed_demo --size national`` writes for it, built from the demo's own
generators without a database (``country`` + ``iter_schools`` + ``register_inputs``), assigned
with the demo's seed. The same seed gives the same result, every rule of the algorithm holds
(``assert_every_rule`` of the algorithm's tests), the national spread stays within the bound the
algorithm states, and classes added after the run keep their school's spread.

It lives with the demo: no production app may import ``apps.demo`` (import-linter), and the
algorithm's own random and national-shaped sets stay in ``apps/classes/tests/assignment/``.
The time of a run (not asserted here) is measured by ``bench/assignment.py``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import cache

import pytest

from apps.classes.assignment.algorithm import (
    NATIONAL_SPREAD_BOUND,
    ClassRef,
    GradePool,
    assign,
    assign_one,
    spread,
)
from apps.classes.tests.assignment.test_algorithm import POOLS_2026, assert_every_rule
from apps.demo.campaigns import ASSIGNED_PER_CLASS, STRUCTURES, participation_of
from apps.demo.classes import DEMO_SEED, register_inputs
from apps.demo.country import NATIONAL, country, iter_schools
from apps.registration.constants import SchoolStatus, SchoolType


@cache
def demo_national_classes() -> tuple[ClassRef, ...]:
    """The demo's national classes: schools numbered in the generator's order, classes 1..N in
    the order ``seed_demo`` creates them (the current campaign's grades)."""
    grades = set(ASSIGNED_PER_CLASS)
    classes: list[ClassRef] = []
    school_id = 0
    for part in country(NATIONAL):
        for _plan, row in iter_schools(part):
            if row.status != SchoolStatus.ACTIVE or row.school_type == SchoolType.COLLEGE:
                continue
            school_id += 1
            for data in register_inputs(row.code, row.school_type, grades):
                classes.append(ClassRef(len(classes) + 1, school_id, data.grade))
    return tuple(classes)


def demo_pools() -> dict[int, GradePool]:
    """The demo campaign's own pools (its assigned works per grade; ids by their order)."""
    works: dict[int, list[int]] = defaultdict(list)
    for i, (subject, grade) in enumerate(sorted(STRUCTURES), start=1):
        if participation_of(subject, grade) != "compulsory":
            works[grade].append(i)
    return {g: GradePool(g, tuple(works[g]), n) for g, n in ASSIGNED_PER_CLASS.items()}


def test_the_demo_national_set_is_national_size() -> None:
    classes = demo_national_classes()
    # ~40,000 schools with ~10 classes each, every grade of the current campaign present
    schools = Counter(c.school_id for c in classes)
    assert len(schools) > 38_000
    assert len(classes) > 380_000
    assert 8 < len(classes) / len(schools) < 12
    assert {c.grade for c in classes} == set(ASSIGNED_PER_CLASS)


@pytest.mark.parametrize(
    "pools", [POOLS_2026, demo_pools()], ids=["pools 2026", "pools of the demo campaign"]
)
def test_the_demo_national_assignment_keeps_every_rule(pools: dict[int, GradePool]) -> None:
    # given the demo's national classes
    classes = list(demo_national_classes())
    # when the run is made with the demo's seed, and again from the classes in reverse order
    result = assign(classes, pools, DEMO_SEED)
    again = assign(reversed(classes), pools, DEMO_SEED)
    # then the same seed gives the same result
    assert again == result
    # and every rule holds: count distinct works of the pool per class, school spread ≤ 1,
    # national spread ≤ NATIONAL_SPREAD_BOUND
    assert_every_rule(classes, pools, result)
    national: dict[int, Counter[int]] = defaultdict(Counter)
    grade7: dict[int, Counter[int]] = defaultdict(Counter)
    for ref in classes:
        national[ref.grade].update(result[ref.id])
        if ref.grade == 7:
            grade7[ref.school_id].update(result[ref.id])
    for grade, pool in pools.items():
        # every work of a pool is used, the national counts within the stated bound
        assert set(national[grade]) == set(pool.works), grade
        assert spread(national[grade], pool.works) <= NATIONAL_SPREAD_BOUND, grade
    # and classes added after the run (one 7th class in each of the first 50 schools) keep their
    # school's spread ≤ 1 and the country's within the bound plus one per late class
    pool7 = pools[7]
    for school_id in range(1, 51):
        ref = ClassRef(10**7 + school_id, school_id, 7)
        works = assign_one(
            ref, pool7, school_counts=grade7[school_id], national_counts=national[7], seed=DEMO_SEED
        )
        assert len(set(works)) == pool7.count
        grade7[school_id].update(works)
        national[7].update(works)
        assert spread(grade7[school_id], pool7.works) <= 1
    assert spread(national[7], pool7.works) <= NATIONAL_SPREAD_BOUND + 50
