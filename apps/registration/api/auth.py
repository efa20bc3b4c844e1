"""POST /api/v1/auth/token/: username and password give a token (throttled by axes)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response


class _LoginSerializer(AuthTokenSerializer):
    default_error_messages = {"invalid": "Неверный логин или пароль."}

    def validate(self, attrs: dict[str, str]) -> dict[str, object]:
        try:
            # The stubs type Serializer.validate as Any -> Any; DRF returns the attrs dict.
            validated: dict[str, object] = super().validate(attrs)
            return validated
        except serializers.ValidationError as exc:
            raise serializers.ValidationError(
                "Неверный логин или пароль.", code="authorization"
            ) from exc


class ObtainTokenApi(ObtainAuthToken):
    serializer_class = _LoginSerializer

    @extend_schema(
        request=_LoginSerializer,
        responses=inline_serializer("TokenOutput", {"token": serializers.CharField()}),
        summary="Получить токен по логину и паролю",
        auth=[],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)
