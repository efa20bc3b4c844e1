from django.urls import path

from apps.materials import ovz_views
from apps.materials.api import bank, builds, views

urlpatterns = [
    path(
        "schools/<int:school_id>/materials/ovz/",
        ovz_views.OvzMarksApi.as_view(),
        name="api-school-ovz-marks",
    ),
    path(
        "schools/<int:school_id>/materials/",
        views.SchoolMaterialsApi.as_view(),
        name="api-school-materials",
    ),
    path("materials/kits/<int:pk>/archive/", views.KitArchiveApi.as_view(), name="api-kit-archive"),
    path(
        "materials/kits/<int:pk>/criteria/",
        views.KitCriteriaApi.as_view(),
        name="api-kit-criteria",
    ),
    path("materials/kits/<int:pk>/codes/", views.KitCodesApi.as_view(), name="api-kit-codes"),
    path(
        "materials/kits/<int:pk>/protocol/",
        views.KitProtocolApi.as_view(),
        name="api-kit-protocol",
    ),
    path(
        "materials/kits/<int:pk>/password/",
        views.KitPasswordApi.as_view(),
        name="api-kit-password",
    ),
    path("materials/lookup/", views.VariantLookupApi.as_view(), name="api-variant-lookup"),
    path("materials/builds/", builds.BuildListApi.as_view(), name="api-material-builds"),
    path("materials/banks/", bank.BankListApi.as_view(), name="api-material-banks"),
    path(
        "materials/banks/<int:work_id>/export/",
        bank.BankExportApi.as_view(),
        name="api-material-bank-export",
    ),
    path(
        "materials/banks/<int:work_id>/files/",
        bank.MaterialFileListApi.as_view(),
        name="api-material-files",
    ),
    path("materials/files/<int:pk>/", bank.MaterialFileApi.as_view(), name="api-material-file"),
    path(
        "materials/bank-imports/",
        bank.BankImportListApi.as_view(),
        name="api-material-bank-imports",
    ),
    path(
        "materials/bank-imports/<int:pk>/",
        bank.BankImportDetailApi.as_view(),
        name="api-material-bank-import",
    ),
    path(
        "materials/bank-imports/<int:pk>/apply/",
        bank.BankImportApplyApi.as_view(),
        name="api-material-bank-import-apply",
    ),
    path(
        "materials/bank-imports/<int:pk>/discard/",
        bank.BankImportDiscardApi.as_view(),
        name="api-material-bank-import-discard",
    ),
    path(
        "materials/downloads/",
        bank.DownloadMonitoringApi.as_view(),
        name="api-material-downloads",
    ),
    path("materials/verify/", bank.ManifestVerifyApi.as_view(), name="api-manifest-verify"),
    path(
        "materials/builds/<int:work_id>/",
        builds.BuildApi.as_view(),
        name="api-material-build",
    ),
]
