"""Login audit, forced password change, TOTP (RFC 6238), and the append-only audit trail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.core import crypto
from apps.core.models import AuditEvent
from apps.registration import totp
from apps.registration.accounts.services import totp_secret
from apps.registration.models import User
from apps.registration.tests.accounts.helpers import NEW_PASSWORD
from conftest import PASSWORD

RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890" (RFC 6238)


@pytest.mark.parametrize(
    ("unix", "code"),
    [(59, "287082"), (1111111109, "081804"), (1234567890, "005924"), (2000000000, "279037")],
)
def test_totp_matches_the_rfc_6238_vectors(unix, code):
    # given the RFC test secret and instant
    at = datetime.fromtimestamp(unix, tz=UTC)
    # when the code is computed
    # then it is the RFC's (last six digits of its 8-digit SHA-1 values)
    assert totp.code_at(RFC_SECRET, at) == code


def test_totp_window_and_replay():
    # given a code of the current step
    now = datetime.fromtimestamp(1_700_000_000, tz=UTC)
    code = totp.code_at(RFC_SECRET, now)
    counter = totp.counter_at(now)
    # then it is accepted 30 s early or late, not 60 s, and never twice
    assert totp.verify(RFC_SECRET, code, at=now) == counter
    assert totp.verify(RFC_SECRET, code, at=now.replace(second=now.second) + _s(30)) == counter
    assert totp.verify(RFC_SECRET, code, at=now + _s(90)) is None
    assert totp.verify(RFC_SECRET, code, at=now, last_counter=counter) is None
    assert totp.verify(RFC_SECRET, "12345", at=now) is None
    uri = totp.provisioning_uri(RFC_SECRET, account="reg66", issuer="ВПР-портал")
    assert uri.startswith("otpauth://totp/")
    assert f"secret={RFC_SECRET}" in uri


def _s(seconds):
    from datetime import timedelta

    return timedelta(seconds=seconds)


@pytest.mark.django_db
def test_login_success_and_failure_are_audited_without_the_password(world):
    # given a user with a known password
    user = world.users["school_organizer"]
    client = Client()
    before = AuditEvent.objects.count()
    # when it fails once and then logs in
    client.post(reverse("login"), {"username": user.username, "password": "Wrong-Password-1"})
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    # then exactly two events are recorded: the failure and the success
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [e.action for e in events] == ["auth.login_failed", "auth.login"]
    assert events[0].username == user.username
    assert events[1].user_id == user.pk
    assert events[1].ip == "127.0.0.1"
    for e in events:
        assert "Wrong-Password-1" not in str(e.details)
        assert PASSWORD not in str(e.details)


@pytest.mark.django_db
def test_one_time_password_forces_a_change_before_anything_else(world):
    # given a user holding a one-time password
    user = world.users["municipal"]
    user.must_change_password = True
    user.save()
    client = Client()
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    # when it opens any page or the API
    page = client.get(reverse("school-list"))
    api = client.get(reverse("api-school-list"))
    # then pages redirect to the password change and the API refuses in Russian
    assert page.status_code == 302
    assert page["Location"] == reverse("password-change")
    assert api.status_code == 403
    assert "Смените одноразовый пароль" in api.json()["detail"]
    # when it picks a weak password, Django's validators answer in Russian
    weak = client.post(
        reverse("password-change"),
        {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"},
    )
    assert "Введённый пароль слишком короткий" in weak.content.decode()
    # when it picks a good one
    response = client.post(
        reverse("password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    # then the cabinet opens and the change is audited once
    assert response.status_code == 302
    assert client.get(reverse("school-list")).status_code == 200
    assert AuditEvent.objects.filter(action="auth.password_change").count() == 1


@pytest.mark.django_db
def test_token_user_with_one_time_password_is_refused_by_the_api(world):
    # given a user with a one-time password using a token
    from apps.registration.services_tokens import api_token_issue

    user = world.users["regional"]
    user.must_change_password = True
    user.save()
    key, _ = api_token_issue(user=user)
    # when it calls an endpoint
    response = Client().get(reverse("api-region-list"), HTTP_AUTHORIZATION=f"Token {key}")
    # then it is refused until the password is changed
    assert response.status_code == 403


@pytest.mark.django_db
def test_enabling_totp_then_logging_in_with_a_code(world):
    # given a municipal coordinator on its security page
    user = world.users["municipal"]
    client = world.client_for("municipal")
    client.post(reverse("account-security"), {"step": "begin"})
    user.refresh_from_db()
    # then the secret is stored encrypted and shown with its otpauth URI
    secret = totp_secret(user)
    assert secret not in user.totp_secret
    assert crypto.decrypt(user.totp_secret).decode() == secret
    page = client.get(reverse("account-security")).content.decode()
    assert "otpauth://totp/" in page
    assert totp.grouped(secret) in page
    # when a wrong code is given, nothing is enabled
    client.post(reverse("account-security"), {"step": "confirm", "code": "000000"})
    user.refresh_from_db()
    assert not user.totp_enabled
    # when the right code is confirmed
    client.post(
        reverse("account-security"),
        {"step": "confirm", "code": totp.code_at(secret, timezone.now())},
    )
    user.refresh_from_db()
    assert user.totp_enabled
    assert AuditEvent.objects.filter(action="auth.totp_enable").count() == 1
    # when it logs in again: the password alone is not enough
    fresh = Client()
    response = fresh.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response["Location"].endswith("?step=code")
    assert fresh.get(reverse("cabinet")).status_code == 302  # still anonymous
    bad = fresh.post(reverse("login"), {"code": "999999"})
    assert "Неверный или устаревший код" in bad.content.decode()
    # the code already used to enable is refused (no replay); a later step's code works
    later = timezone.now() + _s(30)
    logins_before = AuditEvent.objects.filter(action="auth.login").count()
    ok = fresh.post(reverse("login"), {"code": totp.code_at(secret, later)})
    assert ok.status_code == 302
    cabinet = fresh.get(reverse("cabinet"))
    assert cabinet.status_code == 200
    assert "Что сделать сейчас" in cabinet.content.decode()
    assert AuditEvent.objects.filter(action="auth.login").count() == logins_before + 1
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 1


@pytest.mark.django_db
def test_schools_cannot_turn_on_totp(world):
    # given a school organizer
    # when it opens the security page
    response = world.client_for("school_organizer").get(reverse("account-security"))
    # then it is refused
    assert response.status_code == 403


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_or_deleted(world):
    # given an audit event
    world.client_for("federal")
    event = AuditEvent.objects.filter(action="auth.login").first()
    assert event is not None
    # then saving or deleting it raises, in bulk too
    event.action = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    assert AuditEvent.objects.get(pk=event.pk).action == "auth.login"


@pytest.mark.django_db
def test_admin_refuses_to_change_or_delete_audit_events(world):
    # given the federal operator in the admin and an audit event
    client = world.client_for("federal")
    event = AuditEvent.objects.first()
    base = f"/admin/core/auditevent/{event.pk}"
    # when it posts a change, opens delete, posts delete, or bulk-deletes
    change = client.post(f"{base}/change/", {"action": "hacked"})
    delete_page = client.get(f"{base}/delete/")
    delete = client.post(f"{base}/delete/", {"post": "yes"})
    add = client.get("/admin/core/auditevent/add/")
    bulk = client.post(
        "/admin/core/auditevent/",
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    # then every one is refused and the event is intact
    assert change.status_code == 403
    assert delete_page.status_code == 403
    assert delete.status_code == 403
    assert add.status_code == 403
    assert bulk.status_code in (200, 302)
    assert AuditEvent.objects.get(pk=event.pk).action == event.action
    assert AuditEvent.objects.count() >= 1
    # and the read-only view of it still opens
    assert client.get(f"{base}/change/").status_code == 200


@pytest.mark.django_db
def test_no_role_holds_an_action_that_writes_audit_events():
    # given the role table
    from apps.registration.access import ROLE_ACTIONS

    # then no action name lets anyone touch the audit trail
    for actions in ROLE_ACTIONS.values():
        assert not any(a.startswith("audit.") and a != "audit.view" for a in actions)


@pytest.mark.django_db
def test_user_password_is_hashed(world):
    # given an account created by a service
    user = User.objects.get(username="t_municipal")
    # then only a hash is stored
    assert PASSWORD not in user.password


@pytest.mark.django_db
def test_wrong_codes_in_the_browser_lock_the_login_like_wrong_passwords(world):
    # given a municipal coordinator with TOTP on, whose password a thief knows
    user = world.users["municipal"]
    owner = world.client_for("municipal")
    owner.post(reverse("account-security"), {"step": "begin"})
    user.refresh_from_db()
    secret = totp_secret(user)
    owner.post(
        reverse("account-security"),
        {"step": "confirm", "code": totp.code_at(secret, timezone.now())},
    )
    user.refresh_from_db()
    assert user.totp_enabled
    thief = Client()
    # when the thief logs in with the password and guesses codes, logging in again each time
    # the code step gives up
    statuses = []
    for _ in range(3):
        thief.post(reverse("login"), {"username": user.username, "password": PASSWORD})
        statuses.extend(
            thief.post(reverse("login"), {"code": "000000"}).status_code for _ in range(2)
        )
    # then the fifth wrong code locks the pair, like five wrong passwords
    assert statuses[:4] == [200, 200, 200, 200]
    assert statuses[4] == 429
    # and even the right password and code are refused until the cool-off ends
    again = thief.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert again.status_code == 429
