"""The API of commission markers' accounts (MANAGE_MARKERS): list the markers of the actor's
commission and the units below, issue a marker (the one-time password comes back once, in the
answer), a new password, revoke."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_errors import ErrorSerializer
from apps.objectivity.actions import ObjectivityActions as OA  # noqa: N817
from apps.objectivity.commission import services
from apps.registration.access import ScopedAPIMixin
from apps.registration.models import User

_ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}
_NO_STORE = {"Cache-Control": "private, no-store"}


class MarkerSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="Пользователь (id)")
    login = serializers.CharField(help_text="Логин, например reg66_k1")
    full_name = serializers.CharField()
    level = serializers.CharField(help_text="Уровень комиссии: federal, region, municipality")
    unit = serializers.IntegerField(
        allow_null=True, help_text="Регион или муниципалитет комиссии (id); null — федеральная"
    )
    commission = serializers.CharField(help_text="Комиссия, например «Региональная комиссия: …»")
    must_change_password = serializers.BooleanField(help_text="Пароль ещё одноразовый")


class MarkerIssueInputSerializer(serializers.Serializer[Any]):
    full_name = serializers.CharField(max_length=300, help_text="ФИО эксперта")
    email = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Электронная почта"
    )


class IssuedMarkerSerializer(MarkerSerializer):
    password = serializers.CharField(
        help_text="Одноразовый пароль: возвращается один раз и нигде не хранится"
    )


def _marker(marker: services.Marker) -> dict[str, Any]:
    user = marker.user
    return {
        "id": user.pk,
        "login": user.username,
        "full_name": user.full_name,
        "level": marker.level.name.lower(),
        "unit": marker.unit.pk if marker.unit is not None else None,
        "commission": marker.unit_label,
        "must_change_password": user.must_change_password,
    }


def _issued(issued: services.IssuedMarker) -> dict[str, Any]:
    return IssuedMarkerSerializer(
        {**_marker(issued.marker), "login": issued.login, "password": issued.password}
    ).data


class MarkersApi(ScopedAPIMixin, APIView):
    """The commission's markers (GET) and a new marker (POST)."""

    scoped_model = User
    method_actions = {"GET": OA.MANAGE_MARKERS, "POST": OA.MANAGE_MARKERS}

    @extend_schema(summary="Эксперты комиссии", responses={200: MarkerSerializer(many=True)})
    def get(self, request: Request) -> Response:
        rows = services.markers_list(actor=self.actor)
        return Response(MarkerSerializer([_marker(m) for m in rows], many=True).data)

    @extend_schema(
        summary="Выдать доступ эксперту комиссии (логин и одноразовый пароль)",
        request=MarkerIssueInputSerializer,
        responses={201: IssuedMarkerSerializer, **_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = MarkerIssueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = services.marker_issue(
            actor=self.actor,
            full_name=data.validated_data["full_name"],
            email=data.validated_data["email"],
        )
        return Response(_issued(issued), status=status.HTTP_201_CREATED, headers=_NO_STORE)


class MarkerPasswordApi(ScopedAPIMixin, APIView):
    """A new one-time password of a marker (returned once)."""

    scoped_model = User
    method_actions = {"POST": OA.MANAGE_MARKERS}

    @extend_schema(
        summary="Новый одноразовый пароль эксперта комиссии",
        request=None,
        responses={200: IssuedMarkerSerializer, **_ERRORS},
    )
    def post(self, request: Request, marker_user_id: int) -> Response:
        issued = services.marker_reissue(actor=self.actor, user_id=marker_user_id)
        return Response(_issued(issued), headers=_NO_STORE)


class MarkerRevokeApi(ScopedAPIMixin, APIView):
    """Take a marker's access back (deactivated, out of its reviews)."""

    scoped_model = User
    method_actions = {"POST": OA.MANAGE_MARKERS}

    @extend_schema(
        summary="Отозвать доступ эксперта комиссии",
        request=None,
        responses={200: MarkerSerializer, **_ERRORS},
    )
    def post(self, request: Request, marker_user_id: int) -> Response:
        marker = services.marker_revoke(actor=self.actor, user_id=marker_user_id)
        return Response(MarkerSerializer(_marker(marker)).data)
