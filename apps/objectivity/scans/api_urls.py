"""The API routes of objectivity control: scans."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from apps.objectivity.scans import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("objectivity/scans/", api.UnitScansApi.as_view(), name="api-objectivity-scans-unit"),
    path(
        "objectivity/schools/<int:school_id>/scans/",
        api.SchoolScansApi.as_view(),
        name="api-objectivity-scans-school",
    ),
    path(
        "objectivity/schools/<int:school_id>/works/<int:work_id>/scans/",
        api.ScanBatchListApi.as_view(),
        name="api-objectivity-scan-batches",
    ),
    path(
        "objectivity/scans/batches/<int:scan_batch_id>/",
        api.ScanBatchDetailApi.as_view(),
        name="api-objectivity-scan-batch",
    ),
    path(
        "objectivity/scans/batches/<int:scan_batch_id>/reprocess/",
        api.ScanBatchReprocessApi.as_view(),
        name="api-objectivity-scan-batch-reprocess",
    ),
    path(
        "objectivity/scans/booklets/<int:booklet_id>/",
        api.BookletApi.as_view(),
        name="api-objectivity-booklet",
    ),
    path(
        "objectivity/scans/pages/<int:scan_page_id>/image/",
        api.ScanPageImageApi.as_view(),
        name="api-objectivity-scan-page-image",
    ),
]
