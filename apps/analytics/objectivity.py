"""Objectivity markers of a school × work, computed from aggregate rows only (pure functions).

The exact definitions and thresholds are documented in docs/analytics-objectivity.md; keep the
two in step. A report's cut applies to the markers too: with ``?ovz=`` every figure (the
school's and the region's it is compared with) is that group's; inside a school with
``?class=`` a class is a unit of its own, except for the comparison with the region
(``CLASS_SKIPPED``), which is the school's as a whole.
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
# Not computed for a class: classes of one school may be formed by selection (профильные
# классы), while the exemption of selective schools is decided per school, so a class far above
# the region says nothing the school's own marker does not.
CLASS_SKIPPED = frozenset({"above_region"})
CLASS_NOTE = (
    "Для классов признак «Результаты намного выше региональных» не рассчитывается: классы "
    "внутри ОО могут комплектоваться с отбором (профильные классы), а исключение для гимназий "
    "и лицеев относится к ОО в целом. Этот признак показан в строке ОО."
)
OVZ_NOTE = (
    "Признаки рассчитаны только по участникам группы «{group}»; с регионом "
    "сравниваются участники той же группы. В группах меньше 10 участников (для распределения "
    "баллов — меньше 20) признаки не рассчитываются."
)


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
    agg: Any,
    region: Any | None,
    work: Any,
    columns: list[Any],
    school_type: str,
    *,
    for_class: bool = False,
) -> list[Marker]:
    """Every marker that fires for one school's aggregate (``for_class``: one of its classes,
    without the markers of ``CLASS_SKIPPED``)."""
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
    if for_class:
        return [m for m in found if m.code not in CLASS_SKIPPED]
    return found


def cut_notes(*, classes: bool, ovz_label: str) -> list[str]:
    """What the markers of a cut report leave out (``classes``: class rows are listed;
    ``ovz_label``: the ОВЗ group's name, '' for every participant)."""
    notes = [CLASS_NOTE] if classes else []
    if ovz_label:
        notes.append(OVZ_NOTE.format(group=ovz_label))
    return notes
