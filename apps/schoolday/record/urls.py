"""Pages of the record of the day (included from ``apps/schoolday/urls.py``; the API routes are
in ``api_urls.py``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from apps.schoolday.record import views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "school-day/school/<int:school_id>/works/<int:work_id>/record/",
        views.RecordView.as_view(),
        name="schoolday-record",
    ),
    path(
        "school-day/sittings/<int:pk>/record/hand-out/",
        views.HandOutView.as_view(),
        name="schoolday-record-hand-out",
    ),
    path(
        "school-day/sittings/<int:pk>/record/return/",
        views.ReturnView.as_view(),
        name="schoolday-record-return",
    ),
]
