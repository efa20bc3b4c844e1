from django.urls import path

from apps.analytics import views

urlpatterns = [
    path("analytics/", views.AnalyticsIndexView.as_view(), name="analytics-index"),
    path("analytics/<int:pk>/marks/", views.MarksView.as_view(), name="analytics-marks"),
    path("analytics/<int:pk>/scores/", views.ScoresView.as_view(), name="analytics-scores"),
    path("analytics/<int:pk>/tasks/", views.TasksView.as_view(), name="analytics-tasks"),
    path("analytics/<int:pk>/journal/", views.JournalView.as_view(), name="analytics-journal"),
    path("analytics/<int:pk>/topics/", views.TopicsView.as_view(), name="analytics-topics"),
    path("analytics/<int:pk>/groups/", views.GroupsView.as_view(), name="analytics-groups"),
    path(
        "analytics/<int:pk>/individual/",
        views.IndividualView.as_view(),
        name="analytics-individual",
    ),
    path(
        "analytics/<int:pk>/marks.xlsx", views.MarksXlsxView.as_view(), name="analytics-marks-xlsx"
    ),
    path(
        "analytics/<int:pk>/objectivity/",
        views.ObjectivityView.as_view(),
        name="analytics-objectivity",
    ),
    path("analytics/<int:pk>/report.pdf", views.ReportPdfView.as_view(), name="analytics-pdf"),
]
