"""Pages of results for families. Thin: parse, call one selector or service, render or stream."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from apps.campaigns import selectors as campaigns
from apps.core.downloads import private_download
from apps.core.params import int_param
from apps.families import selectors, services
from apps.families.models import FamiliesInformed
from apps.registration.access import A, ScopedViewMixin
from apps.registration.models import School
from apps.results.models import ResultSheet


def slips_response(built: services.SlipsFile) -> FileResponse:
    """The PDF streamed as an attachment under its Russian name (``filename*``), never cached."""
    return private_download(built.content, built.name, "application/pdf")


class FamiliesSchoolView(ScopedViewMixin, View):
    """The school's works with accepted results: per class the slips to print and the mark
    that its families were informed."""

    api_routes = ("api-families-school",)

    scoped_model = School
    action = A.PRINT_SLIPS

    def get(self, request: HttpRequest, school_id: int) -> HttpResponse:
        try:
            school = selectors.school_get(actor=self.actor, school_id=school_id)
        except School.DoesNotExist as exc:
            raise Http404 from exc
        campaign = campaigns.campaign_chosen(
            actor=self.actor, campaign_id=int_param(request.GET.get("campaign"))
        )
        works = selectors.school_works(actor=self.actor, school=school, campaign=campaign)
        return render(
            request,
            "families/school.html",
            {
                "school": school,
                "place": school,
                "campaign": campaign,
                "campaigns": campaigns.campaign_list(actor=self.actor),
                "works": works,
                "can_mark": self.actor.can(A.MARK_INFORMED),
            },
        )


class SlipsPdfView(ScopedViewMixin, View):
    """The slips of one work's accepted results (``?class=N``: one class) in one PDF."""

    api_routes = ("api-families-slips",)

    scoped_model = ResultSheet
    action = A.PRINT_SLIPS

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        try:
            built = services.slips_pdf_download(
                actor=self.actor,
                sheet_id=pk,
                class_number=int_param(request.GET.get("class")),
            )
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        return slips_response(built)


class InformedMarkView(ScopedViewMixin, View):
    """Record that the families of a class were informed (a button per class)."""

    api_routes = ("api-families-informed",)

    scoped_model = ResultSheet
    action = A.MARK_INFORMED

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            mark = services.families_informed_mark(
                actor=self.actor,
                sheet_id=pk,
                class_number=int_param(request.POST.get("class_number")),
            )
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        messages.success(request, f"Отмечено: родители класса {mark.class_label} проинформированы.")
        return HttpResponseRedirect(_back(mark.school_id, mark.work.campaign_id))


class InformedUndoView(ScopedViewMixin, View):
    """Withdraw a mark made today by mistake."""

    api_routes = ("api-families-informed-undo",)

    scoped_model = FamiliesInformed
    action = A.MARK_INFORMED

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            mark = selectors.informed_get(actor=self.actor, informed_id=pk, action=self.action)
            back = _back(mark.school_id, mark.work.campaign_id)
            services.families_informed_undo(actor=self.actor, informed_id=pk)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        messages.success(request, f"Отметка для класса {mark.class_label} отменена.")
        return HttpResponseRedirect(back)


def _back(school_id: int, campaign_id: int) -> str:
    return f"{reverse('families-school', args=[school_id])}?campaign={campaign_id}"


class FamiliesOverviewView(ScopedViewMixin, View):
    """Per school of a work in the caller's scope: classes with results and classes whose
    families were informed (coordinators and the federal operator)."""

    api_routes = ("api-families-overview",)

    scoped_model = FamiliesInformed
    action = A.VIEW_INFORMED

    def get(self, request: HttpRequest) -> HttpResponse:
        campaign = campaigns.campaign_chosen(
            actor=self.actor, campaign_id=int_param(request.GET.get("campaign"))
        )
        works = selectors.overview_works(actor=self.actor, campaign=campaign)
        work = selectors.overview_work(  # an unknown work: 400 naming it, as in the API
            actor=self.actor,
            campaign=campaign,
            works=works,
            work_id=int_param(request.GET.get("work"), name="work"),
        )
        return render(
            request,
            "families/overview.html",
            {
                "campaign": campaign,
                "campaigns": campaigns.campaign_list(actor=self.actor),
                "works": works,
                "work": work,
                "overview": selectors.overview(actor=self.actor, work=work),
                "limit": selectors.OVERVIEW_ROWS,
            },
        )
