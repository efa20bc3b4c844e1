"""The item bank: reading a bank file, import with preview/apply/discard, export.

The operator's upload → preview → apply goes through the import framework
(``apps.core.imports``); its kind is ``apps.materials.imports.BankImport`` (registered at
start-up), built from the planning and writing here, which the direct ``bank_import`` shares.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import IO

from django.db import transaction

from apps.campaigns.models import Work
from apps.core.imports import (
    ImportKind,
    ImportOutcome,
    import_apply,
    import_batch_get,
    import_discard,
    import_kind_of,
    import_upload,
)
from apps.core.models import ImportBatch
from apps.core.services import audit_record
from apps.core.uploads import CellError, UploadError
from apps.materials import archive as arch
from apps.materials import bank as bankfile
from apps.materials import files as bankfiles
from apps.materials import selectors
from apps.materials.audit import MaterialsAudit
from apps.materials.markup import image_names
from apps.materials.messages import MaterialsError
from apps.materials.models import BankItem, Kit, MaterialFile, WorkBank
from apps.materials.services.bank_files import _bank_file_store, _stored_image
from apps.materials.services.common import _require
from apps.registration.access import A, Actor


@dataclass(frozen=True)
class BankImportResult:
    revision: int
    added: int
    changed: int
    retired: int
    unchanged: int
    images: int = 0

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.retired or self.images)


def work_key(work: Work) -> bankfile.WorkKey:
    """How bank files name ``work``: year + session + subject + grade (and its id)."""
    return bankfile.WorkKey(
        year=work.campaign.year,
        session=work.campaign.session,
        subject=work.subject.code,
        grade=work.grade,
        id=work.pk,
    )


def _item_row(item: BankItem) -> bankfile.ItemRow:
    return bankfile.ItemRow(
        code=item.code,
        column=item.column.label,
        text=item.text,
        answer=item.answer,
        difficulty=item.difficulty,
        topic=item.topic,
        where="",
    )


def bank_read_file(*, work: Work, content: bytes, filename: str) -> list[bankfile.ItemRow]:
    """Parse and validate a bank file for ``work`` (pure; UploadError lists every problem)."""
    labels = [c.label for c in selectors.work_columns(work)]
    name = filename.lower()
    if name.endswith(".json"):
        return bankfile.read_bank_json(
            content, work=work_key(work), columns=labels, variants=work.variants_per_school
        )
    if name.endswith(".xlsx"):
        return bankfile.read_bank_xlsx(
            content, work=work_key(work), columns=labels, variants=work.variants_per_school
        )
    raise UploadError([CellError(0, 0, MaterialsError("bank_unknown_format").message)])


BANK_IMPORT_KIND = "bank"  # ImportBatch.kind of a bank upload


@dataclass
class _BankPlan:
    """What a bank file would change, computed against the current bank (nothing written)."""

    work: Work
    bank: WorkBank
    current: int
    to_create: list[BankItem]
    to_update: list[BankItem]
    retire: list[BankItem]
    fresh: dict[str, bytes]
    unchanged: int
    per_column: dict[str, dict[str, int]]

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.to_create),
            "changed": len(self.to_update),
            "retired": len(self.retire),
            "unchanged": self.unchanged,
            "images": len(self.fresh),
        }


def _bank_validate(
    *, actor: Actor, work: Work, content: bytes, filename: str, images: bytes | None
) -> tuple[list[bankfile.ItemRow], dict[str, bytes], dict[str, str]]:
    """Parse the file and images zip and check the images (UploadError lists every problem)."""
    rows = bank_read_file(work=work, content=content, filename=filename)
    new_images = bankfiles.read_images_zip(images) if images else {}
    stored_images = dict(
        MaterialFile.objects.for_actor(actor, A.MANAGE_BANK)
        .filter(work=work, kind=MaterialFile.Kind.IMAGE)
        .values_list("name", "sha256")
    )
    if image_problems := bankfile.image_errors(rows, new_images=new_images, stored=stored_images):
        raise UploadError(image_problems)
    return rows, new_images, stored_images


def _bank_plan(
    *,
    actor: Actor,
    work: Work,
    content: bytes,
    filename: str,
    images: bytes | None,
    lock: bool,
) -> _BankPlan:
    """Read the file (and images zip) and compare its rows with the bank; any problem, a
    frozen item changed among them, raises UploadError. Writes nothing (the bank row is created
    and locked only when ``lock``, i.e. inside the writing transaction). The one planning of
    the bank: the import kind's preview and apply and the direct ``bank_import`` use it."""
    rows, new_images, stored_images = _bank_validate(
        actor=actor, work=work, content=content, filename=filename, images=images
    )
    columns = {c.label: c for c in selectors.work_columns(work)}
    banks = WorkBank.objects.for_actor(actor, A.MANAGE_BANK)
    if lock:
        bank, _ = banks.select_for_update().get_or_create(work=work)
    else:
        bank = banks.filter(work=work).first() or WorkBank(work=work, revision=0)
    current = bank.revision
    new_revision = current + 1
    existing = {
        i.code: i
        for i in BankItem.objects.for_actor(actor, A.MANAGE_BANK)
        .filter(work=work)
        .select_related("column")
    }
    kit_revisions = set(
        Kit.objects.for_actor(actor, A.MANAGE_BANK)
        .filter(work=work)
        .values_list("bank_revision", flat=True)
        .distinct()
    )

    def frozen(item: BankItem) -> bool:
        end = item.until_revision or math.inf
        return any(item.since_revision <= r < end for r in kit_revisions)

    per_column = {
        label: {"added": 0, "changed": 0, "retired": 0, "unchanged": 0} for label in columns
    }
    errors: list[CellError] = []
    unchanged = 0
    to_create: list[BankItem] = []
    to_update: list[BankItem] = []
    in_file = set()
    for row in rows:
        in_file.add(row.code)
        item = existing.get(row.code)
        active = item is not None and item.until_revision is None and item.since_revision <= current
        if item is not None and active and _item_row(item).content() == row.content():
            unchanged += 1
            per_column[row.column]["unchanged"] += 1
            continue
        if item is not None and frozen(item):
            errors.append(
                CellError(
                    0,
                    0,
                    f"{row.where}: "
                    + MaterialsError("bank_frozen_item", item_code=row.code).message,
                )
            )
            continue
        if item is None:
            item = BankItem(work=work, code=row.code)
            to_create.append(item)
            per_column[row.column]["added"] += 1
        else:
            to_update.append(item)
            per_column[row.column]["changed"] += 1
        item.column = columns[row.column]
        item.text = row.text
        item.answer = row.answer
        item.difficulty = row.difficulty
        item.topic = row.topic
        item.since_revision = new_revision
        item.until_revision = None
    if errors:
        raise UploadError(errors)
    retire = [
        i
        for code, i in existing.items()
        if code not in in_file and i.until_revision is None and i.since_revision <= current
    ]
    for i in retire:
        per_column.setdefault(
            i.column.label, {"added": 0, "changed": 0, "retired": 0, "unchanged": 0}
        )["retired"] += 1
    fresh = {n: c for n, c in new_images.items() if n not in stored_images}
    return _BankPlan(
        work=work,
        bank=bank,
        current=current,
        to_create=to_create,
        to_update=to_update,
        retire=retire,
        fresh=fresh,
        unchanged=unchanged,
        per_column=per_column,
    )


