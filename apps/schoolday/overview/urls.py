from django.urls import URLPattern, URLResolver, path

from apps.schoolday.overview import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("school-day/readiness/", views.ReadinessView.as_view(), name="schoolday-readiness"),
]
