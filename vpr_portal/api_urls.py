"""/api/v1/: every app's API routes plus token authentication."""

from django.urls import include, path

from apps.registration.api.auth import ObtainTokenApi, RevokeTokenApi

urlpatterns = [
    path("auth/token/", ObtainTokenApi.as_view(), name="api-token"),
    path("auth/token/revoke/", RevokeTokenApi.as_view(), name="api-token-revoke"),
    path("", include("apps.registration.api.urls")),
    path("", include("apps.applications.api.urls")),
    path("", include("apps.materials.api.urls")),
    path("", include("apps.campaigns.api.urls")),
    path("", include("apps.classes.api.urls")),
    path("", include("apps.schoolday.api.urls")),
    path("", include("apps.objectivity.api.urls")),
    path("", include("apps.results.api.urls")),
    path("", include("apps.analytics.api.urls")),
    path("", include("apps.notices.api.urls")),
    path("", include("apps.families.api.urls")),
    path("", include("apps.audit.api")),
    path("", include("apps.cabinet.api")),
]
