"""Pages of the school's timetable by class."""

from django.urls import URLPattern, URLResolver, path

from apps.classes.timetable import views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "classes/school/<int:school_id>/timetable/",
        views.ClassTimetableView.as_view(),
        name="class-timetable",
    ),
    path(
        "classes/school/<int:school_id>/timetable/save/",
        views.ClassTimetableSaveView.as_view(),
        name="class-timetable-save",
    ),
    path(
        "classes/school/<int:school_id>/timetable/bulk/",
        views.ClassTimetableBulkView.as_view(),
        name="class-timetable-bulk",
    ),
    path(
        "classes/school/<int:school_id>/timetable/reserve/",
        views.ClassTimetableReserveView.as_view(),
        name="class-timetable-reserve",
    ),
    path(
        "classes/school/<int:school_id>/timetable/move/",
        views.ClassTimetableMoveView.as_view(),
        name="class-timetable-move",
    ),
    path(
        "classes/school/<int:school_id>/timetable/pdf/",
        views.ClassTimetablePdfView.as_view(),
        name="class-timetable-pdf",
    ),
]
