"""«Перепроверки»: the re-checks of a unit (a school: its own cases), opening one from the
objectivity markers or at random, a re-check with its cases, a case with its comments and
outcome, the gap report (page and xlsx) and the results with and without re-checked schools.
Thin: a selector or a service, then render; refusals are domain errors (the middleware shows
them)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import View

from apps.analytics.models import MARKS, WorkAggregate
from apps.core.downloads import private_download
from apps.core.params import int_param
from apps.core.scoping import Level
from apps.objectivity.actions import ObjectivityActions as Obj
from apps.objectivity.models import Review, ReviewCase
from apps.objectivity.rechecks import selectors, services, xlsx
from apps.objectivity.rechecks.messages import RecheckInvalidError, RecheckNotFoundError
from apps.registration.access import ScopedViewMixin

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _int(raw: Any, default: int = 0, *, field: str = "") -> int:
    value = (str(raw) if raw is not None else "").strip()
    if not value:
        return default
    if not value.lstrip("-").isdigit():
        raise RecheckInvalidError("recheck_field_number", field=field, value=value)
    return int(value)


class RecheckListView(ScopedViewMixin, View):
    """The re-checks of the unit and the units below with their cases per status; a school
    sees its own cases (what it is asked for and how the re-check of its works ended)."""

    api_routes = ("api-objectivity-rechecks",)

    scoped_model = Review
    action = Obj.VIEW_REVIEWS

    def get(self, request: HttpRequest) -> HttpResponse:
        actor = self.actor
        school = actor.scope.level == Level.SCHOOL
        return render(
            request,
            "objectivity/rechecks/list.html",
            {
                "is_school": school,
                "rows": []
                if school
                else selectors.recheck_list(
                    actor=actor, work_id=int_param(request.GET.get("work"), name="work")
                ),
                "cases": selectors.school_cases(actor=actor) if school else [],
                "from_above": selectors.cases_from_above(actor=actor),
                "statuses": ReviewCase.Status,
                "can_open": actor.can(Obj.MANAGE_REVIEWS)
                and actor.scope.level in selectors.UNIT_LEVELS,
            },
        )


class RecheckNewView(ScopedViewMixin, View):
    """Open a re-check: pick a work, tick flagged schools, add N random ones (seeded)."""

    api_routes = ("api-objectivity-rechecks", "api-objectivity-recheck-candidates")

    scoped_model = Review
    action = Obj.MANAGE_REVIEWS

    def get(self, request: HttpRequest) -> HttpResponse:
        actor = self.actor
        context: dict[str, Any] = {"allowed": actor.scope.level in selectors.UNIT_LEVELS}
        work_id = int_param(request.GET.get("work"), name="work")
        selectors.work_filter_check(actor=actor, work_id=work_id)  # an unknown work: 400
        if context["allowed"]:
            context["works"] = selectors.works_for_unit(actor=actor)
            if work_id:
                context["found"] = selectors.candidates(actor=actor, work_id=work_id)
        return render(request, "objectivity/rechecks/new.html", context)

    def post(self, request: HttpRequest) -> HttpResponse:
        data = request.POST
        review = services.recheck_open(
            actor=self.actor,
            work_id=_int(data.get("work"), field="работа"),
            school_ids=[_int(s, field="ОО") for s in data.getlist("schools")],
            random_count=_int(data.get("random_count"), field="случайных ОО"),
            seed=_int(data.get("seed"), field="зерно") if data.get("seed") else None,
            double_share=_int(data.get("double_share"), 20, field="доля двойной проверки"),
            threshold=_int(data.get("threshold"), 0, field="порог расхождения"),
            title=data.get("title", ""),
        )
        messages.success(request, "Перепроверка открыта, у ОО запрошены сканы работ.")
        return redirect("objectivity-recheck", review_id=review.pk)


class RecheckDetailView(ScopedViewMixin, View):
    """A re-check: its settings, seed and cases (status, reason, flags, scans, outcome)."""

    api_routes = ("api-objectivity-recheck",)

    scoped_model = Review
    action = Obj.VIEW_REVIEWS

    def get(self, request: HttpRequest, review_id: int) -> HttpResponse:
        review = selectors.review_get(actor=self.actor, review_id=review_id)
        cases = selectors.review_cases(review=review)
        return render(
            request,
            "objectivity/rechecks/detail.html",
            {
                "review": review,
                "unit": selectors.unit_label(review),
                "cases": [
                    (
                        c,
                        selectors.case_scans(actor=self.actor, case=c),
                        selectors.flag_labels(c.flags),
                    )
                    for c in cases
                ],
                "counts": selectors.case_counts(review=review),
                "statuses": ReviewCase.Status,
                "can_report": self.actor.can(Obj.VIEW_RECHECK_REPORT),
                "can_manage": self.actor.can(Obj.MANAGE_MARKERS),
                "results_pk": selectors.results_aggregate_pk(
                    actor=self.actor, work_id=review.work_id
                )
                if self.actor.can(Obj.VIEW_RECHECK_REPORT)
                else None,
            },
        )


class CaseView(ScopedViewMixin, View):
    """A case: status, the school's scans, comments and the outcome."""

    api_routes = ("api-objectivity-recheck-case",)

    scoped_model = ReviewCase
    action = Obj.VIEW_REVIEWS

    def get(self, request: HttpRequest, case_id: int) -> HttpResponse:
        actor = self.actor
        case = selectors.case_get(actor=actor, case_id=case_id)
        return render(
            request,
            "objectivity/rechecks/case.html",
            {
                "case": case,
                "review": case.review,
                "unit": selectors.unit_label(case.review),
                "scans": selectors.case_scans(actor=actor, case=case),
                "flags": selectors.flag_labels(case.flags),
                "comments": selectors.case_comments(actor=actor, case=case),
                "statuses": ReviewCase.Status,
                "outcomes": services.OUTCOMES,
                "can_comment": actor.can(Obj.COMMENT_CASES) and case.status != "closed",
                "can_close": actor.can(Obj.VIEW_RECHECK_REPORT)
                and actor.can(Obj.MANAGE_REVIEWS)
                and case.review.kind == Review.Kind.RECHECK,
                "can_review": selectors.review_visible(actor=actor, review_id=case.review_id),
            },
        )


