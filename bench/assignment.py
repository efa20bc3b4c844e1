"""Time the national assignment of subjects to classes (``apps.classes.assignment.algorithm``).

A pure function, so no database: generates the country's classes in memory, runs ``assign``
once with the 2026 pools and prints the figures. Issue 15 target: a national run under a minute.

Generator (deterministic, ``random.Random(--data-seed)``): ``--schools`` schools (default
40,000); for each school and each 2026 grade (4, 5, 6, 7, 8, 10) 0, 1, 2 or 3 classes with
weights 1 : 3 : 4 : 2 (1.7 classes per grade, ~10.2 per school, ~408,000 classes); class ids
1..N in generation order. Pools: grade 4 three works, one each; grades 5, 6 and 10 six works,
grades 7 and 8 seven works, two each (the 2026 shape; seven does not divide evenly by two).

    .venv/bin/python bench/assignment.py
    .venv/bin/python bench/assignment.py --schools 4000 --seed 7
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apps.classes.assignment.algorithm import (  # noqa: E402 - after the path setup
    NATIONAL_SPREAD_BOUND,
    ClassRef,
    GradePool,
    assign,
    spread,
)

TARGET_SECONDS = 60.0
GRADES = (4, 5, 6, 7, 8, 10)
POOLS = {
    4: GradePool(4, (401, 402, 403), 1),
    5: GradePool(5, tuple(range(501, 507)), 2),
    6: GradePool(6, tuple(range(601, 607)), 2),
    7: GradePool(7, tuple(range(701, 708)), 2),
    8: GradePool(8, tuple(range(801, 808)), 2),
    10: GradePool(10, tuple(range(1001, 1007)), 2),
}


def generate(schools: int, seed: int) -> list[ClassRef]:
    rng = random.Random(seed)
    classes: list[ClassRef] = []
    for school_id in range(1, schools + 1):
        for grade in GRADES:
            (n,) = rng.choices((0, 1, 2, 3), weights=(1, 3, 4, 2))
            for _ in range(n):
                classes.append(ClassRef(len(classes) + 1, school_id, grade))
    return classes


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=987_654_321, help="the run's seed")
    parser.add_argument("--data-seed", type=int, default=15, help="the generator's seed")
    args = parser.parse_args()

    load_before = _load()
    start = time.perf_counter()
    classes = generate(args.schools, args.data_seed)
    generated = time.perf_counter() - start

    wall = time.perf_counter()
    cpu = time.process_time()
    result = assign(classes, POOLS, args.seed)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    load_after = _load()

    national: dict[int, Counter[int]] = defaultdict(Counter)
    school: dict[tuple[int, int], Counter[int]] = defaultdict(Counter)
    for ref in classes:
        national[ref.grade].update(result[ref.id])
        school[(ref.school_id, ref.grade)].update(result[ref.id])
    school_worst: Counter[int] = Counter()
    for (_, grade), counts in school.items():
        school_worst[grade] = max(school_worst[grade], spread(counts, POOLS[grade].works))
    per_grade = Counter(ref.grade for ref in classes)

    print(
        f"schools:             {args.schools:,} (data seed {args.data_seed}, run seed {args.seed})"
    )
    print(f"classes:             {len(classes):,} ({len(classes) / args.schools:.1f} per school)")
    print(f"generate (memory):   {generated:7.2f} s (not part of the run)")
    print(f"assign wall time:    {wall:7.2f} s ({len(classes) / wall:,.0f} classes/s)")
    print(f"assign CPU time:     {cpu:7.2f} s")
    print(f"load average:        {load_before} before, {load_after} after (1/5/15 min)")
    print("grade  classes  works×count  national counts (min–max)  spread  school spread (max)")
    for grade in GRADES:
        pool = POOLS[grade]
        counts = [national[grade][w] for w in pool.works]
        print(
            f"{grade:>5}  {per_grade[grade]:>7,}  {len(pool.works):>5} × {pool.count}"
            f"  {min(counts):>12,} – {max(counts):<10,}"
            f"  {spread(national[grade], pool.works):>6}  {school_worst[grade]:>19}"
        )
    worst = max(spread(national[g], POOLS[g].works) for g in GRADES)
    rules = (
        "holds" if worst <= NATIONAL_SPREAD_BOUND and max(school_worst.values()) <= 1 else "BROKEN"
    )
    print(f"spread bounds (national ≤ {NATIONAL_SPREAD_BOUND}, school ≤ 1): {rules}")
    verdict = "meets" if wall < TARGET_SECONDS else "misses"
    print(f"target: a national run under {TARGET_SECONDS:.0f} s wall time — {verdict}")


if __name__ == "__main__":
    main()
