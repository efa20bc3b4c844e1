from django.urls import path

from apps.applications.api import views

urlpatterns = [
    path("applications/", views.ApplicationListApi.as_view(), name="api-applications"),
    path(
        "applications/<int:pk>/",
        views.ApplicationDetailApi.as_view(),
        name="api-application-detail",
    ),
    path(
        "applications/<int:pk>/lines/",
        views.ApplicationLinesApi.as_view(),
        name="api-application-lines",
    ),
    path(
        "applications/<int:pk>/class-lines/",
        views.ApplicationClassLinesApi.as_view(),
        name="api-application-class-lines",
    ),
    path(
        "applications/<int:pk>/submit/",
        views.ApplicationSubmitApi.as_view(),
        name="api-application-submit",
    ),
    path(
        "applications/<int:pk>/confirm/",
        views.ApplicationConfirmApi.as_view(),
        name="api-application-confirm",
    ),
    path(
        "applications/<int:pk>/reopen/",
        views.ApplicationReopenApi.as_view(),
        name="api-application-reopen",
    ),
    path(
        "application-summary/",
        views.ApplicationSummaryApi.as_view(),
        name="api-application-summary",
    ),
    path(
        "regions/<int:pk>/application-summary/",
        views.RegionSummaryApi.as_view(),
        name="api-region-application-summary",
    ),
    path(
        "municipalities/<int:pk>/application-summary/",
        views.MunicipalitySummaryApi.as_view(),
        name="api-municipality-application-summary",
    ),
]
