from django.urls import path

from apps.applications import views

urlpatterns = [
    path("applications/", views.ApplicationHomeView.as_view(), name="application-home"),
    path("applications/open/", views.ApplicationOpenView.as_view(), name="application-open"),
    path(
        "applications/schools/<int:pk>/",
        views.SchoolApplicationView.as_view(),
        name="application-school",
    ),
    path(
        "applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="application-detail"
    ),
    path(
        "applications/<int:pk>/edit/", views.ApplicationEditView.as_view(), name="application-edit"
    ),
    path(
        "applications/<int:pk>/classes/",
        views.ApplicationClassesEditView.as_view(),
        name="application-classes-edit",
    ),
    path(
        "applications/<int:pk>/submit/",
        views.ApplicationSubmitView.as_view(),
        name="application-submit",
    ),
    path(
        "applications/<int:pk>/confirm/",
        views.ApplicationConfirmView.as_view(),
        name="application-confirm",
    ),
    path(
        "applications/<int:pk>/reopen/",
        views.ApplicationReopenView.as_view(),
        name="application-reopen",
    ),
    path(
        "applications/<int:pk>/form.xlsx",
        views.ApplicationFormView.as_view(),
        name="application-form",
    ),
    path("applications/upload/", views.ApplicationUploadView.as_view(), name="application-upload"),
    path(
        "applications/imports/<int:pk>/",
        views.ApplicationImportView.as_view(),
        name="application-import",
    ),
    path(
        "applications/imports/<int:pk>/apply/",
        views.ApplicationImportApplyView.as_view(),
        name="application-import-apply",
    ),
    path(
        "applications/imports/<int:pk>/discard/",
        views.ApplicationImportDiscardView.as_view(),
        name="application-import-discard",
    ),
    path(
        "applications/summary/regions/<int:pk>.xlsx",
        views.RegionSummaryView.as_view(),
        name="application-summary-region",
    ),
    path(
        "applications/summary/municipalities/<int:pk>.xlsx",
        views.MunicipalitySummaryView.as_view(),
        name="application-summary-municipality",
    ),
    path(
        "applications/monitoring/",
        views.MonitoringHomeView.as_view(),
        name="application-monitoring",
    ),
    path(
        "applications/monitoring/regions/<int:pk>/",
        views.RegionMonitoringView.as_view(),
        name="application-monitoring-region",
    ),
    path(
        "applications/monitoring/municipalities/<int:pk>/",
        views.MunicipalityMonitoringView.as_view(),
        name="application-monitoring-municipality",
    ),
    path(
        "applications/monitoring/not-applied/",
        views.NotAppliedView.as_view(),
        name="application-not-applied",
    ),
]
