"""The API routes of objectivity control: rechecks."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from apps.objectivity.rechecks import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("objectivity/rechecks/", api.RecheckListApi.as_view(), name="api-objectivity-rechecks"),
    path(
        "objectivity/rechecks/candidates/",
        api.RecheckCandidatesApi.as_view(),
        name="api-objectivity-recheck-candidates",
    ),
    path(
        "objectivity/rechecks/requests/",
        api.ScanRequestsApi.as_view(),
        name="api-objectivity-recheck-requests",
    ),
    path(
        "objectivity/rechecks/<int:review_id>/",
        api.RecheckDetailApi.as_view(),
        name="api-objectivity-recheck",
    ),
    path(
        "objectivity/rechecks/<int:review_id>/report/",
        api.GapReportApi.as_view(),
        name="api-objectivity-recheck-report",
    ),
    path(
        "objectivity/rechecks/<int:review_id>/report.xlsx",
        api.GapReportXlsxApi.as_view(),
        name="api-objectivity-recheck-report-xlsx",
    ),
    path(
        "objectivity/rechecks/cases/<int:case_id>/",
        api.CaseApi.as_view(),
        name="api-objectivity-recheck-case",
    ),
    path(
        "objectivity/rechecks/cases/<int:case_id>/comments/",
        api.CaseCommentApi.as_view(),
        name="api-objectivity-recheck-case-comments",
    ),
    path(
        "objectivity/rechecks/cases/<int:case_id>/close/",
        api.CaseCloseApi.as_view(),
        name="api-objectivity-recheck-case-close",
    ),
    path(
        "objectivity/rechecks/results/<int:pk>/",
        api.WithWithoutApi.as_view(),
        name="api-objectivity-recheck-results",
    ),
]
