"""POST /api/v1/auth/token/: login, password and, with two-factor login on, the current code give
a token for one device; POST /api/v1/auth/token/revoke/ signs that device out.

The token endpoint asks for the same factors as the browser login and is throttled by the same
django-axes counter per (login, client address): a wrong password or a wrong code counts as one
failure, and a locked pair answers 429 (docs/adr/0004-throttling-with-axes.md,
docs/adr/0013-api-tokens.md).
"""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.client_ip import Client
from apps.registration import services_tokens
from apps.registration.accounts import services as accounts_services
from apps.registration.api.authentication import ApiTokenAuthentication
from apps.registration.messages import text

WRONG = "Неверный логин или пароль."


class TokenInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    username = serializers.CharField(label="Логин", max_length=150)
    password = serializers.CharField(
        label="Пароль", max_length=4096, trim_whitespace=False, write_only=True
    )
    code = serializers.CharField(
        label="Одноразовый код",
        required=False,
        allow_blank=True,
        max_length=16,
        help_text="Текущий код из приложения; обязателен, если включён вход с одноразовым кодом.",
    )


class TokenOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    token = serializers.CharField(help_text="Передавайте в заголовке «Authorization: Token …».")
    expiry = serializers.DateTimeField(help_text="Когда токен перестанет действовать.")


class LoginLocked(exceptions.APIException):
    """429 for a locked (login, address) pair; DRF adds ``Retry-After`` from ``wait``."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "login_locked"

    def __init__(self) -> None:
        super().__init__(text("login_locked"))
        self.wait = int(settings.AXES_COOLOFF_TIME.total_seconds())


def _locked(request: Request) -> bool:
    # Set by axes while it refuses or records a failure of a locked (login, address) pair.
    return bool(getattr(request, "axes_locked_out", False))


class ObtainTokenApi(APIView):
    """Exempt from scoping: it takes no ids and shows nothing but the caller's own new token."""

    authentication_classes: list[type[Any]] = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=TokenInputSerializer,
        responses={
            200: TokenOutputSerializer,
            400: OpenApiResponse(
                description="Неверный логин или пароль; нет или неверен одноразовый код."
            ),
            429: OpenApiResponse(
                description="Вход с этого адреса заблокирован на 15 минут (заголовок Retry-After)."
            ),
        },
        summary="Получить токен по логину, паролю и одноразовому коду",
        description="Каждый вызов выдаёт отдельный токен (для одного устройства) на 12 часов. "
        "Если у учётной записи включён вход с одноразовым кодом, без верного поля «code» токен "
        "не выдаётся. После пяти неудачных попыток вход с этого адреса блокируется на 15 минут "
        "(ответ 429). Смена пароля, отключение учётной записи и включение или отключение входа "
        "с кодом отзывают все токены.",
        auth=[],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = TokenInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        username: str = form.validated_data["username"]
        code: str = form.validated_data.get("code", "")
        user = authenticate(request, username=username, password=form.validated_data["password"])
        if _locked(request):
            raise LoginLocked
        if user is None:
            raise serializers.ValidationError({"non_field_errors": [WRONG]}, code="authorization")
        if user.totp_enabled:
            self._second_factor(request, user_id=user.pk, username=username, code=code)
        token, expiry = services_tokens.api_token_issue(user=user)
        # As a browser login: resets the axes counter of the pair, audits `auth.login`.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response({"token": token, "expiry": expiry})

    @staticmethod
    def _second_factor(request: Request, *, user_id: int, username: str, code: str) -> None:
        if not code.strip():
            raise serializers.ValidationError(
                {"code": [text("totp_required")]}, code="totp_required"
            )
        if accounts_services.totp_login_check(
            user_id=user_id, code=code, client=Client.of_request(request)
        ):
            return
        # A wrong code counts as a failed login of the pair (the check above audited it), so
        # codes cannot be guessed faster than passwords.
        AxesProxyHandler.user_login_failed(
            sender=ObtainTokenApi, credentials={"username": username}, request=request
        )
        if _locked(request):
            raise LoginLocked
        raise serializers.ValidationError({"code": [text("totp_bad_code")]}, code="totp_bad_code")


class RevokeTokenApi(APIView):
    """Actor-only: revokes the very token the call is made with, nothing else."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Отозвать токен этого устройства",
        description="Токен, с которым сделан запрос, перестаёт действовать; токены других "
        "устройств остаются.",
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services_tokens.api_token_revoke(token=request.auth, client=Client.of_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# drf-spectacular registers an extension in its untyped __init_subclass__.
class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Documents ApiTokenAuthentication as the API key it always was (same name and shape)."""

    target_class = "apps.registration.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Токен с обязательным префиксом «Token»: "
            "«Authorization: Token <токен>» (POST /api/v1/auth/token/).",
        }
