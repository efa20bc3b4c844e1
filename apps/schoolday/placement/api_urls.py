from django.urls import URLPattern, URLResolver, path

from apps.schoolday.placement import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "schoolday/schools/<int:school_id>/days/",
        api.WorkDayListApi.as_view(),
        name="api-schoolday-days",
    ),
    path(
        "schoolday/schools/<int:school_id>/works/<int:work_id>/placement/",
        api.PlacementApi.as_view(),
        name="api-schoolday-placement",
    ),
    path(
        "schoolday/schools/<int:school_id>/works/<int:work_id>/placement/propose/",
        api.PlacementProposeApi.as_view(),
        name="api-schoolday-placement-propose",
    ),
    path(
        "schoolday/schools/<int:school_id>/works/<int:work_id>/staff/",
        api.StaffApi.as_view(),
        name="api-schoolday-staff",
    ),
]
