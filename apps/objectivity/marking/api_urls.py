"""The API routes of objectivity control: marking."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from apps.objectivity.marking import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "objectivity/marking/reviews/",
        api.MarkerReviewsApi.as_view(),
        name="api-objectivity-marking-reviews",
    ),
    path(
        "objectivity/marking/reviews/<int:review_id>/next/",
        api.NextTaskApi.as_view(),
        name="api-objectivity-marking-next",
    ),
    path(
        "objectivity/marking/tasks/<int:mark_task_id>/",
        api.MarkApi.as_view(),
        name="api-objectivity-marking-task",
    ),
    path(
        "objectivity/marking/tasks/<int:mark_task_id>/crop/",
        api.TaskCropApi.as_view(),
        name="api-objectivity-marking-crop",
    ),
    path(
        "objectivity/marking/tasks/<int:mark_task_id>/assign/",
        api.ThirdAssignApi.as_view(),
        name="api-objectivity-marking-third-assign",
    ),
    path(
        "objectivity/reviews/<int:review_id>/allocations/",
        api.AllocationsApi.as_view(),
        name="api-objectivity-marking-allocations",
    ),
    path(
        "objectivity/reviews/<int:review_id>/markers/",
        api.MarkersApi.as_view(),
        name="api-objectivity-marking-markers",
    ),
    path(
        "objectivity/reviews/<int:review_id>/allocate/",
        api.AllocateApi.as_view(),
        name="api-objectivity-marking-allocate",
    ),
    path(
        "objectivity/reviews/<int:review_id>/progress/",
        api.ProgressApi.as_view(),
        name="api-objectivity-marking-progress",
    ),
    path(
        "objectivity/reviews/<int:review_id>/close/",
        api.CloseApi.as_view(),
        name="api-objectivity-marking-close",
    ),
    path(
        "objectivity/schools/<int:school_id>/reviews/",
        api.SchoolReviewsApi.as_view(),
        name="api-objectivity-school-reviews",
    ),
]
