"""The page routes of objectivity control: the federal sample."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from apps.objectivity.sample import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("objectivity/sample/", views.SampleView.as_view(), name="objectivity-sample"),
    path(
        "objectivity/sample/<int:sample_id>/",
        views.SampleDetailView.as_view(),
        name="objectivity-sample-detail",
    ),
    path(
        "objectivity/federal-checking/",
        views.SampleCasesView.as_view(),
        name="objectivity-sample-cases",
    ),
    path(
        "objectivity/federal-checking/<int:case_id>/publish/",
        views.PublishView.as_view(),
        name="objectivity-sample-publish",
    ),
]
