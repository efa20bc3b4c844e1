"""Reads of the marking: the final scores of booklets, a review's progress, a marker's queue and
what the marking screen shows (crops of the task's pages, the criteria, other marks after one's
own). A marker reads only its own tasks (``MarkTask.personal_field``); the screen never carries a
school's name or code."""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.files.storage import default_storage
from django.db.models import Count, Q, QuerySet
from PIL import Image

from apps.campaigns.models import TaskColumn, Work
from apps.materials import markup, pdf
from apps.materials.models import Variant
from apps.materials.services.archives import kit_variant_docs
from apps.objectivity.actions import ObjectivityActions as A
from apps.objectivity.marking.eligibility import marker_fits
from apps.objectivity.marking.messages import MarkingNotFoundError
from apps.objectivity.marking.rules import THIRD, Mark, resolve
from apps.objectivity.models import Booklet, MarkTask, Review, ReviewMarker, ScanPage
from apps.registration.access import Actor, actor_for_user
from apps.registration.models import School

logger = logging.getLogger(__name__)

# The marking screen reads, after the access check on the marker's own task, what a marker may
# not read itself: the variant's criteria (bank items) and the other rounds of the same task.
_SYSTEM = Actor.system(reason="marking screen: criteria and marks of an allocated task")
CROP_ABOVE, CROP_BELOW = 0.0, 0.01  # fractions of the page height around a task's region


# --- final scores ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BookletResult:
    booklet_id: int
    school_id: int
    code: str
    variant: int
    scores: tuple[int | None, ...]  # form column order; None = «X» (or not final yet)
    primary: int  # sum of the final scores («X» counts 0)
    final: bool  # every column has its final score
    pending: tuple[str, ...] = ()  # labels of the columns without a final score


def columns_of(review: Review) -> list[TaskColumn]:
    return list(TaskColumn.objects.filter(work_id=review.work_id).order_by("position"))


def _task_rows(review: Review, school_id: int | None) -> QuerySet[MarkTask]:
    rows = MarkTask.objects.for_actor(_SYSTEM, A.VIEW_REVIEWS).filter(review=review)
    return rows if school_id is None else rows.filter(school_id=school_id)


def booklet_results(*, review: Review, school_id: int | None = None) -> list[BookletResult]:
    """Per booklet with tasks in ``review`` (of one school, or all): the final score of each
    column (the third marker's; else two marks within the threshold → the mean rounded up; a
    single mark → it), the primary score and whether all is final. The caller has read
    ``review`` through ``for_actor``."""
    columns = columns_of(review)
    marks: dict[int, dict[int, dict[int, Mark]]] = defaultdict(lambda: defaultdict(dict))
    for booklet_id, column_id, rnd, score, entered_at in _task_rows(review, school_id).values_list(
        "booklet_id", "column_id", "round", "score", "entered_at"
    ):
        marks[booklet_id][column_id][rnd] = Mark(entered_at is not None, score)
    booklets = (
        Booklet.objects.for_actor(_SYSTEM, A.VIEW_SCANS)
        .filter(pk__in=marks)
        .select_related("variant")
        .order_by("pk")
    )
    out = []
    for booklet in booklets:
        finals = [resolve(marks[booklet.pk].get(c.pk, {}), review.threshold) for c in columns]
        pending = tuple(c.label for c, f in zip(columns, finals, strict=True) if not f.final)
        out.append(
            BookletResult(
                booklet_id=booklet.pk,
                school_id=booklet.school_id,
                code=booklet.code,
                variant=booklet.variant.number,
                scores=tuple(f.score for f in finals),
                primary=sum(f.score or 0 for f in finals),
                final=not pending,
                pending=pending,
            )
        )
    return out


# --- progress --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnProgress:
    column_id: int
    position: int
    label: str
    max_score: int
    tasks: int
    entered: int
    third: int  # third-marker tasks created (discrepancies)
    third_waiting: int  # of them, not entered yet


@dataclass(frozen=True)
class MarkerProgress:
    user_id: int
    name: str
    active: bool
    tasks: int
    entered: int


