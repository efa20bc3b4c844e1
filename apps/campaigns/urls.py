from django.urls import path

from apps.campaigns import views

urlpatterns = [
    # everyone: the plan-graph and the works
    path("plan-graph/", views.PlanGraphView.as_view(), name="plan-graph"),
    path("plan-graph/calendar/", views.PlanCalendarView.as_view(), name="plan-graph-calendar"),
    path("works/", views.WorkListView.as_view(), name="work-list"),
    # the federal operator: campaigns, subjects, works, imports and exports
    path("campaigns/", views.CampaignListView.as_view(), name="campaign-list"),
    path("campaigns/new/", views.CampaignCreateView.as_view(), name="campaign-create"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path("campaigns/<int:pk>/edit/", views.CampaignEditView.as_view(), name="campaign-edit"),
    path("campaigns/<int:pk>/works/new/", views.WorkCreateView.as_view(), name="work-create"),
    path("campaigns/<int:pk>/import/", views.CampaignImportView.as_view(), name="campaign-import"),
    path(
        "campaigns/<int:pk>/works.xlsx",
        views.CampaignExportXlsxView.as_view(),
        name="campaign-export-xlsx",
    ),
    path(
        "campaigns/<int:pk>/works.json",
        views.CampaignExportJsonView.as_view(),
        name="campaign-export-json",
    ),
    path("works/<int:pk>/edit/", views.WorkEditView.as_view(), name="work-edit"),
    path("works/<int:pk>/delete/", views.WorkDeleteView.as_view(), name="work-delete"),
    path("subjects/", views.SubjectListView.as_view(), name="subject-list"),
    path("work-imports/<int:pk>/", views.WorkImportDetailView.as_view(), name="work-import-detail"),
    path(
        "work-imports/<int:pk>/apply/",
        views.WorkImportApplyView.as_view(),
        name="work-import-apply",
    ),
    path(
        "work-imports/<int:pk>/discard/",
        views.WorkImportDiscardView.as_view(),
        name="work-import-discard",
    ),
    # schools: their days and reserve days; coordinators: overview and decisions
    path("schools/<int:pk>/schedule/", views.SchoolScheduleView.as_view(), name="school-schedule"),
    path(
        "schools/<int:pk>/schedule/set/",
        views.SchoolScheduleSetView.as_view(),
        name="school-schedule-set",
    ),
    path(
        "schools/<int:pk>/schedule/move/",
        views.SchoolScheduleMoveView.as_view(),
        name="school-schedule-move",
    ),
    path(
        "schools/<int:pk>/reserve-days/new/",
        views.ReserveDayCreateView.as_view(),
        name="reserve-day-create",
    ),
    path("school-dates/", views.SchoolDateListView.as_view(), name="school-date-list"),
    path("reserve-days/", views.ReserveDayListView.as_view(), name="reserve-day-list"),
    path("reserve-days/<int:pk>/", views.ReserveDayDetailView.as_view(), name="reserve-day-detail"),
    path(
        "reserve-days/<int:pk>/decide/",
        views.ReserveDayDecideView.as_view(),
        name="reserve-day-decide",
    ),
]
