"""The page routes of objectivity control: rechecks."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from apps.objectivity.rechecks import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("objectivity/rechecks/", views.RecheckListView.as_view(), name="objectivity-rechecks"),
    path(
        "objectivity/rechecks/new/",
        views.RecheckNewView.as_view(),
        name="objectivity-recheck-new",
    ),
    path(
        "objectivity/rechecks/<int:review_id>/",
        views.RecheckDetailView.as_view(),
        name="objectivity-recheck",
    ),
    path(
        "objectivity/rechecks/<int:review_id>/report/",
        views.GapReportView.as_view(),
        name="objectivity-recheck-report",
    ),
    path(
        "objectivity/rechecks/<int:review_id>/report.xlsx",
        views.GapReportXlsxView.as_view(),
        name="objectivity-recheck-report-xlsx",
    ),
    path(
        "objectivity/rechecks/cases/<int:case_id>/",
        views.CaseView.as_view(),
        name="objectivity-recheck-case",
    ),
    path(
        "objectivity/rechecks/cases/<int:case_id>/comment/",
        views.CaseCommentView.as_view(),
        name="objectivity-recheck-case-comment",
    ),
    path(
        "objectivity/rechecks/cases/<int:case_id>/close/",
        views.CaseCloseView.as_view(),
        name="objectivity-recheck-case-close",
    ),
    path(
        "objectivity/rechecks/results/<int:pk>/",
        views.WithWithoutView.as_view(),
        name="objectivity-recheck-results",
    ),
]
