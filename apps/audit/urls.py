"""HTML routes of the audit log (read and export only; nothing edits or deletes it)."""

from django.urls import path

from apps.audit import views

urlpatterns = [
    path("audit/", views.AuditLogView.as_view(), name="audit-list"),
    path("audit/export.xlsx", views.AuditExportView.as_view(), name="audit-export"),
]
