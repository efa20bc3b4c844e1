"""API routes of the print planner and the delivery packets (under /api/v1/, included from
``apps/schoolday/api/urls.py``)."""

from __future__ import annotations

from django.urls import path

from apps.schoolday.packets import api

urlpatterns = [
    path(
        "schoolday/schools/<int:school_id>/print-plan/",
        api.PrintPlanApi.as_view(),
        name="api-schoolday-print-plan",
    ),
    path(
        "schoolday/schools/<int:school_id>/packets/",
        api.PacketsApi.as_view(),
        name="api-schoolday-packets",
    ),
    path(
        "schoolday/packets/<int:pk>/download/",
        api.PacketDownloadApi.as_view(),
        name="api-schoolday-packet-download",
    ),
]
