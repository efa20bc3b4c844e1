"""API tokens: the same factors as the browser, hashed, expiring,
one per device, and revoked whenever the credentials behind them change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.registration import totp
from apps.registration.access import actor_for_user
from apps.registration.accounts import services as svc
from apps.registration.models import School, User
from apps.registration.tests.accounts.helpers import NEW_PASSWORD, person
from conftest import PASSWORD, World

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"
STEP = dt.timedelta(seconds=totp.STEP_SECONDS)


@pytest.fixture
def now() -> Iterator[dt.datetime]:
    """A pinned clock, built from today: TOTP codes and token expiry depend on the instant."""
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        yield start


def _token_post(username: str, password: str = PASSWORD, **extra: str) -> Any:
    return Client().post(TOKEN_URL, {"username": username, "password": password, **extra})


def _token(username: str, password: str = PASSWORD, **extra: str) -> str:
    response = _token_post(username, password, **extra)
    assert response.status_code == 200, response.content.decode()
    return str(response.json()["token"])


def _me(token: str) -> int:
    return int(Client().get(ME_URL, HTTP_AUTHORIZATION=f"Token {token}").status_code)


def _totp_on(user: User, at: dt.datetime) -> str:
    """Turn two-factor login on through the services (the code of step ``at`` is then used)."""
    secret = svc.totp_begin(user=user)
    svc.totp_confirm(user=user, code=totp.code_at(secret, at))
    return secret


def _stored_anywhere(value: str) -> bool:
    """Whether any text column of any table holds ``value`` exactly."""
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            text = isinstance(f, models.CharField | models.TextField)
            if text and model._base_manager.filter(**{f.name: value}).exists():
                return True
    return False


# --- hole 1: the second factor ------------------------------------------------------------------


@pytest.mark.django_db
def test_token_api_refuses_the_password_alone_when_totp_is_on(
    world: World, now: dt.datetime
) -> None:
    # given a regional coordinator with two-factor login on
    user = world.users["regional"]
    secret = _totp_on(user, now)
    # when a token is asked for with the right login and password but no code
    bare = _token_post(user.username)
    # then no token is given, and the Russian answer asks for the code
    assert bare.status_code == 400, bare.content.decode()
    assert "token" not in bare.json()
    assert "одноразовый код" in bare.content.decode()
    # when a wrong code is sent
    wrong = _token_post(user.username, code="000000")
    # then still no token
    assert wrong.status_code == 400
    assert "token" not in wrong.json()
    assert "Неверный или устаревший код" in wrong.content.decode()
    # when the current code of its app is sent (the step after the one used to turn it on)
    token = _token(user.username, code=totp.code_at(secret, now + STEP))
    # then the token works
    assert _me(token) == 200
    # and the same code is not accepted twice
    replay = _token_post(user.username, code=totp.code_at(secret, now + STEP))
    assert replay.status_code == 400


@pytest.mark.django_db
def test_wrong_codes_lock_the_token_api_like_wrong_passwords(
    world: World, now: dt.datetime
) -> None:
    # given a coordinator with two-factor login on whose password is known to an attacker
    user = world.users["municipal"]
    secret = _totp_on(user, now)
    # when five wrong codes are sent with the right password from one address
    for _ in range(5):
        assert _token_post(user.username, code="123456").status_code in (400, 429)
    # then even the right code is refused with 429 for that login and address
    locked = _token_post(user.username, code=totp.code_at(secret, now + STEP))
    assert locked.status_code == 429, locked.content.decode()
    assert "token" not in locked.json()


@pytest.mark.django_db
def test_turning_totp_on_revokes_older_tokens(world: World, now: dt.datetime) -> None:
    # given a token issued while only the password was needed
    user = world.users["regional"]
    token = _token(user.username)
    assert _me(token) == 200
    # when the coordinator turns two-factor login on in its browser
    browser = world.client_for("regional")
    browser.post(reverse("account-security"), {"step": "begin"})
    user.refresh_from_db()
    secret = svc.totp_secret(user)
    browser.post(
        reverse("account-security"), {"step": "confirm", "code": totp.code_at(secret, now)}
    )
    user.refresh_from_db()
    assert user.totp_enabled
    # then the older token no longer works
    assert _me(token) == 401


# --- hole 2: tokens are hashed, expire, are per device and die with the credentials ---------------


@pytest.mark.django_db
def test_tokens_are_hashed_per_device_and_expire(world: World, now: dt.datetime) -> None:
    # given two devices of one user, each asking for a token
    user = world.users["school_organizer"]
    laptop, script = _token(user.username), _token(user.username)
    # then each device has its own working token, and neither is stored as it is
    assert laptop != script
    assert _me(laptop) == 200
    assert _me(script) == 200
    assert not _stored_anywhere(laptop)
    assert not _stored_anywhere(script)
    # when one device signs out
    out = Client().post(reverse("api-token-revoke"), HTTP_AUTHORIZATION=f"Token {laptop}")
    # then only its token stops working
    assert out.status_code == 204
    assert _me(laptop) == 401
    assert _me(script) == 200
    # when a working day has passed
    with time_machine.travel(now + dt.timedelta(hours=12, minutes=1), tick=False):
        # then the other token has expired too
        assert _me(script) == 401


def _own_change(world: World, user: User) -> None:
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302


def _forced_first_change(world: World, user: User) -> None:
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    _own_change(world, User.objects.get(pk=user.pk))


def _reissue(world: World, user: User) -> None:
    response = world.client_for("regional").post(
        reverse("municipality-coordinator-reissue", args=[world.municipalities["A1"].pk])
    )
    assert response.status_code == 302


def _replace(world: World, user: User) -> None:
    svc.regional_coordinator_set(
        actor=actor_for_user(world.users["federal"]),
        region_id=world.regions["A"].pk,
        person=svc.Person(**person("new")),
        replace=True,
    )


def _specialist_disable(world: World, user: User) -> None:
    school = School.objects.get(pk=world.schools["A1a"].pk)
    response = world.client_for("school_organizer").post(
        reverse("school-specialist-disable", args=[school.pk, user.pk])
    )
    assert response.status_code == 302


def _specialist_reissue(world: World, user: User) -> None:
    school = School.objects.get(pk=world.schools["A1a"].pk)
    response = world.client_for("school_organizer").post(
        reverse("school-specialist-reissue", args=[school.pk, user.pk])
    )
    assert response.status_code == 302


def _totp_off(world: World, user: User) -> None:
    # half a minute later, so that a code newer than the one the token was issued with exists
    secret = svc.totp_secret(user)
    with time_machine.travel(timezone.now() + STEP, tick=False):
        svc.totp_disable(user=user, code=totp.code_at(secret, timezone.now() + STEP))


def _admin_password(world: World, user: User) -> None:
    response = world.client_for("federal").post(
        f"/admin/registration/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def _admin_disable(world: World, user: User) -> None:
    from django.contrib import admin
    from django.test import RequestFactory

    from apps.registration.admin import UserAdmin

    request = RequestFactory().post("/admin/registration/user/")
    request.user = world.users["federal"]
    user.is_active = False
    changed = SimpleNamespace(changed_data=["is_active"])
    UserAdmin(User, admin.site).save_model(request, user, changed, change=True)
    # (were the account enabled again, its old tokens must stay dead)
    User.objects.filter(pk=user.pk).update(is_active=True)


CHANGES: dict[str, tuple[str, Callable[[World, User], None]]] = {
    "own password change": ("municipal", _own_change),
    "forced first-login change": ("municipal", _forced_first_change),
    "coordinator re-issues the password": ("municipal", _reissue),
    "federal operator replaces the person": ("regional", _replace),
    "specialist disabled": ("school_tech", _specialist_disable),
    "specialist's password re-issued": ("school_tech", _specialist_reissue),
    "two-factor login turned off": ("municipal", _totp_off),
    "federal operator sets a password in the admin": ("regional", _admin_password),
    "federal operator disables the account in the admin": ("regional", _admin_disable),
}


@pytest.mark.django_db
@pytest.mark.parametrize("change", list(CHANGES))
def test_every_credential_change_revokes_the_users_tokens(
    world: World, now: dt.datetime, change: str
) -> None:
    role, apply = CHANGES[change]
    user = User.objects.get(pk=world.users[role].pk)
    code: dict[str, str] = {}
    if change == "two-factor login turned off":
        secret = _totp_on(user, now)
        code = {"code": totp.code_at(secret, now + STEP)}
    # given a token that works
    token = _token(user.username, **code)
    if change != "forced first-login change":
        assert _me(token) == 200
    # when the credentials behind it change
    apply(world, User.objects.get(pk=user.pk))
    # then the token is dead
    assert _me(token) == 401, change
