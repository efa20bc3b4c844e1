"""The author's side of notices through the API: publishing, a new version of the document and
the read receipts — the same services, scoping, audit rows and refusals as the pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.core.models import AuditEvent
from apps.notices import services
from apps.notices.audit import NoticesAudit
from apps.notices.models import Notice, NoticeFile
from apps.registration.access import actor_for_user
from conftest import World

PDF = b"%PDF-1.4\n% test document\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

pytestmark = pytest.mark.django_db


def _pdf(name: str = "Инструкция.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _regional_notice(world: World) -> Notice:
    actor = actor_for_user(world.users["regional"])
    return services.notice_publish(actor=actor, title="Регион А: ОО", for_schools=True)


def test_a_coordinator_publishes_a_notice_with_its_document(world: World) -> None:
    # given the regional coordinator of A using the API
    client = world.client_for("regional")
    # when it publishes a notice to its schools with a document (multipart, as the form)
    response = client.post(
        reverse("api-notice-list"),
        {"title": "Сроки ВПР", "body": "Текст", "for_schools": "true", "file": _pdf()},
    )
    # then the notice exists from region A, with version 1 of the document, both audited
    assert response.status_code == 201, response.content
    body = response.json()
    notice = Notice.objects.get(pk=body["id"])
    assert notice.region_id == world.regions["A"].pk
    assert notice.for_schools
    assert not notice.for_municipalities
    assert [f["version"] for f in body["files"]] == [1]
    for action in (NoticesAudit.NOTICE_PUBLISH, NoticesAudit.NOTICE_FILE_VERSION):
        assert AuditEvent.objects.filter(action=action).count() == 1
    # and a school of the region sees it in its list
    school = world.client_for("school_organizer").get(reverse("api-notice-list")).json()
    assert notice.pk in [n["id"] for n in school["results"]]


def test_publishing_refusals_are_the_services(world: World) -> None:
    # given the regional coordinator and a school organizer
    regional = world.client_for("regional")
    school = world.client_for("school_organizer")
    # when the coordinator addresses the regions (not below it) or names no audience
    above = regional.post(
        reverse("api-notice-list"),
        {"title": "Регионам", "for_regions": True},
        content_type="application/json",
    )
    nobody = regional.post(
        reverse("api-notice-list"), {"title": "Никому"}, content_type="application/json"
    )
    # and the school, whose role may not publish, tries
    refused = school.post(
        reverse("api-notice-list"),
        {"title": "ОО", "for_schools": True},
        content_type="application/json",
    )
    # then each is refused with the page's code and nothing is published
    assert (above.status_code, above.json()["code"]) == (400, "audience_not_below")
    assert (nobody.status_code, nobody.json()["code"]) == (400, "audience_missing")
    assert refused.status_code == 403
    assert not Notice.objects.exists()
    assert not AuditEvent.objects.filter(action=NoticesAudit.NOTICE_PUBLISH).exists()


def test_a_new_version_of_the_document(world: World) -> None:
    # given region A's notice without a document
    notice = _regional_notice(world)
    client = world.client_for("regional")
    # when its author uploads two versions
    for name in ("v1.pdf", "v2.pdf"):
        response = client.post(reverse("api-notice-files", args=[notice.pk]), {"file": _pdf(name)})
        assert response.status_code == 201, response.content
    # then both are kept, numbered, and audited
    assert list(
        NoticeFile.objects.filter(notice=notice)
        .order_by("version")
        .values_list("version", "original_name")
    ) == [(1, "v1.pdf"), (2, "v2.pdf")]
    assert response.json()["version"] == 2
    assert AuditEvent.objects.filter(action=NoticesAudit.NOTICE_FILE_VERSION).count() == 2


def test_a_version_outside_the_authors_side_is_not_found_and_a_bad_file_is_refused(
    world: World,
) -> None:
    # given region A's notice, its municipality A1 (a reader, not the author) and its author
    notice = _regional_notice(world)
    municipal = world.client_for("municipal")
    regional = world.client_for("regional")
    # when the municipality uploads a version, and the author sends a file of a refused type
    outside = municipal.post(reverse("api-notice-files", args=[notice.pk]), {"file": _pdf()})
    bad = regional.post(
        reverse("api-notice-files", args=[notice.pk]),
        {"file": SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="text/plain")},
    )
    missing = regional.post(reverse("api-notice-files", args=[notice.pk]), {})
    # then 404 for the reader, 400 with the service's codes for the author; nothing stored
    assert outside.status_code == 404
    assert (bad.status_code, bad.json()["code"]) == (400, "file_type")
    assert (missing.status_code, missing.json()["code"]) == (400, "file_missing")
    assert not NoticeFile.objects.exists()


def test_read_receipts_for_the_author_only(world: World) -> None:
    # given region A's notice to its schools, read by the organizer of A1a
    notice = _regional_notice(world)
    school = world.client_for("school_organizer")
    school.post(reverse("api-notice-read", args=[notice.pk]))
    # when its author asks who read it, and its municipality A1 asks the same
    receipts = world.client_for("regional").get(reverse("api-notice-reads", args=[notice.pk]))
    outside = world.client_for("municipal").get(reverse("api-notice-reads", args=[notice.pk]))
    # then the author sees 1 of region A's 4 schools and the reader; the municipality gets 404
    assert receipts.status_code == 200, receipts.content
    body = receipts.json()
    assert [(s["read"], s["total"]) for s in body["stats"]] == [(1, 4)]
    assert [r["username"] for r in body["readers"]] == [world.users["school_organizer"].username]
    assert outside.status_code == 404
