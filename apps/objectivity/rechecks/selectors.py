"""Reads of the regional re-checks: the candidates of a unit (objectivity markers per school),
the re-checks of a unit and their cases, a case with its comments and scans, what a school is
asked for, the gap report and the results of a unit with and without re-checked schools.

The markers are the analytics' own (``apps.analytics.selectors.objectivity_list``): the
candidates page shows exactly what «Признаки необъективности» shows for the unit.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count

from apps.analytics import selectors as analytics
from apps.analytics.models import WorkAggregate
from apps.campaigns import selectors as campaign_selectors
from apps.campaigns.models import Work
from apps.core.scoping import Level
from apps.materials.models import Kit
from apps.objectivity.actions import ObjectivityActions as Obj
from apps.objectivity.models import Booklet, CaseComment, Review, ReviewCase, ScanBatch
from apps.objectivity.rechecks import report as gap
from apps.objectivity.rechecks.messages import RecheckNotFoundError
from apps.registration.access import A, Actor
from apps.registration.models import Municipality, Region, School
from apps.results.models import ParticipantResult

if TYPE_CHECKING:
    from apps.analytics.objectivity import Marker

STATUSES = ReviewCase.Status
# The names of the objectivity markers (apps/analytics/objectivity.py) a case records by code.
FLAG_LABELS = {
    "boundary_peak": "Пики на границах шкалы",
    "hard_better": "Сложные задания выполнены лучше базовых",
    "above_region": "Результаты намного выше региональных",
    "journal_gap": "Большие расхождения с отметками по журналу",
}


def flag_labels(codes: list[str]) -> list[str]:
    """The Russian names of a case's marker codes (an unknown code as it is)."""
    return [FLAG_LABELS.get(code, code) for code in codes]


UNIT_LEVELS = (Level.REGION, Level.MUNICIPALITY)


def _system() -> Actor:
    # Unit names and the participation of schools the actor already sees (by their ids).
    return Actor.system(reason="objectivity re-checks")


def school_name(school: Any) -> str:
    return str(school.short_name or school.full_name or school.code)


def unit_label(row: Any) -> str:
    """The unit that runs a review: «Муниципалитет …», «Регион …» or the federal organizer."""
    system = _system()
    if row.municipality_id:
        muni = (
            Municipality.objects.for_actor(system, A.VIEW_MUNICIPALITY)
            .filter(pk=row.municipality_id)
            .first()
        )
        return f"муниципалитет «{muni.name}»" if muni else "муниципалитет"
    if row.region_id:
        region = Region.objects.for_actor(system, A.VIEW_REGION).filter(pk=row.region_id).first()
        return f"регион «{region.name}»" if region else "регион"
    return "федеральный организатор"


def work_get(*, actor: Actor, work_id: int) -> Work:
    try:
        return (
            Work.objects.for_actor(actor, A.VIEW_CAMPAIGNS)
            .select_related("subject", "campaign")
            .get(pk=work_id)
        )
    except Work.DoesNotExist as exc:
        raise RecheckNotFoundError("not_found") from exc


def works_for_unit(*, actor: Actor) -> list[Work]:
    """The works the unit's schools take part in (a kit or results), newest campaign first."""
    ids = set(
        Kit.objects.for_actor(actor, A.VIEW_MATERIALS).values_list("work_id", flat=True)
    ) | set(
        ParticipantResult.objects.for_actor(actor, A.VIEW_RESULTS)
        .values_list("work_id", flat=True)
        .distinct()
    )
    return list(
        Work.objects.for_actor(actor, A.VIEW_CAMPAIGNS)
        .filter(pk__in=ids)
        .select_related("subject", "campaign")
        .order_by("-campaign__year", "grade", "subject__name")
    )


def participating_schools(*, actor: Actor, work_id: int) -> list[School]:
    """The unit's schools taking part in the work: with a kit of it or with results."""
    kits = Kit.objects.for_actor(actor, A.VIEW_MATERIALS).filter(work_id=work_id)
    results = ParticipantResult.objects.for_actor(actor, A.VIEW_RESULTS).filter(work_id=work_id)
    ids = set(kits.values_list("school_id", flat=True)) | set(
        results.values_list("school_id", flat=True).distinct()
    )
    return list(School.objects.for_actor(actor, A.VIEW_SCHOOL).filter(pk__in=ids).order_by("code"))


