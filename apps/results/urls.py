from django.urls import path

from apps.results import views
from apps.results.context import views as context_views
from apps.results.monitoring import views as monitoring_views

urlpatterns = [
    path(
        "schools/<int:school_id>/results/",
        views.SchoolResultsView.as_view(),
        name="results-school",
    ),
    path(
        "schools/<int:school_id>/results/<int:work_id>/",
        views.WorkResultsView.as_view(),
        name="results-work",
    ),
    path(
        "schools/<int:school_id>/results/<int:work_id>/upload/",
        views.ResultsUploadView.as_view(),
        name="results-upload",
    ),
    path(
        "schools/<int:school_id>/results/<int:work_id>/entry/",
        views.ResultsEntryView.as_view(),
        name="results-entry",
    ),
    path(
        "schools/<int:school_id>/results/<int:work_id>/form/",
        views.ResultsFormView.as_view(),
        name="results-form",
    ),
    path(
        "schools/<int:school_id>/results/<int:work_id>/reopen/",
        views.ResultsReopenView.as_view(),
        name="results-reopen",
    ),
    path(
        "results/monitoring/",
        monitoring_views.ResultsMonitoringView.as_view(),
        name="results-monitoring",
    ),
    path(
        "results/monitoring/regions/<int:region_id>/",
        monitoring_views.MonitoringRegionView.as_view(),
        name="results-monitoring-region",
    ),
    path(
        "results/monitoring/municipalities/<int:municipality_id>/",
        monitoring_views.MonitoringMunicipalityView.as_view(),
        name="results-monitoring-municipality",
    ),
    path(
        "results/monitoring/remind/",
        monitoring_views.ResultsRemindView.as_view(),
        name="results-remind",
    ),
    path("results/versions/<int:pk>/", views.VersionView.as_view(), name="results-version"),
    path(
        "results/versions/<int:pk>/file/",
        views.VersionFileView.as_view(),
        name="results-version-file",
    ),
    path(
        "results/context-versions/<int:pk>/",
        context_views.ContextVersionView.as_view(),
        name="results-context-version",
    ),
    path(
        "schools/<int:school_id>/context/",
        context_views.ContextView.as_view(),
        name="results-context",
    ),
    path(
        "schools/<int:school_id>/context/upload/",
        context_views.ContextUploadView.as_view(),
        name="results-context-upload",
    ),
    path(
        "schools/<int:school_id>/context/form/",
        context_views.ContextFormView.as_view(),
        name="results-context-form",
    ),
]
