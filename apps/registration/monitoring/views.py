"""Monitoring of registration: drill-down pages country → region → municipality → schools."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.generic import ListView, View

from apps.core.params import int_param
from apps.registration.access import A, ScopedViewMixin
from apps.registration.models import Municipality, Region, School
from apps.registration.monitoring import selectors as monitoring_selectors

PAGE_SIZE = 50
TEMPLATE = "registration/monitoring/registration.html"


class _ProgressView(ScopedViewMixin, View):
    action = A.VIEW_MONITORING

    def progress(
        self,
        request: HttpRequest,
        *,
        region_id: int | None = None,
        municipality_id: int | None = None,
    ) -> HttpResponse:
        try:
            report = monitoring_selectors.registration_progress(
                actor=self.actor, region_id=region_id, municipality_id=municipality_id
            )
        except (Region.DoesNotExist, Municipality.DoesNotExist) as exc:
            raise Http404 from exc
        ctx = {"report": report, "lagging_kinds": monitoring_selectors.LAGGING_KINDS}
        return render(request, TEMPLATE, ctx)


class RegistrationMonitoringView(_ProgressView):
    """The actor's own level: regions (federal), municipalities (regional), schools (municipal)."""

    api_routes = ("api-monitoring-registration",)

    scoped_model = School

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.progress(request)


class RegionMonitoringView(_ProgressView):
    """The municipalities of one region."""

    api_routes = ("api-monitoring-region",)

    scoped_model = Region

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.progress(request, region_id=pk)


class MunicipalityMonitoringView(_ProgressView):
    """The schools of one municipality."""

    api_routes = ("api-monitoring-municipality",)

    scoped_model = Municipality

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.progress(request, municipality_id=pk)


class LaggingSchoolsView(ScopedViewMixin, ListView):  # type: ignore[type-arg]
    """Schools that have not done a registration step yet (optionally within one unit)."""

    api_routes = ("api-monitoring-lagging",)

    scoped_model = School
    action = A.VIEW_MONITORING
    template_name = "registration/monitoring/lagging.html"
    paginate_by = PAGE_SIZE

    def kind(self) -> str:
        kind = self.request.GET.get("kind", "")
        return kind if kind in monitoring_selectors.LAGGING_KINDS else "login"

    def get_queryset(self) -> QuerySet[School]:
        return monitoring_selectors.registration_lagging_list(
            actor=self.actor,
            kind=self.kind(),
            region_id=int_param(self.request.GET.get("region")),
            municipality_id=int_param(self.request.GET.get("municipality")),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["kind"] = self.kind()
        ctx["kinds"] = monitoring_selectors.LAGGING_KINDS
        ctx["region"] = self.request.GET.get("region", "")
        ctx["municipality"] = self.request.GET.get("municipality", "")
        return ctx
