"""The assignment of subjects to classes: a pure function of the classes, the pools and a seed.

Rules (docs/classes.md):

* each class of a grade gets ``count`` distinct works from its grade's pool (the ``assigned``
  works; compulsory ones are never in the pool), so no class gets a subject twice;
* within one school and grade the works are spread evenly: after the run their counts differ by
  at most 1;
* across the country each grade's works are spread evenly too: a school picks, among the works
  its own spread allows, those the country has assigned least so far. The national counts of a
  grade then differ by at most ``NATIONAL_SPREAD_BOUND`` (checked by the property tests over
  random and national-size sets);
* the same classes, pools and seed give the same result, whatever order the classes come in.

Schools are visited in an order drawn from the seed, and within a school its classes in id order.
A class added after the run is assigned by ``assign_one`` against the current counts, from a
seed derived from the run's seed and the class id. It keeps its school's spread ≤ 1, which may
force the work the country already has most of: each late class may widen the national spread
by one (the bound holds for the run itself).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Observed ≤ 1 over every generated set; 2 leaves room for pools that do not divide evenly into
# the schools' class counts.
NATIONAL_SPREAD_BOUND = 2


@dataclass(frozen=True)
class ClassRef:
    id: int
    school_id: int
    grade: int


@dataclass(frozen=True)
class GradePool:
    """The works a grade's classes can be assigned and how many each class gets."""

    grade: int
    works: tuple[int, ...]
    count: int

    def usable(self) -> bool:
        return 0 < self.count <= len(set(self.works))


def _pick(
    pool: Sequence[int],
    count: int,
    school: Counter[int],
    national: Counter[int],
    rng: random.Random,
) -> tuple[int, ...]:
    # Least used in the school first, then in the country, ties broken by the seeded draw.
    ranked = sorted(pool, key=lambda w: (school[w], national[w], rng.random()))
    chosen = tuple(sorted(ranked[:count]))
    for work in chosen:
        school[work] += 1
        national[work] += 1
    return chosen


def assign(
    classes: Iterable[ClassRef], pools: Mapping[int, GradePool], seed: int
) -> dict[int, tuple[int, ...]]:
    """Class id → the ids of the works assigned to it (sorted). Classes of a grade without a
    usable pool get nothing."""
    rng = random.Random(seed)  # noqa: S311 - reproducible by design, not a secret
    by_school: dict[tuple[int, int], list[ClassRef]] = defaultdict(list)
    for ref in classes:
        by_school[(ref.grade, ref.school_id)].append(ref)
    national: dict[int, Counter[int]] = defaultdict(Counter)
    result: dict[int, tuple[int, ...]] = {}
    # Only (grade, school) pairs with a usable pool enter the draw, so classes that get nothing
    # never change what the others get.
    usable = {g for g, p in pools.items() if p.usable()}
    keys = sorted(k for k in by_school if k[0] in usable)
    rng.shuffle(keys)
    for grade, school_id in keys:
        pool = pools[grade]
        works = sorted(set(pool.works))
        school: Counter[int] = Counter()
        for ref in sorted(by_school[(grade, school_id)], key=lambda r: r.id):
            result[ref.id] = _pick(works, pool.count, school, national[grade], rng)
    return result


def assign_one(
    ref: ClassRef,
    pool: GradePool,
    *,
    school_counts: Mapping[int, int],
    national_counts: Mapping[int, int],
    seed: int,
) -> tuple[int, ...]:
    """The works of a class added after the run, by the same rules against current counts."""
    if not pool.usable():
        return ()
    rng = random.Random(f"{seed}:{ref.id}")  # noqa: S311 - reproducible by design
    return _pick(
        sorted(set(pool.works)),
        pool.count,
        Counter(school_counts),
        Counter(national_counts),
        rng,
    )


def spread(counts: Mapping[int, int], works: Iterable[int]) -> int:
    """Max − min of the counts over ``works`` (a work never assigned counts 0)."""
    values = [counts.get(w, 0) for w in works]
    return max(values) - min(values) if values else 0
