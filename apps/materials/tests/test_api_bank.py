"""The operator's bank page, the download monitoring and the archive check in the API: same
services, audit rows and refusals as the pages; the export is the page's file, byte for byte."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.campaigns.tests.factories import WorkFactory
from apps.core.models import AuditEvent, ImportBatch, Job
from apps.materials import services
from apps.materials.models import BankItem, Kit, MaterialFile
from apps.materials.tasks import kit_build_task
from apps.materials.tests.bank_data import bank_json
from apps.materials.tests.factories import SYSTEM, apply, generate, russian4
from apps.registration.access import actor_for_user

pytestmark = pytest.mark.django_db


def _upload(client: Any, work: Any, content: bytes) -> Any:
    return client.post(
        reverse("api-material-bank-imports"),
        {"work": work.pk, "file": SimpleUploadedFile("bank.json", content)},
    )


def test_the_operator_uploads_applies_and_exports_a_bank(world: Any) -> None:
    work = WorkFactory()
    client = world.client_for("federal")
    listed = client.get(reverse("api-material-banks")).json()["results"]
    assert [(b["work"]["id"], b["status"], b["revision"]) for b in listed] == [
        (work.pk, "empty", 0)
    ]
    # when the bank file is uploaded: a preview, nothing applied, the upload audited
    response = _upload(client, work, bank_json(work))
    assert response.status_code == 201, response.json()
    batch = response.json()
    assert batch["status"] == "preview"
    assert not BankItem.objects.filter(work=work).exists()
    assert AuditEvent.objects.filter(action="materials.bank_upload").count() == 1
    detail = client.get(reverse("api-material-bank-import", kwargs={"pk": batch["id"]})).json()
    assert detail["preview"] == batch["preview"]
    # when it is applied
    url = reverse("api-material-bank-import-apply", kwargs={"pk": batch["id"]})
    applied = client.post(url)
    # then the bank is loaded (revision 1), as from the preview page
    assert applied.status_code == 200, applied.json()
    assert (applied.json()["done"], applied.json()["status"]) == (True, "applied")
    assert AuditEvent.objects.filter(action="materials.bank_apply").count() == 1
    bank = client.get(reverse("api-material-banks"), {"status": "ready"}).json()["results"]
    assert [(b["revision"], b["total"]) for b in bank] == [
        (1, BankItem.objects.filter(work=work).count())
    ]
    # and the export is the page's file, byte for byte (the timestamp-free JSON)
    export = reverse("api-material-bank-export", kwargs={"work_id": work.pk})
    api_json = client.get(export)
    page_json = client.get(reverse("materials-bank-export") + f"?work={work.pk}&format=json")
    assert api_json.status_code == 200
    assert api_json.content == page_json.content
    assert api_json["Content-Disposition"] == page_json["Content-Disposition"]
    assert client.get(export, {"kind": "csv"}).status_code == 400
    assert AuditEvent.objects.filter(action="materials.bank_export").count() == 2


def test_a_bad_bank_file_changes_nothing_and_a_discard_is_audited(world: Any) -> None:
    work = WorkFactory()
    client = world.client_for("federal")
    refused = _upload(client, work, b'{"items": [{"code": ""}]}')
    assert refused.status_code == 400
    assert refused.json()["errors"]
    assert not ImportBatch.objects.exists()
    assert AuditEvent.objects.filter(action="materials.bank_upload_rejected").count() == 1
    batch = _upload(client, work, bank_json(work)).json()
    url = reverse("api-material-bank-import-discard", kwargs={"pk": batch["id"]})
    assert client.post(url).json()["status"] == "discarded"
    assert AuditEvent.objects.filter(action="materials.bank_discard").count() == 1
    assert not BankItem.objects.filter(work=work).exists()
    # an unknown work is 404, a missing file a field error
    missing = client.post(reverse("api-material-bank-imports"), {"work": work.pk + 1000})
    assert missing.status_code == 400
    assert _upload(client, WorkFactory.build(pk=work.pk + 1000), b"{}").status_code == 404


def test_accompanying_files_are_attached_and_detached(world: Any) -> None:
    work = WorkFactory()
    client = world.client_for("federal")
    url = reverse("api-material-files", kwargs={"work_id": work.pk})
    pdf = SimpleUploadedFile("Диктант.pdf", b"%PDF-1.4\n%test\n")
    response = client.post(url, {"attachment": pdf})
    assert response.status_code == 201, response.json()
    row = MaterialFile.objects.get(pk=response.json()["id"])
    assert row.name == "Диктант.pdf"
    assert AuditEvent.objects.filter(action="materials.file_attach").count() == 1
    # an item code the bank does not hold is refused, nothing stored
    unknown = client.post(
        url, {"attachment": SimpleUploadedFile("x.pdf", b"%PDF-1.4\n"), "item_code": "Z9"}
    )
    assert unknown.status_code == 400
    assert MaterialFile.objects.count() == 1
    # detached: 204 and audited; a second time it is gone (404)
    file_url = reverse("api-material-file", kwargs={"pk": row.pk})
    assert client.delete(file_url).status_code == 204
    assert AuditEvent.objects.filter(action="materials.file_remove").count() == 1
    assert client.delete(file_url).status_code == 404
    # and no coordinator may manage the bank
    assert world.client_for("regional").delete(file_url).status_code == 403
    assert world.client_for("regional").post(url, {}).status_code == 403


def _built(world: Any) -> tuple[Any, dict[str, Kit]]:
    work = russian4()
    for key in ("A1a", "A2a", "B1a"):
        apply(world.schools[key], work)
    generate(work)
    services.kit_build_request(actor=SYSTEM, work_id=work.pk)
    for job in Job.objects.filter(kind=services.KIT_BUILD):
        kit_build_task(job_id=job.pk)
    return work, {k.school.code: k for k in Kit.objects.select_related("school")}


def test_the_download_monitoring_and_the_archive_check(world: Any) -> None:
    work, kits = _built(world)
    a1a = kits[world.schools["A1a"].code]
    school = actor_for_user(world.users["school_organizer"])
    with time_machine.travel(dt.datetime.combine(work.period_start, dt.time(9), dt.UTC)):
        services.kit_archive_download(actor=school, kit_id=a1a.pk)
    # the regional coordinator sees region A's schools by municipality, never region B's
    regional = world.client_for("regional")
    body = regional.get(reverse("api-material-downloads")).json()
    assert (body["work"]["id"], body["items"], body["below"]) == (
        work.pk,
        ["archive", "codes"],
        "municipality",
    )
    codes = [r["school"]["code"] for r in body["results"]]
    assert codes == sorted(world.schools[k].code for k in ("A1a", "A2a"))
    first = next(r for r in body["results"] if r["school"]["code"] == world.schools["A1a"].code)
    assert first["downloads"]["archive"]["username"] == world.users["school_organizer"].username
    assert first["downloads"]["codes"] is None
    # an unknown work is refused, not replaced by another
    assert regional.get(reverse("api-material-downloads"), {"work": 999999}).status_code == 400
    # the archive passes the check; a changed one does not; nothing sent is a 400
    client = world.client_for("school_organizer")
    url = reverse("api-manifest-verify")
    assert "PUBLIC KEY" in client.get(url).json()["public_key"]
    with default_storage.open(a1a.archive_path, "rb") as f:
        content = f.read()
    ok = client.post(url, {"archive": SimpleUploadedFile("a.zip", content)}).json()
    assert (ok["ok"], ok["problems"]) == (True, [])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data + b" " if name == "Вариант 1.pdf" else data)
    bad = client.post(url, {"archive": SimpleUploadedFile("a.zip", buffer.getvalue())}).json()
    assert bad["ok"] is False
    assert any("«Вариант 1.pdf» изменён" in p for p in bad["problems"])
    nothing = client.post(url, {})
    assert nothing.status_code == 400
    assert "manifest.json и manifest.sig" in nothing.json()["errors"][0]["message"]
