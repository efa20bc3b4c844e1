from django.urls import URLPattern, URLResolver, path

from apps.schoolday.placement import views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "school-day/school/<int:school_id>/", views.SchoolDayView.as_view(), name="schoolday-school"
    ),
    path(
        "school-day/school/<int:school_id>/works/<int:work_id>/",
        views.PlacementView.as_view(),
        name="schoolday-placement",
    ),
    path(
        "school-day/school/<int:school_id>/works/<int:work_id>/propose/",
        views.PlacementProposeView.as_view(),
        name="schoolday-placement-propose",
    ),
    path(
        "school-day/school/<int:school_id>/works/<int:work_id>/seats/",
        views.PlacementSaveView.as_view(),
        name="schoolday-placement-save",
    ),
    path(
        "school-day/school/<int:school_id>/works/<int:work_id>/staff/",
        views.StaffSaveView.as_view(),
        name="schoolday-staff-save",
    ),
]
