from django.urls import path

from apps.campaigns.api import views

urlpatterns = [
    path("campaigns/", views.CampaignListApi.as_view(), name="api-campaigns"),
    path("campaigns/<int:pk>/", views.CampaignDetailApi.as_view(), name="api-campaign-detail"),
    path(
        "campaigns/<int:pk>/export/",
        views.CampaignExportApi.as_view(),
        name="api-campaign-export",
    ),
    path("subjects/", views.SubjectListApi.as_view(), name="api-subjects"),
    path("works/", views.WorkListApi.as_view(), name="api-works"),
    path("works/<int:pk>/", views.WorkDetailApi.as_view(), name="api-work-detail"),
    path("plan-graph/", views.PlanGraphApi.as_view(), name="api-plan-graph"),
    path("work-imports/", views.WorkImportApi.as_view(), name="api-work-imports"),
    path("work-imports/apply/", views.WorkImportApplyApi.as_view(), name="api-work-import-apply"),
    path(
        "work-imports/discard/",
        views.WorkImportDiscardApi.as_view(),
        name="api-work-import-discard",
    ),
    path(
        "schools/<int:pk>/schedule/",
        views.SchoolScheduleApi.as_view(),
        name="api-school-schedule",
    ),
    path("school-dates/", views.SchoolDateListApi.as_view(), name="api-school-dates"),
    path("school-date-moves/", views.SchoolDateMoveApi.as_view(), name="api-school-date-moves"),
    path("reserve-days/", views.ReserveDayListApi.as_view(), name="api-reserve-days"),
    path(
        "reserve-days/<int:pk>/",
        views.ReserveDayDetailApi.as_view(),
        name="api-reserve-day-detail",
    ),
    path(
        "reserve-day-decisions/",
        views.ReserveDecisionApi.as_view(),
        name="api-reserve-day-decisions",
    ),
]
