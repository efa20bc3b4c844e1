from django.urls import path

from apps.results import views, views_context

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
    path("results/monitoring/", views.ResultsMonitoringView.as_view(), name="results-monitoring"),
    path(
        "results/monitoring/remind/",
        views.ResultsRemindView.as_view(),
        name="results-remind",
    ),
    path("results/versions/<int:pk>/", views.VersionView.as_view(), name="results-version"),
    path(
        "results/versions/<int:pk>/file/",
        views.VersionFileView.as_view(),
        name="results-version-file",
    ),
    path(
        "schools/<int:school_id>/context/",
        views_context.ContextView.as_view(),
        name="results-context",
    ),
    path(
        "schools/<int:school_id>/context/upload/",
        views_context.ContextUploadView.as_view(),
        name="results-context-upload",
    ),
    path(
        "schools/<int:school_id>/context/form/",
        views_context.ContextFormView.as_view(),
        name="results-context-form",
    ),
]
