"""Login audit: Django's auth signals call the services that record them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from apps.core.client_ip import Client


@receiver(user_logged_in, dispatch_uid="vpr_login_audit")
def _logged_in(sender: Any, request: Any, user: Any, **_: Any) -> None:
    from apps.registration.accounts.services import login_record

    login_record(user=user, client=Client.of_request(request) if request is not None else None)


@receiver(user_login_failed, dispatch_uid="vpr_login_failed_audit")
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **_: Any) -> None:
    # Django masks the password in ``credentials``; only the attempted login is kept.
    from apps.registration.accounts.services import login_failed_record

    username = str(credentials.get("username") or "")
    client = Client.of_request(request) if request is not None else None
    login_failed_record(username=username, reason="password", client=client)
