from django.urls import URLPattern, URLResolver, path

from apps.classes.register import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "classes/schools/<int:school_id>/classes/",
        api.ClassListApi.as_view(),
        name="api-class-list",
    ),
    path("classes/<int:pk>/", api.ClassDetailApi.as_view(), name="api-class-detail"),
    path(
        "classes/schools/<int:school_id>/register.xlsx",
        api.RegisterTemplateApi.as_view(),
        name="api-class-register-template",
    ),
    path(
        "classes/schools/<int:school_id>/register-imports/",
        api.RegisterUploadApi.as_view(),
        name="api-class-register-upload",
    ),
    path(
        "classes/register-imports/<int:pk>/",
        api.RegisterImportDetailApi.as_view(),
        name="api-class-register-import",
    ),
    path(
        "classes/register-imports/<int:pk>/apply/",
        api.RegisterApplyApi.as_view(),
        name="api-class-register-apply",
    ),
    path(
        "classes/register-imports/<int:pk>/discard/",
        api.RegisterDiscardApi.as_view(),
        name="api-class-register-discard",
    ),
    path("classes/summary/", api.SummaryApi.as_view(), name="api-class-summary"),
    path(
        "classes/summary/export/", api.SummaryExportApi.as_view(), name="api-class-summary-export"
    ),
]