@dataclass(frozen=True)
class WaitingThird:
    """A discrepancy waiting for its third marker (``marker_id`` None: nobody assigned)."""

    task_id: int
    booklet_id: int
    column_label: str
    first: int | None
    second: int | None
    marker_id: int | None
    marker_name: str


@dataclass
class ReviewProgress:
    review: Review
    booklets: int = 0
    double: int = 0  # booklets marked twice
    tasks: int = 0
    entered: int = 0
    final_booklets: int = 0
    columns: list[ColumnProgress] = field(default_factory=list)
    markers: list[MarkerProgress] = field(default_factory=list)
    waiting: list[WaitingThird] = field(default_factory=list)

    @property
    def unassigned(self) -> int:
        return sum(1 for w in self.waiting if w.marker_id is None)


def review_progress(*, review: Review) -> ReviewProgress:
    """Totals, per column, per marker and the discrepancies waiting for a third marker. The
    caller has read ``review`` through ``for_actor``."""
    rows = _task_rows(review, None)
    progress = ReviewProgress(review=review)
    totals = rows.aggregate(
        tasks=Count("pk"),
        entered=Count("pk", filter=Q(entered_at__isnull=False)),
        booklets=Count("booklet_id", distinct=True),
        double=Count("booklet_id", distinct=True, filter=Q(round=2)),
    )
    progress.tasks, progress.entered = totals["tasks"], totals["entered"]
    progress.booklets, progress.double = totals["booklets"], totals["double"]
    per_column: dict[int, dict[str, Any]] = {
        r["column_id"]: dict(r)
        for r in rows.values("column_id").annotate(
            tasks=Count("pk"),
            entered=Count("pk", filter=Q(entered_at__isnull=False)),
            third=Count("pk", filter=Q(round=THIRD)),
            third_waiting=Count("pk", filter=Q(round=THIRD, entered_at__isnull=True)),
        )
    }
    for c in columns_of(review):
        col = per_column.get(c.pk, {})
        progress.columns.append(
            ColumnProgress(
                column_id=c.pk,
                position=c.position,
                label=c.label,
                max_score=c.max_score,
                tasks=col.get("tasks", 0),
                entered=col.get("entered", 0),
                third=col.get("third", 0),
                third_waiting=col.get("third_waiting", 0),
            )
        )
    per_marker: dict[int, dict[str, Any]] = {
        r["marker_id"]: dict(r)
        for r in rows.filter(marker__isnull=False)
        .values("marker_id")
        .annotate(tasks=Count("pk"), entered=Count("pk", filter=Q(entered_at__isnull=False)))
    }
    names: dict[int, str] = {}
    for m in ReviewMarker.objects.filter(review=review).select_related("user"):
        names[m.user_id] = m.user.full_name or m.user.username
        mine = per_marker.get(m.user_id, {})
        progress.markers.append(
            MarkerProgress(
                m.user_id, names[m.user_id], m.active, mine.get("tasks", 0), mine.get("entered", 0)
            )
        )
    waiting = list(
        rows.filter(round=THIRD, entered_at__isnull=True)
        .select_related("column")
        .order_by("column__position", "booklet_id")
    )
    pairs: dict[tuple[int, int], dict[int, int | None]] = defaultdict(dict)
    for booklet_id, column_id, rnd, score in rows.filter(
        round__in=(1, 2), booklet_id__in={t.booklet_id for t in waiting}
    ).values_list("booklet_id", "column_id", "round", "score"):
        pairs[(booklet_id, column_id)][rnd] = score
    for t in waiting:
        pair = pairs[(t.booklet_id, t.column_id)]
        progress.waiting.append(
            WaitingThird(
                task_id=t.pk,
                booklet_id=t.booklet_id,
                column_label=t.column.label,
                first=pair.get(1),
                second=pair.get(2),
                marker_id=t.marker_id,
                marker_name=names.get(t.marker_id, "") if t.marker_id else "",
            )
        )
    progress.final_booklets = sum(1 for b in booklet_results(review=review) if b.final)
    return progress


# --- a marker's reviews and queue ------------------------------------------------------------


def review_manage_get(*, actor: Any, review_id: int) -> Review:
    """A review the actor manages (its unit's or below); 404 otherwise."""
    try:
        return (
            Review.objects.for_actor(actor, A.MANAGE_REVIEWS)
            .select_related("work")
            .get(pk=review_id)
        )
    except ObjectDoesNotExist as exc:
        raise MarkingNotFoundError("review_not_found") from exc