def _bank_write(*, actor: Actor, plan: _BankPlan, filename: str) -> BankImportResult:
    """Write a plan computed under the bank's row lock (inside the caller's transaction)."""
    work, bank, fresh = plan.work, plan.bank, plan.fresh
    added, changed, retire = len(plan.to_create), len(plan.to_update), plan.retire
    for name, data in sorted(fresh.items()):
        _bank_file_store(
            work=work, kind=MaterialFile.Kind.IMAGE, checked=bankfiles.CheckedFile(name, data)
        )
    if not (added or changed or retire):
        if fresh:
            audit_record(
                actor=actor,
                action=MaterialsAudit.MATERIALS_BANK_IMPORT,
                target=bank,
                details={"work_id": work.pk, "file": filename[:200], "images": len(fresh)},
            )
        return BankImportResult(plan.current, 0, 0, 0, plan.unchanged, images=len(fresh))
    new_revision = plan.current + 1
    for i in retire:
        i.until_revision = new_revision
    BankItem.objects.bulk_create(plan.to_create)
    BankItem.objects.bulk_update(  # unscoped: rows read through for_actor in _bank_plan
        [*plan.to_update, *retire],
        ["column", "text", "answer", "difficulty", "topic", "since_revision", "until_revision"],
    )
    bank.revision = new_revision
    bank.save(update_fields=["revision", "updated_at"])
    audit_record(
        actor=actor,
        action=MaterialsAudit.MATERIALS_BANK_IMPORT,
        target=bank,
        details={
            "work_id": work.pk,
            "file": filename[:200],
            "revision": new_revision,
            "added": added,
            "changed": changed,
            "retired": len(retire),
            "images": len(fresh),
        },
    )
    return BankImportResult(
        new_revision, added, changed, len(retire), plan.unchanged, images=len(fresh)
    )