@dataclass
class Candidate:
    school: School
    participants: int  # who wrote the work (0 without results yet)
    markers: list[Marker]
    busy_in: str = ""  # the title of an open re-check of the work the school is already in

    @property
    def flagged(self) -> bool:
        return bool(self.markers)

    @property
    def codes(self) -> list[str]:
        return [m.code for m in self.markers]


@dataclass
class Candidates:
    work: Work
    rows: list[Candidate]
    embargo_until: dt.datetime | None = None
    aggregate_pk: int | None = None  # the unit's objectivity report, to link to

    @property
    def flagged(self) -> list[Candidate]:
        return [c for c in self.rows if c.flagged]

    def markers_of(self) -> dict[int, list[str]]:
        return {c.school.pk: c.codes for c in self.rows}


def _unit_aggregate(actor: Actor, work_id: int) -> WorkAggregate | None:
    scope = actor.scope
    if scope.level not in UNIT_LEVELS:
        return None
    return (
        WorkAggregate.objects.for_actor(actor, A.VIEW_OBJECTIVITY)
        .filter(work_id=work_id, level=scope.level, unit_id=int(scope.anchor_id or 0))
        .first()
    )


def _busy(work_id: int, school_ids: list[int]) -> dict[int, str]:
    rows = ReviewCase.objects.for_actor(_system(), Obj.VIEW_REVIEWS).filter(
        review__work_id=work_id,
        review__kind=Review.Kind.RECHECK,
        review__status=Review.Status.OPEN,
        school_id__in=school_ids,
    )
    return {school_id: title for school_id, title in rows.values_list("school_id", "review__title")}


def candidates(*, actor: Actor, work_id: int) -> Candidates:
    """The unit's schools taking part in the work, with the objectivity markers of each (the
    analytics' list for the unit's aggregate), flagged ones first. Before the unit's reports
    are released the markers are not shown (``embargo_until``): only a random draw is possible."""
    work = work_get(actor=actor, work_id=work_id)
    schools = participating_schools(actor=actor, work_id=work.pk)
    aggregate = _unit_aggregate(actor, work.pk)
    found: dict[int, tuple[int, list[Marker]]] = {}
    embargo = None
    if aggregate is not None:
        report, rows = analytics.objectivity_list(actor=actor, pk=aggregate.pk)
        embargo = report.embargo_until
        for row in rows:
            if not row["is_class"]:
                found[row["aggregate"].unit_id] = (row["aggregate"].participants, row["markers"])
    busy = _busy(work.pk, [s.pk for s in schools])
    result = [
        Candidate(
            school=s,
            participants=found.get(s.pk, (0, []))[0],
            markers=list(found.get(s.pk, (0, []))[1]),
            busy_in=busy.get(s.pk, ""),
        )
        for s in schools
    ]
    result.sort(key=lambda c: (-len(c.markers), c.school.code))
    return Candidates(
        work=work,
        rows=result,
        embargo_until=embargo,
        aggregate_pk=aggregate.pk if aggregate is not None else None,
    )


# --- re-checks and cases ----------------------------------------------------------------------


@dataclass
class RecheckRow:
    review: Review
    unit: str
    counts: dict[str, int]  # case status → cases
    outcomes: dict[str, int]  # outcome → closed cases

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count_list(self) -> list[tuple[str, str, int]]:
        return [(s.value, s.label, self.counts.get(s.value, 0)) for s in STATUSES]


def work_filter_check(*, actor: Actor, work_id: int | None) -> None:
    """A ``?work=`` filter naming no work is a 400 naming the parameter (not the plain list)."""
    campaign_selectors.work_filter_get(actor=actor, work_id=work_id)


