"""Applications in the admin: read-only for the federal operator (writes go through services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.applications.models import Application, ApplicationDecision, ApplicationLine
from apps.registration.admin import FederalOnlyAdmin


class _ReadOnly(FederalOnlyAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LineInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ApplicationLine
    extra = 0
    can_delete = False
    readonly_fields = ["work", "takes_part", "participants", "classes"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DecisionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ApplicationDecision
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "role", "from_status", "to_status", "source", "comment"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(_ReadOnly):
    list_display = ["school", "campaign", "status", "updated_at"]
    list_filter = ["campaign", "status"]
    search_fields = ["school__code", "school__short_name"]
    list_select_related = ["school", "campaign"]
    inlines = [LineInline, DecisionInline]
