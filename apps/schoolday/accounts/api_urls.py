from django.urls import URLPattern, URLResolver, path

from apps.schoolday.accounts import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "schoolday/people/<int:pk>/account/",
        api.ExpertAccountApi.as_view(),
        name="api-schoolday-expert-account",
    ),
    path(
        "schoolday/people/<int:pk>/account/password/",
        api.ExpertAccountPasswordApi.as_view(),
        name="api-schoolday-expert-account-password",
    ),
]
