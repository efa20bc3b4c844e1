"""API of the school's timetable by class."""

from django.urls import URLPattern, URLResolver, path

from apps.classes.timetable import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "classes/schools/<int:school_id>/timetable/",
        api.ClassTimetableApi.as_view(),
        name="api-class-timetable",
    ),
    path(
        "classes/schools/<int:school_id>/timetable/bulk/",
        api.ClassTimetableBulkApi.as_view(),
        name="api-class-timetable-bulk",
    ),
    path(
        "classes/schools/<int:school_id>/timetable/pdf/",
        api.ClassTimetablePdfApi.as_view(),
        name="api-class-timetable-pdf",
    ),
    path(
        "classes/schools/<int:school_id>/timetable/reserve-days/",
        api.ClassReserveListApi.as_view(),
        name="api-class-reserve-days",
    ),
    path(
        "classes/class-works/<int:pk>/move/",
        api.ClassWorkMoveApi.as_view(),
        name="api-class-work-move",
    ),
    path(
        "classes/class-works/<int:pk>/date/",
        api.ClassWorkDateApi.as_view(),
        name="api-class-work-date",
    ),
    path(
        "classes/class-works/<int:pk>/form/",
        api.ClassWorkFormApi.as_view(),
        name="api-class-work-form",
    ),
]
