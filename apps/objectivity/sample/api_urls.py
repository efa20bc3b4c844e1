"""The API routes of objectivity control: the federal sample."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from apps.objectivity.sample import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("objectivity/samples/", api.SamplesApi.as_view(), name="api-objectivity-samples"),
    path(
        "objectivity/samples/<int:sample_id>/",
        api.SampleApi.as_view(),
        name="api-objectivity-sample",
    ),
    path(
        "objectivity/samples/<int:sample_id>/cases/",
        api.SampleCasesApi.as_view(),
        name="api-objectivity-sample-cases",
    ),
    path(
        "objectivity/federal-cases/",
        api.FederalCasesApi.as_view(),
        name="api-objectivity-federal-cases",
    ),
    path(
        "objectivity/federal-cases/<int:case_id>/publish/",
        api.FederalPublishApi.as_view(),
        name="api-objectivity-federal-publish",
    ),
]
