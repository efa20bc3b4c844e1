from django.urls import URLPattern, URLResolver, path

from apps.schoolday.checking import views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "school-day/checking/",
        views.CheckingProgressView.as_view(),
        name="schoolday-checking-progress",
    ),
    path(
        "school-day/school/<int:school_id>/checking/",
        views.SchoolCheckingView.as_view(),
        name="schoolday-checking-school",
    ),
    path(
        "school-day/school/<int:school_id>/checking/<int:work_id>/",
        views.CheckingView.as_view(),
        name="schoolday-checking",
    ),
    path(
        "school-day/school/<int:school_id>/checking/<int:work_id>/auto/",
        views.CheckingAutoView.as_view(),
        name="schoolday-checking-auto",
    ),
    path(
        "school-day/school/<int:school_id>/checking/<int:work_id>/assign/",
        views.CheckingAssignView.as_view(),
        name="schoolday-checking-assign",
    ),
    path(
        "school-day/school/<int:school_id>/checking/<int:work_id>/unassign/",
        views.CheckingUnassignView.as_view(),
        name="schoolday-checking-unassign",
    ),
]
