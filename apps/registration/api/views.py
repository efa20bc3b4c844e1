"""REST endpoints of the org hierarchy. Every one is scoped through ScopedAPIMixin."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.scoping import Level
from apps.registration import selectors
from apps.registration.access import A, ScopedAPIMixin, get_actor
from apps.registration.api.serializers import (
    MeOutputSerializer,
    MunicipalityOutputSerializer,
    RegionOutputSerializer,
    SchoolOutputSerializer,
)
from apps.registration.models import Municipality, Region, School

_Q = OpenApiParameter("q", str, description="Поиск по коду и наименованию")


class MeApi(APIView):
    """The current user, its role and the org unit it serves."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeOutputSerializer, summary="Текущий пользователь")
    def get(self, request: Request) -> Response:
        actor = get_actor(request)
        unit: dict[str, Any] | None
        if actor.scope.level is Level.FEDERAL and actor.role:
            unit = {"level": "federal", "id": None, "code": "", "name": "Российская Федерация"}
        elif actor.unit is not None:
            name = getattr(actor.unit, "name", None) or getattr(actor.unit, "short_name", "")
            unit = {
                "level": actor.scope.level.name.lower(),
                "id": actor.unit.pk,
                "code": actor.unit.code,
                "name": name,
            }
        else:
            unit = None
        user = request.user
        data = {
            "username": user.get_username(),
            "full_name": getattr(user, "full_name", ""),
            "role": actor.role.value if actor.role else None,
            "role_display": actor.role_label,
            "org_unit": unit,
        }
        return Response(MeOutputSerializer(data).data)


@extend_schema(parameters=[_Q])
class RegionViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet[Region]):
    """Regions in the caller's scope."""

    scoped_model = Region
    method_actions = {"GET": A.VIEW_REGION}
    serializer_class = RegionOutputSerializer

    def get_queryset(self) -> QuerySet[Region]:
        return selectors.region_list(actor=self.actor, q=self.request.query_params.get("q", ""))


@extend_schema_view(list=extend_schema(parameters=[_Q, OpenApiParameter("region", int)]))
class MunicipalityViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet[Municipality]):
    """Municipalities in the caller's scope."""

    scoped_model = Municipality
    method_actions = {"GET": A.VIEW_MUNICIPALITY}
    serializer_class = MunicipalityOutputSerializer

    def get_queryset(self) -> QuerySet[Municipality]:
        params = self.request.query_params
        return selectors.municipality_list(
            actor=self.actor,
            q=params.get("q", ""),
            region_id=selectors.unit_filter(
                actor=self.actor, model=Region, name="region", raw=params.get("region")
            ),
        )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            _Q,
            OpenApiParameter("region", int),
            OpenApiParameter("municipality", int),
            OpenApiParameter("status", str, enum=["active", "closed"]),
        ]
    )
)
class SchoolViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet[School]):
    """Schools (ОО) in the caller's scope."""

    scoped_model = School
    method_actions = {"GET": A.VIEW_SCHOOL}
    serializer_class = SchoolOutputSerializer

    def get_queryset(self) -> QuerySet[School]:
        params = self.request.query_params
        return selectors.school_list(
            actor=self.actor,
            q=params.get("q", ""),
            region_id=selectors.unit_filter(
                actor=self.actor, model=Region, name="region", raw=params.get("region")
            ),
            municipality_id=selectors.unit_filter(
                actor=self.actor,
                model=Municipality,
                name="municipality",
                raw=params.get("municipality"),
            ),
            status=selectors.school_status_filter(params.get("status"), default=""),
        )
