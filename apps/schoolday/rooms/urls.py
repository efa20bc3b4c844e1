from django.urls import URLPattern, URLResolver, path

from apps.schoolday.rooms import views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "school-day/school/<int:school_id>/rooms/",
        views.RoomsPageView.as_view(),
        name="schoolday-rooms",
    ),
    path(
        "school-day/school/<int:school_id>/rooms/add/",
        views.RoomCreateView.as_view(),
        name="schoolday-room-add",
    ),
    path(
        "school-day/school/<int:school_id>/people/add/",
        views.PersonCreateView.as_view(),
        name="schoolday-person-add",
    ),
    path(
        "school-day/rooms/<int:pk>/edit/", views.RoomEditView.as_view(), name="schoolday-room-edit"
    ),
    path(
        "school-day/rooms/<int:pk>/remove/",
        views.RoomRemoveView.as_view(),
        name="schoolday-room-remove",
    ),
    path(
        "school-day/people/<int:pk>/edit/",
        views.PersonEditView.as_view(),
        name="schoolday-person-edit",
    ),
    path(
        "school-day/people/<int:pk>/remove/",
        views.PersonRemoveView.as_view(),
        name="schoolday-person-remove",
    ),
]
