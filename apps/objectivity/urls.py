"""The objectivity control app's pages: each sub-domain keeps its own routes."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("apps.objectivity.scans.urls")),
    path("", include("apps.objectivity.marking.urls")),
    path("", include("apps.objectivity.sample.urls")),
    path("", include("apps.objectivity.commission.urls")),
    path("", include("apps.objectivity.rechecks.urls")),
]
