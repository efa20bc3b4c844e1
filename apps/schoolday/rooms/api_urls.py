from django.urls import URLPattern, URLResolver, path

from apps.schoolday.rooms import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "schoolday/schools/<int:school_id>/rooms/",
        api.RoomListApi.as_view(),
        name="api-schoolday-room-list",
    ),
    path("schoolday/rooms/<int:pk>/", api.RoomDetailApi.as_view(), name="api-schoolday-room"),
    path(
        "schoolday/schools/<int:school_id>/people/",
        api.PersonListApi.as_view(),
        name="api-schoolday-person-list",
    ),
    path("schoolday/people/<int:pk>/", api.PersonDetailApi.as_view(), name="api-schoolday-person"),
]
