from django.urls import URLPattern, URLResolver, path

from apps.schoolday.overview import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("schoolday/readiness/", api.ReadinessApi.as_view(), name="api-schoolday-readiness"),
]
