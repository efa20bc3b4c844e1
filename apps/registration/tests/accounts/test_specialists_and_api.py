"""Technical specialists and the REST equivalents of the account pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.core.models import AuditEvent, ImportBatch
from apps.registration.access import actor_for_user
from apps.registration.accounts.rules import AccountFileKind
from apps.registration.constants import Role
from apps.registration.models import CredentialsFile, User
from apps.registration.tests.accounts.helpers import (
    download_latest_credentials,
    fill,
    person,
    read_credentials,
    xlsx_upload,
)


@pytest.mark.django_db
def test_school_organizer_adds_and_removes_technical_specialists(world):
    # given the organizer of A1a
    client = world.client_for("school_organizer")
    school = world.schools["A1a"]
    # when it adds two specialists
    for n in (1, 2):
        response = client.post(reverse("school-specialists", args=[school.pk]), person(n))
        assert response.status_code == 302
    # then they get <school>_t1 and <school>_t2 with the technical specialist's role
    first = User.objects.get(username=f"{school.code}_t1")
    assert User.objects.filter(username=f"{school.code}_t2").exists()
    assert actor_for_user(first).role == Role.SCHOOL_TECH
    creds = download_latest_credentials(client, world.users["school_organizer"])
    assert list(creds) == [f"{school.code}_t2"]
    # when it removes the first one
    response = client.post(reverse("school-specialist-disable", args=[school.pk, first.pk]))
    # then the account is disabled, audited once, and its number is never reused
    assert response.status_code == 302
    first.refresh_from_db()
    assert not first.is_active
    assert actor_for_user(first).role is None
    assert AuditEvent.objects.filter(action="account.disable").count() == 1
    client.post(reverse("school-specialists", args=[school.pk]), person(3))
    assert User.objects.filter(username=f"{school.code}_t3").exists()
    page = client.get(reverse("school-specialists", args=[school.pk])).content.decode()
    assert f"{school.code}_t1" in page  # listed among disabled accounts


@pytest.mark.django_db
def test_technical_specialist_cannot_manage_accounts(world):
    # given the technical specialist of A1a
    client = world.client_for("school_tech")
    # when it opens the specialists page
    response = client.get(reverse("school-specialists", args=[world.schools["A1a"].pk]))
    # then it is refused
    assert response.status_code == 403


# Transactional: the apply job runs on commit, eagerly, as with `make run` — so the API answers
# the finished apply (200) within the request, as it did before applies moved to a job.
@pytest.mark.django_db(transaction=True)
def test_api_chain_coordinator_upload_apply_credentials(world):
    # given the federal operator using the API
    federal = world.client_for("federal")
    region = world.regions["B"]
    # when it creates region B's coordinator
    response = federal.post(
        reverse("api-regional-coordinator-set"),
        {**person("api"), "region_id": region.pk, "replace": True},
        content_type="application/json",
    )
    # then the answer names the outcome and the credentials file
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["outcome"] == "created"
    assert body["account"]["username"] == f"reg{region.code}"
    got = federal.get(reverse("api-region-coordinator", args=[region.pk])).json()
    assert got["account"]["full_name"] == person("api")["full_name"]
    download = federal.get(reverse("api-credentials-download", args=[body["credentials_id"]]))
    assert download.status_code == 200
    assert list(read_credentials(download.content)) == [f"reg{region.code}"]

    # when the regional coordinator of A uploads a file through the API
    regional = world.client_for("regional")
    template = regional.get(
        reverse("api-municipal-coordinators-template", args=[world.regions["A"].pk])
    )
    assert template.status_code == 200
    filled = fill(
        template.content,
        AccountFileKind.MUNICIPAL_COORDINATORS,
        {world.municipalities["A2"].code: person("a2")},
    )
    response = regional.post(
        reverse("api-account-imports"),
        {
            "kind": AccountFileKind.MUNICIPAL_COORDINATORS.value,
            "unit_id": world.regions["A"].pk,
            "file": xlsx_upload(filled),
        },
    )
    # then it gets the preview, and applying it issues the credentials
    assert response.status_code == 201, response.content
    batch = response.json()
    assert batch["status"] == "preview"
    assert batch["preview"]["counts"]["created"] == 1
    applied = regional.post(reverse("api-account-import-apply", args=[batch["id"]])).json()
    assert applied["done"] is True
    assert applied["batch"] == batch["id"]
    assert applied["status"] == "applied"
    cf_id = applied["credentials_id"]
    assert regional.get(reverse("api-credentials-download", args=[cf_id])).status_code == 200
    assert regional.get(reverse("api-credentials-download", args=[cf_id])).status_code == 410


@pytest.mark.django_db
def test_api_refuses_units_and_files_outside_the_scope(world):
    # given the regional coordinator of A
    regional = world.client_for("regional")
    # when it uploads for region B, or a municipal coordinator asks to appoint anyone
    response = regional.post(
        reverse("api-account-imports"),
        {
            "kind": AccountFileKind.MUNICIPAL_COORDINATORS.value,
            "unit_id": world.regions["B"].pk,
            "file": xlsx_upload(b"PK\x03\x04"),
        },
    )
    appoint = world.client_for("municipal").post(
        reverse("api-regional-coordinator-set"),
        {**person(1), "region_id": world.regions["A"].pk},
        content_type="application/json",
    )
    specialist = world.client_for("school_organizer").post(
        reverse("api-specialist-add"),
        {**person(1), "school_id": world.schools["A1b"].pk},
        content_type="application/json",
    )
    # then region B is as good as missing, and the wrong role is refused
    assert response.status_code == 404
    assert appoint.status_code == 403
    assert specialist.status_code == 404
    assert ImportBatch.objects.count() == 0
    assert CredentialsFile.objects.count() == 0


@pytest.mark.django_db
def test_openapi_schema_documents_the_account_endpoints(world):
    # given the schema
    response = world.client_for("federal").get(reverse("schema"))
    text = response.content.decode()
    # then the account endpoints are there
    for path in (
        "/api/v1/regions/{id}/coordinator/",
        "/api/v1/regional-coordinators/",
        "/api/v1/account-imports/",
        "/api/v1/account-imports/{id}/apply/",
        "/api/v1/credentials/{id}/download/",
        "/api/v1/specialists/",
    ):
        assert path in text, path
