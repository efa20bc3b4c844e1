from django.urls import path

from apps.materials import ovz_views
from apps.materials.api import views

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
]
