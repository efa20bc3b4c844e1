from django.urls import path

from apps.registration import views
from apps.registration.accounts import views as accounts_views
from apps.registration.monitoring import views as monitoring_views
from apps.registration.profile import views as profile_views
from apps.registration.reconciliation import views as reconciliation_views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("accounts/login/", accounts_views.LoginView.as_view(), name="login"),
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
    path("account/password/", accounts_views.PasswordChangeView.as_view(), name="password-change"),
    path("account/security/", accounts_views.SecurityView.as_view(), name="account-security"),
    path(
        "regions/<int:pk>/coordinator/",
        accounts_views.RegionCoordinatorView.as_view(),
        name="region-coordinator",
    ),
    path(
        "regions/<int:pk>/coordinator/reissue/",
        accounts_views.RegionCoordinatorReissueView.as_view(),
        name="region-coordinator-reissue",
    ),
    path(
        "regions/<int:pk>/coordinators/",
        accounts_views.MunicipalCoordinatorsView.as_view(),
        name="municipal-coordinators",
    ),
    path(
        "regions/<int:pk>/coordinators/template.xlsx",
        accounts_views.MunicipalCoordinatorsTemplateView.as_view(),
        name="municipal-coordinators-template",
    ),
    path(
        "municipalities/<int:pk>/coordinator/reissue/",
        accounts_views.MunicipalityCoordinatorReissueView.as_view(),
        name="municipality-coordinator-reissue",
    ),
    path(
        "municipalities/<int:pk>/organizers/",
        accounts_views.SchoolOrganizersView.as_view(),
        name="school-organizers",
    ),
    path(
        "municipalities/<int:pk>/organizers/template.xlsx",
        accounts_views.SchoolOrganizersTemplateView.as_view(),
        name="school-organizers-template",
    ),
    path(
        "schools/<int:pk>/organizer/reissue/",
        accounts_views.SchoolOrganizerReissueView.as_view(),
        name="school-organizer-reissue",
    ),
    path(
        "schools/<int:pk>/specialists/",
        accounts_views.SpecialistsView.as_view(),
        name="school-specialists",
    ),
    path(
        "schools/<int:pk>/specialists/<int:user_id>/disable/",
        accounts_views.SpecialistDisableView.as_view(),
        name="school-specialist-disable",
    ),
    path(
        "schools/<int:pk>/specialists/<int:user_id>/reissue/",
        accounts_views.SpecialistReissueView.as_view(),
        name="school-specialist-reissue",
    ),
    path(
        "imports/accounts/<int:pk>/",
        accounts_views.AccountImportDetailView.as_view(),
        name="account-import-detail",
    ),
    path(
        "imports/accounts/<int:pk>/apply/",
        accounts_views.AccountImportApplyView.as_view(),
        name="account-import-apply",
    ),
    path(
        "imports/accounts/<int:pk>/discard/",
        accounts_views.AccountImportDiscardView.as_view(),
        name="account-import-discard",
    ),
    path("credentials/", accounts_views.CredentialsListView.as_view(), name="credentials-list"),
    path(
        "credentials/<int:pk>/download/",
        accounts_views.CredentialsDownloadView.as_view(),
        name="credentials-download",
    ),
]

# School-list reconciliation, school profile, registration monitoring.
urlpatterns += [
    path(
        "reconciliation/",
        reconciliation_views.ReconciliationListView.as_view(),
        name="reconciliation-list",
    ),
    path(
        "reconciliation/template.xlsx",
        reconciliation_views.ReconciliationTemplateView.as_view(),
        name="reconciliation-template",
    ),
    path(
        "reconciliation/upload/",
        reconciliation_views.ReconciliationUploadView.as_view(),
        name="reconciliation-upload",
    ),
    path(
        "reconciliation/<int:pk>/",
        reconciliation_views.ReconciliationDetailView.as_view(),
        name="reconciliation-detail",
    ),
    path(
        "reconciliation/<int:pk>/apply/",
        reconciliation_views.ReconciliationApplyView.as_view(),
        name="reconciliation-apply",
    ),
    path(
        "reconciliation/<int:pk>/discard/",
        reconciliation_views.ReconciliationDiscardView.as_view(),
        name="reconciliation-discard",
    ),
    path("profile/", profile_views.SchoolProfileEditView.as_view(), name="school-profile-edit"),
    path(
        "schools/<int:pk>/profile/",
        profile_views.SchoolProfileView.as_view(),
        name="school-profile",
    ),
    path("profiles/", profile_views.SchoolProfileListView.as_view(), name="school-profile-list"),
    path(
        "monitoring/registration/",
        monitoring_views.RegistrationMonitoringView.as_view(),
        name="monitoring-registration",
    ),
    path(
        "monitoring/registration/regions/<int:pk>/",
        monitoring_views.RegionMonitoringView.as_view(),
        name="monitoring-region",
    ),
    path(
        "monitoring/registration/municipalities/<int:pk>/",
        monitoring_views.MunicipalityMonitoringView.as_view(),
        name="monitoring-municipality",
    ),
    path(
        "monitoring/registration/lagging/",
        monitoring_views.LaggingSchoolsView.as_view(),
        name="monitoring-lagging",
    ),
]
