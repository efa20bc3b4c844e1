"""The preview page's «Отменить» of a works upload through the API."""

from __future__ import annotations

import pytest

from apps.campaigns.models import Work
from apps.campaigns.tests.factories import WorkFactory
from apps.core.models import AuditEvent, ImportBatch
from conftest import World

pytestmark = pytest.mark.django_db


def test_a_previewed_works_upload_is_discarded_through_the_api(world: World) -> None:
    # given a works upload previewed with a changed duration
    work = WorkFactory()
    federal = world.client_for("federal")
    doc = federal.get(f"/api/v1/campaigns/{work.campaign_id}/export/").json()
    doc["works"][0]["duration_minutes"] = 60
    batch = federal.post(
        "/api/v1/work-imports/",
        {"campaign": work.campaign_id, "document": doc},
        content_type="application/json",
    ).json()["id"]
    # when it is discarded
    url = "/api/v1/work-imports/discard/"
    response = federal.post(url, {"batch": batch}, content_type="application/json")
    # then the outcome says so, the discard is audited, and nothing was applied
    assert response.status_code == 200, response.json()
    assert (response.json()["done"], response.json()["status"]) == (True, "discarded")
    assert ImportBatch.objects.get(pk=batch).status == "discarded"
    assert AuditEvent.objects.filter(action="works.import_discard").count() == 1
    assert Work.objects.get(pk=work.pk).duration_minutes == 45
    # and it can no longer be applied; an unknown batch is 404, another role is refused
    applied = federal.post(
        "/api/v1/work-imports/apply/", {"batch": batch}, content_type="application/json"
    )
    assert applied.json()["done"] is False
    missing = federal.post(url, {"batch": 999999}, content_type="application/json")
    assert missing.status_code == 404
    other = world.client_for("regional").post(
        url, {"batch": batch}, content_type="application/json"
    )
    assert other.status_code == 403
