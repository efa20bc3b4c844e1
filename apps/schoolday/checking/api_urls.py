from django.urls import URLPattern, URLResolver, path

from apps.schoolday.checking import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "schoolday/checking/progress/",
        api.CheckingProgressApi.as_view(),
        name="api-schoolday-checking-progress",
    ),
    path(
        "schoolday/schools/<int:school_id>/works/<int:work_id>/checking/",
        api.CheckingApi.as_view(),
        name="api-schoolday-checking",
    ),
    path(
        "schoolday/schools/<int:school_id>/works/<int:work_id>/checking/auto/",
        api.CheckingAutoApi.as_view(),
        name="api-schoolday-checking-auto",
    ),
    path(
        "schoolday/schools/<int:school_id>/works/<int:work_id>/checking/assign/",
        api.CheckingAssignApi.as_view(),
        name="api-schoolday-checking-assign",
    ),
    path(
        "schoolday/schools/<int:school_id>/works/<int:work_id>/checking/unassign/",
        api.CheckingUnassignApi.as_view(),
        name="api-schoolday-checking-unassign",
    ),
]
