"""The application upload page and the not-applied list in the API: upload → preview → apply
or discard through /api/v1/application-imports/, the same services and audit rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.applications import services
from apps.applications.models import Status
from apps.applications.tests.conftest import Chain, edit_xlsx, snapshot
from apps.applications.tests.test_monitoring import progress  # noqa: F401 - fixture
from apps.core.models import AuditEvent, ImportBatch

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filled(chain: Chain) -> tuple[Any, bytes]:
    app = chain.open()
    form = services.application_form_file(
        actor=chain.actor("school_organizer"), application_id=app.pk
    )
    cells = {"C5": "да", "D5": 30, "E5": 2, "C6": "да", "D6": 20, "E6": 1}
    return app, edit_xlsx(form.content, "Заявка", cells)


def _upload(client: Any, content: bytes) -> Any:
    return client.post(
        reverse("api-application-imports"),
        {"file": SimpleUploadedFile("Заявка.xlsx", content, content_type=XLSX)},
    )


def test_a_school_uploads_previews_and_applies_its_form(chain: Chain) -> None:
    app, content = _filled(chain)
    client = chain.world.client_for("school_organizer")
    before = snapshot()
    # when the school uploads its filled form through the API
    response = _upload(client, content)
    # then it answers the preview, changes nothing yet, and audits the upload
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["status"]) == ("application", "preview")
    assert body["preview"]["counts"]["changed"] == 1
    assert snapshot() == before
    assert AuditEvent.objects.filter(action="application.upload").count() == 1
    listed = client.get(reverse("api-application-imports")).json()
    assert [b["id"] for b in listed] == [body["id"]]
    detail = client.get(reverse("api-application-import-detail", kwargs={"pk": body["id"]}))
    assert detail.json()["preview"] == body["preview"]
    # when it applies the upload
    applied = client.post(reverse("api-application-import-apply", kwargs={"pk": body["id"]}))
    # then the lines are saved and the application submitted, as from the preview page
    assert applied.status_code == 200, applied.json()
    assert (applied.json()["done"], applied.json()["status"]) == (True, "applied")
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    assert AuditEvent.objects.filter(action="application.import_apply").count() == 1
    # and applying again changes nothing
    again = client.post(reverse("api-application-import-apply", kwargs={"pk": body["id"]}))
    assert again.json()["done"] is False


def test_a_bad_file_is_refused_with_every_error_and_a_discard_is_audited(chain: Chain) -> None:
    _app, content = _filled(chain)
    client = chain.world.client_for("school_organizer")
    bad = edit_xlsx(content, "Заявка", {"D5": "много"})
    refused = _upload(client, bad)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["row"] == 5
    assert not ImportBatch.objects.exists()
    assert AuditEvent.objects.filter(action="application.upload_rejected").count() == 1
    # a good upload discarded: audited, never applied
    batch = _upload(client, content).json()
    url = reverse("api-application-import-discard", kwargs={"pk": batch["id"]})
    assert client.post(url).json()["status"] == "discarded"
    assert AuditEvent.objects.filter(action="application.import_discard").count() == 1


def test_another_schools_upload_is_404(chain: Chain) -> None:
    _app, content = _filled(chain)
    batch = _upload(chain.world.client_for("school_organizer"), content).json()
    # the municipal coordinator of another municipality does not see it
    other = chain.world.client_for("municipal")
    from apps.registration.tests.factories import grant, make_user

    stranger = make_user("stranger_muni", "x-Password-123")
    grant(stranger, "municipal", chain.world.municipalities["A2"])
    other.force_login(stranger)
    for name in ("api-application-import-detail", "api-application-import-apply"):
        url = reverse(name, kwargs={"pk": batch["id"]})
        response = other.get(url) if name.endswith("detail") else other.post(url)
        assert response.status_code == 404, name
    assert ImportBatch.objects.get(pk=batch["id"]).status == "preview"


def test_the_not_applied_list_is_the_pages(progress: Chain, world: Any) -> None:  # noqa: F811
    client = world.client_for("regional")
    url = reverse("api-application-not-applied")
    # the regional coordinator's region: A2a (a draft) and A2b (nothing), as on the page
    body = client.get(url).json()
    assert [s["code"] for s in body["results"]] == [
        world.schools["A2a"].code,
        world.schools["A2b"].code,
    ]
    assert body["count"] == 2
    # narrowed to municipality A1: nobody; a municipality of another region is 404
    assert client.get(url, {"municipality": world.municipalities["A1"].pk}).json()["count"] == 0
    assert client.get(url, {"municipality": world.municipalities["B1"].pk}).status_code == 404
    # a school has no monitoring
    assert world.client_for("school_organizer").get(url).status_code == 403
