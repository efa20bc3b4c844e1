from django.urls import path

from apps.results.api import monitoring, views
from apps.results.context import views as context_views
from apps.results.monitoring import api as monitoring_api

urlpatterns = [
    path(
        "schools/<int:school_id>/results/<int:work_id>/",
        views.SchoolWorkResultsApi.as_view(),
        name="api-school-results",
    ),
    path(
        "schools/<int:school_id>/results/<int:work_id>/form/",
        views.ResultsFormApi.as_view(),
        name="api-school-results-form",
    ),
    path(
        "results/schools/<int:school_id>/works/<int:work_id>/expert-entry/",
        views.ExpertEntryApi.as_view(),
        name="api-results-expert-entry",
    ),
    path(
        "schools/<int:school_id>/results/<int:work_id>/entry/",
        views.ResultsEntryApi.as_view(),
        name="api-results-entry",
    ),
    path(
        "schools/<int:school_id>/results/<int:work_id>/reopen/",
        views.ResultsReopenApi.as_view(),
        name="api-results-reopen",
    ),
    path("results/reminders/", views.ResultsRemindApi.as_view(), name="api-results-remind"),
    path(
        "results/monitoring/",
        monitoring.ResultsMonitoringApi.as_view(),
        name="api-results-monitoring",
    ),
    path(
        "results/monitoring/regions/<int:region_id>/works/<int:work_id>/schools/",
        monitoring_api.ResultsMonitoringSchoolsApi.as_view(),
        name="api-results-monitoring-region-schools",
    ),
    path(
        "results/monitoring/municipalities/<int:municipality_id>/works/<int:work_id>/schools/",
        monitoring_api.ResultsMonitoringSchoolsApi.as_view(),
        name="api-results-monitoring-municipality-schools",
    ),
    path("result-versions/<int:pk>/", views.ResultVersionApi.as_view(), name="api-result-version"),
    path(
        "schools/<int:school_id>/context/",
        context_views.ContextApi.as_view(),
        name="api-school-context",
    ),
]