def _user_id(actor: Any) -> int:
    """The actor's user id (0 for none: matches no row)."""
    return int(getattr(actor.user, "pk", None) or 0)


def school_manage_get(*, actor: Any, school_id: int) -> School:
    """A school whose reviews the actor manages; 404 otherwise."""
    found = School.objects.for_actor(actor, A.MANAGE_REVIEWS).filter(pk=school_id).first()
    if found is None:
        raise MarkingNotFoundError("school_not_found")
    return found


@dataclass(frozen=True)
class SchoolWork:
    """A work of the school with scanned works ready for checking, and its on-screen review."""

    work: Any
    ready: int  # booklets ready for checking
    review: Review | None


def school_works(*, actor: Any, school: School) -> list[SchoolWork]:
    """The school's works with READY booklets or an own (school) review, by work."""
    ready = dict(
        Booklet.objects.for_actor(actor, A.MANAGE_REVIEWS)
        .filter(school_id=school.pk, status=Booklet.Status.READY)
        .values("work_id")
        .annotate(n=Count("pk"))
        .values_list("work_id", "n")
    )
    own = {
        r.work_id: r
        for r in Review.objects.for_actor(actor, A.MANAGE_REVIEWS)
        .filter(kind=Review.Kind.SCHOOL, school_id=school.pk)
        .order_by("created_at", "id")
    }
    works = Work.objects.filter(pk__in=set(ready) | set(own)).select_related("subject")
    return [
        SchoolWork(w, ready.get(w.pk, 0), own.get(w.pk))
        for w in sorted(works, key=lambda w: (w.grade, str(w)))
    ]


def review_for_marker(*, actor: Any, review_id: int) -> Review:
    """A review the actor marks in (a marker of it, in its scope); 404 otherwise."""
    user_id = _user_id(actor)
    found = (
        Review.objects.for_actor(actor, A.MARK)
        .filter(pk=review_id, markers__user_id=user_id)
        .select_related("work", "work__subject")
        .first()
    )
    if found is None:
        raise MarkingNotFoundError("review_not_found")
    return found


def my_tasks(*, actor: Any) -> QuerySet[MarkTask]:
    """The actor's own tasks (a marker's personal scope shows only its rows)."""
    return MarkTask.objects.for_actor(actor, A.MARK).filter(marker_id=_user_id(actor))


@dataclass(frozen=True)
class QueueColumn:
    column_id: int
    position: int
    label: str
    max_score: int
    tasks: int
    pending: int


@dataclass(frozen=True)
class MarkerReview:
    review: Review
    tasks: int
    pending: int
    columns: tuple[QueueColumn, ...]


def marker_reviews(*, actor: Any) -> list[MarkerReview]:
    """The reviews the actor marks in with its own counts per task column (no school names)."""
    reviews = list(
        Review.objects.for_actor(actor, A.MARK)
        .filter(markers__user_id=_user_id(actor))
        .select_related("work", "work__subject")
        .order_by("status", "-created_at", "-id")
    )
    counts: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for review_id, column_id, tasks, pending in (
        my_tasks(actor=actor)
        .filter(review__in=reviews)
        .values("review_id", "column_id")
        .annotate(tasks=Count("pk"), pending=Count("pk", filter=Q(entered_at__isnull=True)))
        .values_list("review_id", "column_id", "tasks", "pending")
    ):
        counts[review_id][column_id] = (tasks, pending)
    columns: dict[int, list[TaskColumn]] = {}
    out = []
    for review in reviews:
        if review.work_id not in columns:
            columns[review.work_id] = list(
                TaskColumn.objects.filter(work_id=review.work_id).order_by("position")
            )
        queue = tuple(
            QueueColumn(c.pk, c.position, c.label, c.max_score, *counts[review.pk][c.pk])
            for c in columns[review.work_id]
            if c.pk in counts[review.pk]
        )
        out.append(
            MarkerReview(
                review=review,
                tasks=sum(q.tasks for q in queue),
                pending=sum(q.pending for q in queue),
                columns=queue,
            )
        )
    return out


