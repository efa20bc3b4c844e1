"""Files of the bank (images, attachments): attach, remove, and the kit's attachments."""

from __future__ import annotations

from functools import lru_cache

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from apps.campaigns.models import Work
from apps.core.services import audit_record
from apps.core.uploads import CellError, UploadError
from apps.materials import archive as arch
from apps.materials import files as bankfiles
from apps.materials import selectors
from apps.materials.audit import MaterialsAudit
from apps.materials.models import BankItem, Kit, MaterialFile
from apps.materials.services.common import _read_stored, _require
from apps.registration.access import A, Actor


def _bank_file_store(
    *, work: Work, kind: str, checked: bankfiles.CheckedFile, item: BankItem | None = None
) -> MaterialFile:
    """Save the bytes under their SHA-256 (content-addressed: the same bytes, the same path)
    and create or repoint the row of (work, kind, name). Call inside the caller's transaction.
    """
    folder = "images" if kind == MaterialFile.Kind.IMAGE else "files"
    path = f"materials/bank/work-{work.pk}/{folder}/{checked.sha256}{checked.extension}"
    if not default_storage.exists(path):
        saved = default_storage.save(path, ContentFile(checked.content))
        if saved != path:  # a concurrent upload of the same bytes won the race
            default_storage.delete(saved)
    row, _ = MaterialFile.objects.update_or_create(  # unscoped: federal bank data, new row
        work=work,
        kind=kind,
        name=checked.name,
        defaults={
            "item": item,
            "path": path,
            "sha256": checked.sha256,
            "size": len(checked.content),
        },
    )
    return row


def material_file_attach(
    *,
    actor: Actor,
    work_id: int,
    name: str,
    content: bytes,
    item_code: str = "",
) -> MaterialFile:
    """Attach an accompanying file (dictation audio, a PDF) to a work or to one of its bank
    items (by code). It goes into every archive of the work built afterwards (an item's file:
    into the kits whose variants use the item). A file with the same name is replaced.
    """
    _require(actor, A.MANAGE_BANK)
    work = selectors.work_get(actor=actor, work_id=work_id)
    checked = bankfiles.check_attachment(name, content)
    item = None
    if item_code := item_code.strip():
        item = (
            BankItem.objects.for_actor(actor, A.MANAGE_BANK)
            .filter(work=work, code=item_code, until_revision__isnull=True)
            .first()
        )
        if item is None:
            raise UploadError(
                [
                    CellError(
                        0, 0, f"В банке работы нет действующего задания с шифром «{item_code}»."
                    )
                ]
            )
    with transaction.atomic():
        row = _bank_file_store(
            work=work, kind=MaterialFile.Kind.ATTACHMENT, checked=checked, item=item
        )
        audit_record(
            actor=actor,
            action=MaterialsAudit.MATERIALS_FILE_ATTACH,
            target=row,
            details={
                "work_id": work.pk,
                "item": item_code,
                "name": checked.name,
                "sha256": checked.sha256,
            },
        )
    return row


def material_file_remove(*, actor: Actor, file_id: int) -> None:
    """Detach an accompanying file (archives built later no longer hold it). The stored bytes
    stay: archives already built may list them."""
    _require(actor, A.MANAGE_BANK)
    with transaction.atomic():
        row = (
            MaterialFile.objects.for_actor(actor, A.MANAGE_BANK)
            .select_for_update()
            .get(pk=file_id, kind=MaterialFile.Kind.ATTACHMENT)
        )
        audit_record(
            actor=actor,
            action=MaterialsAudit.MATERIALS_FILE_REMOVE,
            target=row,
            details={"work_id": row.work_id, "name": row.name, "sha256": row.sha256},
        )
        row.delete()


# Bank files are content-addressed (the path holds the SHA-256), so keeping them per process is
# safe. Images (at most 5 MB, usually a few KB) recur in every kit; attachments (up to 50 MB)
# recur too, but only the last few are kept so a worker's memory stays bounded.
_stored_image = lru_cache(maxsize=128)(_read_stored)


_stored_attachment = lru_cache(maxsize=4)(_read_stored)


ATTACHMENTS_DIR = "Сопровождающие файлы"


def kit_attachments(*, actor: Actor, kit: Kit) -> list[arch.ArchiveFile]:
    """The accompanying files of a kit: the work's own and those of the items its variants use.
    Both reads are compiled once per process (``selectors.work_attachments``, ``kit_variants``);
    the variants are read only when a file belongs to an item."""
    rows = selectors.work_attachments(actor=actor, action=A.GENERATE_MATERIALS, work_id=kit.work_id)
    used: set[int] = set()
    if any(item_id is not None for _name, _path, item_id in rows):
        used = {
            i
            for _number, _uid, items in selectors.kit_variants(
                actor=actor, action=A.DOWNLOAD_MATERIALS, kit_id=kit.pk
            )
            for i in items
        }
    return [
        arch.ArchiveFile(f"{ATTACHMENTS_DIR}/{name}", _stored_attachment(path))
        for name, path, item_id in rows
        if item_id is None or item_id in used
    ]
