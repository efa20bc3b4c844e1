"""The address of the client behind the trusted reverse proxies.

Behind a TLS proxy ``REMOTE_ADDR`` is the proxy's own address, the same for everybody: failed
logins counted per (login, REMOTE_ADDR) would let anyone lock a login out for everyone. Each
trusted proxy appends the address it received the request from to ``VPR_TRUSTED_PROXY_HEADER``
(``X-Forwarded-For``), so with N trusted proxies the client is the N-th entry from the right.
Entries further left are whatever the client sent and are never trusted. Used by django-axes
(``AXES_CLIENT_IP_CALLABLE``) and by the audit trail.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from django.conf import settings


def client_ip(request: Any) -> str | None:
    """The client's address as the outermost trusted proxy saw it (``REMOTE_ADDR`` without one).

    ``request`` is a Django ``HttpRequest`` or a DRF ``Request`` (both have ``META``). A header
    with fewer entries than trusted proxies, or an entry that is not an address, falls back to
    ``REMOTE_ADDR``: such a request did not come through the proxies as configured.
    """
    meta = request.META
    remote: str | None = meta.get("REMOTE_ADDR") or None
    count: int = settings.VPR_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    header = "HTTP_" + settings.VPR_TRUSTED_PROXY_HEADER.upper().replace("-", "_")
    hops = [hop.strip() for hop in str(meta.get(header, "")).split(",") if hop.strip()]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


@dataclass(frozen=True)
class Client:
    """Where an action came from, as the audit trail records it: address and user agent.

    Carried on the actor (``Actor.client``) from the request into services and, as plain
    values in a job's params, into the worker that acts for the person who asked.
    """

    ip: str | None = None
    user_agent: str = ""

    @classmethod
    def of_request(cls, request: Any) -> Client:
        return cls(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:300])

    def as_params(self) -> dict[str, str]:
        """JSON-safe form for a job's params (``Client.from_params`` reads it back)."""
        return {"ip": self.ip or "", "user_agent": self.user_agent}

    @classmethod
    def from_params(cls, params: Any) -> Client | None:
        if not isinstance(params, dict) or not params:
            return None
        return cls(ip=params.get("ip") or None, user_agent=str(params.get("user_agent", ""))[:300])
