"""The classes app's API: each sub-domain keeps its own endpoints."""

from django.urls import include, path

urlpatterns = [
    path("", include("apps.classes.register.api_urls")),
    path("", include("apps.classes.assignment.api_urls")),
    path("", include("apps.classes.timetable.api_urls")),
]
