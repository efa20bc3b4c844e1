"""The API routes of objectivity control: commission markers' accounts."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from apps.objectivity.commission import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "objectivity/commission/markers/",
        api.MarkersApi.as_view(),
        name="api-objectivity-markers",
    ),
    path(
        "objectivity/commission/markers/<int:marker_user_id>/password/",
        api.MarkerPasswordApi.as_view(),
        name="api-objectivity-marker-password",
    ),
    path(
        "objectivity/commission/markers/<int:marker_user_id>/revoke/",
        api.MarkerRevokeApi.as_view(),
        name="api-objectivity-marker-revoke",
    ),
]