def recheck_list(*, actor: Actor, work_id: int | None = None) -> list[RecheckRow]:
    """The re-checks of the actor's unit and of the units below it, with their cases counted by
    status and by outcome."""
    reviews = (
        Review.objects.for_actor(actor, Obj.VIEW_REVIEWS)
        .filter(kind=Review.Kind.RECHECK)
        .select_related("work__subject", "work__campaign")
    )
    if work_id is not None:
        campaign_selectors.work_filter_get(actor=actor, work_id=work_id)  # unknown: 400
        reviews = reviews.filter(work_id=work_id)
    rows = list(reviews[:500])
    counts: dict[int, dict[str, int]] = {r.pk: {} for r in rows}
    outcomes: dict[int, dict[str, int]] = {r.pk: {} for r in rows}
    grouped = (
        ReviewCase.objects.for_actor(_system(), Obj.VIEW_REVIEWS)
        .filter(review_id__in=counts)
        .values("review_id", "status", "outcome")
        .annotate(n=Count("id"))
    )
    for line in grouped:
        by_status = counts[line["review_id"]]
        by_status[line["status"]] = by_status.get(line["status"], 0) + line["n"]
        if line["outcome"]:
            by_outcome = outcomes[line["review_id"]]
            by_outcome[line["outcome"]] = by_outcome.get(line["outcome"], 0) + line["n"]
    labels: dict[tuple[int | None, int | None], str] = {}
    for r in rows:
        key = (r.region_id, r.municipality_id)
        if key not in labels:
            labels[key] = unit_label(r)
    return [
        RecheckRow(r, labels[(r.region_id, r.municipality_id)], counts[r.pk], outcomes[r.pk])
        for r in rows
    ]


def review_get(*, actor: Actor, review_id: int, action: str = Obj.VIEW_REVIEWS) -> Review:
    try:
        return (
            Review.objects.for_actor(actor, action)
            .select_related("work__subject", "work__campaign")
            .get(pk=review_id)
        )
    except Review.DoesNotExist as exc:
        raise RecheckNotFoundError("not_found") from exc


def review_cases(*, review: Review) -> list[ReviewCase]:
    """The cases of a review the caller already may see (the review was read in scope)."""
    return list(
        ReviewCase.objects.for_actor(_system(), Obj.VIEW_REVIEWS)
        .filter(review=review)
        .select_related("school")
        .order_by("school__code")
    )


def case_get(*, actor: Actor, case_id: int, action: str = Obj.VIEW_REVIEWS) -> ReviewCase:
    try:
        return (
            ReviewCase.objects.for_actor(actor, action)
            .select_related("review__work__subject", "review__work__campaign", "school")
            .get(pk=case_id)
        )
    except ReviewCase.DoesNotExist as exc:
        raise RecheckNotFoundError("not_found") from exc


def case_comments(*, actor: Actor, case: ReviewCase) -> list[CaseComment]:
    """The comments of a case the actor sees (a school sees those of its own cases only)."""
    return list(
        CaseComment.objects.for_actor(actor, Obj.VIEW_REVIEWS)
        .filter(case=case)
        .select_related("author")
        .order_by("created_at", "id")
    )


@dataclass
class CaseScans:
    """The school's scans of the work as the case needs them: its latest upload."""

    batch: ScanBatch | None
    booklets: int = 0
    ready: int = 0
    needs_code: int = 0

    @property
    def label(self) -> str:
        if self.batch is None:
            return "сканы не загружены"
        if self.batch.status != ScanBatch.Status.DONE:
            return f"загрузка: {self.batch.get_status_display()}"
        if self.needs_code:
            return f"работ: {self.booklets}, без кода участника: {self.needs_code}"
        return f"работ: {self.booklets}, все готовы к проверке"


def case_scans(*, actor: Actor, case: ReviewCase) -> CaseScans:
    batch = (
        ScanBatch.objects.for_actor(actor, Obj.VIEW_SCANS)
        .filter(school_id=case.school_id, work_id=case.review.work_id)
        .order_by("-created_at", "-id")
        .first()
    )
    if batch is None:
        return CaseScans(batch=None)
    counts = Counter(
        Booklet.objects.for_actor(actor, Obj.VIEW_SCANS)
        .filter(batch=batch)
        .values_list("status", flat=True)
    )
    return CaseScans(
        batch=batch,
        booklets=sum(counts.values()),
        ready=counts.get(Booklet.Status.READY, 0),
        needs_code=counts.get(Booklet.Status.NEEDS_CODE, 0),
    )


