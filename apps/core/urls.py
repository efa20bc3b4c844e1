"""HTML routes of core: the audit log (read and export only; nothing edits or deletes it)."""

from django.urls import path

from apps.core import views_audit

urlpatterns = [
    path("audit/", views_audit.AuditLogView.as_view(), name="audit-list"),
    path("audit/export.xlsx", views_audit.AuditExportView.as_view(), name="audit-export"),
]
