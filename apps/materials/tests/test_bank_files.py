"""Bank files: accompanying files in every archive and its signed manifest; item images
validated on import and drawn into the variant PDFs."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

import py7zr
import pytest
from django.core.files.storage import default_storage
from PIL import Image

from apps.core import crypto
from apps.core.models import AuditEvent
from apps.core.uploads import UploadError
from apps.materials import archive as arch
from apps.materials import files, pdf, services
from apps.materials.models import BankItem, Kit, MaterialFile, WorkBank
from apps.materials.tests.bank_data import bank_json
from apps.materials.tests.factories import SYSTEM, apply, generate, grade8, russian4

pytestmark = pytest.mark.django_db

MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 4
INSTRUCTION_PDF = b"%PDF-1.4\n% dictation text for the organizer\n%%EOF\n"


def _png(width: int = 6, height: int = 4) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _build(work) -> Kit:
    services.kit_build_request(actor=SYSTEM, work_id=work.pk)
    from apps.core.models import Job
    from apps.materials.tasks import kit_build_task

    kit = Kit.objects.get(work=work)
    kit_build_task(job_id=Job.objects.get(key=f"{services.KIT_BUILD}:{kit.pk}").pk)
    kit.refresh_from_db()
    assert kit.status == Kit.Status.READY
    return kit


def _used_item(kit: Kit) -> BankItem:
    return BankItem.objects.get(pk=kit.variants.order_by("number").first().items[0])


def _bank_with_image(work, name: str = "схема.png") -> bytes:
    """The test bank with every item of the first column showing ``name`` under its text."""
    data = json.loads(bank_json(work))
    first = data["items"][0]["column"]
    for item in data["items"]:
        if item["column"] == first:
            item["text"] += f"\n[img:{name}]"
    return json.dumps(data, ensure_ascii=False).encode()


# --- accompanying files ---------------------------------------------------------------------


def test_attached_files_are_in_the_zip_with_their_bytes_and_in_the_signed_manifest(
    world,
) -> None:
    # given a generated kit, an audio file attached to the work and a PDF to an item it uses
    work = russian4()
    apply(world.schools["A1a"], work)
    generate(work)
    kit = Kit.objects.get(work=work)
    item = _used_item(kit)
    services.material_file_attach(actor=SYSTEM, work_id=work.pk, name="Диктант.mp3", content=MP3)
    services.material_file_attach(
        actor=SYSTEM,
        work_id=work.pk,
        name="К заданию.pdf",
        content=INSTRUCTION_PDF,
        item_code=item.code,
    )
    # when the archive is built
    kit = _build(work)
    with default_storage.open(kit.archive_path, "rb") as f:
        built = {f.name: f.content for f in arch.read_zip(f.read())}
    # then both files are inside, byte for byte
    audio = f"{services.ATTACHMENTS_DIR}/Диктант.mp3"
    attached_pdf = f"{services.ATTACHMENTS_DIR}/К заданию.pdf"
    assert built[audio] == MP3
    assert built[attached_pdf] == INSTRUCTION_PDF
    # and the signed manifest lists them with their SHA-256, and verifies
    check = arch.manifest_check(
        built[arch.MANIFEST],
        built[arch.SIGNATURE],
        [arch.ArchiveFile(n, c) for n, c in built.items()],
    )
    assert check.ok, check.problems
    listed = {f["name"]: f["sha256"] for f in check.data["files"]}
    assert listed[audio] == hashlib.sha256(MP3).hexdigest()
    assert listed[attached_pdf] == hashlib.sha256(INSTRUCTION_PDF).hexdigest()
    # and the stored row carries the same SHA-256; the attachment was audited
    row = MaterialFile.objects.get(work=work, name="Диктант.mp3")
    assert row.sha256 == hashlib.sha256(MP3).hexdigest()
    assert AuditEvent.objects.filter(action="materials.file_attach").count() == 2


def test_an_item_file_goes_only_into_kits_that_use_the_item(world) -> None:
    # given a kit and an item of its bank that none of its variants uses
    work = russian4()
    apply(world.schools["A1a"], work)
    generate(work)
    kit = Kit.objects.get(work=work)
    used = {i for v in kit.variants.all() for i in v.items}
    unused = BankItem.objects.filter(work=work).exclude(pk__in=used).first()
    services.material_file_attach(
        actor=SYSTEM,
        work_id=work.pk,
        name="Лишний.ogg",
        content=b"OggS" + MP3,
        item_code=unused.code,
    )
    # when the kit's attachments are collected
    names = {f.name for f in services.kit_attachments(actor=SYSTEM, kit=kit)}
    # then the unused item's file is not among them
    assert names == set()


def _orm_attachments(kit: Kit) -> list[arch.ArchiveFile]:
    """``kit_attachments`` as it read before its reads were compiled (issue 18): the ORM."""
    from apps.materials.models import Variant
    from apps.materials.services.bank_files import _stored_attachment
    from apps.registration.access import A

    rows = list(
        MaterialFile.objects.for_actor(SYSTEM, A.GENERATE_MATERIALS)
        .filter(work_id=kit.work_id, kind=MaterialFile.Kind.ATTACHMENT)
        .order_by("name")
    )
    used: set[int] = set()
    if any(row.item_id is not None for row in rows):
        used = {
            i
            for items in Variant.objects.for_actor(SYSTEM, A.DOWNLOAD_MATERIALS)
            .filter(kit=kit)
            .values_list("items", flat=True)
            for i in items
        }
    return [
        arch.ArchiveFile(f"{services.ATTACHMENTS_DIR}/{row.name}", _stored_attachment(row.path))
        for row in rows
        if row.item_id is None or row.item_id in used
    ]


def test_the_compiled_attachment_reads_give_what_the_orm_read(
    world: Any, django_assert_num_queries: Any
) -> None:
    # given two kits of a work; files of the work, of an item the first kit uses and of one it
    # does not use, attached in an order other than by name
    work = russian4()
    apply(world.schools["A1a"], work)
    apply(world.schools["B1a"], work)
    generate(work)
    kits = list(Kit.objects.filter(work=work).order_by("pk"))
    used = {i for v in kits[0].variants.all() for i in v.items}
    unused = BankItem.objects.filter(work=work).exclude(pk__in=used).first()
    assert unused is not None
    for kit in kits:
        # with only the work's own files: one read, the variants not read
        services.material_file_attach(
            actor=SYSTEM, work_id=work.pk, name=f"Я-{kit.pk}.mp3", content=MP3
        )
        with django_assert_num_queries(1):
            own = services.kit_attachments(actor=SYSTEM, kit=kit)
        assert own == _orm_attachments(kit)
    services.material_file_attach(
        actor=SYSTEM,
        work_id=work.pk,
        name="К заданию.pdf",
        content=INSTRUCTION_PDF,
        item_code=_used_item(kits[0]).code,
    )
    services.material_file_attach(
        actor=SYSTEM,
        work_id=work.pk,
        name="Лишний.ogg",
        content=b"OggS" + MP3,
        item_code=unused.code,
    )
    for kit in kits:
        # when each kit's attachments are collected with the compiled reads and with the ORM's
        with django_assert_num_queries(2):
            fast = services.kit_attachments(actor=SYSTEM, kit=kit)
        # then they are the same files, by name, with the same bytes
        assert fast == _orm_attachments(kit)
    # and the first kit has its item's file and not the other one
    names = {f.name for f in services.kit_attachments(actor=SYSTEM, kit=kits[0])}
    assert f"{services.ATTACHMENTS_DIR}/К заданию.pdf" in names
    assert f"{services.ATTACHMENTS_DIR}/Лишний.ogg" not in names


def test_attached_file_is_inside_the_encrypted_grade8_package(world, tmp_path) -> None:
    # given a grade-8 kit with a dictation attached to the work
    work = grade8()
    apply(world.schools["A1a"], work)
    generate(work)
    services.material_file_attach(
        actor=SYSTEM, work_id=work.pk, name="Аудио.ogg", content=b"OggS" + MP3
    )
    # when the package is built and opened with its password
    kit = _build(work)
    with default_storage.open(kit.archive_path, "rb") as f:
        content = f.read()
    password = crypto.decrypt(kit.password_token).decode()
    with py7zr.SevenZipFile(io.BytesIO(content), "r", password=password) as archive:
        archive.extractall(path=tmp_path)
    built = {
        p.relative_to(tmp_path).as_posix(): p.read_bytes()
        for p in tmp_path.rglob("*")
        if p.is_file()
    }
    # then the file is there with its bytes and listed in the verified manifest
    name = f"{services.ATTACHMENTS_DIR}/Аудио.ogg"
    assert built[name] == b"OggS" + MP3
    check = arch.manifest_check(
        built[arch.MANIFEST],
        built[arch.SIGNATURE],
        [arch.ArchiveFile(n, c) for n, c in built.items()],
    )
    assert check.ok, check.problems
    assert name in {f["name"] for f in check.data["files"]}


def test_bad_attachments_are_refused_in_russian_and_nothing_is_stored(monkeypatch) -> None:
    # given a work
    work = russian4()
    monkeypatch.setattr(files, "MAX_ATTACHMENT_BYTES", 100)
    cases = [
        ("программа.exe", b"MZ", "недопустимый тип"),
        ("пусто.mp3", b"", "пустой"),
        ("большой.mp3", b"x" * 101, "слишком большой"),
        ("переименован.mp3", b"<html>not audio</html>", "не соответствует расширению"),
        ("скан.pdf", b"GIF89a", "не соответствует расширению"),
        ("рисунок.png", b"\x89PNG\r\n\x1a\n broken", "повреждён"),
    ]
    for name, content, expected in cases:
        # when a bad file is attached
        with pytest.raises(UploadError) as caught:
            services.material_file_attach(actor=SYSTEM, work_id=work.pk, name=name, content=content)
        # then the Russian message names the file and the problem
        message = str(caught.value.errors[0])
        assert name in message
        assert expected in message
    # and an unknown item code is refused too
    with pytest.raises(UploadError) as caught:
        services.material_file_attach(
            actor=SYSTEM, work_id=work.pk, name="a.mp3", content=b"ID3", item_code="НЕТ-ТАКОГО"
        )
    assert "НЕТ-ТАКОГО" in str(caught.value.errors[0])
    # and nothing was stored
    assert not MaterialFile.objects.filter(work=work).exists()


# --- images in item text ----------------------------------------------------------------------


def test_an_imported_image_is_stored_and_drawn_into_the_variant_pdf(world) -> None:
    # given a work whose first-column items show an image from the images zip
    work = russian4()
    png = _png()
    result = services.bank_import(
        actor=SYSTEM,
        work_id=work.pk,
        content=_bank_with_image(work),
        filename="bank.json",
        images=_zip({"рисунки/схема.png": png}),
    )
    assert result.images == 1
    stored = MaterialFile.objects.get(work=work, kind=MaterialFile.Kind.IMAGE)
    assert (stored.name, stored.sha256) == ("схема.png", hashlib.sha256(png).hexdigest())
    with default_storage.open(stored.path, "rb") as f:
        assert f.read() == png
    apply(world.schools["A1a"], work)
    generate(work)
    kit = Kit.objects.get(work=work)
    # when the variants are rendered
    docs = services.kit_variant_docs(actor=SYSTEM, kit=kit)
    rendered = pdf.variant_pdf(docs[0])
    # then the first task carries the image and the PDF holds an image XObject
    assert docs[0].tasks[0].images == (("схема.png", png),)
    assert rendered.count(b"/Subtype /Image") == 1
    # and rendering again gives the same bytes
    assert pdf.variant_pdf(services.kit_variant_docs(actor=SYSTEM, kit=kit)[0]) == rendered


def test_a_broken_image_is_refused_naming_the_item_and_file_and_nothing_is_imported() -> None:
    # given a work with the test bank
    work = russian4()
    before = (
        list(BankItem.objects.filter(work=work).values_list("code", "text")),
        WorkBank.objects.get(work=work).revision,
    )
    truncated = _png(40, 40)[:60]
    # when a bank referring to a truncated PNG is imported
    with pytest.raises(UploadError) as caught:
        services.bank_import(
            actor=SYSTEM,
            work_id=work.pk,
            content=_bank_with_image(work),
            filename="bank.json",
            images=_zip({"схема.png": truncated}),
        )
    # then each error names the item (its code) and the file, in Russian
    messages = [str(e) for e in caught.value.errors]
    first_code = json.loads(_bank_with_image(work))["items"][0]["code"]
    assert any(first_code in m and "«схема.png»" in m and "повреждён" in m for m in messages)
    # and nothing changed: items, revision, stored images
    after = (
        list(BankItem.objects.filter(work=work).values_list("code", "text")),
        WorkBank.objects.get(work=work).revision,
    )
    assert after == before
    assert not MaterialFile.objects.filter(work=work).exists()


def test_missing_and_non_image_files_and_a_changed_image_are_refused() -> None:
    # given a work with the test bank
    work = russian4()
    # when the markup names an image that is not sent
    with pytest.raises(UploadError) as caught:
        services.bank_import(
            actor=SYSTEM, work_id=work.pk, content=_bank_with_image(work), filename="bank.json"
        )
    # then the error says it is missing
    assert any("нет изображения «схема.png»" in str(e) for e in caught.value.errors)
    # when the zip holds a text file named .png and a .txt
    with pytest.raises(UploadError) as caught:
        services.bank_import(
            actor=SYSTEM,
            work_id=work.pk,
            content=_bank_with_image(work),
            filename="bank.json",
            images=_zip({"схема.png": b"not an image", "readme.txt": b"x"}),
        )
    text = " ".join(str(e) for e in caught.value.errors)
    assert "«readme.txt»" in text
    # when the zip is not a zip at all
    with pytest.raises(UploadError) as caught:
        services.bank_import(
            actor=SYSTEM,
            work_id=work.pk,
            content=_bank_with_image(work),
            filename="bank.json",
            images=b"garbage",
        )
    assert "Архив изображений повреждён" in str(caught.value.errors[0])
    # given the image stored once
    services.bank_import(
        actor=SYSTEM,
        work_id=work.pk,
        content=_bank_with_image(work),
        filename="bank.json",
        images=_zip({"схема.png": _png()}),
    )
    # when another picture comes under the same name
    with pytest.raises(UploadError) as caught:
        services.bank_import(
            actor=SYSTEM,
            work_id=work.pk,
            content=_bank_with_image(work),
            filename="bank.json",
            images=_zip({"схема.png": _png(9, 9)}),
        )
    # then it is refused: kits must regenerate byte-identically
    assert "другим содержимым" in str(caught.value.errors[0])
    assert MaterialFile.objects.get(work=work).sha256 == hashlib.sha256(_png()).hexdigest()


# --- the operator's bank page -----------------------------------------------------------------


def test_the_operator_attaches_and_detaches_a_file_on_the_bank_page(world) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    # given the federal operator and a work with a bank
    work = russian4()
    client = world.client_for("federal")
    # when a dictation is attached on the bank page
    response = client.post(
        reverse("materials-bank"),
        {
            "op": "attach",
            "work": work.pk,
            "attachment": SimpleUploadedFile("Диктант.mp3", MP3),
        },
    )
    # then it is stored and listed
    assert response.status_code == 302
    row = MaterialFile.objects.get(work=work)
    page = client.get(reverse("materials-bank")).content.decode()
    assert "Диктант.mp3" in page
    # when a file of a forbidden type is attached, the page says why, in Russian
    bad = client.post(
        reverse("materials-bank"),
        {"op": "attach", "work": work.pk, "attachment": SimpleUploadedFile("a.exe", b"MZ")},
    )
    assert bad.status_code == 400
    assert "недопустимый тип" in bad.content.decode()
    # when the regional coordinator tries to attach, it is forbidden
    denied = world.client_for("regional").post(
        reverse("materials-bank"),
        {"op": "attach", "work": work.pk, "attachment": SimpleUploadedFile("b.mp3", MP3)},
    )
    assert denied.status_code == 403
    # when the operator detaches the file
    gone = client.post(reverse("materials-bank"), {"op": "detach", "file_id": row.pk})
    # then it is gone and both changes were audited
    assert gone.status_code == 302
    assert not MaterialFile.objects.filter(work=work).exists()
    assert (
        AuditEvent.objects.filter(
            action__in=["materials.file_attach", "materials.file_remove"]
        ).count()
        == 2
    )


def test_a_broken_image_uploaded_on_the_bank_page_is_reported(world) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    # given the federal operator and a work with a bank
    work = russian4()
    revision = WorkBank.objects.get(work=work).revision
    # when the bank comes with an images zip holding a broken PNG
    response = world.client_for("federal").post(
        reverse("materials-bank"),
        {
            "work": work.pk,
            "file": SimpleUploadedFile("bank.json", _bank_with_image(work)),
            "images": SimpleUploadedFile("рисунки.zip", _zip({"схема.png": b"\x89PNG\r\n"})),
        },
    )
    # then the page lists the problem with the file name, and nothing changed
    assert response.status_code == 400
    assert "«схема.png»" in response.content.decode()
    assert WorkBank.objects.get(work=work).revision == revision
    assert not MaterialFile.objects.filter(work=work).exists()


def test_the_images_zip_is_kept_beside_the_preview_applied_from_it_and_dropped_on_discard(
    world, django_capture_on_commit_callbacks
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from apps.core.imports import import_file
    from apps.core.models import ImportBatch

    # given the federal operator and a work with a bank
    work = russian4()
    png = _png()
    images = _zip({"схема.png": png})  # once: a zip entry carries the time it was written
    client = world.client_for("federal")

    def upload() -> ImportBatch:
        client.post(
            reverse("materials-bank"),
            {
                "work": work.pk,
                "file": SimpleUploadedFile("bank.json", _bank_with_image(work)),
                "images": SimpleUploadedFile("рисунки.zip", images),
            },
        )
        return ImportBatch.objects.filter(kind="bank").latest("pk")

    # when the bank comes with an images zip
    batch = upload()
    # then the zip is stored beside the file and the preview counts the new image; none is stored
    assert import_file(batch, "images.zip") == images
    assert batch.preview["counts"]["images"] == 1
    assert not MaterialFile.objects.filter(work=work, kind=MaterialFile.Kind.IMAGE).exists()
    # when it is applied on its page
    url = reverse("materials-bank-import", args=[batch.pk])
    page = client.post(url, {"op": "apply"}, follow=True).content.decode()
    # then the image is stored from the kept zip and the page says so
    assert "Добавлено изображений: 1." in page
    stored = MaterialFile.objects.get(work=work, kind=MaterialFile.Kind.IMAGE)
    assert stored.sha256 == hashlib.sha256(png).hexdigest()
    # when the same upload is made again and discarded
    second = upload()
    paths = [second.file, second.preview["files"]["images.zip"]]
    assert all(default_storage.exists(p) for p in paths)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("materials-bank-import", args=[second.pk]), {"op": "discard"})
    # then both stored files are deleted and the bank stays as the first apply left it
    second.refresh_from_db()
    assert second.status == ImportBatch.Status.DISCARDED
    assert not any(default_storage.exists(p) for p in paths)
    assert MaterialFile.objects.filter(work=work, kind=MaterialFile.Kind.IMAGE).count() == 1


def test_exported_bank_and_images_import_again_unchanged(world) -> None:
    from django.urls import reverse

    # given a bank with an image
    work = russian4()
    png = _png()
    services.bank_import(
        actor=SYSTEM,
        work_id=work.pk,
        content=_bank_with_image(work),
        filename="bank.json",
        images=_zip({"схема.png": png}),
    )
    client = world.client_for("federal")
    # when the bank and its images are exported
    url = reverse("materials-bank-export")
    bank = client.get(url, {"work": work.pk, "format": "json"}).content
    images = client.get(url, {"work": work.pk, "format": "images"})
    # then the images zip holds the picture
    assert images["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(images.content)) as archive:
        assert archive.read("схема.png") == png
    # and importing both back changes nothing
    result = services.bank_import(
        actor=SYSTEM, work_id=work.pk, content=bank, filename="bank.json", images=images.content
    )
    assert not result.changed_anything
