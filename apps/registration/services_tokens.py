"""API tokens (django-rest-knox, docs/adr/0013-api-tokens.md): issue one per device, revoke one,
revoke all of a user's.

Knox stores a token only as a SHA-512 digest (plus its first 15 characters for lookup), with an
expiry (``REST_KNOX["TOKEN_TTL"]``). A token stands for the credentials it was issued with, so
every service that changes them (password, one-time password, disabling, the second factor) calls
:func:`api_tokens_revoke` in its own transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from apps.core.services import audit_record
from apps.registration.access import actor_for_user
from apps.registration.audit import AccountsAudit

if TYPE_CHECKING:
    import datetime as dt

    from apps.core.client_ip import Client
    from apps.registration.models import User


@transaction.atomic
def api_token_issue(*, user: User) -> tuple[str, dt.datetime | None]:
    """A new token for one device of ``user`` (who has proven every factor): (token, expiry).

    The plaintext exists only in the return value; the caller hands it to the client once.
    The user's expired tokens are deleted here (authentication no longer sweeps them).
    """
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    instance, token = AuthToken.objects.create(user=user)
    return token, instance.expiry


@transaction.atomic
def api_token_revoke(*, token: Any, client: Client | None = None) -> None:
    """Sign one device out: its token stops working, the user's other devices keep theirs."""
    user = token.user
    AuthToken.objects.filter(pk=token.pk).delete()
    audit_record(
        actor=actor_for_user(user).with_client(client),
        action=AccountsAudit.AUTH_TOKEN_REVOKE,
        target=user,
    )


def api_tokens_revoke(*, user: User) -> int:
    """Revoke every API token of ``user``; returns how many there were.

    Called inside the transaction of the service that changes the user's credentials (password,
    one-time password, disabling, second factor), whose audit event records the change itself.
    """
    deleted: int = AuthToken.objects.filter(user=user).delete()[0]
    return deleted
