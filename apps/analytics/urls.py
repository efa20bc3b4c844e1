from django.urls import path

from apps.analytics import views
from apps.analytics.exports import KINDS

urlpatterns = [
    path("analytics/", views.AnalyticsIndexView.as_view(), name="analytics-index"),
    path("analytics/<int:pk>/marks/", views.MarksView.as_view(), name="analytics-marks"),
    path("analytics/<int:pk>/scores/", views.ScoresView.as_view(), name="analytics-scores"),
    path("analytics/<int:pk>/tasks/", views.TasksView.as_view(), name="analytics-tasks"),
    path("analytics/<int:pk>/journal/", views.JournalView.as_view(), name="analytics-journal"),
    path("analytics/<int:pk>/topics/", views.TopicsView.as_view(), name="analytics-topics"),
    path("analytics/<int:pk>/groups/", views.GroupsView.as_view(), name="analytics-groups"),
    path("analytics/<int:pk>/history/", views.HistoryView.as_view(), name="analytics-history"),
    path(
        "analytics/<int:pk>/individual/",
        views.IndividualView.as_view(),
        name="analytics-individual",
    ),
    path(
        "analytics/<int:pk>/objectivity/",
        views.ObjectivityView.as_view(),
        name="analytics-objectivity",
    ),
    # Every report as a file: analytics/<pk>/<kind>.xlsx and .pdf (one route per kind, so an
    # unknown kind is a 404), and the six reports of the aggregate in one PDF.
    *[
        path(
            f"analytics/<int:pk>/{kind}.{fmt}",
            (
                views.IndividualDownloadView if kind == "individual" else views.ReportDownloadView
            ).as_view(kind=kind, fmt=fmt),
            name=f"analytics-{kind}-{fmt}",
        )
        for kind in KINDS
        for fmt in ("xlsx", "pdf")
    ],
    path("analytics/<int:pk>/report.pdf", views.CombinedPdfView.as_view(), name="analytics-pdf"),
]
