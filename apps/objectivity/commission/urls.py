"""The page routes of objectivity control: commission markers' accounts."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from apps.objectivity.commission import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("objectivity/commission/", views.CommissionView.as_view(), name="objectivity-commission"),
    path(
        "objectivity/commission/<int:marker_user_id>/password/",
        views.MarkerPasswordView.as_view(),
        name="objectivity-commission-password",
    ),
    path(
        "objectivity/commission/<int:marker_user_id>/revoke/",
        views.MarkerRevokeView.as_view(),
        name="objectivity-commission-revoke",
    ),
]
