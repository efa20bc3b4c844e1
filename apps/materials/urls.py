from django.urls import path

from apps.materials import ovz_views, views

urlpatterns = [
    path(
        "schools/<int:pk>/materials/ovz/",
        ovz_views.OvzMarksView.as_view(),
        name="school-ovz-marks",
    ),
    path(
        "schools/<int:pk>/materials/",
        views.SchoolMaterialsView.as_view(),
        name="school-materials",
    ),
    path("materials/kits/<int:pk>/archive/", views.KitArchiveView.as_view(), name="kit-archive"),
    path("materials/kits/<int:pk>/criteria/", views.KitCriteriaView.as_view(), name="kit-criteria"),
    path("materials/kits/<int:pk>/codes/", views.KitCodesView.as_view(), name="kit-codes"),
    path("materials/kits/<int:pk>/protocol/", views.KitProtocolView.as_view(), name="kit-protocol"),
    path("materials/kits/<int:pk>/password/", views.KitPasswordView.as_view(), name="kit-password"),
    path("materials/bank/", views.BankView.as_view(), name="materials-bank"),
    path(
        "materials/bank/imports/<int:pk>/",
        views.BankImportView.as_view(),
        name="materials-bank-import",
    ),
    path("materials/bank/export/", views.BankExportView.as_view(), name="materials-bank-export"),
    path("materials/builds/", views.BuildView.as_view(), name="materials-builds"),
    path(
        "materials/monitoring/",
        views.DownloadMonitoringView.as_view(),
        name="materials-monitoring",
    ),
    path("materials/lookup/", views.VariantLookupView.as_view(), name="materials-lookup"),
    path("materials/verify/", views.ManifestVerifyView.as_view(), name="materials-verify"),
]
