"""Only the issuer downloads a credentials file.

A coordinator above the issuer sees the unit's data, but the one-time passwords are handed over
by the person who issued them: anyone else gets 404, as for an object outside its scope, and the
issuer's single download stays untouched.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.registration.access import actor_for_user
from apps.registration.accounts.services import Person, account_reissue, specialist_add
from apps.registration.models import CredentialsFile, School
from apps.registration.tests.accounts.helpers import read_credentials
from conftest import World

PERSON = Person(
    full_name="Тестова Анна Сергеевна", position="Учитель", phone="+7 900 000-00-00", email=""
)


def _downloads(world: World, role: str, cf: CredentialsFile) -> tuple[int, int]:
    client = world.client_for(role)
    page = client.get(reverse("credentials-download", args=[cf.pk]))
    api = client.get(reverse("api-credentials-download", args=[cf.pk]))
    return page.status_code, api.status_code


@pytest.mark.django_db
def test_a_regional_coordinator_cannot_take_a_file_its_municipal_coordinator_issued(
    world: World,
) -> None:
    # given the municipal coordinator of A1 re-issued the password of school A1a's organizer
    municipal = actor_for_user(world.users["municipal"])
    cf = account_reissue(actor=municipal, model=School, unit_id=world.schools["A1a"].pk)
    assert cf is not None
    # when the regional coordinator of A downloads it through the page and the API
    taken = _downloads(world, "regional", cf)
    # then both answer as for a foreign object, and the file is still there for its issuer
    assert taken == (404, 404)
    cf.refresh_from_db()
    assert cf.downloaded_at is None
    first = world.client_for("municipal").get(reverse("credentials-download", args=[cf.pk]))
    assert first.status_code == 200
    assert list(read_credentials(first.content)) == [world.users["school_organizer"].username]


@pytest.mark.django_db
def test_a_municipal_coordinator_cannot_take_a_schools_specialist_file(world: World) -> None:
    # given the organizer of school A1a added a technical specialist
    organizer = actor_for_user(world.users["school_organizer"])
    outcome = specialist_add(actor=organizer, school_id=world.schools["A1a"].pk, person=PERSON)
    cf = outcome.credentials
    assert cf is not None
    # when the municipal and the regional coordinators above the school try to download it
    municipal = _downloads(world, "municipal", cf)
    regional = _downloads(world, "regional", cf)
    # then neither gets it, and only the organizer does, once
    assert municipal == (404, 404)
    assert regional == (404, 404)
    assert _downloads(world, "school_organizer", cf) == (200, 410)
    # and the files an issuer lists are its own only
    listed = world.client_for("municipal").get(reverse("api-credentials")).json()
    assert cf.pk not in [f["id"] for f in listed]
