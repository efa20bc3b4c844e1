"""«Проверка работ» on screen: a marker's reviews, the marking screen of one task across
booklets (the crops of its pages, the criteria beside, scores 0…max or «X»), the crops
themselves; the coordinator's progress page with the markers, the allocation and the third
markers. Blind: no school name or code, no other marker's score before one's own."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.generic import View

from apps.core.errors import DomainError
from apps.core.params import int_param
from apps.objectivity.actions import ObjectivityActions as A
from apps.objectivity.marking import selectors, services
from apps.objectivity.marking.messages import MarkingInvalidError, MarkingNotFoundError
from apps.objectivity.models import MarkTask, Review
from apps.registration.access import ScopedViewMixin
from apps.registration.constants import Role

X = "X"


def _screen_url(review_id: int, column_id: int | None = None, task_id: int | None = None) -> str:
    query = {k: v for k, v in (("column", column_id), ("task", task_id)) if v}
    url = reverse("objectivity-marking-screen", args=[review_id])
    return f"{url}?{urlencode(query)}" if query else url


def parse_score(raw: str | None, max_score: int, label: str) -> int | None:
    """«X» → None; a whole number 0…max → it; anything else a Russian refusal."""
    value = (raw or "").strip().upper().replace("Х", X)  # a Cyrillic «Х» too
    if value == X:
        return None
    if not value.isdigit():
        raise MarkingInvalidError(
            "score_out_of_range", label=label, max=max_score, score=value or "—"
        )
    return int(value)


class MarkerHomeView(ScopedViewMixin, View):
    """A marker's reviews with its own pending tasks per task column (no school names)."""

    api_routes = ("api-objectivity-marking-reviews",)

    scoped_model = MarkTask
    action = A.MARK

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = selectors.marker_reviews(actor=self.actor)
        return render(request, "objectivity/marking/home.html", {"rows": rows})


class MarkingScreenView(ScopedViewMixin, View):
    """The marking screen: the marker's next task of a column (or the one asked for)."""

    api_routes = ("api-objectivity-marking-next",)

    scoped_model = Review
    action = A.MARK

    def get(self, request: HttpRequest, review_id: int) -> HttpResponse:
        review = selectors.review_for_marker(actor=self.actor, review_id=review_id)
        queue = next(
            (r for r in selectors.marker_reviews(actor=self.actor) if r.review.pk == review.pk),
            None,
        )
        columns = queue.columns if queue else ()
        column_id = int_param(request.GET.get("column"))
        task_id = int_param(request.GET.get("task"))
        task: MarkTask | None
        if task_id:
            task = selectors.my_task_get(actor=self.actor, mark_task_id=task_id)
            if task.review_id != review.pk:
                raise MarkingNotFoundError("task_not_found")
        else:
            task = selectors.next_task(actor=self.actor, review_id=review.pk, column_id=column_id)
        ctx: dict[str, Any] = {"review": review, "columns": columns, "task": task}
        current = task.column_id if task else column_id
        ctx["current"] = current
        if task is not None:
            sheet = selectors.variant_sheet(task.booklet.variant)
            ctx.update(
                {
                    "scores": list(range(task.column.max_score + 1)),
                    "entered": task.entered_at is not None,
                    "chosen": (X if task.score is None else str(task.score))
                    if task.entered_at
                    else "",
                    "crops": [
                        (
                            c,
                            reverse("objectivity-marking-crop", args=[task.pk]) + f"?part={c.part}",
                        )
                        for c in selectors.task_crops(task)
                    ],
                    "criteria": mark_safe(sheet.criteria.get(task.column.label, "")),  # noqa: S308 - escaped by criteria_html
                    "others": selectors.other_marks(task),
                    "done": list(
                        selectors.my_tasks(actor=self.actor)
                        .filter(review=review, column_id=task.column_id, entered_at__isnull=False)
                        .order_by("-entered_at", "-pk")[:8]
                    ),
                }
            )
        return render(request, "objectivity/marking/screen.html", ctx)


