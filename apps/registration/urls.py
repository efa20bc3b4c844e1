from django.urls import path

from apps.registration import views, views_accounts

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("accounts/login/", views_accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("cabinet/", views.CabinetView.as_view(), name="cabinet"),
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
    # accounts, credentials, login security (issue 3)
    path("accounts/login/code/", views_accounts.LoginCodeView.as_view(), name="login-code"),
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
