"""A register upload's preview through the API (the page «class-register-import»'s twin)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.core.models import ImportBatch
from apps.registration.tests.factories import grant, make_user

from .conftest import Setup, register_file


def test_the_preview_is_read_back_and_follows_the_apply(setup: Setup) -> None:
    # given the organizer's upload of a register file (preview only)
    client = setup.world.client_for("school_organizer")
    upload = client.post(
        reverse("api-class-register-upload", args=[setup.school.pk]),
        {"file": SimpleUploadedFile("r.xlsx", register_file([[4, "А", None, 25, 0]]))},
    ).json()
    url = reverse("api-class-register-import", args=[upload["id"]])
    # when it reads the upload back, applies it and reads it again
    before = client.get(url)
    client.post(reverse("api-class-register-apply", args=[upload["id"]]))
    after = client.get(url).json()
    # then the preview is the upload's, and the state moves from preview to applied
    assert before.status_code == 200, before.content
    assert before.json()["preview"] == upload["preview"]
    assert before.json()["status"] == ImportBatch.Status.PREVIEW
    assert after["status"] == ImportBatch.Status.APPLIED
    assert after["applied_at"] is not None


def test_another_schools_upload_is_not_found_and_another_kinds_preview_not_shown(
    setup: Setup,
) -> None:
    # given an upload of school A1a, and an upload of another kind in the same scope
    client = setup.world.client_for("school_organizer")
    upload = client.post(
        reverse("api-class-register-upload", args=[setup.school.pk]),
        {"file": SimpleUploadedFile("r.xlsx", register_file([[4, "А", None, 25, 0]]))},
    ).json()
    batch = ImportBatch.objects.get(pk=upload["id"])
    other_kind = ImportBatch.objects.create(
        kind="school_list",
        status=ImportBatch.Status.PREVIEW,
        actor=setup.world.users["school_organizer"],
        original_name="x.xlsx",
        preview={},
        school_id=batch.school_id,
        municipality_id=batch.municipality_id,
        region_id=batch.region_id,
    )
    # when the organizer of a sibling school asks for A1a's upload, and A1a's organizer for
    # the upload of the other kind
    sibling_user = make_user("t_school_b", "x-Password-123")
    grant(sibling_user, "school_organizer", setup.world.schools["A1b"])
    sibling = Client()
    sibling.force_login(sibling_user)
    url = reverse("api-class-register-import", args=[batch.pk])
    other = client.get(reverse("api-class-register-import", args=[other_kind.pk]))
    # then the sibling gets 404; the other kind's upload shows no preview (as on the page)
    assert sibling.get(url).status_code == 404
    assert other.status_code == 200
    assert other.json()["preview"] is None
