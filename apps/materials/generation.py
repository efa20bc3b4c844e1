"""Pure composition rules: variants from a seed, variant identifiers, passwords, code plans.

Nothing here reads the database. The same inputs always give the same output, which is what
lets a kit be regenerated exactly from its recorded seed.

Difficulty balance: every item has a difficulty 1–5; a variant's expected difficulty is the sum
over its columns. Within one school the sums of its variants differ by at most
``DIFFICULTY_TOLERANCE`` points (on the 15-column Russian 4 work a sum is 15–75 points, so 2
points is under 3 % of the range), whenever the bank allows it: each column's items are
assigned to the variants largest-difference-first, always giving the harder item to the
lighter variant, and the best of ``ATTEMPTS`` seeded draws is kept. Only when a municipality
runs out of distinct balanced combinations does generation fall back to unbalanced draws;
the kit records that (``Kit.balanced``) so it still regenerates exactly.
"""

from __future__ import annotations

import hashlib
import math
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

DIFFICULTY_TOLERANCE = 2
ATTEMPTS = 24
# Crockford's base32: no I, L, O, U — what is printed can be typed back without ambiguity.
UID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
UID_LENGTH = 10
# Archive passwords: letters and digits a person cannot confuse (no 0/O/o, 1/l/I/i).
PASSWORD_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105
PASSWORD_LENGTH = 14
SEED_BITS = 62

# Participant codes: the first digit tells the grade (as in 40001…40089 for grade 4).
GRADE_PREFIX = {4: 4, 5: 5, 6: 6, 7: 7, 8: 8, 9: 9, 10: 1, 11: 2}
CODES_PER_GRADE = 9999
# Reserve: 10 % of a group, rounded up, at least one per class and two per grade.
RESERVE_SHARE = 0.10
RESERVE_MIN_PER_CLASS = 1
RESERVE_MIN_PER_GRADE = 2


@dataclass(frozen=True)
class PoolItem:
    id: int
    difficulty: int


Pool = tuple[tuple[PoolItem, ...], ...]  # one tuple of items per task column, in form order


@dataclass(frozen=True)
class Composition:
    """K variants: item ids per variant in column order, and their difficulty sums."""

    items: tuple[tuple[int, ...], ...]
    difficulty: tuple[int, ...]

    @property
    def spread(self) -> int:
        return max(self.difficulty) - min(self.difficulty)


def new_seed() -> int:
    return secrets.randbits(SEED_BITS)


def _pick(rng: random.Random, column: tuple[PoolItem, ...], k: int) -> list[PoolItem]:
    if len(column) >= k:
        return rng.sample(column, k)
    # Too few items to differ: cycle through a shuffled copy (the bank import refuses this,
    # but composing stays total).
    order = rng.sample(column, len(column))
    return [order[i % len(order)] for i in range(k)]


def _draw(rng: random.Random, pool: Pool, k: int, *, balance: bool) -> Composition:
    picks = [_pick(rng, column, k) for column in pool]
    assignment: list[list[PoolItem | None]] = [[None] * len(pool) for _ in range(k)]
    totals = [0] * k
    order = list(range(len(pool)))
    if balance:
        # Largest difference first; ties (equal difficulties, equal totals) broken at random,
        # so balanced draws still vary.
        order.sort(
            key=lambda c: (
                -(max(p.difficulty for p in picks[c]) - min(p.difficulty for p in picks[c]))
            )
        )
    for c in order:
        chosen = rng.sample(picks[c], k)
        targets = rng.sample(range(k), k)
        if balance:
            chosen.sort(key=lambda p: -p.difficulty)
            targets.sort(key=lambda v: totals[v])
        for v, item in zip(targets, chosen, strict=True):
            assignment[v][c] = item
            totals[v] += item.difficulty
    items = tuple(tuple(p.id for p in row if p is not None) for row in assignment)
    return Composition(items=items, difficulty=tuple(totals))


def compose(seed: int, pool: Pool, k: int, *, balanced: bool = True) -> Composition:
    """K variants, one item per column, as determined by ``seed``: the best balance of
    ``ATTEMPTS`` draws, or (``balanced=False``, the fallback when a municipality's unique
    combinations run short) the first draw."""
    if k < 1 or not pool or any(not column for column in pool):
        raise ValueError("every column needs at least one item")
    rng = random.Random(seed)  # noqa: S311 - reproducibility, not secrecy: the seed is secret
    best: Composition | None = None
    for _ in range(ATTEMPTS if balanced else 1):
        candidate = _draw(rng, pool, k, balance=balanced)
        if best is None or candidate.spread < best.spread:
            best = candidate
        if best.spread == 0:
            break
    if best is None:  # pragma: no cover - ATTEMPTS > 0
        raise ValueError("no composition")
    return best


def signature(items: Sequence[int]) -> str:
    return hashlib.sha256(",".join(map(str, items)).encode()).hexdigest()


def variant_uid(*, seed: int, work_id: int, school_id: int, number: int) -> str:
    """The global identifier printed on every page, e.g. ``7KQ2M-9XA3B``."""
    digest = hashlib.sha256(f"vpr-variant:{seed}:{work_id}:{school_id}:{number}".encode()).digest()
    value = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(UID_LENGTH):
        value, rest = divmod(value, 32)
        chars.append(UID_ALPHABET[rest])
    raw = "".join(chars)
    return f"{raw[:5]}-{raw[5:]}"


