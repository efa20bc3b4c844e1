"""Experts' own accounts: the school organizer issues one for an expert of the day (login from
the school code, one-time password shown once, never stored or logged), a new password, and
revokes it; removing the expert (or changing its duty) revokes it too. Every write is audited."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from apps.core.models import AuditEvent
from apps.registration.access import actor_for_user
from apps.registration.constants import Role
from apps.registration.models import SchoolGrant, User
from apps.schoolday.accounts import services
from apps.schoolday.audit import SchoolDayAudit
from apps.schoolday.messages import SchoolDayError
from apps.schoolday.models import Person
from apps.schoolday.rooms import services as rooms
from conftest import expert_person


@pytest.fixture
def expert(world: Any) -> Person:
    """An expert of the day of school A1a without an account yet."""
    return expert_person(world.schools["A1a"], name="Эксперт Новый")


def _organizer(world: Any) -> Any:
    return actor_for_user(world.users["school_organizer"])


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values("action", "details")), ensure_ascii=False)


@pytest.mark.django_db
def test_the_organizer_issues_an_expert_account_shown_once(
    world: Any, expert: Person, caplog: Any
) -> None:
    school = world.schools["A1a"]
    caplog.set_level(logging.DEBUG)
    # given an expert of the day listed on the people page with the button
    client = world.client_for("school_organizer")
    people = client.get(reverse("schoolday-rooms", args=[school.pk])).content.decode()
    assert "Выдать доступ эксперту" in people
    assert reverse("schoolday-expert-account-issue", args=[expert.pk]) in people
    # when the organizer presses it
    response = client.post(reverse("schoolday-expert-account-issue", args=[expert.pk]))
    # then the page shows the login derived from the school code and the password, uncached
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    login = f"{school.code}_e1"
    password = response.context["issued"].password
    assert f"<code data-login>{login}</code>" in html
    assert f"<code data-password>{password}</code>" in html
    assert "Пароль показывается один раз" in html
    # and the account is an expert of the school, linked to the person, with a one-time password
    expert.refresh_from_db()
    user = expert.user
    assert user is not None
    assert user.username == login
    assert user.check_password(password)
    assert user.must_change_password
    assert user.full_name == expert.full_name
    actor = actor_for_user(user)
    assert (actor.role, actor.scope.school_id, actor.scope.user_id) == (
        Role.EXPERT,
        school.pk,
        user.pk,
    )
    # and the issue is audited without the password, which no log line carries either
    event = AuditEvent.objects.get(action=SchoolDayAudit.EXPERT_ACCOUNT_ISSUE)
    assert event.details == {"person_id": expert.pk, "login": login, "school": school.code}
    assert event.user == world.users["school_organizer"]
    assert password not in _audit_text()
    assert password not in caplog.text
    # and the page shows the login with the other buttons from now on
    again = client.get(reverse("schoolday-rooms", args=[school.pk])).content.decode()
    assert f"<code>{login}</code> (пароль одноразовый)" in again
    assert reverse("schoolday-expert-account-reissue", args=[expert.pk]) in again
    assert reverse("schoolday-expert-account-revoke", args=[expert.pk]) in again
    # and the expert logs in with it and is asked to set its own password first
    landed = Client().post(reverse("login"), {"username": login, "password": password}, follow=True)
    assert landed.redirect_chain[-1][0] == reverse("password-change")


@pytest.mark.django_db
def test_an_expert_gets_one_account_and_only_experts_get_one(world: Any, expert: Person) -> None:
    organizer = _organizer(world)
    issued = services.expert_account_issue(actor=organizer, person_id=expert.pk)
    # a second issue is refused, naming the login
    with pytest.raises(SchoolDayError) as again:
        services.expert_account_issue(actor=organizer, person_id=expert.pk)
    assert again.value.code == "expert_account_exists"
    assert issued.login in again.value.message
    # and a room organizer gets no account
    organizer_person = Person.objects.create(
        school=world.schools["A1a"],
        duty=Person.Duty.ORGANIZER,
        full_name="Организатор Аудитории",
        municipality_id=world.schools["A1a"].municipality_id,
        region_id=world.schools["A1a"].region_id,
    )
    with pytest.raises(SchoolDayError) as refused:
        services.expert_account_issue(actor=organizer, person_id=organizer_person.pk)
    assert refused.value.code == "expert_account_not_expert"
    logins = User.objects.filter(username__startswith=f"{world.schools['A1a'].code}_e")
    assert list(logins.values_list("username", flat=True)) == [issued.login]
    # and the page tells the organizer the same in Russian, changing nothing
    client = world.client_for("school_organizer")
    page = client.post(
        reverse("schoolday-expert-account-issue", args=[expert.pk]), follow=True
    ).content.decode()
    assert "уже есть доступ" in page
    assert User.objects.filter(username=issued.login).count() == 1


@pytest.mark.django_db
def test_a_new_password_replaces_the_old_one(world: Any, expert: Person) -> None:
    organizer = _organizer(world)
    first = services.expert_account_issue(actor=organizer, person_id=expert.pk)
    client = world.client_for("school_organizer")
    response = client.post(reverse("schoolday-expert-account-reissue", args=[expert.pk]))
    assert response.status_code == 200
    second = response.context["issued"]
    assert second.login == first.login
    assert second.password != first.password
    user = User.objects.get(username=first.login)
    assert user.check_password(second.password)
    assert not user.check_password(first.password)
    assert user.must_change_password
    assert AuditEvent.objects.filter(action=SchoolDayAudit.EXPERT_ACCOUNT_REISSUE).count() == 1
    assert second.password not in _audit_text()


@pytest.mark.django_db
def test_revoking_deactivates_unlinks_and_frees_the_login(world: Any, expert: Person) -> None:
    organizer = _organizer(world)
    issued = services.expert_account_issue(actor=organizer, person_id=expert.pk)
    client = world.client_for("school_organizer")
    # when the organizer revokes the access
    response = client.post(
        reverse("schoolday-expert-account-revoke", args=[expert.pk]), follow=True
    )
    assert "к порталу отключён" in response.content.decode()
    # then the account cannot log in, holds no grant and the person has no account
    user = User.objects.get(pk=issued.user.pk)
    assert not user.is_active
    assert not user.has_usable_password()
    assert user.username == f"{issued.login}_old1"
    assert not SchoolGrant.objects.filter(user=user).exists()
    assert actor_for_user(user).role is None
    expert.refresh_from_db()
    assert expert.user is None
    event = AuditEvent.objects.get(action=SchoolDayAudit.EXPERT_ACCOUNT_REVOKE)
    assert event.details["login"] == issued.login
    # and access can be given again under the same login
    again = services.expert_account_issue(actor=organizer, person_id=expert.pk)
    assert again.login == issued.login
    assert again.user.pk != issued.user.pk


@pytest.mark.django_db
def test_removing_an_expert_or_changing_its_duty_revokes_its_account(
    world: Any, expert: Person
) -> None:
    organizer = _organizer(world)
    school = world.schools["A1a"]
    # given two experts with accounts
    first = services.expert_account_issue(actor=organizer, person_id=expert.pk)
    other = expert_person(school, name="Эксперт Второй")
    second = services.expert_account_issue(actor=organizer, person_id=other.pk)
    # when the first is removed from the people of the day
    rooms.person_remove(actor=organizer, person_id=expert.pk)
    # then its account is off
    assert not User.objects.get(pk=first.user.pk).is_active
    # and when the second becomes a room organizer, its account is off too
    rooms.person_update(
        actor=organizer,
        person_id=other.pk,
        data=rooms.PersonInput(duty=Person.Duty.ORGANIZER, full_name=other.full_name),
    )
    assert not User.objects.get(pk=second.user.pk).is_active
    other.refresh_from_db()
    assert other.user is None
    assert AuditEvent.objects.filter(action=SchoolDayAudit.EXPERT_ACCOUNT_REVOKE).count() == 2


@pytest.mark.django_db
def test_the_api_issues_reads_reissues_and_revokes(world: Any, expert: Person) -> None:
    school = world.schools["A1a"]
    api = _api(world.users["school_organizer"])
    url = reverse("api-schoolday-expert-account", args=[expert.pk])
    assert api.get(url).json() == {
        "person": expert.pk,
        "login": None,
        "active": False,
        "must_change_password": False,
    }
    # POST: the login and the one-time password, once
    created = api.post(url)
    assert created.status_code == 201
    body = created.json()
    assert body["login"] == f"{school.code}_e1"
    assert User.objects.get(username=body["login"]).check_password(body["password"])
    # GET never shows the password again
    state = api.get(url).json()
    assert state == {
        "person": expert.pk,
        "login": body["login"],
        "active": True,
        "must_change_password": True,
    }
    assert (api.post(url).status_code, api.post(url).json()["code"]) == (
        409,
        "expert_account_exists",
    )
    # a new password
    renewed = api.post(reverse("api-schoolday-expert-account-password", args=[expert.pk]))
    assert renewed.status_code == 200
    assert renewed.json()["password"] != body["password"]
    # revoke
    revoked = api.delete(url)
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False
    assert api.delete(url).json()["code"] == "expert_account_missing"
    # the technical specialist and the expert have no such action
    for role in ("school_tech", "expert"):
        assert _api(world.users[role]).post(url).status_code == 403, role
    # an organizer of another school does not see the person
    outsider = User.objects.create_user(username="t_other_org", password="x-Password-123")
    from apps.registration.tests.factories import grant

    grant(outsider, "school_organizer", world.schools["A1b"])
    assert _api(outsider).get(url).status_code == 404
