from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.registration.accounts import api as accounts
from apps.registration.api import exports, jobs, views
from apps.registration.monitoring import api as monitoring
from apps.registration.profile import api as profile
from apps.registration.reconciliation import api as reconciliation

router = SimpleRouter()
router.register("regions", views.RegionViewSet, basename="api-region")
router.register("municipalities", views.MunicipalityViewSet, basename="api-municipality")
router.register("schools", views.SchoolViewSet, basename="api-school")

# Accounts, coordinator files and credentials.
account_urlpatterns = [
    path(
        "regions/<int:pk>/coordinator/",
        accounts.RegionCoordinatorApi.as_view(),
        name="api-region-coordinator",
    ),
    path(
        "regions/<int:pk>/coordinator/reissue/",
        accounts.RegionCoordinatorReissueApi.as_view(),
        name="api-region-coordinator-reissue",
    ),
    path(
        "regions/<int:pk>/coordinators/template/",
        accounts.MunicipalCoordinatorsTemplateApi.as_view(),
        name="api-municipal-coordinators-template",
    ),
    path(
        "municipalities/<int:pk>/coordinator/reissue/",
        accounts.MunicipalityCoordinatorReissueApi.as_view(),
        name="api-municipality-coordinator-reissue",
    ),
    path(
        "municipalities/<int:pk>/organizers/template/",
        accounts.SchoolOrganizersTemplateApi.as_view(),
        name="api-school-organizers-template",
    ),
    path(
        "schools/<int:pk>/organizer/reissue/",
        accounts.SchoolOrganizerReissueApi.as_view(),
        name="api-school-organizer-reissue",
    ),
    path(
        "schools/<int:pk>/specialists/",
        accounts.SpecialistListApi.as_view(),
        name="api-school-specialists",
    ),
    path(
        "schools/<int:pk>/specialists/<int:user_id>/disable/",
        accounts.SpecialistDisableApi.as_view(),
        name="api-school-specialist-disable",
    ),
    path(
        "schools/<int:pk>/specialists/<int:user_id>/reissue/",
        accounts.SpecialistReissueApi.as_view(),
        name="api-school-specialist-reissue",
    ),
    path(
        "regional-coordinators/",
        accounts.RegionalCoordinatorSetApi.as_view(),
        name="api-regional-coordinator-set",
    ),
    path("specialists/", accounts.SpecialistAddApi.as_view(), name="api-specialist-add"),
    path("account-imports/", accounts.AccountImportListApi.as_view(), name="api-account-imports"),
    path(
        "account-imports/<int:pk>/",
        accounts.AccountImportDetailApi.as_view(),
        name="api-account-import-detail",
    ),
    path(
        "account-imports/<int:pk>/apply/",
        accounts.AccountImportApplyApi.as_view(),
        name="api-account-import-apply",
    ),
    path(
        "account-imports/<int:pk>/discard/",
        accounts.AccountImportDiscardApi.as_view(),
        name="api-account-import-discard",
    ),
    path("credentials/", accounts.CredentialsListApi.as_view(), name="api-credentials"),
    path(
        "credentials/<int:pk>/download/",
        accounts.CredentialsDownloadApi.as_view(),
        name="api-credentials-download",
    ),
]

# School-list reconciliation, school profile, registration monitoring.
registration_urlpatterns = [
    path(
        "school-list/template/",
        reconciliation.SchoolListTemplateApi.as_view(),
        name="api-school-list-template",
    ),
    path(
        "school-list/batches/",
        reconciliation.SchoolListBatchListApi.as_view(),
        name="api-school-list-batches",
    ),
    path(
        "school-list/batches/<int:pk>/",
        reconciliation.SchoolListBatchDetailApi.as_view(),
        name="api-school-list-batch-detail",
    ),
    path(
        "school-list/batches/<int:pk>/apply/",
        reconciliation.SchoolListBatchApplyApi.as_view(),
        name="api-school-list-batch-apply",
    ),
    path(
        "school-list/batches/<int:pk>/discard/",
        reconciliation.SchoolListBatchDiscardApi.as_view(),
        name="api-school-list-batch-discard",
    ),
    path("school-profile/", profile.OwnSchoolProfileApi.as_view(), name="api-own-school-profile"),
    path(
        "schools/<int:pk>/profile/",
        profile.SchoolProfileApi.as_view(),
        name="api-school-profile",
    ),
    path("school-profiles/", profile.SchoolProfileListApi.as_view(), name="api-school-profiles"),
    path(
        "monitoring/registration/",
        monitoring.RegistrationProgressApi.as_view(),
        name="api-monitoring-registration",
    ),
    path(
        "monitoring/registration/regions/<int:pk>/",
        monitoring.RegionRegistrationProgressApi.as_view(),
        name="api-monitoring-region",
    ),
    path(
        "monitoring/registration/municipalities/<int:pk>/",
        monitoring.MunicipalityRegistrationProgressApi.as_view(),
        name="api-monitoring-municipality",
    ),
    path(
        "monitoring/registration/lagging/",
        monitoring.LaggingSchoolsApi.as_view(),
        name="api-monitoring-lagging",
    ),
]

urlpatterns = [
    path("me/", views.MeApi.as_view(), name="api-me"),
    path("jobs/", jobs.JobListApi.as_view(), name="api-jobs"),
    path("jobs/<int:pk>/", jobs.JobDetailApi.as_view(), name="api-job-detail"),
    path(
        "regions/<int:pk>/schools/export/",
        exports.RegionSchoolExportApi.as_view(),
        name="api-region-school-export",
    ),
    path(
        "municipalities/<int:pk>/schools/export/",
        exports.MunicipalitySchoolExportApi.as_view(),
        name="api-municipality-school-export",
    ),
    path(
        "exports/<int:pk>/download/",
        exports.ExportDownloadApi.as_view(),
        name="api-export-download",
    ),
    *account_urlpatterns,
    *registration_urlpatterns,
    *router.urls,
]
