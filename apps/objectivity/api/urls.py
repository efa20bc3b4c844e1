"""The objectivity control app's API routes (under /api/v1/): each sub-domain keeps its own."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("apps.objectivity.scans.api_urls")),
    path("", include("apps.objectivity.marking.api_urls")),
    path("", include("apps.objectivity.sample.api_urls")),
    path("", include("apps.objectivity.commission.api_urls")),
    path("", include("apps.objectivity.rechecks.api_urls")),
]
