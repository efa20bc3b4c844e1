from django.urls import path

from apps.registration import (
    views,
    views_accounts,
    views_monitoring,
    views_profile,
    views_reconciliation,
)

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("accounts/login/", views_accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("regions/", views.RegionListView.as_view(), name="region-list"),
    path("regions/<int:pk>/", views.RegionDetailView.as_view(), name="region-detail"),
    path(
        "regions/<int:pk>/schools.xlsx",
        views.RegionSchoolExportView.as_view(),
        name="region-school-export",
    ),
    path("municipalities/", views.MunicipalityListView.as_view(), name="municipality-list"),
    path(
        "municipalities/<int:pk>/",
        views.MunicipalityDetailView.as_view(),
        name="municipality-detail",
    ),
    path(
        "municipalities/<int:pk>/schools.xlsx",
        views.MunicipalitySchoolExportView.as_view(),
        name="municipality-school-export",
    ),
    path("schools/", views.SchoolListView.as_view(), name="school-list"),
    path("schools/<int:pk>/", views.SchoolDetailView.as_view(), name="school-detail"),
    path("exports/", views.JobListView.as_view(), name="job-list"),
    path("exports/<int:pk>/download/", views.JobDownloadView.as_view(), name="job-download"),
    # accounts, credentials, login security
    path("account/password/", views_accounts.PasswordChangeView.as_view(), name="password-change"),
    path("account/security/", views_accounts.SecurityView.as_view(), name="account-security"),
    path(
        "regions/<int:pk>/coordinator/",
        views_accounts.RegionCoordinatorView.as_view(),
        name="region-coordinator",
    ),
    path(
        "regions/<int:pk>/coordinator/reissue/",
        views_accounts.RegionCoordinatorReissueView.as_view(),
        name="region-coordinator-reissue",
    ),
    path(
        "regions/<int:pk>/coordinators/",
        views_accounts.MunicipalCoordinatorsView.as_view(),
        name="municipal-coordinators",
    ),
    path(
        "regions/<int:pk>/coordinators/template.xlsx",
        views_accounts.MunicipalCoordinatorsTemplateView.as_view(),
        name="municipal-coordinators-template",
    ),
    path(
        "municipalities/<int:pk>/coordinator/reissue/",
        views_accounts.MunicipalityCoordinatorReissueView.as_view(),
        name="municipality-coordinator-reissue",
    ),
    path(
        "municipalities/<int:pk>/organizers/",
        views_accounts.SchoolOrganizersView.as_view(),
        name="school-organizers",
    ),
    path(
        "municipalities/<int:pk>/organizers/template.xlsx",
        views_accounts.SchoolOrganizersTemplateView.as_view(),
        name="school-organizers-template",
    ),
    path(
        "schools/<int:pk>/organizer/reissue/",
        views_accounts.SchoolOrganizerReissueView.as_view(),
        name="school-organizer-reissue",
    ),
    path(
        "schools/<int:pk>/specialists/",
        views_accounts.SpecialistsView.as_view(),
        name="school-specialists",
    ),
    path(
        "schools/<int:pk>/specialists/<int:user_id>/disable/",
        views_accounts.SpecialistDisableView.as_view(),
        name="school-specialist-disable",
    ),
    path(
        "schools/<int:pk>/specialists/<int:user_id>/reissue/",
        views_accounts.SpecialistReissueView.as_view(),
        name="school-specialist-reissue",
    ),
    path(
        "imports/accounts/<int:pk>/",
        views_accounts.AccountImportDetailView.as_view(),
        name="account-import-detail",
    ),
    path(
        "imports/accounts/<int:pk>/apply/",
        views_accounts.AccountImportApplyView.as_view(),
        name="account-import-apply",
    ),
    path(
        "imports/accounts/<int:pk>/discard/",
        views_accounts.AccountImportDiscardView.as_view(),
        name="account-import-discard",
    ),
    path("credentials/", views_accounts.CredentialsListView.as_view(), name="credentials-list"),
    path(
        "credentials/<int:pk>/download/",
        views_accounts.CredentialsDownloadView.as_view(),
        name="credentials-download",
    ),
]

# School-list reconciliation, school profile, registration monitoring.
urlpatterns += [
    path(
        "reconciliation/",
        views_reconciliation.ReconciliationListView.as_view(),
        name="reconciliation-list",
    ),
    path(
        "reconciliation/template.xlsx",
        views_reconciliation.ReconciliationTemplateView.as_view(),
        name="reconciliation-template",
    ),
    path(
        "reconciliation/upload/",
        views_reconciliation.ReconciliationUploadView.as_view(),
        name="reconciliation-upload",
    ),
    path(
        "reconciliation/<int:pk>/",
        views_reconciliation.ReconciliationDetailView.as_view(),
        name="reconciliation-detail",
    ),
    path(
        "reconciliation/<int:pk>/apply/",
        views_reconciliation.ReconciliationApplyView.as_view(),
        name="reconciliation-apply",
    ),
    path(
        "reconciliation/<int:pk>/discard/",
        views_reconciliation.ReconciliationDiscardView.as_view(),
        name="reconciliation-discard",
    ),
    path("profile/", views_profile.SchoolProfileEditView.as_view(), name="school-profile-edit"),
    path(
        "schools/<int:pk>/profile/",
        views_profile.SchoolProfileView.as_view(),
        name="school-profile",
    ),
    path("profiles/", views_profile.SchoolProfileListView.as_view(), name="school-profile-list"),
    path(
        "monitoring/registration/",
        views_monitoring.RegistrationMonitoringView.as_view(),
        name="monitoring-registration",
    ),
    path(
        "monitoring/registration/regions/<int:pk>/",
        views_monitoring.RegionMonitoringView.as_view(),
        name="monitoring-region",
    ),
    path(
        "monitoring/registration/municipalities/<int:pk>/",
        views_monitoring.MunicipalityMonitoringView.as_view(),
        name="monitoring-municipality",
    ),
    path(
        "monitoring/registration/lagging/",
        views_monitoring.LaggingSchoolsView.as_view(),
        name="monitoring-lagging",
    ),
]
