"""A deliberately broken URLconf: routes that forget scoping (used to test the contract)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views import View

from apps.registration.access import A, ScopedViewMixin
from apps.registration.models import School


class UnscopedSchoolView(View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        school = School.objects.get(pk=pk)
        return JsonResponse({"name": school.short_name})


class SneakySchoolView(ScopedViewMixin, View):
    scoped_model = School
    action = A.VIEW_SCHOOL

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        school = School.objects.get(pk=pk)  # forgets self.get_queryset()
        return JsonResponse({"name": school.short_name})


urlpatterns = [
    path("bad/<int:pk>/", UnscopedSchoolView.as_view(), name="unscoped-a-plain"),
    path("sneaky/<int:pk>/", SneakySchoolView.as_view(), name="unscoped-b-sneaky"),
    path("", include("vpr_portal.urls")),
]