def scans_complete(*, school_id: int, work_id: int) -> bool:
    """The school's latest upload of the work has booklets and every one has its code."""
    system = _system()
    batch = (
        ScanBatch.objects.for_actor(system, Obj.VIEW_SCANS)
        .filter(school_id=school_id, work_id=work_id, status=ScanBatch.Status.DONE)
        .order_by("-created_at", "-id")
        .first()
    )
    if batch is None:
        return False
    booklets = Booklet.objects.for_actor(system, Obj.VIEW_SCANS).filter(batch=batch)
    return booklets.exists() and not booklets.filter(status=Booklet.Status.NEEDS_CODE).exists()


@dataclass(frozen=True)
class ScanRequest:
    """What a school is asked for: the scans of a work for a review of some unit."""

    case_id: int
    work: Work
    kind: str
    kind_label: str
    unit_label: str
    status_label: str
    status: str


def requests_for_school(*, actor: Actor) -> list[ScanRequest]:
    """The school's cases in open reviews (scans requested or being checked), for its cabinet:
    the work, the kind of the review, the unit that runs it and the case's status."""
    if actor.scope.level != Level.SCHOOL:
        return []
    cases = (
        ReviewCase.objects.for_actor(actor, Obj.VIEW_REVIEWS)
        .filter(review__status=Review.Status.OPEN)
        .exclude(status=STATUSES.CLOSED)
        .select_related("review__work__subject", "review__work__campaign")
        .order_by("-created_at", "-id")
    )
    return [
        ScanRequest(
            case_id=c.pk,
            work=c.review.work,
            kind=c.review.kind,
            kind_label=c.review.get_kind_display(),
            unit_label=unit_label(c.review),
            status_label=c.get_status_display(),
            status=c.status,
        )
        for c in cases
    ]


def school_cases(*, actor: Actor) -> list[ReviewCase]:
    """Every case of the actor's school (its page of re-checks), newest first."""
    return list(
        ReviewCase.objects.for_actor(actor, Obj.VIEW_REVIEWS)
        .select_related("review__work__subject", "review__work__campaign")
        .order_by("-created_at", "-id")
    )


# --- the gap report ---------------------------------------------------------------------------


@dataclass
class GapReportPage:
    review: Review
    report: gap.GapReport
    columns: list[Any] = field(default_factory=list)


def _school_scores(row: ParticipantResult) -> list[int | None]:
    """The school's own marking of a participant: its own scores when federal scores replaced
    them as the official ones, else the official (its own) scores."""
    return list(row.own_scores if row.own_scores is not None else row.scores)


def gap_report(*, actor: Actor, review_id: int) -> GapReportPage:
    """The gap between each case school's own scores and the commission's final scores of the
    review (by task, by mark, by school; codes found on one side only)."""
    from apps.objectivity.marking.selectors import booklet_results

    review = review_get(actor=actor, review_id=review_id, action=Obj.VIEW_RECHECK_REPORT)
    work = review.work
    columns = list(work.columns.order_by("position"))
    inputs = []
    for case in review_cases(review=review):
        own = {
            r.code: _school_scores(r)
            for r in ParticipantResult.objects.for_actor(actor, A.VIEW_RESULTS).filter(
                work_id=work.pk, school_id=case.school_id, absent=False
            )
        }
        commission = {
            b.code: list(b.scores)
            for b in booklet_results(review=review, school_id=case.school_id)
            if b.final and b.code
        }
        inputs.append(
            gap.SchoolInput(
                school_id=case.school_id,
                name=school_name(case.school),
                outcome=case.get_outcome_display() if case.outcome else "",
                own=own,
                commission=commission,
            )
        )
    built = gap.build_gap_report(
        labels=[c.label for c in columns],
        max_scores=[c.max_score for c in columns],
        mark_for=work.mark_for,
        schools=inputs,
    )
    return GapReportPage(review=review, report=built, columns=columns)


