"""Pages of the commission accounts: the markers of the actor's commission (and of the units
below), a new marker's login and one-time password (shown once, never cached), a new password,
taking the access back."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import View

from apps.core.errors import DomainError
from apps.objectivity.actions import ObjectivityActions as OA  # noqa: N817
from apps.objectivity.commission import services
from apps.objectivity.commission.messages import CommissionNotFoundError
from apps.registration.access import ScopedViewMixin
from apps.registration.models import User


class MarkerForm(forms.Form):
    full_name = forms.CharField(label="ФИО эксперта", max_length=300)
    email = forms.CharField(label="Электронная почта (необязательно)", required=False)


def _once(request: HttpRequest, issued: services.IssuedMarker, title: str) -> HttpResponse:
    response = render(
        request, "objectivity/commission/issued.html", {"issued": issued, "title": title}
    )
    response["Cache-Control"] = "private, no-store"
    return response


class CommissionView(ScopedViewMixin, View):
    """GET: the markers; POST: a new marker of the actor's commission (password shown once)."""

    api_routes = ("api-objectivity-markers",)

    scoped_model = User
    action = OA.MANAGE_MARKERS

    def _render(self, request: HttpRequest, form: MarkerForm, status: int = 200) -> HttpResponse:
        ctx: dict[str, Any] = {
            "markers": services.markers_list(actor=self.actor),
            "form": form,
            "own_unit": services.commission_label(self.actor.unit),
        }
        return render(request, "objectivity/commission/index.html", ctx, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, MarkerForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = MarkerForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            issued = services.marker_issue(
                actor=self.actor,
                full_name=form.cleaned_data["full_name"],
                email=form.cleaned_data["email"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self._render(request, form, status=exc.status)
        return _once(request, issued, "Эксперту комиссии выдан доступ")


class _MarkerView(ScopedViewMixin, View):
    scoped_model = User
    action = OA.MANAGE_MARKERS

    def _marker(self, marker_user_id: int) -> services.Marker:
        try:
            return services.marker_get(actor=self.actor, user_id=marker_user_id)
        except CommissionNotFoundError as exc:
            raise Http404 from exc


class MarkerPasswordView(_MarkerView):
    """POST: a new one-time password of a marker, shown once."""

    api_routes = ("api-objectivity-marker-password",)

    def post(self, request: HttpRequest, marker_user_id: int) -> HttpResponse:
        marker = self._marker(marker_user_id)
        issued = services.marker_reissue(actor=self.actor, user_id=marker.user.pk)
        return _once(request, issued, "Эксперту комиссии выдан новый пароль")


class MarkerRevokeView(_MarkerView):
    """POST: take a marker's access back; back to the list."""

    api_routes = ("api-objectivity-marker-revoke",)

    def post(self, request: HttpRequest, marker_user_id: int) -> HttpResponse:
        marker = self._marker(marker_user_id)
        login = marker.user.username
        services.marker_revoke(actor=self.actor, user_id=marker.user.pk)
        messages.success(request, f"Доступ эксперта {login} отозван.")
        return redirect("objectivity-commission")
