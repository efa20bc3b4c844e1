"""DRF authentication by API token (django-rest-knox), with Russian errors.

Kept apart from the API views: DRF imports the authentication classes named in settings while
it builds ``APIView``, so this module must not import views.
"""

from __future__ import annotations

import binascii
import functools
from hmac import compare_digest
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions
from rest_framework.request import Request

from apps.core.precompiled import Precompiled

INVALID_TOKEN = "Токен недействителен или истёк. Получите новый: POST /api/v1/auth/token/."  # noqa: S105


@functools.cache
def _token_names() -> tuple[list[str], list[str]]:
    """The token's and its user's columns, in model order (read once: the models do not change)."""
    token_model = get_token_model()
    user_model = token_model._meta.get_field("user").related_model
    return (
        [f.attname for f in token_model._meta.concrete_fields],
        [f.attname for f in user_model._meta.concrete_fields],
    )


def _tokens(*, token_key: str) -> QuerySet[Any]:
    """The tokens with this key (a prefix: usually one) and every column of their users."""
    token_names, user_names = _token_names()
    tokens: QuerySet[Any] = get_token_model().objects.all()
    return (
        tokens.filter(token_key=token_key)
        .order_by()
        .values_list(*token_names, *(f"user__{name}" for name in user_names))
    )


_TOKENS = Precompiled(_tokens)


def tokens_with_key(token_key: str) -> list[Any]:
    """``AuthToken.objects.filter(token_key=…).select_related("user")`` as knox reads it on every
    API request, compiled once (``core.precompiled``, issue 18)."""
    token_model = get_token_model()
    user_model = token_model._meta.get_field("user").related_model
    token_names, user_names = _token_names()
    found = []
    for row in _TOKENS.rows(token_key=token_key):
        token = token_model.from_db(_TOKENS.using, token_names, list(row[: len(token_names)]))
        token.user = user_model.from_db(_TOKENS.using, user_names, list(row[len(token_names) :]))
        found.append(token)
    return found


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

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        """Knox's own check (each token with the presented key, compared by its hash; an expired
        one deleted and skipped), reading the tokens through ``tokens_with_key``."""
        text = token.decode("utf-8")
        for auth_token in tokens_with_key(text[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(text)
            except (TypeError, binascii.Error) as exc:
                raise exceptions.AuthenticationFailed(INVALID_TOKEN) from exc
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                result: tuple[Any, Any] = self.validate_user(auth_token)
                return result
        raise exceptions.AuthenticationFailed(INVALID_TOKEN)

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
