"""DRF authentication by API token (django-rest-knox), with Russian errors.

Kept apart from the API views: DRF imports the authentication classes named in settings while
it builds ``APIView``, so this module must not import views.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.signals import token_expired
from rest_framework import exceptions
from rest_framework.request import Request

INVALID_TOKEN = "Токен недействителен или истёк. Получите новый: POST /api/v1/auth/token/."  # noqa: S105


# knox ships no type information: its base class is Any to mypy.
class ApiTokenAuthentication(TokenAuthentication):  # type: ignore[misc]
    """``Authorization: Token <token>``: a knox token, compared by its hash, refused once expired,
    revoked or its user disabled. Every refusal is 401 with the same Russian message."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        try:
            result: tuple[Any, Any] | None = super().authenticate(request)
        except (exceptions.AuthenticationFailed, UnicodeDecodeError) as exc:
            # (knox decodes the header as UTF-8: any other bytes would otherwise answer 500)
            raise exceptions.AuthenticationFailed(INVALID_TOKEN) from exc
        return result

    def _cleanup_token(self, auth_token: Any) -> bool:
        """True (skip it) if the presented token has expired, which is then deleted.

        Knox's own version also reads and deletes the user's other expired tokens on every
        request: one more query per API call (the 07:30 password rush, issue 18). Expired
        tokens never authenticate either way; the others are deleted when the user's next token
        is issued (``api_token_issue``)."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False
