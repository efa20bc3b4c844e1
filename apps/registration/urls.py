from django.urls import path

from apps.registration import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
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
]
