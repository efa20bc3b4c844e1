"""The register's pages and API: who sees and edits what, uploads through the browser and the
API, the coordinators' summary and its export, the menu."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from apps.classes.models import SchoolClass
from apps.core.models import ImportBatch
from apps.core.registry import menu_for
from apps.registration.access import actor_for_user

from .conftest import Setup, register_file


def test_the_organizer_sees_classes_with_their_works_and_adds_one(setup: Setup) -> None:
    setup.add(letter="А", pupils=25, ovz=2)
    client = setup.world.client_for("school_organizer")
    url = reverse("class-register", args=[setup.school.pk])
    page = client.get(url).content.decode()
    assert "4А" in page
    assert "Русский язык" in page
    assert "обязательная" in page
    assert "Добавить класс" in page
    response = client.post(
        reverse("class-register-add", args=[setup.school.pk]),
        {"campaign": setup.campaign.pk, "grade": 4, "letter": "б", "pupils": 20},
    )
    assert response.status_code == 302
    assert SchoolClass.objects.get(letter="Б").number == 2
    bad = client.post(
        reverse("class-register-add", args=[setup.school.pk]),
        {"campaign": setup.campaign.pk, "grade": 4, "letter": "В", "pupils": 20, "pupils_ovz": 25},
    )
    assert bad.status_code == 400
    assert "Обучающихся с ОВЗ (25) больше, чем обучающихся в классе (20)." in bad.content.decode()
    assert not SchoolClass.objects.filter(letter="В").exists()


def test_edit_and_remove_from_the_pages(setup: Setup) -> None:
    school_class = setup.add(letter="А")
    client = setup.world.client_for("school_organizer")
    edit = reverse("class-edit", args=[school_class.pk])
    assert client.get(edit).status_code == 200
    saved = client.post(edit, {"grade": 4, "letter": "А", "number": 7, "pupils": 28})
    assert saved.status_code == 302
    school_class.refresh_from_db()
    assert (school_class.number, school_class.pupils) == (7, 28)
    assert client.post(reverse("class-remove", args=[school_class.pk])).status_code == 302
    assert not SchoolClass.objects.filter(pk=school_class.pk).exists()


def test_the_tech_reads_without_forms_and_cannot_write(setup: Setup) -> None:
    school_class = setup.add(letter="А")
    client = setup.world.client_for("school_tech")
    page = client.get(reverse("class-register", args=[setup.school.pk])).content.decode()
    assert "4А" in page
    assert "Добавить класс" not in page
    assert client.post(reverse("class-remove", args=[school_class.pk])).status_code == 403
    template = client.get(reverse("class-register-template", args=[setup.school.pk]))
    assert template.status_code == 200
    assert SchoolClass.objects.filter(pk=school_class.pk).exists()


def test_another_schools_register_and_class_answer_404(setup: Setup) -> None:
    school_class = setup.add(letter="А")
    other = setup.world.schools["A1b"]
    client = setup.world.client_for("school_organizer")
    assert client.get(reverse("class-register", args=[other.pk])).status_code == 404
    municipal_b = setup.world.client_for("municipal")
    # the municipal coordinator of A1 reads A1a's register, not B1a's
    assert municipal_b.get(reverse("class-register", args=[setup.school.pk])).status_code == 200
    assert (
        municipal_b.get(reverse("class-register", args=[setup.world.schools["B1a"].pk])).status_code
        == 404
    )
    assert municipal_b.get(reverse("class-edit", args=[school_class.pk])).status_code == 403


def test_upload_preview_and_apply_through_the_pages(setup: Setup) -> None:
    client = setup.world.client_for("school_organizer")
    upload = reverse("class-register-upload", args=[setup.school.pk])
    bad = client.post(
        upload,
        {"file": SimpleUploadedFile("реестр.xlsx", register_file([[4, "А", None, 99, 0]]))},
    )
    assert bad.status_code == 400
    assert "Обучающихся в классе — от 1 до 60; указано 99." in bad.content.decode()
    assert not ImportBatch.objects.exists()
    good = client.post(
        upload,
        {"file": SimpleUploadedFile("реестр.xlsx", register_file([[4, "А", None, 25, 0]]))},
    )
    batch = ImportBatch.objects.get()
    assert good["Location"] == reverse("class-register-import", args=[batch.pk])
    preview = client.get(good["Location"]).content.decode()
    assert "Будут добавлены: 1" in preview
    applied = client.post(reverse("class-register-import-apply", args=[batch.pk]))
    assert applied.status_code == 302
    assert SchoolClass.objects.get().label == "4А"


def test_the_summary_counts_per_school_and_municipality_and_exports(setup: Setup) -> None:
    setup.add(letter="А", pupils=25, ovz=2)
    setup.add(letter="Б", pupils=20)
    regional = setup.world.client_for("regional")
    page = regional.get(reverse("class-register-summary")).content.decode()
    assert "По муниципалитетам" in page
    assert "2 / 45 (2)" in page
    assert reverse("class-register", args=[setup.school.pk]) in page
    export = regional.get(reverse("class-register-summary-xlsx"))
    ws = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert ws is not None
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    school_row = next(r for r in rows if r[2] == setup.school.short_name)
    assert school_row[3:6] == [2, 45, 2]
    municipal = setup.world.client_for("municipal").get(reverse("class-register-summary"))
    assert "По муниципалитетам" not in municipal.content.decode()


def test_the_menu_items(setup: Setup) -> None:
    def labels(role: str) -> set[str]:
        actor = actor_for_user(setup.world.users[role])
        return {label for _section, links in menu_for(actor) for label, _href in links}

    assert "Классы и работы" in labels("school_organizer")
    assert "Классы ОО" not in labels("school_organizer")
    assert "Классы ОО" in labels("municipal")
    assert "Классы и работы" not in labels("municipal")


def test_the_api_lists_creates_changes_and_removes(setup: Setup) -> None:
    client = setup.world.client_for("school_organizer")
    url = reverse("api-class-list", args=[setup.school.pk])
    created = client.post(
        url, {"grade": 4, "letter": "А", "pupils": 25}, content_type="application/json"
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["label"], body["number"]) == ("4А", 1)
    assert {w["source"] for w in body["works"]} == {"compulsory"}
    conflict = client.post(
        url, {"grade": 4, "letter": "а", "pupils": 25}, content_type="application/json"
    )
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "letter_taken"
    invalid = client.post(
        url, {"grade": 9, "letter": "Б", "pupils": 25}, content_type="application/json"
    )
    assert invalid.status_code == 400
    assert invalid.json()["code"] == "grade_not_in_campaign"
    listed = client.get(url).json()
    assert [c["label"] for c in listed] == ["4А"]
    detail = reverse("api-class-detail", args=[body["id"]])
    patched = client.patch(detail, {"pupils": 27}, content_type="application/json")
    assert patched.json()["pupils"] == 27
    assert client.delete(detail).status_code == 204
    assert not SchoolClass.objects.exists()


def test_the_api_upload_apply_and_summary(setup: Setup) -> None:
    client = setup.world.client_for("school_organizer")
    upload = client.post(
        reverse("api-class-register-upload", args=[setup.school.pk]),
        {"file": SimpleUploadedFile("r.xlsx", register_file([[4, "А", None, 25, 0]]))},
    )
    assert upload.status_code == 201
    batch = upload.json()
    assert batch["preview"]["counts"]["created"] == 1
    applied = client.post(reverse("api-class-register-apply", args=[batch["id"]]))
    assert applied.json()["done"] is True
    bad = client.post(
        reverse("api-class-register-upload", args=[setup.school.pk]),
        {"file": SimpleUploadedFile("r.xlsx", register_file([[4, "А", None, 25, 30]]))},
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["column"] == "E"
    summary = setup.world.client_for("municipal").get(reverse("api-class-summary")).json()
    row = next(r for r in summary["schools"] if r["id"] == setup.school.pk)
    assert row["total"] == {"classes": 1, "pupils": 25, "pupils_ovz": 0}
    assert summary["municipalities"] == []
    other = setup.world.client_for("school_organizer").get(
        reverse("api-class-list", args=[setup.world.schools["B1a"].pk])
    )
    assert other.status_code == 404
