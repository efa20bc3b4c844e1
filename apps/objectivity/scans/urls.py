"""The page routes of objectivity control: scans."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from apps.objectivity.scans import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("objectivity/scans/", views.UnitScansView.as_view(), name="objectivity-scans-unit"),
    path(
        "schools/<int:school_id>/scans/",
        views.SchoolScansView.as_view(),
        name="objectivity-scans-school",
    ),
    path(
        "schools/<int:school_id>/scans/<int:work_id>/",
        views.WorkScansView.as_view(),
        name="objectivity-scans-work",
    ),
    path(
        "schools/<int:school_id>/scans/<int:work_id>/upload/",
        views.ScansUploadView.as_view(),
        name="objectivity-scans-upload",
    ),
    path(
        "objectivity/scans/batches/<int:scan_batch_id>/",
        views.ScanBatchView.as_view(),
        name="objectivity-scan-batch",
    ),
    path(
        "objectivity/scans/batches/<int:scan_batch_id>/reprocess/",
        views.ScanBatchReprocessView.as_view(),
        name="objectivity-scan-batch-reprocess",
    ),
    path(
        "objectivity/scans/booklets/<int:booklet_id>/code/",
        views.BookletCodeView.as_view(),
        name="objectivity-booklet-code",
    ),
    path(
        "objectivity/scans/pages/<int:scan_page_id>/image/",
        views.ScanPageImageView.as_view(),
        name="objectivity-scan-page-image",
    ),
]
