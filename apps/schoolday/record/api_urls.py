"""API routes of the record of the day (under /api/v1/, included from
``apps/schoolday/api/urls.py``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from apps.schoolday.record import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "schoolday/schools/<int:school_id>/works/<int:work_id>/record/",
        api.DayRecordApi.as_view(),
        name="api-schoolday-record",
    ),
    path(
        "schoolday/sittings/<int:pk>/record/hand-out/",
        api.HandOutApi.as_view(),
        name="api-schoolday-record-hand-out",
    ),
    path(
        "schoolday/sittings/<int:pk>/record/return/",
        api.ReturnApi.as_view(),
        name="api-schoolday-record-return",
    ),
]
