"""A technical specialist's new one-time password through the API, as the page gives it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.core.models import AuditEvent
from apps.registration.audit import AccountsAudit
from apps.registration.models import CredentialsFile, User
from apps.registration.tests.accounts.helpers import person
from conftest import World


def _specialist(world: World) -> User:
    """A technical specialist of A1a, added by its organizer through the API."""
    school = world.schools["A1a"]
    client = world.client_for("school_organizer")
    client.post(reverse("api-specialist-add"), {**person(1), "school_id": school.pk})
    return User.objects.get(username=f"{school.code}_t1")


@pytest.mark.django_db
def test_organizer_reissues_a_specialists_password(world: World) -> None:
    # given the organizer of A1a with a technical specialist
    client = world.client_for("school_organizer")
    school = world.schools["A1a"]
    user = _specialist(world)
    old_password = user.password
    # when it asks for a new one-time password through the API
    response = client.post(reverse("api-school-specialist-reissue", args=[school.pk, user.pk]))
    # then the password changed, a credentials file names it, and it is audited
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["done"] is True
    user.refresh_from_db()
    assert user.password != old_password
    assert user.must_change_password
    cf = CredentialsFile.objects.get(pk=body["credentials_id"])
    assert cf.issued_by == world.users["school_organizer"]
    assert AuditEvent.objects.filter(
        action=AccountsAudit.ACCOUNT_REISSUE, target_id=str(user.pk)
    ).exists()


@pytest.mark.django_db
def test_reissue_is_refused_outside_scope_for_non_specialists_and_other_roles(
    world: World,
) -> None:
    # given the organizer of A1a with a specialist, and the school A1b outside its scope
    client = world.client_for("school_organizer")
    user = _specialist(world)
    other = world.schools["A1b"]
    # when it names its specialist under a school it does not see
    outside = client.post(reverse("api-school-specialist-reissue", args=[other.pk, user.pk]))
    # then 404, as a missing school
    assert outside.status_code == 404
    # when it names a user who is not a specialist of its school (itself)
    organizer = world.users["school_organizer"]
    school = world.schools["A1a"]
    not_one = client.post(reverse("api-school-specialist-reissue", args=[school.pk, organizer.pk]))
    # then nothing is done and the answer says why
    assert not_one.status_code == 200
    assert not_one.json()["done"] is False
    # when the technical specialist itself tries
    tech = world.client_for("school_tech")
    refused = tech.post(reverse("api-school-specialist-reissue", args=[school.pk, user.pk]))
    # then its role may not (403); no password was reissued at all
    assert refused.status_code == 403
    assert not AuditEvent.objects.filter(action=AccountsAudit.ACCOUNT_REISSUE).exists()