# --- results with and without re-checked schools ----------------------------------------------

WITHOUT_NOT_CONFIRMED = "not_confirmed"
WITHOUT_RECHECKED = "rechecked"
VARIANTS = {
    "": "Все ОО",
    WITHOUT_NOT_CONFIRMED: "Без ОО, результаты которых не подтверждены перепроверкой",
    WITHOUT_RECHECKED: "Без ОО на перепроверке",
}


def excluded_schools(*, work_id: int, region_id: int | None, variant: str) -> set[int]:
    """The schools a «without» variant leaves out: those with a re-check case of the work whose
    outcome is «не подтверждены» (``not_confirmed``), or every school with a re-check case of
    the work (``rechecked``), in the region of the report."""
    if variant not in (WITHOUT_NOT_CONFIRMED, WITHOUT_RECHECKED):
        return set()
    cases = ReviewCase.objects.for_actor(_system(), Obj.VIEW_REVIEWS).filter(
        review__work_id=work_id, review__kind=Review.Kind.RECHECK
    )
    if region_id is not None:
        cases = cases.filter(region_id=region_id)
    if variant == WITHOUT_NOT_CONFIRMED:
        cases = cases.filter(outcome=ReviewCase.Outcome.NOT_CONFIRMED)
    return set(cases.values_list("school_id", flat=True))


@dataclass
class WithWithout:
    report: analytics.Report
    variants: list[dict[str, Any]]  # each: key, label, excluded (count), table (marks rows)


def results_with_without(*, actor: Actor, pk: int) -> WithWithout:
    """The marks distribution of a unit's aggregate (``analytics.marks_table``): as published,
    without the schools whose results a re-check did not confirm, and without every re-checked
    school. The «without» rows are summed from the school aggregates of the unit minus those
    schools (``analytics.report_get(exclude_school_ids=...)``)."""
    report = analytics.report_get(actor=actor, pk=pk)
    variants = []
    for key, label in VARIANTS.items():
        excluded = excluded_schools(
            work_id=report.aggregate.work_id,
            region_id=report.aggregate.region_id,
            variant=key,
        )
        shown = (
            report
            if not excluded
            else analytics.report_get(actor=actor, pk=pk, exclude_school_ids=frozenset(excluded))
        )
        variants.append(
            {
                "key": key,
                "label": label,
                "excluded": len(excluded),
                "table": analytics.marks_table(shown) if shown.embargo_until is None else [],
            }
        )
    return WithWithout(report=report, variants=variants)


def case_counts(*, review: Review) -> dict[str, int]:
    rows = (
        ReviewCase.objects.for_actor(_system(), Obj.VIEW_REVIEWS)
        .filter(review=review)
        .values("status")
        .annotate(n=Count("id"))
    )
    return {r["status"]: r["n"] for r in rows}


def results_aggregate_pk(*, actor: Actor, work_id: int) -> int | None:
    """The actor's own unit's aggregate of the work (its «with and without» page), if any."""
    scope = actor.scope
    found = (
        WorkAggregate.objects.for_actor(actor, A.VIEW_ANALYTICS)
        .filter(work_id=work_id, level=scope.level, unit_id=scope.anchor_id or 0)
        .values_list("pk", flat=True)
        .first()
    )
    return int(found) if found is not None else None


def cases_from_above(*, actor: Actor) -> list[ReviewCase]:
    """The cases of the actor's schools in re-checks opened above its unit (a municipality's
    schools in its region's re-checks): the municipality follows them, the region decides."""
    scope = actor.scope
    if scope.level != Level.MUNICIPALITY:
        return []
    return list(
        ReviewCase.objects.for_actor(actor, Obj.VIEW_REVIEWS)
        .filter(review__kind=Review.Kind.RECHECK)
        .exclude(review__municipality_id=scope.municipality_id)
        .select_related("review__work__subject", "review__work__campaign", "school")
        .order_by("-created_at", "school__code")[:500]
    )


def review_visible(*, actor: Actor, review_id: int) -> bool:
    return Review.objects.for_actor(actor, Obj.VIEW_REVIEWS).filter(pk=review_id).exists()
