"""Replacing a coordinator, updating the same person, applying once, stale previews."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.core.models import AuditEvent, ImportBatch
from apps.registration.access import actor_for_user
from apps.registration.accounts.rules import AccountFileKind
from apps.registration.constants import Role
from apps.registration.models import MunicipalityGrant, User
from apps.registration.tests.accounts.helpers import (
    apply_upload,
    download_latest_credentials,
    fill,
    person,
    xlsx_upload,
)

KIND = AccountFileKind.MUNICIPAL_COORDINATORS


def _upload(client, world, people) -> ImportBatch:
    region = world.regions["A"]
    template = client.get(reverse("municipal-coordinators-template", args=[region.pk])).content
    response = client.post(
        reverse("municipal-coordinators", args=[region.pk]),
        {"file": xlsx_upload(fill(template, KIND, people))},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.order_by("-pk").first()


@pytest.mark.django_db
def test_replacing_a_coordinator_disables_the_old_account_and_keeps_the_unit_login(world):
    # given municipality A1 served by t_municipal, and A2 by nobody
    client = world.client_for("regional")
    a1, a2 = world.municipalities["A1"], world.municipalities["A2"]
    old = world.users["municipal"]
    batch = _upload(
        client,
        world,
        {a1.code: person("new", replace="Да"), a2.code: person("a2")},
    )
    # then the preview says A1 is replaced and A2 created, and nothing changed yet
    outcomes = {r["code"]: r["outcome"] for r in batch.preview["rows"]}
    assert outcomes == {a1.code: "replaced", a2.code: "created"}
    assert User.objects.get(pk=old.pk).is_active
    events_before = AuditEvent.objects.count()
    # when the upload is applied
    response = apply_upload(client, batch.pk)
    assert response.status_code == 302
    # then the old account is disabled, without a grant, and can no longer act
    old.refresh_from_db()
    assert not old.is_active
    assert not old.has_usable_password()
    assert not MunicipalityGrant.objects.filter(user=old).exists()
    assert actor_for_user(old).role is None
    # and the new person holds the municipality's login and role
    new = User.objects.get(username=a1.code)
    assert new.full_name == person("new")["full_name"]
    assert actor_for_user(new).role == Role.MUNICIPAL
    creds = download_latest_credentials(client, world.users["regional"])
    assert sorted(creds) == sorted([a1.code, a2.code])
    # and exactly one audit row per effect: replace, create, apply (+ the download)
    actions = list(
        AuditEvent.objects.order_by("pk")[events_before:].values_list("action", flat=True)
    )
    assert sorted(actions) == sorted(
        ["account.replace", "account.create", "accounts.apply", "credentials.download"]
    )

    # when A1 is replaced again (its login is held by the account to retire)
    batch = _upload(client, world, {a1.code: person("third", replace="Да")})
    apply_upload(client, batch.pk)
    # then the retired account frees the login by becoming <login>_old1
    new.refresh_from_db()
    assert new.username == f"{a1.code}_old1"
    assert not new.is_active
    assert User.objects.get(username=a1.code).full_name == person("third")["full_name"]


@pytest.mark.django_db
def test_same_person_with_new_phone_is_updated_without_a_new_password(world):
    # given A1's coordinator and a file with its name and a new phone
    client = world.client_for("regional")
    user = world.users["municipal"]
    user.full_name = "Петрова Ольга Ивановна"
    user.save()
    a1 = world.municipalities["A1"]
    batch = _upload(
        client, world, {a1.code: person(1, full_name="Петрова  Ольга Ивановна", phone="+7 900 1")}
    )
    # when the upload is previewed and applied
    assert batch.preview["rows"][0]["outcome"] == "updated"
    password_hash = User.objects.get(pk=user.pk).password
    apply_upload(client, batch.pk)
    # then the same account is updated, keeps its password and no file is issued
    user.refresh_from_db()
    assert user.phone == "+7 900 1"
    assert user.password == password_hash
    assert user.is_active
    assert AuditEvent.objects.filter(action="account.update").count() == 1


@pytest.mark.django_db
def test_applying_twice_does_nothing_the_second_time(world):
    # given an applied upload
    client = world.client_for("regional")
    a2 = world.municipalities["A2"]
    batch = _upload(client, world, {a2.code: person(1)})
    apply_upload(client, batch.pk)
    users, events = User.objects.count(), AuditEvent.objects.count()
    # when it is applied again (HTML and API)
    response = client.post(reverse("account-import-apply", args=[batch.pk]), follow=True)
    api = client.post(reverse("api-account-import-apply", args=[batch.pk]))
    # then nothing changes and the page says so
    assert "повторное применение ничего не меняет" in response.content.decode()
    assert api.status_code == 200
    assert api.json()["done"] is False
    assert (User.objects.count(), AuditEvent.objects.count()) == (users, events)


@pytest.mark.django_db
def test_a_preview_made_stale_by_another_change_is_refused_whole(world):
    # given two previews creating A2's coordinator
    client = world.client_for("regional")
    a2 = world.municipalities["A2"]
    first = _upload(client, world, {a2.code: person(1)})
    second = _upload(client, world, {a2.code: person(2)})
    apply_upload(client, first.pk)
    users = User.objects.count()
    # when the second, now stale, is applied
    response = client.post(reverse("account-import-apply", args=[second.pk]), follow=True)
    # then it is refused with a Russian message and nothing changed
    assert "данные изменились" in response.content.decode()
    assert User.objects.count() == users
    second.refresh_from_db()
    assert second.status == ImportBatch.Status.PREVIEW


@pytest.mark.django_db
def test_federal_operator_replaces_a_regional_coordinator_with_the_form(world):
    # given region A served by t_regional
    federal = world.client_for("federal")
    region = world.regions["A"]
    old = world.users["regional"]
    # when the federal operator saves the same person's new phone
    federal.post(
        reverse("region-coordinator", args=[region.pk]),
        {**person(1, full_name=old.full_name or "Старый Координатор"), "mode": "update"},
    )
    # then it is an update (no new account)
    assert User.objects.filter(username=f"reg{region.code}").count() == 0
    # when it appoints another person
    response = federal.post(
        reverse("region-coordinator", args=[region.pk]), {**person(9), "mode": "replace"}
    )
    # then the old account is disabled and the new one gets reg<code>
    assert response.status_code == 302
    old.refresh_from_db()
    assert not old.is_active
    assert User.objects.get(username=f"reg{region.code}").is_active
    assert not old.has_usable_password()
