from django.urls import path

from apps.analytics.api import views
from apps.analytics.exports import KINDS

urlpatterns = [
    path("analytics/", views.AnalyticsListApi.as_view(), name="api-analytics-list"),
    # Every report as a file, as the page downloads it: analytics/<pk>/<kind>.xlsx and .pdf
    *[
        path(
            f"analytics/<int:pk>/{kind}.{fmt}",
            views.report_file_api(kind, fmt).as_view(),
            name=f"api-analytics-{kind}-{fmt}",
        )
        for kind in KINDS
        for fmt in ("xlsx", "pdf")
    ],
    *[
        path(f"analytics/<int:pk>/{slug}/", api.as_view(), name=f"api-analytics-{slug}")
        for slug, api in (
            ("marks", views.MarksApi),
            ("scores", views.ScoresApi),
            ("tasks", views.TasksApi),
            ("journal", views.JournalApi),
            ("topics", views.TopicsApi),
            ("groups", views.GroupsApi),
            ("individual", views.IndividualApi),
            ("history", views.HistoryApi),
        )
    ],
]
