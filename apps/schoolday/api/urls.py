"""The school day app's API routes (under /api/v1/): each sub-domain keeps its own."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("apps.schoolday.rooms.api_urls")),
    path("", include("apps.schoolday.placement.api_urls")),
    path("", include("apps.schoolday.overview.api_urls")),
    path("", include("apps.schoolday.packets.api_urls")),
    path("", include("apps.schoolday.checking.api_urls")),
    path("", include("apps.schoolday.record.api_urls")),
    path("", include("apps.schoolday.accounts.api_urls")),
]