class CaseCommentView(ScopedViewMixin, View):
    api_routes = ("api-objectivity-recheck-case-comments",)
    scoped_model = ReviewCase
    action = Obj.COMMENT_CASES

    def post(self, request: HttpRequest, case_id: int) -> HttpResponse:
        services.case_comment_add(
            actor=self.actor, case_id=case_id, text=request.POST.get("text", "")
        )
        messages.success(request, "Комментарий добавлен.")
        return redirect("objectivity-recheck-case", case_id=case_id)


class CaseCloseView(ScopedViewMixin, View):
    """Set the outcome of a marked case (coordinators: the school never closes its case)."""

    api_routes = ("api-objectivity-recheck-case-close",)

    scoped_model = ReviewCase
    action = Obj.VIEW_RECHECK_REPORT

    def post(self, request: HttpRequest, case_id: int) -> HttpResponse:
        case = services.case_close(
            actor=self.actor,
            case_id=case_id,
            outcome=request.POST.get("outcome", ""),
            comment=request.POST.get("comment", ""),
        )
        messages.success(request, f"Дело закрыто: {case.get_outcome_display()}.")
        return redirect("objectivity-recheck-case", case_id=case_id)


class GapReportView(ScopedViewMixin, View):
    """The gap between the schools' and the commission's scores (by task, mark, school)."""

    api_routes = ("api-objectivity-recheck-report",)

    scoped_model = Review
    action = Obj.VIEW_RECHECK_REPORT

    def get(self, request: HttpRequest, review_id: int) -> HttpResponse:
        page = selectors.gap_report(actor=self.actor, review_id=review_id)
        return render(
            request,
            "objectivity/rechecks/report.html",
            {"page": page, "review": page.review, "r": page.report, "marks": MARKS},
        )


class GapReportXlsxView(ScopedViewMixin, View):
    api_routes = ("api-objectivity-recheck-report-xlsx",)
    scoped_model = Review
    action = Obj.VIEW_RECHECK_REPORT

    def get(self, request: HttpRequest, review_id: int) -> FileResponse:
        page = selectors.gap_report(actor=self.actor, review_id=review_id)
        return private_download(xlsx.gap_workbook(page), xlsx.file_name(page), XLSX)


class WithWithoutView(ScopedViewMixin, View):
    """A unit's marks distribution with and without re-checked schools."""

    api_routes = ("api-objectivity-recheck-results",)

    scoped_model = WorkAggregate
    action = Obj.VIEW_RECHECK_REPORT

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            found = selectors.results_with_without(actor=self.actor, pk=pk)
        except WorkAggregate.DoesNotExist as exc:
            raise RecheckNotFoundError("not_found") from exc
        return render(
            request,
            "objectivity/rechecks/with_without.html",
            {"found": found, "report": found.report, "marks": MARKS},
        )
