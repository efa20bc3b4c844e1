from django.urls import path

from apps.results.api import views
from apps.results.context import views as context_views

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
    path("result-versions/<int:pk>/", views.ResultVersionApi.as_view(), name="api-result-version"),
    path(
        "schools/<int:school_id>/context/",
        context_views.ContextApi.as_view(),
        name="api-school-context",
    ),
]
