"""The scans' API and pages: upload, batch detail, the code of a booklet, page images, scope."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from apps.objectivity.models import Booklet, ScanBatch, ScanPage
from apps.objectivity.scans.tests.helpers import two_booklets_file, upload
from apps.objectivity.tests.scene import Scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def processed(scene: Scene, django_capture_on_commit_callbacks: Any) -> ScanBatch:
    return upload(scene, two_booklets_file(scene), capture=django_capture_on_commit_callbacks)


def _client(scene: Scene, role: str) -> Client:
    return scene.world.client_for(role)


# --- API --------------------------------------------------------------------------------------


def test_api_upload_queues_and_lists_the_batch(
    scene: Scene, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(scene, "school_organizer")
    school = scene.school("A1a")
    url = reverse("api-objectivity-scan-batches", args=[school.pk, scene.work.pk])
    content = two_booklets_file(scene)
    # when the school posts its scans (multipart)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"file": SimpleUploadedFile("scan.pdf", content, "application/pdf")}
        )
    # then 201 with the queued batch; processed by the job at commit
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "queued"
    batch_id = response.json()["id"]
    listed = client.get(url).json()
    assert [(b["id"], b["status"], b["pages"], b["identified"]) for b in listed] == [
        (batch_id, "done", 6, 6)
    ]


def test_api_refuses_a_wrong_file_in_russian(scene: Scene) -> None:
    client = _client(scene, "school_organizer")
    school = scene.school("A1a")
    url = reverse("api-objectivity-scan-batches", args=[school.pk, scene.work.pk])
    response = client.post(
        url, {"file": SimpleUploadedFile("scan.pdf", b"GIF89a" + b"\x00" * 50, "application/pdf")}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "scan_file_type"
    assert "не PDF, PNG, JPEG или TIFF" in response.json()["detail"]
    assert not ScanBatch.objects.exists()


def test_api_batch_detail_booklet_code_and_page_image(scene: Scene, processed: ScanBatch) -> None:
    client = _client(scene, "school_organizer")
    detail = client.get(reverse("api-objectivity-scan-batch", args=[processed.pk])).json()
    assert [(b["seq"], b["variant"], b["code"]) for b in detail["booklets"]] == [
        (1, 1, ""),
        (2, 2, ""),
    ]
    assert [p["status"] for p in detail["scan_pages"]] == ["identified"] * 6
    assert detail["report"] == []
    booklet_id = detail["booklets"][0]["id"]
    url = reverse("api-objectivity-booklet", args=[booklet_id])
    # a wrong code: 400 in Russian; a right one: saved
    bad = client.patch(url, {"code": "123"}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["detail"] == "Код участника — 5 цифр; введено «123»."
    code = scene.codes["A1a"][2]
    ok = client.patch(url, {"code": code}, content_type="application/json")
    assert ok.status_code == 200
    assert (ok.json()["code"], ok.json()["status"]) == (code, "ready")
    # the page image, and its code box, as PNG never cached
    page = detail["scan_pages"][0]["id"]
    image = client.get(reverse("api-objectivity-scan-page-image", args=[page]))
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert image["Cache-Control"] == "private, no-store"
    assert image.content.startswith(b"\x89PNG")
    crop = client.get(reverse("api-objectivity-scan-page-image", args=[page]) + "?crop=code")
    assert crop.content.startswith(b"\x89PNG")
    assert len(crop.content) < len(image.content)
    thumb = client.get(reverse("api-objectivity-scan-page-image", args=[page]) + "?crop=thumb")
    with Image.open(io.BytesIO(thumb.content)) as small:
        assert small.width == 240
    # and the batch may be processed again (202), codes kept
    again = client.post(reverse("api-objectivity-scan-batch-reprocess", args=[processed.pk]))
    assert again.status_code == 202
    assert again.json()["status"] == "queued"


def test_api_objects_of_another_school_are_missing(scene: Scene, processed: ScanBatch) -> None:
    # given A2a's world: the municipal coordinator of A1 and the other schools' organizers
    client = _client(scene, "municipal")
    assert client.get(reverse("api-objectivity-scan-batch", args=[processed.pk])).status_code == 200
    booklet = Booklet.objects.filter(batch=processed).first()
    page = ScanPage.objects.filter(batch=processed).first()
    assert booklet is not None
    assert page is not None
    other = Client()
    user = scene.organizer("B1a").user
    assert user is not None
    other.force_login(user)
    assert other.get(reverse("api-objectivity-scan-batch", args=[processed.pk])).status_code == 404
    assert (
        other.patch(
            reverse("api-objectivity-booklet", args=[booklet.pk]),
            {"code": scene.codes["B1a"][0]},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert other.get(reverse("api-objectivity-scan-page-image", args=[page.pk])).status_code == 404
    # and a commission's marker does not browse scans at all (blind marking)
    marker = _client(scene, "marker")
    assert marker.get(reverse("api-objectivity-scan-batch", args=[processed.pk])).status_code == 403


# --- pages ------------------------------------------------------------------------------------


def test_the_work_page_shows_the_next_code_box_and_enter_moves_on(
    scene: Scene, processed: ScanBatch
) -> None:
    client = _client(scene, "school_organizer")
    school = scene.school("A1a")
    page_url = reverse("objectivity-scans-work", args=[school.pk, scene.work.pk])
    b1, b2 = Booklet.objects.filter(batch=processed).order_by("seq")
    first_page = ScanPage.objects.get(booklet=b1, page_number=1)
    html = client.get(page_url).content.decode()
    # the code box of booklet 1's first page, its form focused
    assert reverse("objectivity-scan-page-image", args=[first_page.pk]) + "?crop=code" in html
    assert reverse("objectivity-booklet-code", args=[b1.pk]) in html
    assert "Ждут кода: <strong>2</strong>" in html
    # when a code is typed and Enter pressed
    response = client.post(
        reverse("objectivity-booklet-code", args=[b1.pk]), {"code": scene.codes["A1a"][0]}
    )
    # then back to the page, which now shows booklet 2
    assert response.status_code == 302
    assert response["Location"] == page_url
    html = client.get(page_url).content.decode()
    assert reverse("objectivity-booklet-code", args=[b2.pk]) in html
    assert "Ждут кода: <strong>1</strong>" in html
    # a wrong code keeps booklet 2 on screen with the Russian reason
    wrong = client.post(reverse("objectivity-booklet-code", args=[b2.pk]), {"code": "99999"})
    assert wrong["Location"] == f"{page_url}?booklet={b2.pk}"
    shown = client.get(wrong["Location"]).content.decode()
    assert "Работа №2: Код 99999 не выдан ОО для 4 класса" in shown


def test_the_upload_page_refuses_a_wrong_file_and_stores_nothing(scene: Scene) -> None:
    client = _client(scene, "school_organizer")
    school = scene.school("A1a")
    response = client.post(
        reverse("objectivity-scans-upload", args=[school.pk, scene.work.pk]),
        {"file": SimpleUploadedFile("сканы.pdf", b"not a pdf at all", "application/pdf")},
    )
    assert response.status_code == 400
    assert "Файл «сканы.pdf» — не PDF, PNG, JPEG или TIFF" in response.content.decode()
    assert not ScanBatch.objects.exists()


def test_the_upload_page_accepts_scans(scene: Scene) -> None:
    client = _client(scene, "school_tech")
    school = scene.school("A1a")
    response = client.post(
        reverse("objectivity-scans-upload", args=[school.pk, scene.work.pk]),
        {"file": SimpleUploadedFile("scan.pdf", two_booklets_file(scene), "application/pdf")},
    )
    assert response.status_code == 302
    batch = ScanBatch.objects.get()
    assert (batch.school_id, batch.role) == (school.pk, "school_tech")


def test_school_and_coordinator_pages(scene: Scene, processed: ScanBatch) -> None:
    school = scene.school("A1a")
    own = _client(scene, "school_organizer").get(
        reverse("objectivity-scans-school", args=[school.pk])
    )
    assert "Русский язык, 4 класс (2026)" in own.content.decode()
    regional = _client(scene, "regional")
    listing = regional.get(reverse("objectivity-scans-unit")).content.decode()
    assert reverse("objectivity-scan-batch", args=[processed.pk]) in listing
    batch_page = regional.get(reverse("objectivity-scan-batch", args=[processed.pk]))
    assert batch_page.status_code == 200
    assert "Страниц: 6; опознано 6" in batch_page.content.decode()
    # a school of another region: missing
    other = scene.school("B1a")
    assert (
        regional.get(reverse("objectivity-scans-work", args=[other.pk, scene.work.pk])).status_code
        == 404
    )


def test_the_menu_leads_the_school_and_the_coordinator_to_the_scans(scene: Scene) -> None:
    school = scene.school("A1a")
    html = _client(scene, "school_organizer").get(reverse("objectivity-scans-unit"), follow=True)
    assert html.redirect_chain[-1][0] == reverse("objectivity-scans-school", args=[school.pk])
    menu = html.content.decode()
    assert f'href="{reverse("objectivity-scans-school", args=[school.pk])}"' in menu
    regional = _client(scene, "regional").get(reverse("objectivity-scans-unit")).content.decode()
    assert "Сканы работ ОО" in regional
