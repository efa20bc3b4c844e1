"""The operator's pages (bank, builds, lookup) and the manifest check page."""

from __future__ import annotations

import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.campaigns.tests.factories import WorkFactory
from apps.core.models import AuditEvent
from apps.materials.models import BankItem, Kit, Variant
from apps.materials.tests.bank_data import bank_json
from apps.materials.tests.factories import apply

pytestmark = pytest.mark.django_db


def test_bank_upload_shows_every_error_and_changes_nothing(world) -> None:
    # given the federal operator and a bank file with an unknown column
    work = WorkFactory()
    items = json.loads(bank_json(work))["items"]
    items[2]["column"] = "99"
    upload = SimpleUploadedFile(
        "bank.json", json.dumps({"items": items}, ensure_ascii=False).encode()
    )
    client = world.client_for("federal")
    # when it is uploaded
    response = client.post(reverse("materials-bank"), {"work": work.pk, "file": upload})
    # then the page lists the error in Russian and the bank stays empty
    assert response.status_code == 400
    assert "в работе нет задания «99»" in response.content.decode()
    assert not BankItem.objects.filter(work=work).exists()


def test_bank_upload_export_and_full_cycle_from_the_operator_pages(
    world, django_capture_on_commit_callbacks
) -> None:
    # given the federal operator, a work and two applying schools
    work = WorkFactory()
    apply(world.schools["A1a"], work)
    apply(world.schools["B1a"], work)
    client = world.client_for("federal")
    # when the test bank is uploaded, previewed and applied
    upload = SimpleUploadedFile("bank.json", bank_json(work))
    preview = client.post(reverse("materials-bank"), {"work": work.pk, "file": upload}, follow=True)
    assert "Применить" in preview.content.decode()
    response = client.post(preview.redirect_chain[-1][0], {"op": "apply"}, follow=True)
    # then it is loaded, and exports back as JSON
    assert "Банк загружен (версия 1)" in response.content.decode()
    exported = client.get(reverse("materials-bank-export") + f"?work={work.pk}&format=json")
    assert len(json.loads(exported.content)["items"]) == BankItem.objects.filter(work=work).count()
    # when the operator generates and builds
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("materials-builds"), {"work": work.pk, "op": "generate"})
    # then both kits are built and the progress shows it
    page = client.get(reverse("materials-builds")).content.decode()
    assert "Сформировано комплектов: 2" in page
    assert "Готово 2 из 2" in page
    assert Kit.objects.filter(work=work, status=Kit.Status.READY).count() == 2
    # and a variant's identifier leads to its school
    variant = Variant.objects.filter(kit__school=world.schools["B1a"]).first()
    found = client.get(reverse("materials-lookup") + f"?uid={variant.uid}")
    assert world.schools["B1a"].code in found.content.decode()
    assert AuditEvent.objects.filter(action="materials.variant_lookup").count() == 1
    # and the archive passes the manifest check page; a changed archive does not
    kit = Kit.objects.get(school=world.schools["B1a"])
    with default_storage.open(kit.archive_path, "rb") as f:
        content = f.read()
    ok = client.post(reverse("materials-verify"), {"archive": SimpleUploadedFile("a.zip", content)})
    assert "Подпись верна" in ok.content.decode()
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data + b" " if name == "Вариант 1.pdf" else data)
    bad = client.post(
        reverse("materials-verify"), {"archive": SimpleUploadedFile("a.zip", buffer.getvalue())}
    )
    assert "«Вариант 1.pdf» изменён" in bad.content.decode()


def test_school_roles_cannot_reach_the_operator_pages(world) -> None:
    # given a school organizer
    client = world.client_for("school_organizer")
    # when it opens the bank, builds and lookup pages
    # then each refuses
    for name in ("materials-bank", "materials-builds", "materials-lookup"):
        assert client.get(reverse(name)).status_code == 403
