from django.urls import URLPattern, URLResolver, path

from apps.schoolday.accounts import views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "school-day/people/<int:pk>/account/issue/",
        views.ExpertAccountIssueView.as_view(),
        name="schoolday-expert-account-issue",
    ),
    path(
        "school-day/people/<int:pk>/account/password/",
        views.ExpertAccountReissueView.as_view(),
        name="schoolday-expert-account-reissue",
    ),
    path(
        "school-day/people/<int:pk>/account/revoke/",
        views.ExpertAccountRevokeView.as_view(),
        name="schoolday-expert-account-revoke",
    ),
]