def normalize_uid(value: str) -> str:
    """What a person typed from a page → the stored form (case, spaces, O/0, I/L/1 forgiven)."""
    cleaned = value.upper().translate(str.maketrans("OIL", "011"))
    raw = "".join(ch for ch in cleaned if ch in UID_ALPHABET)
    if len(raw) != UID_LENGTH:
        return ""
    return f"{raw[:5]}-{raw[5:]}"


def new_password() -> str:
    """A random archive password of unambiguous letters and digits (at least one of each)."""
    while True:
        value = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        if (
            any(c.isdigit() for c in value)
            and any(c.isupper() for c in value)
            and any(c.islower() for c in value)
        ):
            return value


@dataclass(frozen=True)
class CodeGroup:
    """How many codes one grade (and class) needs: participants plus reserve."""

    grade: int
    class_number: int | None
    participants: int
    reserve: int

    @property
    def total(self) -> int:
        return self.participants + self.reserve


def code_groups(grade: int, participants: int, classes: int) -> list[CodeGroup]:
    """The code groups of a grade: one per class if classes are given, else one for the grade."""
    if participants <= 0:
        return []
    if classes <= 0:
        reserve = max(RESERVE_MIN_PER_GRADE, math.ceil(participants * RESERVE_SHARE))
        return [CodeGroup(grade, None, participants, reserve)]
    per_class = math.ceil(participants / classes)
    groups = []
    left = participants
    for number in range(1, classes + 1):
        size = min(per_class, left)
        left -= size
        reserve = max(RESERVE_MIN_PER_CLASS, math.ceil(size * RESERVE_SHARE))
        groups.append(CodeGroup(grade, number, size, reserve))
    missing = RESERVE_MIN_PER_GRADE - sum(g.reserve for g in groups)
    if missing > 0:
        first = groups[0]
        groups[0] = CodeGroup(
            grade, first.class_number, first.participants, first.reserve + missing
        )
    return groups


def class_code_groups(grade: int, classes: Sequence[tuple[int, int]]) -> list[CodeGroup]:
    """The code groups of a grade from the school's class register: one per class (its
    «Порядковый номер класса», its participants), each with its reserve, at least two spare
    codes for the grade (added to the first class)."""
    groups = [
        CodeGroup(grade, number, size, max(RESERVE_MIN_PER_CLASS, math.ceil(size * RESERVE_SHARE)))
        for number, size in sorted(classes)
        if size > 0
    ]
    missing = RESERVE_MIN_PER_GRADE - sum(g.reserve for g in groups)
    if groups and missing > 0:
        first = groups[0]
        groups[0] = CodeGroup(
            grade, first.class_number, first.participants, first.reserve + missing
        )
    return groups


@dataclass(frozen=True)
class IssuedCode:
    """An issued code as the issue plan sees it: its number within the grade (``40007`` → 7),
    the group it counts for (a register class, or a class number of a per-grade issue; None:
    none), whether it is a reserve code, and whether it may be re-attached to a group (a code
    of a register grade that belongs to no current class and carries no results)."""

    n: int
    group: int | None
    reserve: bool
    movable: bool = False


@dataclass(frozen=True)
class Wanted:
    """What one group needs: participants' codes and reserve codes."""

    group: int | None
    participants: int
    reserve: int


@dataclass(frozen=True)
class CodePlan:
    """What an issue does to a grade's codes: ``attach`` movable codes to groups (n, group,
    reserve), ``release`` the movable codes no group needs (they stay issued, in no group),
    and issue ``new`` codes (n, group, reserve)."""

    attach: tuple[tuple[int, int | None, bool], ...]
    release: tuple[int, ...]
    new: tuple[tuple[int, int | None, bool], ...]


def plan_codes(codes: Sequence[IssuedCode], wanted: Sequence[Wanted]) -> CodePlan:
    """How a grade's codes meet what its groups want. Codes are never taken back (they may be
    printed): the codes that are not movable stay where they are and count for their group;
    the movable ones fill what the groups still miss, oldest code (lowest number) first, group
    by group in order, a group's participants before its reserve — first with codes of the
    same kind, then with any left (the reserve mark follows the slot); only then are new codes
    appended after the grade's highest number. Planning again after the plan changes nothing."""
    fixed: dict[tuple[int | None, bool], int] = {}
    for code in codes:
        if not code.movable:
            fixed[(code.group, code.reserve)] = fixed.get((code.group, code.reserve), 0) + 1
    slots = [
        (w.group, kind, max(0, count - fixed.get((w.group, kind), 0)))
        for w in wanted
        for kind, count in ((False, w.participants), (True, w.reserve))
    ]
    missing = {(group, kind): count for group, kind, count in slots}
    free = sorted((c for c in codes if c.movable), key=lambda c: c.n)
    attach: list[tuple[int, int | None, bool]] = []
    for same_kind in (True, False):
        for group, kind, _ in slots:
            while missing[(group, kind)] > 0:
                found = next((c for c in free if not same_kind or c.reserve == kind), None)
                if found is None:
                    break
                free.remove(found)
                attach.append((found.n, group, kind))
                missing[(group, kind)] -= 1
    last = max((c.n for c in codes), default=0)
    new: list[tuple[int, int | None, bool]] = []
    for group, kind, _ in slots:
        for _ in range(missing[(group, kind)]):
            last += 1
            new.append((last, group, kind))
    return CodePlan(attach=tuple(attach), release=tuple(c.n for c in free), new=tuple(new))


def code_number(grade: int, n: int) -> str:
    """The n-th code (1-based) of a grade: ``4 0001`` → ``40001``."""
    if not 1 <= n <= CODES_PER_GRADE:
        raise ValueError("a grade has at most 9999 codes")
    return f"{GRADE_PREFIX[grade]}{n:04d}"
