"""Pages of the print planner and the delivery packets (included from ``apps/schoolday/urls.py``;
the API routes are in ``api_urls.py``)."""

from __future__ import annotations

from django.urls import path

from apps.schoolday.packets import views

urlpatterns = [
    path(
        "school-day/school/<int:school_id>/print/",
        views.PrintPlanView.as_view(),
        name="schoolday-print",
    ),
    path(
        "school-day/school/<int:school_id>/packets/build/",
        views.PacketsBuildView.as_view(),
        name="schoolday-packets-build",
    ),
    path(
        "school-day/packets/<int:pk>/download/",
        views.PacketDownloadView.as_view(),
        name="schoolday-packet-download",
    ),
]