def next_task(*, actor: Any, review_id: int, column_id: int | None = None) -> MarkTask | None:
    """The actor's next unmarked task in the review (of one column, or the first column with
    work left): booklets in allocation order."""
    rows = my_tasks(actor=actor).filter(review_id=review_id, entered_at__isnull=True)
    order: tuple[str, ...] = ("column__position", "booklet_id", "round")
    if column_id is not None:
        rows, order = rows.filter(column_id=column_id), ("booklet_id", "round")
    return (
        rows.select_related("column", "booklet", "booklet__variant", "review")
        .order_by(*order)
        .first()
    )


def my_task_get(*, actor: Any, mark_task_id: int) -> MarkTask:
    """One of the actor's own tasks; 404 for another marker's (or an out-of-scope) task."""
    found = (
        my_tasks(actor=actor)
        .filter(pk=mark_task_id)
        .select_related("column", "booklet", "booklet__variant", "review", "review__work")
        .first()
    )
    if found is None:
        raise MarkingNotFoundError("task_not_found")
    return found


def review_tasks(*, review: Review, round: int | None = None) -> QuerySet[MarkTask]:
    """The tasks of a review for its managers (the caller read ``review`` via for_actor)."""
    rows = (
        _task_rows(review, None)
        .select_related("column")
        .order_by("column__position", "booklet_id", "round")
    )
    return rows if round is None else rows.filter(round=round)


# --- the marking screen ----------------------------------------------------------------------


@dataclass(frozen=True)
class OtherMark:
    round: int
    score: int | None
    comment: str


def other_marks(task: MarkTask) -> list[OtherMark]:
    """The other rounds' marks of the same task — only once ``task`` itself is marked (blind
    marking: nobody sees another marker's score before entering their own)."""
    if task.entered_at is None:
        return []
    return [
        OtherMark(t.round, t.score, t.comment)
        for t in MarkTask.objects.for_actor(_SYSTEM, A.VIEW_REVIEWS)
        .filter(review_id=task.review_id, booklet_id=task.booklet_id, column_id=task.column_id)
        .exclude(pk=task.pk)
        .exclude(entered_at__isnull=True)
        .order_by("round")
    ]


@dataclass(frozen=True)
class VariantSheet:
    """What the screen needs of a variant: its task regions and per column the criteria."""

    regions: dict[str, list[Any]]
    criteria: dict[str, str]  # column label → HTML of «ответ и критерии»


@lru_cache(maxsize=256)
def _variant_sheet(variant_id: int, uid: str) -> VariantSheet:
    variant = (
        Variant.objects.for_actor(_SYSTEM, A.VIEW_SCANS)
        .select_related("kit")
        .get(pk=variant_id, uid=uid)
    )
    try:
        doc = next(
            d
            for d in kit_variant_docs(actor=_SYSTEM, kit=variant.kit)
            if d.number == variant.number
        )
    except (ValueError, KeyError, StopIteration):
        # a variant whose items do not match the work's form (a kit of a form changed after
        # generation): the screen says it cannot place the task instead of failing
        logger.warning("variant %s does not match its work's form", variant_id)
        return VariantSheet(regions={}, criteria={})
    return VariantSheet(
        regions=pdf.variant_task_regions(doc),
        criteria={t.label: criteria_html(t.answer) for t in doc.tasks},
    )


def variant_sheet(variant: Variant) -> VariantSheet:
    """Cached per variant (its uid changes when a kit is generated again)."""
    return _variant_sheet(variant.pk, variant.uid)


def criteria_html(text: str) -> str:
    """The bank markup of an answer and criteria as escaped HTML (images named, not drawn)."""
    try:
        blocks = markup.parse(text)
    except markup.MarkupError:
        return "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())
    return "".join(_block_html(b) for b in blocks)


def _block_html(block: markup.Block) -> str:
    if isinstance(block, markup.Paragraph):
        return "<p>" + "<br>".join(markup.inline_xml(line) for line in block.lines) + "</p>"
    if isinstance(block, markup.NumberedList):
        return "<ol>" + "".join(f"<li>{markup.inline_xml(i)}</li>" for i in block.items) + "</ol>"
    if isinstance(block, markup.ImageRef):
        return f'<p class="muted">[рисунок {escape(block.name)}]</p>'
    rows = []
    for n, row in enumerate(block.rows):
        tag = "th" if block.header and n == 0 else "td"
        rows.append("<tr>" + "".join(f"<{tag}>{markup.inline_xml(c)}</{tag}>" for c in row))
    return '<table class="criteria-table">' + "".join(rows) + "</table>"


