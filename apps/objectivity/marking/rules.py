"""The pure rules of marking: which booklets are marked twice, when two marks disagree, and the
final score of a task. No ORM: the services and selectors feed them rows."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

THIRD = 3  # the round of the third marker


@dataclass(frozen=True)
class Mark:
    """One round's mark of a task: ``entered`` False while the marker has not marked it;
    ``score`` None with ``entered`` is «X» (nothing written, counts 0)."""

    entered: bool
    score: int | None = None


@dataclass(frozen=True)
class Final:
    final: bool
    score: int | None = None  # None with final: «X»


PENDING = Final(False)


def double_count(share: int, n: int) -> int:
    """How many of ``n`` booklets are marked twice at ``share``%: round half up."""
    return (share * n + 50) // 100


def draw_double(seed: int | str, booklet_ids: Sequence[int], share: int) -> set[int]:
    """Exactly ``double_count(share, n)`` booklets by a seeded shuffle (replayable)."""
    ids = sorted(booklet_ids)
    rng = random.Random(f"{seed}:{','.join(map(str, ids))}")  # noqa: S311 - replayable
    rng.shuffle(ids)
    return set(ids[: double_count(share, len(ids))])


def discrepant(a: int | None, b: int | None, threshold: int) -> bool:
    """Two marks of a task differ more than ``threshold`` points («X» counts 0)."""
    return abs((a or 0) - (b or 0)) > threshold


def resolve(marks: Mapping[int, Mark], threshold: int) -> Final:
    """The final score of one task from its rounds (round → mark; absent round = no task).

    The third marker's mark when entered; else rounds 1 and 2 within the threshold → their mean
    rounded up (both «X» stay «X»); a single round (not marked twice) → its mark; otherwise
    pending (a round not marked yet, or a discrepancy waiting for the third marker)."""
    third = marks.get(THIRD)
    if third is not None and third.entered:
        return Final(True, third.score)
    first, second = marks.get(1), marks.get(2)
    if first is None:
        return PENDING
    if second is None:
        return Final(True, first.score) if first.entered else PENDING
    if not (first.entered and second.entered):
        return PENDING
    if discrepant(first.score, second.score, threshold):
        return PENDING
    if first.score is None and second.score is None:
        return Final(True, None)
    return Final(True, math.ceil(((first.score or 0) + (second.score or 0)) / 2))


def least_loaded(
    candidates: Sequence[int], load: Mapping[int, int], total: Mapping[int, int] | None = None
) -> int | None:
    """The candidate with the smallest ``load`` (then the smallest ``total``), the earliest in
    ``candidates`` on a tie."""
    best: int | None = None
    best_key: tuple[int, int] = (0, 0)
    for user_id in candidates:
        key = (load.get(user_id, 0), (total or {}).get(user_id, 0))
        if best is None or key < best_key:
            best, best_key = user_id, key
    return best
