"""The Django admin, for the federal operator only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest, HttpResponse

from apps.core.models import AuditEvent, Job
from apps.registration.access import A, get_actor
from apps.registration.accounts.selectors import account_role
from apps.registration.models import (
    Municipality,
    MunicipalityGrant,
    Region,
    RegionGrant,
    School,
    SchoolGrant,
    User,
)
from apps.registration.services_tokens import api_tokens_revoke


def is_federal(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and get_actor(request).can(A.USE_ADMIN))


admin.site.has_permission = is_federal  # type: ignore[method-assign]


class FederalOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Everything in the admin is for the federal operator; nobody deletes org units."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_federal(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_federal(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_federal(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_federal(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(FederalOnlyAdmin):
    list_display = ["code", "name", "time_zone"]
    list_filter = ["time_zone"]
    search_fields = ["code", "name"]


@admin.register(Municipality)
class MunicipalityAdmin(FederalOnlyAdmin):
    list_display = ["code", "name", "region", "time_zone"]
    list_filter = ["region", "time_zone"]
    search_fields = ["code", "name"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]


@admin.register(School)
class SchoolAdmin(FederalOnlyAdmin):
    list_display = ["code", "short_name", "municipality", "school_type", "status", "time_zone"]
    list_filter = ["status", "school_type", "region", "time_zone"]
    search_fields = ["code", "short_name", "full_name", "address"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["municipality"]
    readonly_fields = ["region"]


@admin.register(User)
class UserAdmin(FederalOnlyAdmin, DjangoUserAdmin):  # type: ignore[type-arg]
    list_display = [
        "username",
        "full_name",
        "role",
        "position",
        "email",
        "is_active",
        "last_login",
    ]
    list_filter = ["is_active", "is_staff"]
    search_fields = ["username", "full_name", "email", "phone"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Сведения", {"fields": ("full_name", "position", "phone", "email")}),
        (
            "Доступ",
            {"fields": ("is_active", "is_staff", "must_change_password", "user_permissions")},
        ),
        ("Даты", {"fields": ("last_login", "date_joined")}),
    )

    @admin.display(description="роль")
    def role(self, obj: User) -> str:
        """The role and unit of the account's grant (an expert: «Эксперт по проверке работ»)."""
        return account_role(obj)

    # An API token stands for the credentials it was issued with (docs/adr/0013-api-tokens.md):
    # a password set here, or an account switched off or on here, ends the user's tokens.
    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # the form was saved
            api_tokens_revoke(user=User.objects.get(pk=id))
        return response

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: Any) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data:
            api_tokens_revoke(user=obj)


class _GrantAdmin(FederalOnlyAdmin):
    list_display = ["user", "content_object", "permission"]
    list_select_related = ["user", "content_object", "permission"]
    search_fields = ["user__username", "user__full_name"]
    autocomplete_fields = ["user", "content_object"]


@admin.register(RegionGrant)
class RegionGrantAdmin(_GrantAdmin):
    list_filter = ["content_object"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_federal(request)


@admin.register(MunicipalityGrant)
class MunicipalityGrantAdmin(_GrantAdmin):
    list_filter = ["content_object__region"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_federal(request)


@admin.register(SchoolGrant)
class SchoolGrantAdmin(_GrantAdmin):
    list_filter = ["permission", "content_object__region"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_federal(request)


@admin.register(AuditEvent)
class AuditEventAdmin(FederalOnlyAdmin):
    """Read-only: the audit trail can be read, never changed."""

    list_display = ["at", "username", "role", "action", "target_type", "target_id", "ip"]
    list_filter = ["action", "role"]
    search_fields = ["username", "action", "target_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Job)
class JobAdmin(FederalOnlyAdmin):
    list_display = ["created_at", "kind", "status", "actor", "attempts"]
    list_filter = ["kind", "status"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
