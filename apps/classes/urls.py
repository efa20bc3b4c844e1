"""The classes app's pages: each sub-domain keeps its own routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("apps.classes.register.urls")),
    path("", include("apps.classes.assignment.urls")),
    path("", include("apps.classes.timetable.urls")),
]
