"""The page routes of objectivity control: marking."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from apps.objectivity.marking import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("objectivity/marking/", views.MarkerHomeView.as_view(), name="objectivity-marking"),
    path(
        "objectivity/marking/reviews/<int:review_id>/",
        views.MarkingScreenView.as_view(),
        name="objectivity-marking-screen",
    ),
    path(
        "objectivity/marking/tasks/<int:mark_task_id>/",
        views.MarkEnterView.as_view(),
        name="objectivity-marking-enter",
    ),
    path(
        "objectivity/marking/tasks/<int:mark_task_id>/crop/",
        views.TaskCropView.as_view(),
        name="objectivity-marking-crop",
    ),
    path(
        "objectivity/marking/tasks/<int:mark_task_id>/assign/",
        views.ThirdAssignView.as_view(),
        name="objectivity-marking-third-assign",
    ),
    path(
        "objectivity/marking/reviews/<int:review_id>/progress/",
        views.ReviewProgressView.as_view(),
        name="objectivity-marking-progress",
    ),
    path(
        "objectivity/marking/reviews/<int:review_id>/markers/",
        views.MarkersSetView.as_view(),
        name="objectivity-marking-markers",
    ),
    path(
        "objectivity/marking/reviews/<int:review_id>/allocate/",
        views.AllocateView.as_view(),
        name="objectivity-marking-allocate",
    ),
    path(
        "objectivity/marking/school/<int:school_id>/",
        views.SchoolReviewsView.as_view(),
        name="objectivity-marking-school",
    ),
    path(
        "objectivity/marking/school/<int:school_id>/open/",
        views.SchoolReviewOpenView.as_view(),
        name="objectivity-marking-school-open",
    ),
    path(
        "objectivity/marking/reviews/<int:review_id>/close/",
        views.ReviewCloseView.as_view(),
        name="objectivity-marking-close",
    ),
]
