"""Lockouts behind the TLS proxy: a lock is per (login, real client address),
and the token API answers a locked login with 429 as ADR 0004 promises."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.test import Client
from django.urls import reverse

from apps.core.models import AuditEvent
from conftest import PASSWORD, World

ROOT = Path(__file__).resolve().parents[3]
TOKEN_URL = "/api/v1/auth/token/"
LOCKED = "Слишком много неудачных попыток"
PROXY = "10.0.0.2"  # the TLS proxy: every request reaches Django from it
ATTACKER = "203.0.113.7"
SCHOOL = "198.51.100.20"


def _via_proxy(client_ip: str, forwarded: str = "") -> dict[str, str]:
    """What Django sees of a request the proxy forwarded: the proxy appends the address it saw."""
    chain = f"{forwarded}, {client_ip}" if forwarded else client_ip
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": chain}


def _login(username: str, password: str, **meta: str) -> Any:
    return Client().post(reverse("login"), {"username": username, "password": password}, **meta)


@pytest.mark.django_db
def test_token_api_answers_a_locked_login_with_429(world: World) -> None:
    # given five wrong passwords for one login through the token API
    username = world.users["regional"].username
    for _ in range(5):
        Client().post(TOKEN_URL, {"username": username, "password": "wrong-one"})
    # when even the right password is sent next
    response = Client().post(TOKEN_URL, {"username": username, "password": PASSWORD})
    # then the API answers 429 in Russian and gives no token
    assert response.status_code == 429, (response.status_code, response.content.decode())
    assert LOCKED in response.json()["detail"]
    assert "token" not in response.json()
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_failures_behind_the_proxy_lock_only_the_client_that_made_them(
    world: World, settings: Any
) -> None:
    # given the portal behind one trusted TLS proxy
    settings.VPR_TRUSTED_PROXY_COUNT = 1
    school_login = world.users["school_organizer"].username
    # when an attacker somewhere sends five wrong passwords for a school's login
    for _ in range(5):
        _login(school_login, "wrong-one", **_via_proxy(ATTACKER))
    # then the attacker is locked out of that login
    assert _login(school_login, PASSWORD, **_via_proxy(ATTACKER)).status_code == 429
    # and forging the school's address in its own header does not get it in
    forged = _via_proxy(ATTACKER, forwarded=SCHOOL)
    assert _login(school_login, PASSWORD, **forged).status_code == 429
    # but the school, from its own address through the same proxy, still logs in
    assert _login(school_login, PASSWORD, **_via_proxy(SCHOOL)).status_code == 302
    token = Client().post(
        TOKEN_URL, {"username": school_login, "password": PASSWORD}, **_via_proxy(SCHOOL)
    )
    assert token.status_code == 200
    # and the audit trail names the real addresses, not the proxy's
    failed = AuditEvent.objects.filter(action="auth.login_failed").values_list("ip", flat=True)
    assert set(failed) == {ATTACKER}


@pytest.mark.django_db
def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(
    world: World, settings: Any
) -> None:
    # given the portal reached directly (no proxy configured)
    settings.VPR_TRUSTED_PROXY_COUNT = 0
    username = world.users["municipal"].username
    # when an attacker sends each wrong password with a different forged forwarded address
    for n in range(5):
        _login(username, "wrong-one", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    # then the forged addresses did not spread the failures: its own address is locked
    response = _login(username, PASSWORD, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429


def test_trusted_proxy_count_comes_from_the_environment() -> None:
    # given production settings with the environment production needs
    base = {
        "DJANGO_SETTINGS_MODULE": "vpr_portal.settings.production",
        "DJANGO_SECRET_KEY": "prod-check-" + "k3Y!x9#Qz" * 8,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "VPR_FERNET_KEYS": Fernet.generate_key().decode(),
        "VPR_MANIFEST_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),
    }
    script = (
        "from django.conf import settings; "
        "print(settings.VPR_TRUSTED_PROXY_COUNT, settings.AXES_CLIENT_IP_CALLABLE)"
    )

    def run(**extra: str) -> str:
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_TRUSTED_PROXY_COUNT"}
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=ROOT,
            env={**env, **base, **extra},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]  # after the shell's own notes

    # when it is unset, behind the TLS proxy production requires
    # then one proxy is trusted; DJANGO_TRUSTED_PROXY_COUNT changes it, 0 turns it off
    assert run() == "1 apps.core.client_ip.client_ip"
    assert run(DJANGO_TRUSTED_PROXY_COUNT="2").startswith("2 ")
    assert run(DJANGO_BEHIND_TLS_PROXY="0").startswith("0 ")