class MarkEnterView(ScopedViewMixin, View):
    """POST ``score`` (0…max or «X») and ``comment``: save and go to the next task."""

    api_routes = ("api-objectivity-marking-task",)

    scoped_model = MarkTask
    action = A.MARK

    def post(self, request: HttpRequest, mark_task_id: int) -> HttpResponse:
        task = selectors.my_task_get(actor=self.actor, mark_task_id=mark_task_id)
        try:
            score = parse_score(request.POST.get("score"), task.column.max_score, task.column.label)
            services.mark_enter(
                actor=self.actor,
                mark_task_id=task.pk,
                score=score,
                comment=request.POST.get("comment", ""),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(_screen_url(task.review_id, task.column_id, task.pk))
        shown = X if score is None else str(score)
        messages.success(
            request, f"Работа №{task.booklet_id}, задание {task.column.label}: «{shown}» сохранено."
        )
        return redirect(_screen_url(task.review_id, task.column_id))


class TaskCropView(ScopedViewMixin, View):
    """GET ``?part=N``: the PNG of part N of the task on its booklet's scanned page, for the
    task's own marker only (a placeholder when the page is missing from the scans)."""

    api_routes = ("api-objectivity-marking-crop",)

    scoped_model = MarkTask
    action = A.MARK

    def get(self, request: HttpRequest, mark_task_id: int) -> HttpResponse:
        task = selectors.my_task_get(actor=self.actor, mark_task_id=mark_task_id)
        content = selectors.task_crop_png(task, int_param(request.GET.get("part")) or 0)
        response = HttpResponse(content, content_type="image/png")
        response["Cache-Control"] = "private, max-age=600"
        return response


# --- the coordinator's side ------------------------------------------------------------------


class ReviewProgressView(ScopedViewMixin, View):
    """A review's marking: totals, per task column, per marker, discrepancies waiting for a
    third marker; the markers, the allocation and the closing."""

    api_routes = ("api-objectivity-marking-progress",)

    scoped_model = Review
    action = A.MANAGE_REVIEWS

    def get(self, request: HttpRequest, review_id: int) -> HttpResponse:
        review = selectors.review_manage_get(actor=self.actor, review_id=review_id)
        progress = selectors.review_progress(review=review)
        active = {m.user_id for m in progress.markers if m.active}
        candidates = selectors.marker_candidates(review)
        ctx = {
            "review": review,
            "p": progress,
            "candidates": [(u, u.pk in active) for u in candidates],
            "active_markers": [m for m in progress.markers if m.active],
            "is_open": review.status == Review.Status.OPEN,
        }
        return render(request, "objectivity/marking/progress.html", ctx)


class _ReviewPostView(ScopedViewMixin, View):
    scoped_model = Review
    action = A.MANAGE_REVIEWS

    def save(self, request: HttpRequest, review_id: int) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, review_id: int) -> HttpResponse:
        selectors.review_manage_get(actor=self.actor, review_id=review_id)  # 404 first
        try:
            messages.success(request, self.save(request, review_id))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(reverse("objectivity-marking-progress", args=[review_id]))


class MarkersSetView(_ReviewPostView):
    """POST ``markers`` (user ids): the review's active markers."""

    api_routes = ("api-objectivity-marking-markers",)

    def save(self, request: HttpRequest, review_id: int) -> str:
        ids = [int(v) for v in request.POST.getlist("markers") if v.isdigit()]
        saved = services.markers_set(actor=self.actor, review_id=review_id, user_ids=ids)
        return f"Состав экспертов сохранён: экспертов — {len(saved)}."


class AllocateView(_ReviewPostView):
    """POST: give the markers the tasks of the booklets not allocated yet."""

    api_routes = ("api-objectivity-marking-allocate",)

    def save(self, request: HttpRequest, review_id: int) -> str:
        created = services.review_allocate(actor=self.actor, review_id=review_id)
        if not created:
            return "Новых работ для распределения нет: все готовые работы уже у экспертов."
        return f"Работы распределены экспертам: заданий на проверку — {created}."


class ReviewCloseView(_ReviewPostView):
    """POST: close the review (every task has its final score)."""

    api_routes = ("api-objectivity-marking-close",)

    def save(self, request: HttpRequest, review_id: int) -> str:
        review = services.review_close(actor=self.actor, review_id=review_id)
        return f"Проверка «{review.title}» завершена."


class ThirdAssignView(ScopedViewMixin, View):
    """POST ``marker`` (user id): give a waiting third-marker task to that marker."""

    api_routes = ("api-objectivity-marking-third-assign",)

    scoped_model = MarkTask
    action = A.MANAGE_REVIEWS

    def post(self, request: HttpRequest, mark_task_id: int) -> HttpResponse:
        task = MarkTask.objects.for_actor(self.actor, self.action).filter(pk=mark_task_id).first()
        if task is None:
            raise MarkingNotFoundError("task_not_found")
        try:
            services.third_assign(
                actor=self.actor,
                mark_task_id=task.pk,
                user_id=int_param(request.POST.get("marker")) or 0,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Третья проверка работы №{task.booklet_id} назначена.")
        return redirect(reverse("objectivity-marking-progress", args=[task.review_id]))


class SchoolReviewsView(ScopedViewMixin, View):
    """The school's works with scans ready for checking and its own on-screen reviews; the
    organizer opens one per work (its markers: the school's experts)."""

    api_routes = ("api-objectivity-school-reviews",)

    scoped_model = Review
    action = A.MANAGE_REVIEWS

    def get(self, request: HttpRequest, school_id: int) -> HttpResponse:
        school = selectors.school_manage_get(actor=self.actor, school_id=school_id)
        ctx = {
            "school": school,
            "rows": selectors.school_works(actor=self.actor, school=school),
            "can_open": self.actor.role == Role.SCHOOL_ORGANIZER,
        }
        return render(request, "objectivity/marking/school.html", ctx)


class SchoolReviewOpenView(ScopedViewMixin, View):
    """POST ``work``, ``double_share``, ``threshold``: open the school's on-screen review."""

    api_routes = ("api-objectivity-school-reviews",)

    scoped_model = Review
    action = A.MANAGE_REVIEWS

    def post(self, request: HttpRequest, school_id: int) -> HttpResponse:
        school = selectors.school_manage_get(actor=self.actor, school_id=school_id)
        try:
            review = services.school_review_open(
                actor=self.actor,
                school_id=school.pk,
                work_id=int_param(request.POST.get("work")) or 0,
                double_share=int_param(request.POST.get("double_share")) or 0,
                threshold=int_param(request.POST.get("threshold")) or 0,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(reverse("objectivity-marking-school", args=[school.pk]))
        messages.success(request, f"Проверка «{review.title}» открыта: укажите экспертов ОО.")
        return redirect(reverse("objectivity-marking-progress", args=[review.pk]))