@dataclass(frozen=True)
class Crop:
    part: int
    page: int
    present: bool  # the page is in the scans (otherwise: the page is missing)


def task_crops(task: MarkTask) -> list[Crop]:
    """The parts of the booklet's pages where the task is (one per page it spans)."""
    regions = variant_sheet(task.booklet.variant).regions.get(task.column.label, [])
    pages = set(
        ScanPage.objects.for_actor(_SYSTEM, A.VIEW_SCANS)
        .filter(booklet_id=task.booklet_id)
        .values_list("page_number", flat=True)
    )
    return [Crop(n, r.page, r.page in pages) for n, r in enumerate(regions)]


def crop_png(task: MarkTask, part: int) -> bytes:
    """The PNG of one part of a task on its booklet's scanned page (404 when missing)."""
    regions = variant_sheet(task.booklet.variant).regions.get(task.column.label, [])
    if not 0 <= part < len(regions):
        raise MarkingNotFoundError("task_not_found")
    region = regions[part]
    page = (
        ScanPage.objects.for_actor(_SYSTEM, A.VIEW_SCANS)
        .filter(booklet_id=task.booklet_id, page_number=region.page)
        .order_by("index")
        .first()
    )
    if page is None:
        raise MarkingNotFoundError("task_not_found")
    with default_storage.open(page.image_path, "rb") as fh:
        image = Image.open(io.BytesIO(fh.read()))
        image.load()
    height = image.height
    top = max(0, int((region.top - CROP_ABOVE) * height))
    bottom = min(height, int((region.bottom + CROP_BELOW) * height) + 1)
    out = io.BytesIO()
    image.crop((0, top, image.width, max(bottom, top + 1))).save(out, format="PNG", optimize=False)
    return out.getvalue()


def _placeholder_png() -> bytes:
    """A light box in place of a page that is not in the scans (the screen says so in text)."""
    out = io.BytesIO()
    Image.new("L", (600, 80), 235).save(out, format="PNG")
    return out.getvalue()


def task_crop_png(task: MarkTask, part: int) -> bytes:
    """Part ``part`` of the task on its scanned page, or the placeholder when the page is not
    in the scans (the marking screen and the API answer the same image)."""
    try:
        return crop_png(task, part)
    except MarkingNotFoundError:
        return _placeholder_png()


def marker_candidates(review: Review) -> list[Any]:
    """Users who may mark in ``review`` (its unit's commission, or the school's experts), by
    name. The caller has read ``review`` through ``for_actor``."""
    from apps.registration import constants as c
    from apps.registration.models import MunicipalityGrant, RegionGrant, SchoolGrant, User

    ids: set[int] = set()
    if review.kind == Review.Kind.SCHOOL:
        ids |= set(
            SchoolGrant.objects.filter(
                permission__codename=c.PERM_SCHOOL_EXPERT, content_object_id=review.school_id
            ).values_list("user_id", flat=True)
        )
    elif review.kind == Review.Kind.FEDERAL or review.region_id is None:
        ids |= set(
            User.objects.filter(
                user_permissions__codename=c.PERM_MARK_FEDERAL.split(".")[-1]
            ).values_list("pk", flat=True)
        )
    else:
        munis = MunicipalityGrant.objects.filter(permission__codename=c.PERM_MARK_MUNICIPALITY)
        if review.municipality_id is not None:
            munis = munis.filter(content_object_id=review.municipality_id)
        else:
            munis = munis.filter(content_object__region_id=review.region_id)
            ids |= set(
                RegionGrant.objects.filter(
                    permission__codename=c.PERM_MARK_REGION, content_object_id=review.region_id
                ).values_list("user_id", flat=True)
            )
        ids |= set(munis.values_list("user_id", flat=True))
    users = User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "username")
    return [u for u in users if marker_fits(review, actor_for_user(u))]
