"""The Django admin of campaigns, for the federal operator only (the cabinet pages are the
everyday tool; the admin is the fallback). Schools' days and reserve days are read-only here:
they change only through the services, which check the rules and write the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.campaigns.models import (
    Campaign,
    ReserveDayRequest,
    SchoolWorkDate,
    Subject,
    TaskColumn,
    Work,
)
from apps.registration.admin import FederalOnlyAdmin, is_federal


@admin.register(Campaign)
class CampaignAdmin(FederalOnlyAdmin):
    list_display = ["name", "year", "session", "application_deadline", "is_active"]
    list_filter = ["session", "is_active"]


@admin.register(Subject)
class SubjectAdmin(FederalOnlyAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class TaskColumnInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TaskColumn
    extra = 0
    fields = ["position", "label", "max_score", "difficulty", "topic"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_federal(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_federal(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_federal(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_federal(request)


@admin.register(Work)
class WorkAdmin(FederalOnlyAdmin):
    list_display = ["__str__", "grade", "max_score", "period_start", "period_end"]
    list_filter = ["campaign", "grade", "subject", "encrypted_archive"]
    list_select_related = ["campaign", "subject"]
    inlines = [TaskColumnInline]


class _ReadOnlyAdmin(FederalOnlyAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SchoolWorkDate)
class SchoolWorkDateAdmin(_ReadOnlyAdmin):
    list_display = ["school", "work", "date", "reserve"]
    list_filter = ["work__campaign", "date"]
    search_fields = ["school__code", "school__short_name"]
    list_select_related = ["school", "work", "work__subject", "work__campaign"]


@admin.register(ReserveDayRequest)
class ReserveDayRequestAdmin(_ReadOnlyAdmin):
    list_display = ["school", "work", "requested_date", "status", "decided_at"]
    list_filter = ["status", "work__campaign"]
    search_fields = ["school__code", "school__short_name"]
    list_select_related = ["school", "work", "work__subject", "work__campaign"]