def bank_import(
    *,
    actor: Actor,
    work_id: int,
    content: bytes,
    filename: str,
    images: bytes | None = None,
) -> BankImportResult:
    """Replace a work's bank with the file's items at once (the file is the whole bank).

    The direct path (demo loader, scripts); the operator's page goes through
    ``bank_import_upload`` → ``bank_import_apply``, and both share the planning and writing
    (``_bank_plan``, ``_bank_write``). ``images`` is an optional zip of the PNG/JPEG images the
    items refer to as ``[img:…]``; images already in the bank need not be sent again.
    Validates everything first; on any error raises UploadError and writes nothing. Items
    already in the pool of a generated kit are frozen: changing one is an error. Items left out
    of the file are retired, never deleted. A change bumps the revision.
    """
    _require(actor, A.MANAGE_BANK)
    work = selectors.work_get(actor=actor, work_id=work_id)
    with transaction.atomic():
        plan = _bank_plan(
            actor=actor, work=work, content=content, filename=filename, images=images, lock=True
        )
        return _bank_write(actor=actor, plan=plan, filename=filename)


# --- upload → preview → apply (the import framework) -------------------------------------------


def _kind() -> ImportKind:
    """The bank's import kind (``apps.materials.imports``, registered at start-up)."""
    return import_kind_of(BANK_IMPORT_KIND)


def bank_import_upload(
    *,
    actor: Actor,
    work_id: int,
    name: str,
    content: bytes | None = None,
    file: IO[bytes] | None = None,
    size: int = 0,
    images: bytes | None = None,
) -> ImportBatch:
    """Validate a bank file (``content`` or ``file`` of ``size``, and the images zip) and store
    it as an ImportBatch with its preview: per column, how many items would be added, changed,
    retired or stay unchanged. The bank itself is not touched. A bad file raises UploadError
    (nothing stored; the refusal is audited); a work out of scope ``Work.DoesNotExist``."""
    return import_upload(
        _kind(),
        actor=actor,
        name=name,
        content=content,
        file=file,
        size=size,
        work_id=work_id,
        images=images,
    )


def bank_import_get(*, actor: Actor, batch_id: int) -> ImportBatch:
    return import_batch_get(_kind(), actor=actor, batch_id=batch_id)


def bank_import_apply(*, actor: Actor, batch_id: int) -> ImportOutcome:
    """Apply a previewed bank upload in one transaction; applying it again changes nothing.

    The stored file is validated again and re-planned under the bank's row lock; if the plan
    differs from the preview (the bank changed meanwhile), ``ImportStaleError`` (409) and
    nothing changes. The outcome's ``result`` is the ``BankImportResult``.
    """
    return import_apply(_kind(), actor=actor, batch_id=batch_id)


def bank_import_discard(*, actor: Actor, batch_id: int) -> ImportOutcome:
    """Drop a previewed bank upload; its stored files are deleted after commit."""
    return import_discard(_kind(), actor=actor, batch_id=batch_id)


def bank_export(*, actor: Actor, work_id: int, fmt: str) -> tuple[str, bytes]:
    """The current bank of a work as a JSON or xlsx file, or (``images``) the zip of its images
    to import next to that file (file name, bytes); audited."""
    _require(actor, A.MANAGE_BANK)
    work = selectors.work_get(actor=actor, work_id=work_id)
    rows = [_item_row(i) for i in selectors.bank_items(actor=actor, work_id=work.pk)]
    base = (
        f"Банк заданий {work.subject.name} {work.grade} класс {work.campaign.year} "
        f"{work.campaign.get_session_display()}"
    )
    key = work_key(work)
    if fmt == "images":
        wanted = {n for r in rows for n in image_names(r.text) + image_names(r.answer)}
        stored = MaterialFile.objects.for_actor(actor, A.MANAGE_BANK).filter(
            work=work, kind=MaterialFile.Kind.IMAGE, name__in=wanted
        )
        name = f"{base} изображения.zip"
        content = arch.zip_bytes([arch.ArchiveFile(f.name, _stored_image(f.path)) for f in stored])
    elif fmt == "xlsx":
        name, content = f"{base}.xlsx", bankfile.write_bank_xlsx(work=key, rows=rows)
    else:
        name, content = f"{base}.json", bankfile.write_bank_json(work=key, rows=rows)
    audit_record(
        actor=actor,
        action=MaterialsAudit.MATERIALS_BANK_EXPORT,
        details={"work_id": work.pk, "format": fmt, "items": len(rows)},
    )
    return name, content
