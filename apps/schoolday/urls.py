"""The school day app's pages: each sub-domain keeps its own routes."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("apps.schoolday.rooms.urls")),
    path("", include("apps.schoolday.placement.urls")),
    path("", include("apps.schoolday.overview.urls")),
    path("", include("apps.schoolday.packets.urls")),
    path("", include("apps.schoolday.checking.urls")),
    path("", include("apps.schoolday.record.urls")),
    path("", include("apps.schoolday.accounts.urls")),
]
