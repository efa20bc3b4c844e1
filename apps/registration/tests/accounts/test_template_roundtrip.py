"""The portal's own coordinators template is accepted back: untouched rows are not re-checked."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from apps.core.models import ImportBatch
from apps.registration.accounts.rules import AccountFileKind
from apps.registration.models import User
from apps.registration.tests.accounts.helpers import fill, person, xlsx_upload

KIND = AccountFileKind.MUNICIPAL_COORDINATORS
pytestmark = pytest.mark.django_db


def _template(client: Any, world: Any) -> bytes:
    region = world.regions["A"]
    content: bytes = client.get(
        reverse("municipal-coordinators-template", args=[region.pk])
    ).content
    return content


def _post(client: Any, world: Any, content: bytes) -> Any:
    region = world.regions["A"]
    return client.post(
        reverse("municipal-coordinators", args=[region.pk]), {"file": xlsx_upload(content)}
    )


def _without_phone(world: Any) -> User:
    """A1's coordinator, as an account created without a phone (the single-account form)."""
    user: User = world.users["municipal"]
    User.objects.filter(pk=user.pk).update(full_name="Иванова Мария Петровна", phone="")
    user.refresh_from_db()
    return user


def test_an_untouched_row_without_a_phone_is_accepted_back(world: Any) -> None:
    # given A1's coordinator without a phone, and the template the portal writes for region A
    user = _without_phone(world)
    client = world.client_for("regional")
    template = _template(client, world)
    a2 = world.municipalities["A2"]
    before = ImportBatch.objects.count()
    # when the regional coordinator fills only A2 and uploads the file back
    response = _post(client, world, fill(template, KIND, {a2.code: person("a2")}))
    # then the file is accepted: A1 is unchanged, A2 will be created
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ImportBatch.objects.count() == before + 1
    batch = ImportBatch.objects.order_by("-pk").first()
    assert batch is not None
    outcomes = {r["code"]: r["outcome"] for r in batch.preview["rows"]}
    assert outcomes[world.municipalities["A1"].code] == "unchanged"
    assert outcomes[a2.code] == "created"
    user.refresh_from_db()
    assert user.phone == ""


def test_a_changed_row_must_still_be_complete(world: Any) -> None:
    # given the same template
    _without_phone(world)
    client = world.client_for("regional")
    template = _template(client, world)
    a1 = world.municipalities["A1"]
    before = ImportBatch.objects.count()
    # when A1's row is changed (a new position) but its phone is still empty
    changed = person("a1", full_name="Иванова Мария Петровна", phone="")
    response = _post(client, world, fill(template, KIND, {a1.code: changed}))
    # then the file is refused, naming the row and the column, and nothing is stored
    html = response.content.decode()
    assert response.status_code == 200
    assert "не заполнено поле «Телефон»" in html
    assert ImportBatch.objects.count() == before
