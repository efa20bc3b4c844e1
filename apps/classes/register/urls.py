from django.urls import URLPattern, URLResolver, path

from apps.classes.register import views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "classes/school/<int:school_id>/",
        views.ClassRegisterView.as_view(),
        name="class-register",
    ),
    path(
        "classes/school/<int:school_id>/add/",
        views.ClassCreateView.as_view(),
        name="class-register-add",
    ),
    path(
        "classes/school/<int:school_id>/register.xlsx",
        views.ClassRegisterTemplateView.as_view(),
        name="class-register-template",
    ),
    path(
        "classes/school/<int:school_id>/upload/",
        views.ClassRegisterUploadView.as_view(),
        name="class-register-upload",
    ),
    path("classes/<int:pk>/edit/", views.ClassEditView.as_view(), name="class-edit"),
    path("classes/<int:pk>/remove/", views.ClassRemoveView.as_view(), name="class-remove"),
    path(
        "classes/register-imports/<int:pk>/",
        views.ClassRegisterImportView.as_view(),
        name="class-register-import",
    ),
    path(
        "classes/register-imports/<int:pk>/apply/",
        views.ClassRegisterApplyView.as_view(),
        name="class-register-import-apply",
    ),
    path(
        "classes/register-imports/<int:pk>/discard/",
        views.ClassRegisterDiscardView.as_view(),
        name="class-register-import-discard",
    ),
    path(
        "classes/summary/",
        views.ClassRegisterSummaryView.as_view(),
        name="class-register-summary",
    ),
    path(
        "classes/summary.xlsx",
        views.ClassRegisterSummaryXlsxView.as_view(),
        name="class-register-summary-xlsx",
    ),
]
