"""Objectivity markers of a school × work, computed from aggregate rows only (pure functions).

The exact definitions and thresholds are documented in docs/analytics-objectivity.md; keep the
two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Minimum sizes below which a marker is not computed (ФИОКО: too small to interpret).
MIN_HISTOGRAM = 20
MIN_GROUP = 10
# 1. A boundary peak: the count at a boundary score is at least PEAK_RATIO times the count just
#    below it and exceeds it by at least PEAK_MIN_EXCESS participants.
PEAK_RATIO = 2.0
PEAK_MIN_EXCESS = 3
# 3. Far above the region: the school's share of «4»+«5» exceeds the region's by this many
#    percentage points, for a school that is not a лицей or гимназия.
ABOVE_REGION_POINTS = 30.0
SELECTIVE_TYPES = frozenset({"gymnasium", "lyceum"})
# 4. Journal gaps: at least this share (%) of participants with a journal mark differ from it
#    by two marks or more, or at least LOWERED_SHARE % got a ВПР mark below the journal mark.
GAP2_SHARE = 10.0
LOWERED_SHARE = 50.0


@dataclass(frozen=True)
class Marker:
    code: str
    label: str
    detail: str


def _pct(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole else 0.0


def boundary_peaks(agg: Any, work: Any) -> list[int]:
    """Boundary scores where the histogram jumps (see PEAK_RATIO, PEAK_MIN_EXCESS)."""
    if agg.participants < MIN_HISTOGRAM:
        return []
    hist = agg.histogram
    found = []
    for b in (work.mark3_from, work.mark4_from, work.mark5_from):
        if 0 < b < len(hist):
            at, below = hist[b], hist[b - 1]
            if at >= PEAK_RATIO * below and at - below >= PEAK_MIN_EXCESS:
                found.append(b)
    return found


def hard_better_than_easy(agg: Any, columns: list[Any]) -> tuple[float, float] | None:
    """(basic %, advanced %) when П/В tasks are done better than Б tasks, else None."""
    if agg.participants < MIN_GROUP:
        return None
    got = {"basic": 0, "advanced": 0}
    top = {"basic": 0, "advanced": 0}
    for j, column in enumerate(columns):
        kind = "basic" if column.difficulty == "Б" else "advanced"
        got[kind] += agg.column_sums[j] if j < len(agg.column_sums) else 0
        top[kind] += column.max_score * agg.participants
    if not top["basic"] or not top["advanced"]:
        return None
    basic, advanced = _pct(got["basic"], top["basic"]), _pct(got["advanced"], top["advanced"])
    return (round(basic, 1), round(advanced, 1)) if advanced > basic else None


def share_45(agg: Any) -> float:
    return _pct(agg.mark4 + agg.mark5, agg.participants)


def markers(
    agg: Any, region: Any | None, work: Any, columns: list[Any], school_type: str
) -> list[Marker]:
    """Every marker that fires for one school's aggregate."""
    found = []
    peaks = boundary_peaks(agg, work)
    if peaks:
        found.append(
            Marker(
                "boundary_peak",
                "Пики на границах шкалы",
                "Баллы: " + ", ".join(str(p) for p in peaks),
            )
        )
    hard = hard_better_than_easy(agg, columns)
    if hard is not None:
        found.append(
            Marker(
                "hard_better",
                "Сложные задания выполнены лучше базовых",
                f"Б: {hard[0]} %, П/В: {hard[1]} %",
            )
        )
    if (
        region is not None
        and agg.participants >= MIN_GROUP
        and school_type not in SELECTIVE_TYPES
        and share_45(agg) - share_45(region) >= ABOVE_REGION_POINTS
    ):
        found.append(
            Marker(
                "above_region",
                "Результаты намного выше региональных",
                f"«4» и «5»: {share_45(agg):.1f} % против {share_45(region):.1f} % по региону",
            )
        )
    base = agg.journal_lower + agg.journal_equal + agg.journal_higher
    if base >= MIN_GROUP and (
        _pct(agg.journal_gap2, base) >= GAP2_SHARE or _pct(agg.journal_lower, base) >= LOWERED_SHARE
    ):
        found.append(
            Marker(
                "journal_gap",
                "Большие расхождения с отметками по журналу",
                f"понизили {_pct(agg.journal_lower, base):.1f} %, "
                f"расхождение на 2+ — {_pct(agg.journal_gap2, base):.1f} %",
            )
        )
    return found
