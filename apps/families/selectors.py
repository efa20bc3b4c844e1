"""Reads of the families app: a school's works with accepted results and their classes, the
slips of a work (numbers read through the analytics selectors, never recomputed), the marks
that families were informed, and the coordinators' overview.

The slips' numbers are the school's individual results (Ф1: ``analytics.individual_list``);
the class's and the region's completion per task are the «Выполнение заданий» report (Ф4:
``analytics.report_get`` cut by class, ``analytics.tasks_table``), embargoed like the report
until the results release instant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from apps.analytics import selectors as analytics
from apps.analytics.models import WorkAggregate
from apps.campaigns import selectors as campaigns
from apps.campaigns.models import Campaign, Work
from apps.core import instants
from apps.core.params import unknown_id
from apps.core.scoping import Level
from apps.families import pdf
from apps.families.messages import FamiliesError, FamiliesInvalidError
from apps.families.models import FamiliesInformed
from apps.registration.access import A, Actor
from apps.registration.models import School
from apps.results.models import ParticipantResult, ResultSheet

# The overview lists at most this many schools of a work (those with the fewest classes marked
# first); the totals above the list count them all.
OVERVIEW_ROWS = 300


def school_get(*, actor: Actor, school_id: int, action: str = A.PRINT_SLIPS) -> School:
    """The school (School.DoesNotExist outside the actor's scope or without the action)."""
    return (
        School.objects.for_actor(actor, action)
        .select_related("municipality", "region")
        .get(pk=school_id)
    )


def sheet_get(*, actor: Actor, sheet_id: int, action: str = A.PRINT_SLIPS) -> ResultSheet:
    """A school's results of one work (ResultSheet.DoesNotExist outside the actor's scope)."""
    return (
        ResultSheet.objects.for_actor(actor, action)
        .select_related("school", "work__subject", "work__campaign")
        .get(pk=sheet_id)
    )


def accepted(sheet: ResultSheet) -> None:
    """Refuse (409) a sheet without an accepted version: nothing to print or to tell yet."""
    if sheet.current_version_id is None:
        raise FamiliesError("results_not_accepted")


# --- the school's page -----------------------------------------------------------------------


@dataclass
class ClassLine:
    """A class of a work's accepted results: participants who wrote it (slips), absent codes,
    and the mark that its families were informed."""

    number: int | None
    label: str
    slips: int = 0
    absent: int = 0
    informed: FamiliesInformed | None = None
    undoable: bool = False  # the mark was made today (school-local): it may be withdrawn


@dataclass
class WorkLine:
    """A work of the school with accepted results, and its classes."""

    sheet: ResultSheet
    classes: list[ClassLine] = field(default_factory=list)

    @property
    def work(self) -> Work:
        return self.sheet.work

    @property
    def slips(self) -> int:
        return sum(c.slips for c in self.classes)

    @property
    def informed(self) -> int:
        return sum(1 for c in self.classes if c.informed is not None)

    @property
    def markable(self) -> int:
        return sum(1 for c in self.classes if c.number is not None)


def school_works(*, actor: Actor, school: School, campaign: Campaign | None) -> list[WorkLine]:
    """The school's works of the campaign with accepted results, each with its classes (by the
    results' «Порядковый номер класса»: slips, absent, informed). Four queries."""
    if campaign is None:
        return []
    sheets = list(
        ResultSheet.objects.for_actor(actor, A.PRINT_SLIPS)
        .filter(school_id=school.pk, work__campaign=campaign, current_version__isnull=False)
        .select_related("work__subject", "work__campaign", "current_version")
        .order_by("work__grade", "work__subject__name")
    )
    if not sheets:
        return []
    counts = (
        ParticipantResult.objects.for_actor(actor, A.VIEW_INDIVIDUAL_RESULTS)
        .filter(school_id=school.pk, sheet__in=sheets)
        .order_by()
        .values("sheet_id", "class_number")
        .annotate(
            slips=Count("pk", filter=Q(absent=False)), absent=Count("pk", filter=Q(absent=True))
        )
    )
    marks = {
        (m.work_id, m.class_number): m
        for m in FamiliesInformed.objects.for_actor(actor, A.VIEW_INFORMED)
        .filter(school_id=school.pk, work__campaign=campaign)
        .select_related("informed_by")
    }
    labels = _labels(school.pk, campaign.pk, {s.work.grade for s in sheets})
    by_sheet: dict[int, dict[int | None, ClassLine]] = {s.pk: {} for s in sheets}
    grade_of = {s.pk: s.work.grade for s in sheets}
    work_of = {s.pk: s.work_id for s in sheets}
    today = instants.today_at(school)
    for row in counts:
        number = row["class_number"]
        mark = marks.get((work_of[row["sheet_id"]], number)) if number else None
        line = ClassLine(
            number=number,
            label=analytics.class_label(number, labels.get(grade_of[row["sheet_id"]], {})),
            slips=row["slips"],
            absent=row["absent"],
            informed=mark,
            undoable=mark is not None and instants.local_date(mark.informed_at, school) == today,
        )
        by_sheet[row["sheet_id"]][number] = line
    out = []
    for sheet in sheets:
        classes = by_sheet[sheet.pk]
        ordered = sorted(classes, key=lambda n: (n is None, n or 0))
        out.append(WorkLine(sheet=sheet, classes=[classes[n] for n in ordered]))
    return out


def _labels(school_id: int, campaign_id: int, grades: set[int]) -> dict[int, dict[int, str]]:
    """grade → «Порядковый номер класса» → «4А» from the school's register."""
    return {
        grade: analytics.class_labels(school_id=school_id, campaign_id=campaign_id, grade=grade)
        for grade in sorted(grades)
    }


def informed_list(*, actor: Actor, sheet: ResultSheet) -> QuerySet[FamiliesInformed]:
    """The marks that families were informed of one school × work, by class."""
    return (
        FamiliesInformed.objects.for_actor(actor, A.VIEW_INFORMED)
        .filter(school_id=sheet.school_id, work_id=sheet.work_id)
        .select_related("informed_by")
        .order_by("class_number")
    )


def informed_get(*, actor: Actor, informed_id: int, action: str) -> FamiliesInformed:
    return (
        FamiliesInformed.objects.for_actor(actor, action)
        .select_related("school", "work")
        .get(pk=informed_id)
    )


# --- the slips ---------------------------------------------------------------------------------


def _school_aggregate(actor: Actor, sheet: ResultSheet) -> WorkAggregate:
    """The school's aggregate of the work: the unit the analytics reports (Ф1, Ф4) are read
    from. It appears once the upload's statistics job has run (409 until then)."""
    found = (
        WorkAggregate.objects.for_actor(actor, A.VIEW_INDIVIDUAL_RESULTS)
        .filter(work_id=sheet.work_id, level=Level.SCHOOL, unit_id=sheet.school_id)
        .select_related("work__subject", "work__campaign")
        .first()
    )
    if found is None:
        raise FamiliesError("results_processing")
    return found


@dataclass(frozen=True)
class Percents:
    """Ф4 «Выполнение заданий» of the school's classes and its region, per task; or when the
    report opens (``embargo_until``) while it is closed."""

    by_class: dict[int | None, tuple[float | None, ...]]
    region: tuple[float | None, ...]
    embargo_until: dt.datetime | None


def task_percents(
    *, actor: Actor, aggregate: WorkAggregate, class_number: int | None = None
) -> Percents:
    """The class cut of Ф4 (``?class=N``, or ``?class=all`` for every class at once: the same
    rows, computed by the same code) and its region row."""
    cut = analytics.Slice(classes=str(class_number) if class_number else analytics.ALL_CLASSES)
    report = analytics.report_get(actor=actor, pk=aggregate.pk, slice=cut)
    if report.embargo_until is not None:
        return Percents(by_class={}, region=(), embargo_until=report.embargo_until)
    table = analytics.tasks_table(report)

    def column(i: int) -> tuple[float | None, ...]:
        return tuple(line["cells"][i]["value"] for line in table)

    by_class = {row.class_number: column(i) for i, row in enumerate(report.rows) if row.is_class}
    region = next(
        (i for i, r in enumerate(report.rows) if r.level == Level.REGION and not r.is_class), None
    )
    return Percents(
        by_class=by_class,
        region=column(region) if region is not None else (),
        embargo_until=None,
    )


def slips_document(
    *, actor: Actor, sheet: ResultSheet, class_number: int | None = None
) -> pdf.SlipsDoc:
    """The slips of a school's accepted results of one work (one class with ``class_number``),
    per class in class order, as the PDF draws them. Scores, primary score and mark are the
    school's Ф1 rows; the percentages the Ф4 class cut and the region (after the release)."""
    accepted(sheet)
    aggregate = _school_aggregate(actor, sheet)
    work = aggregate.work
    cut = analytics.Slice(classes=str(class_number) if class_number else "")
    results = analytics.individual_list(actor=actor, aggregate=aggregate, slice=cut)
    if class_number is not None and not results:
        raise FamiliesInvalidError("class_not_in_results", number=class_number)
    percents = task_percents(actor=actor, aggregate=aggregate, class_number=class_number)
    labels = analytics.class_labels(
        school_id=sheet.school_id, campaign_id=work.campaign_id, grade=work.grade
    )
    groups: dict[int | None, list[Any]] = {}
    for result in results:
        groups.setdefault(result.class_number, []).append(result)
    blocks = []
    for number in sorted(groups, key=lambda n: (n is None, n or 0)):
        rows = groups[number]
        blocks.append(
            pdf.ClassBlock(
                label=analytics.class_label(number, labels),
                slips=tuple(
                    pdf.Slip(
                        code=r.code,
                        scores=tuple(r.scores),
                        primary_score=int(r.primary_score or 0),
                        mark=int(r.mark or 0),
                    )
                    for r in rows
                    if not r.absent
                ),
                absent=tuple(r.code for r in rows if r.absent),
                percents=percents.by_class.get(number, ()),
            )
        )
    school = sheet.school
    return pdf.SlipsDoc(
        school=school.short_name or school.full_name,
        campaign=work.campaign.label,
        subject=work.subject.name,
        grade=work.grade,
        max_score=work.max_score,
        tasks=tuple(pdf.Task(c.label, c.max_score) for c in work.columns.all()),
        classes=tuple(blocks),
        region_percents=percents.region,
        released=percents.embargo_until is None,
        pending=(
            ""
            if percents.embargo_until is None
            else f"будет доступно после {instants.format_instant(percents.embargo_until, school)}"
        ),
    )


# --- the overview of the levels above the schools ---------------------------------------------


@dataclass(frozen=True)
class OverviewRow:
    """One school × work: classes with results and classes whose families were informed."""

    school: School
    classes: int
    informed: int
    last_informed_at: dt.datetime | None


@dataclass(frozen=True)
class Overview:
    """The schools of a work in the actor's scope with accepted results (``rows`` cut to
    ``OVERVIEW_ROWS``, the fewest marks first) and the totals over all of them."""

    work: Work | None
    rows: list[OverviewRow]
    schools: int  # with accepted results
    schools_informed: int  # with at least one class marked
    classes_informed: int


def overview_works(*, actor: Actor, campaign: Campaign | None) -> list[Work]:
    """The works of the campaign with accepted results somewhere in the actor's scope."""
    if campaign is None:
        return []
    ids = (
        ResultSheet.objects.for_actor(actor, A.VIEW_INFORMED)
        .filter(work__campaign=campaign, current_version__isnull=False)
        .values("work_id")
    )
    return list(campaigns.work_list(actor=actor, campaign_id=campaign.pk).filter(pk__in=ids))


def overview_work(
    *, actor: Actor, campaign: Campaign | None, works: list[Work], work_id: int | None
) -> Work | None:
    """The work the overview shows: ``work_id`` (a work of the campaign, with results or not;
    any other id is a 400 naming ``work``), else the first work with results."""
    if work_id is None:
        return works[0] if works else None
    found = next((w for w in works if w.pk == work_id), None)
    if found is not None:
        return found
    if campaign is None:
        raise unknown_id("work", work_id, "работы")
    return campaigns.work_filter_get(actor=actor, work_id=work_id, campaign_id=campaign.pk)


def overview(*, actor: Actor, work: Work | None) -> Overview:
    """Per school of the work (in scope, with accepted results): classes with results and
    classes marked informed. A fixed number of queries whatever the number of schools."""
    if work is None:
        return Overview(work=None, rows=[], schools=0, schools_informed=0, classes_informed=0)
    marks = FamiliesInformed.objects.for_actor(actor, A.VIEW_INFORMED).filter(work_id=work.pk)
    marked = marks.filter(school_id=OuterRef("school_id")).order_by().values("school_id")
    sheets = (
        ResultSheet.objects.for_actor(actor, A.VIEW_INFORMED)
        .filter(work_id=work.pk, current_version__isnull=False)
        .annotate(
            informed=Coalesce(
                Subquery(
                    marked.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()
                ),
                0,
            )
        )
    )
    schools = sheets.count()
    totals = marks.order_by().aggregate(
        classes=Count("pk"), schools=Count("school_id", distinct=True)
    )
    picked = list(
        sheets.select_related("school").order_by("informed", "school__short_name", "school_id")[
            :OVERVIEW_ROWS
        ]
    )
    ids = [s.school_id for s in picked]
    classes = dict(
        ParticipantResult.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(work_id=work.pk, school_id__in=ids, absent=False, class_number__isnull=False)
        .order_by()
        .values("school_id")
        .annotate(n=Count("class_number", distinct=True))
        .values_list("school_id", "n")
    )
    last = dict(
        marks.filter(school_id__in=ids)
        .order_by()
        .values("school_id")
        .annotate(at=Max("informed_at"))
        .values_list("school_id", "at")
    )
    rows = [
        OverviewRow(
            school=s.school,
            classes=classes.get(s.school_id, 0),
            informed=int(getattr(s, "informed", 0)),
            last_informed_at=last.get(s.school_id),
        )
        for s in picked
    ]
    return Overview(
        work=work,
        rows=rows,
        schools=schools,
        schools_informed=totals["schools"],
        classes_informed=totals["classes"],
    )
