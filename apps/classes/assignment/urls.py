from django.urls import URLPattern, URLResolver, path

from apps.classes.assignment import views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "classes/assignment/<int:campaign_id>/",
        views.AssignmentConfigView.as_view(),
        name="assignment-config",
    ),
    path(
        "classes/assignment/<int:campaign_id>/run/",
        views.AssignmentRunView.as_view(),
        name="assignment-run",
    ),
    path("classes/distribution/", views.DistributionView.as_view(), name="class-distribution"),
    path(
        "classes/distribution/export.xlsx",
        views.DistributionExportView.as_view(),
        name="class-distribution-export",
    ),
]
