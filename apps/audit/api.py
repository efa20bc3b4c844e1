"""/api/v1/audit-events/: the audit log, read-only (list and xlsx export), scoped like the pages.

There is no detail, create, update or delete route: nothing in the API changes a record.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.routers import SimpleRouter

from apps.audit import selectors, services
from apps.core.api import XLSX_RESPONSE, XlsxRenderer
from apps.core.models import AuditEvent
from apps.registration.access import A, ScopedAPIMixin


class AuditFilterInputSerializer(serializers.Serializer[Any]):
    date_from = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        help_text="С даты включительно (московское время), ГГГГ-ММ-ДД",
        error_messages={"invalid": "Введите дату «с» в формате ГГГГ-ММ-ДД или ДД.ММ.ГГГГ."},
    )
    date_to = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        help_text="По дату включительно (московское время), ГГГГ-ММ-ДД",
        error_messages={"invalid": "Введите дату «по» в формате ГГГГ-ММ-ДД или ДД.ММ.ГГГГ."},
    )
    action = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="Код действия; с точкой на конце — все действия с этим началом (school_list.); "
        "section:<раздел> — все действия раздела (section:results)",
    )
    username = serializers.CharField(
        required=False, allow_blank=True, max_length=150, help_text="Логин пользователя"
    )
    region = serializers.IntegerField(
        required=False, min_value=1, help_text="Регион (для федерального оператора)"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError("Дата «с» позже даты «по». Проверьте период.")
        return attrs

    def to_filter(self) -> selectors.AuditFilter:
        d = self.validated_data
        return selectors.AuditFilter(
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
            action=d.get("action", ""),
            username=d.get("username", ""),
            region_id=d.get("region"),
        )


class AuditEventOutputSerializer(serializers.ModelSerializer[AuditEvent]):
    action_display = serializers.SerializerMethodField()
    role_display = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "username",
            "role",
            "role_display",
            "action",
            "action_display",
            "region_id",
            "municipality_id",
            "school_id",
            "target_type",
            "target_id",
            "ip",
            "user_agent",
            "details",
        ]
        read_only_fields = fields

    def get_action_display(self, event: AuditEvent) -> str:
        return selectors.action_label(event.action)

    def get_role_display(self, event: AuditEvent) -> str:
        return selectors.role_label(event.role)


class AuditCursorPagination(CursorPagination):
    """Cursor pages: no COUNT(*) over a long log, stable while new events arrive."""

    ordering = ("-at", "-id")
    page_size = 50


@extend_schema(parameters=[AuditFilterInputSerializer])
class AuditEventViewSet(ScopedAPIMixin, mixins.ListModelMixin, viewsets.GenericViewSet[AuditEvent]):
    """Audit events of the caller's unit and below (everything for the federal operator)."""

    scoped_model = AuditEvent
    method_actions = {"GET": A.VIEW_AUDIT}
    serializer_class = AuditEventOutputSerializer
    pagination_class = AuditCursorPagination

    def filters(self) -> selectors.AuditFilter:
        params = AuditFilterInputSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return params.to_filter()

    def get_queryset(self) -> Any:
        return selectors.audit_event_list(actor=self.actor, filters=self.filters())

    @extend_schema(summary="Журнал действий")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Журнал действий в xlsx", responses={200: XLSX_RESPONSE})
    @action(detail=False, methods=["get"], renderer_classes=[JSONRenderer, XlsxRenderer])
    def export(self, request: Request) -> FileResponse:
        name, handle = services.audit_export(actor=self.actor, filters=self.filters())
        return FileResponse(handle, as_attachment=True, filename=name)


router = SimpleRouter()
router.register("audit-events", AuditEventViewSet, basename="api-audit-event")
urlpatterns = router.urls
