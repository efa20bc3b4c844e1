"""The gap between a school's scores and the commission's (pure computation, no database).

``build_gap_report`` takes, per case school, the school's rows (code → its per-task scores as
the school marked them) and the commission's final rows (code → its per-task final scores), and
compares them participant by participant, matched by code:

* by task (form column): mean school score, mean commission score, their difference and the
  share of participants where the school scored higher;
* by mark («2»..«5»): how many got each mark from the school and from the commission, and the
  transition matrix school mark → commission mark;
* by school: participants compared, mean primary-score difference (school − commission), the
  share of marks lowered and raised by the commission, the case's outcome;
* codes with a scanned booklet but no school row, and codes with a school row but no booklet.

«X» (``None``) counts 0 points, as everywhere in the portal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

MARKS = (2, 3, 4, 5)
Scores = Sequence[int | None]


@dataclass(frozen=True)
class SchoolInput:
    """One case school: its rows and the commission's, each code → per-task scores."""

    school_id: int
    name: str
    outcome: str  # the case's outcome label ('' while open)
    own: Mapping[str, Scores]
    commission: Mapping[str, Scores]


@dataclass(frozen=True)
class TaskGap:
    label: str
    max_score: int
    compared: int
    school_mean: float | None
    commission_mean: float | None
    difference: float | None  # school − commission
    school_higher: float | None  # % of participants where the school scored higher


@dataclass(frozen=True)
class MarkGap:
    mark: int
    school: int
    commission: int


@dataclass(frozen=True)
class SchoolGap:
    school_id: int
    name: str
    outcome: str
    compared: int
    mean_difference: float | None  # mean primary score, school − commission
    lowered: float | None  # % of participants whose mark the commission lowered
    raised: float | None  # % of participants whose mark the commission raised
    lowered_count: int
    raised_count: int


@dataclass(frozen=True)
class Unmatched:
    school_id: int
    name: str
    code: str


@dataclass
class GapReport:
    tasks: list[TaskGap] = field(default_factory=list)
    marks: list[MarkGap] = field(default_factory=list)
    # matrix[school mark][commission mark] = participants (every mark of MARKS on both axes)
    matrix: dict[int, dict[int, int]] = field(default_factory=dict)
    schools: list[SchoolGap] = field(default_factory=list)
    booklet_only: list[Unmatched] = field(default_factory=list)  # a booklet, no school row
    school_only: list[Unmatched] = field(default_factory=list)  # a school row, no booklet
    compared: int = 0

    @property
    def lowered(self) -> int:
        return sum(s.lowered_count for s in self.schools)

    @property
    def raised(self) -> int:
        return sum(s.raised_count for s in self.schools)


def _points(value: int | None) -> int:
    return int(value or 0)


def _mean(total: float, count: int) -> float | None:
    return round(total / count, 2) if count else None


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def build_gap_report(
    *,
    labels: Sequence[str],
    max_scores: Sequence[int],
    mark_for: Callable[[int], int],
    schools: Sequence[SchoolInput],
) -> GapReport:
    """Compare every school's scores with the commission's (see the module's docstring)."""
    columns = len(labels)
    sum_school = [0] * columns
    sum_commission = [0] * columns
    higher = [0] * columns
    counts_school = dict.fromkeys(MARKS, 0)
    counts_commission = dict.fromkeys(MARKS, 0)
    matrix = {m: dict.fromkeys(MARKS, 0) for m in MARKS}
    report = GapReport()
    for school in schools:
        codes = sorted(set(school.own) & set(school.commission))
        report.booklet_only += [
            Unmatched(school.school_id, school.name, c)
            for c in sorted(set(school.commission) - set(school.own))
        ]
        report.school_only += [
            Unmatched(school.school_id, school.name, c)
            for c in sorted(set(school.own) - set(school.commission))
        ]
        difference = 0
        lowered = raised = 0
        for code in codes:
            own = [_points(v) for v in list(school.own[code])[:columns]]
            theirs = [_points(v) for v in list(school.commission[code])[:columns]]
            own += [0] * (columns - len(own))
            theirs += [0] * (columns - len(theirs))
            for j in range(columns):
                sum_school[j] += own[j]
                sum_commission[j] += theirs[j]
                if own[j] > theirs[j]:
                    higher[j] += 1
            own_mark, their_mark = mark_for(sum(own)), mark_for(sum(theirs))
            counts_school[own_mark] += 1
            counts_commission[their_mark] += 1
            matrix[own_mark][their_mark] += 1
            difference += sum(own) - sum(theirs)
            lowered += their_mark < own_mark
            raised += their_mark > own_mark
        report.schools.append(
            SchoolGap(
                school_id=school.school_id,
                name=school.name,
                outcome=school.outcome,
                compared=len(codes),
                mean_difference=_mean(difference, len(codes)),
                lowered=_pct(lowered, len(codes)),
                raised=_pct(raised, len(codes)),
                lowered_count=lowered,
                raised_count=raised,
            )
        )
        report.compared += len(codes)
    n = report.compared
    for j in range(columns):
        school_mean = _mean(sum_school[j], n)
        commission_mean = _mean(sum_commission[j], n)
        report.tasks.append(
            TaskGap(
                label=labels[j],
                max_score=max_scores[j],
                compared=n,
                school_mean=school_mean,
                commission_mean=commission_mean,
                difference=_mean(sum_school[j] - sum_commission[j], n),
                school_higher=_pct(higher[j], n),
            )
        )
    report.marks = [MarkGap(m, counts_school[m], counts_commission[m]) for m in MARKS]
    report.matrix = matrix
    return report
