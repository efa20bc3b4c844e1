"""Writes of the materials app: bank import, kit generation, participant codes, archive builds,
and the audited reads of released materials (downloads, password views).

Each service owns its transaction and audit row. Secrets (archive passwords, keys) never reach
logs or audit details.
"""

from __future__ import annotations

import hashlib
import math
import os
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, OperationalError, transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.applications.models import Application, ApplicationLine
from apps.applications.selectors import APPLIED
from apps.campaigns.models import SESSION_SHORT, Work
from apps.core import crypto
from apps.core.jobs import job_send
from apps.core.models import ImportBatch, Job
from apps.core.scoping import Scope
from apps.core.services import audit_record, job_claim, job_fail, job_mark_done
from apps.core.uploads import CellError, UploadError
from apps.materials import archive as arch
from apps.materials import bank as bankfile
from apps.materials import files as bankfiles
from apps.materials import generation as gen
from apps.materials import pdf, selectors
from apps.materials.constants import KIT_BUILD
from apps.materials.markup import image_names
from apps.materials.messages import MaterialsError, MaterialsNotFoundError, NotReleasedError
from apps.materials.models import (
    BankItem,
    Kit,
    MaterialFile,
    ParticipantCode,
    Variant,
    WorkBank,
)
from apps.materials.xlsx import code_list_xlsx
from apps.registration.access import A, Actor
from apps.registration.models import School

GENERATE_RETRIES = 100
BALANCED_RETRIES = 30
# Applications that count for materials: submitted by the school or confirmed above it.
COUNTED_APPLICATIONS = APPLIED


def _require(actor: Actor, action: str) -> None:
    if not actor.can(action):
        raise PermissionDenied


def _kit_scope(kit: Kit) -> Scope:
    return Scope.of_school(kit.school_id, kit.municipality_id, kit.region_id)


# --- item bank --------------------------------------------------------------------------------


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


BANK_IMPORT_KIND = "bank"


@dataclass
class _BankPlan:
    """What a bank file would change, computed against the current bank (nothing written)."""

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
    rows: list[bankfile.ItemRow],
    new_images: dict[str, bytes],
    stored_images: dict[str, str],
    lock: bool,
) -> _BankPlan:
    """Compare the rows with the bank; frozen items changed raise UploadError. Writes nothing
    (the bank row is created only when ``lock``, i.e. inside the writing transaction)."""
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
        bank=bank,
        current=current,
        to_create=to_create,
        to_update=to_update,
        retire=retire,
        fresh=fresh,
        unchanged=unchanged,
        per_column=per_column,
    )


def _bank_write(
    *,
    actor: Actor,
    work: Work,
    plan: _BankPlan,
    filename: str,
    request: HttpRequest | None,
) -> BankImportResult:
    """Write a plan computed under the bank's row lock (inside the caller's transaction)."""
    bank, fresh = plan.bank, plan.fresh
    added, changed, retire = len(plan.to_create), len(plan.to_update), plan.retire
    for name, data in sorted(fresh.items()):
        _bank_file_store(
            work=work, kind=MaterialFile.Kind.IMAGE, checked=bankfiles.CheckedFile(name, data)
        )
    if not (added or changed or retire):
        if fresh:
            audit_record(
                actor=actor,
                action="materials.bank_import",
                target=bank,
                request=request,
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
        action="materials.bank_import",
        target=bank,
        request=request,
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
    request: HttpRequest | None = None,
) -> BankImportResult:
    """Replace a work's bank with the file's items at once (the file is the whole bank).

    The direct path (demo loader, scripts); the operator's page goes through
    ``bank_import_preview`` → ``bank_import_apply``. ``images`` is an optional zip of the
    PNG/JPEG images the items refer to as ``[img:…]``; images already in the bank need not be
    sent again. Validates everything first; on any error raises UploadError and writes
    nothing. Items already in the pool of a generated kit are frozen: changing one is an
    error. Items left out of the file are retired, never deleted. A change bumps the revision.
    """
    _require(actor, A.MANAGE_BANK)
    work = selectors.work_get(actor=actor, work_id=work_id)
    rows, new_images, stored = _bank_validate(
        actor=actor, work=work, content=content, filename=filename, images=images
    )
    with transaction.atomic():
        plan = _bank_plan(
            actor=actor,
            work=work,
            rows=rows,
            new_images=new_images,
            stored_images=stored,
            lock=True,
        )
        return _bank_write(actor=actor, work=work, plan=plan, filename=filename, request=request)


def bank_import_preview(
    *,
    actor: Actor,
    work_id: int,
    content: bytes,
    filename: str,
    images: bytes | None = None,
    request: HttpRequest | None = None,
) -> ImportBatch:
    """Validate a bank file (and images zip) and store it as an ImportBatch with its preview:
    per column, how many items would be added, changed, retired or stay unchanged. The bank
    itself is not touched. A bad file raises UploadError (nothing stored; the refusal is
    audited)."""
    _require(actor, A.MANAGE_BANK)
    work = selectors.work_get(actor=actor, work_id=work_id)
    sha = hashlib.sha256(content).hexdigest()
    try:
        rows, new_images, stored = _bank_validate(
            actor=actor, work=work, content=content, filename=filename, images=images
        )
        plan = _bank_plan(
            actor=actor,
            work=work,
            rows=rows,
            new_images=new_images,
            stored_images=stored,
            lock=False,
        )
    except UploadError as exc:
        audit_record(
            actor=actor,
            action="materials.bank_upload_rejected",
            request=request,
            details={
                "work_id": work.pk,
                "file": filename[:200],
                "sha256": sha,
                "errors": len(exc.errors),
            },
        )
        raise
    if actor.user is None:  # an upload is always somebody's; the batch's actor is required
        raise PermissionDenied
    ext = ".xlsx" if filename.lower().endswith(".xlsx") else ".json"
    folder = f"imports/bank/{uuid.uuid4().hex}"
    path = default_storage.save(f"{folder}/bank{ext}", ContentFile(content))
    images_path = (
        default_storage.save(f"{folder}/images.zip", ContentFile(images)) if images else ""
    )
    counts = plan.counts()
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                kind=BANK_IMPORT_KIND,
                actor=actor.user,
                status=ImportBatch.Status.PREVIEW,
                original_name=filename[:255],
                file=path,
                file_sha256=sha,
                preview={
                    "work": {"id": work.pk, "label": str(work)},
                    "revision": plan.current,
                    "images_file": images_path,
                    "columns": plan.per_column,
                    "counts": counts,
                },
            )
            audit_record(
                actor=actor,
                action="materials.bank_upload",
                target=batch,
                request=request,
                details={"work_id": work.pk, "file": filename[:200], "sha256": sha, **counts},
            )
    except Exception:
        default_storage.delete(path)
        if images_path:
            default_storage.delete(images_path)
        raise
    return batch


@dataclass(frozen=True)
class BankApplyResult:
    batch: ImportBatch
    done: bool
    message: str
    result: BankImportResult | None = None


def bank_import_get(*, actor: Actor, batch_id: int) -> ImportBatch:
    return ImportBatch.objects.for_actor(actor, A.MANAGE_BANK).get(pk=batch_id)


def _bank_batch_refusal(batch: ImportBatch, verb: str) -> str:
    if batch.kind != BANK_IMPORT_KIND:
        return f"Эта загрузка не относится к банку заданий; здесь {verb} её нельзя."
    if batch.status == ImportBatch.Status.APPLIED:
        if verb == "отменить":
            return "Файл уже применён; отменить его нельзя."
        return "Файл уже применён; повторное применение ничего не меняет."
    if batch.status != ImportBatch.Status.PREVIEW:
        return f"Загрузка {batch.get_status_display()}; {verb} её нельзя. Загрузите файл заново."
    return ""


def _read_stored(path: str) -> bytes:
    with default_storage.open(path, "rb") as fh:
        data: bytes = fh.read()  # File.read is Any in the stubs; "rb" gives bytes
    return data


def bank_import_apply(
    *, actor: Actor, batch_id: int, request: HttpRequest | None = None
) -> BankApplyResult:
    """Apply a previewed bank upload in one transaction; applying it again changes nothing.

    The stored file is validated again and re-planned under the bank's row lock; if the plan
    differs from the preview (the bank changed meanwhile), UploadError and nothing changes.
    """
    _require(actor, A.MANAGE_BANK)
    with transaction.atomic():
        batch = (
            ImportBatch.objects.for_actor(actor, A.MANAGE_BANK).select_for_update().get(pk=batch_id)
        )
        if refusal := _bank_batch_refusal(batch, "применить"):
            return BankApplyResult(batch=batch, done=False, message=refusal)
        work = selectors.work_get(actor=actor, work_id=batch.preview["work"]["id"])
        images_path = batch.preview.get("images_file") or ""
        rows, new_images, stored = _bank_validate(
            actor=actor,
            work=work,
            content=_read_stored(batch.file),
            filename=batch.original_name,
            images=_read_stored(images_path) if images_path else None,
        )
        plan = _bank_plan(
            actor=actor,
            work=work,
            rows=rows,
            new_images=new_images,
            stored_images=stored,
            lock=True,
        )
        if plan.per_column != batch.preview["columns"] or plan.counts() != batch.preview["counts"]:
            raise UploadError(
                [
                    CellError(
                        0,
                        0,
                        "Банк работы изменился после предпросмотра; загрузите файл заново и "
                        "проверьте изменения.",
                    )
                ]
            )
        result = _bank_write(
            actor=actor, work=work, plan=plan, filename=batch.original_name, request=request
        )
        batch.status = ImportBatch.Status.APPLIED
        batch.applied_at = timezone.now()
        batch.save(update_fields=["status", "applied_at", "updated_at"])
        audit_record(
            actor=actor,
            action="materials.bank_apply",
            target=batch,
            request=request,
            details={"work_id": work.pk, "revision": result.revision, **plan.counts()},
        )
    return BankApplyResult(batch=batch, done=True, message="Изменения применены.", result=result)


def bank_import_discard(
    *, actor: Actor, batch_id: int, request: HttpRequest | None = None
) -> BankApplyResult:
    """Drop a previewed bank upload; its stored files are deleted after commit."""
    _require(actor, A.MANAGE_BANK)
    with transaction.atomic():
        batch = (
            ImportBatch.objects.for_actor(actor, A.MANAGE_BANK).select_for_update().get(pk=batch_id)
        )
        if refusal := _bank_batch_refusal(batch, "отменить"):
            return BankApplyResult(batch=batch, done=False, message=refusal)
        batch.status = ImportBatch.Status.DISCARDED
        batch.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="materials.bank_discard", target=batch, request=request)
        paths = [p for p in (batch.file, batch.preview.get("images_file")) if p]

        def delete_files() -> None:
            for p in paths:
                default_storage.delete(p)

        transaction.on_commit(delete_files)
    return BankApplyResult(batch=batch, done=True, message="Загрузка отменена; ничего не изменено.")


# --- bank files: item images and accompanying files -------------------------------------------


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
    request: HttpRequest | None = None,
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
            action="materials.file_attach",
            target=row,
            request=request,
            details={
                "work_id": work.pk,
                "item": item_code,
                "name": checked.name,
                "sha256": checked.sha256,
            },
        )
    return row


def material_file_remove(*, actor: Actor, file_id: int, request: HttpRequest | None = None) -> None:
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
            action="materials.file_remove",
            target=row,
            request=request,
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
    """The accompanying files of a kit: the work's own and those of the items its variants use."""
    rows = list(
        MaterialFile.objects.for_actor(actor, A.GENERATE_MATERIALS)
        .filter(work_id=kit.work_id, kind=MaterialFile.Kind.ATTACHMENT)
        .order_by("name")
    )
    used: set[int] = set()
    if any(row.item_id is not None for row in rows):
        used = {
            i
            for items in Variant.objects.for_actor(actor, A.DOWNLOAD_MATERIALS)
            .filter(kit=kit)
            .values_list("items", flat=True)
            for i in items
        }
    return [
        arch.ArchiveFile(f"{ATTACHMENTS_DIR}/{row.name}", _stored_attachment(row.path))
        for row in rows
        if row.item_id is None or row.item_id in used
    ]


def bank_export(
    *, actor: Actor, work_id: int, fmt: str, request: HttpRequest | None = None
) -> tuple[str, bytes]:
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
        action="materials.bank_export",
        request=request,
        details={"work_id": work.pk, "format": fmt, "items": len(rows)},
    )
    return name, content


# --- participant codes -----------------------------------------------------------------------


def _lines(actor: Actor, action: str, **filters: Any) -> Any:
    """Application lines that count for materials (the school takes part, application sent)."""

    apps_qs = Application.objects.for_actor(actor, action).filter(status__in=COUNTED_APPLICATIONS)
    return ApplicationLine.objects.filter(
        application__in=apps_qs, takes_part=True, participants__gt=0, **filters
    )


def participant_codes_issue(
    *, actor: Actor, school_id: int, campaign_id: int
) -> list[ParticipantCode]:
    """Issue the school's missing participant codes for every grade it applied for.

    Per grade the need is the maximum participants (and classes) over that grade's works; one
    code serves a participant in all works. Codes are never taken back (they may be printed);
    if the need grows, new codes are appended. Idempotent.
    """
    _require(actor, A.GENERATE_MATERIALS)
    school = School.objects.for_actor(actor, A.GENERATE_MATERIALS).get(pk=school_id)
    need: dict[int, tuple[int, int]] = {}
    lines = _lines(
        actor,
        A.GENERATE_MATERIALS,
        application__school_id=school.pk,
        application__campaign_id=campaign_id,
    ).values_list("work__grade", "participants", "classes")
    for grade, participants, classes in lines:
        p, c = need.get(grade, (0, 0))
        need[grade] = (max(p, participants), max(c, classes))
    created: list[ParticipantCode] = []
    with transaction.atomic():
        codes = ParticipantCode.objects.for_actor(actor, A.GENERATE_MATERIALS).select_for_update()
        existing = list(codes.filter(school=school, campaign_id=campaign_id))
        have: dict[tuple[int, int | None, bool], int] = defaultdict(int)
        last: dict[int, int] = defaultdict(int)
        for code in existing:
            have[(code.grade, code.class_number, code.reserve)] += 1
            last[code.grade] = max(last[code.grade], int(code.code[1:]))
        for grade, (participants, classes) in sorted(need.items()):
            for group in gen.code_groups(grade, participants, classes):
                for reserve, wanted in ((False, group.participants), (True, group.reserve)):
                    missing = wanted - have[(grade, group.class_number, reserve)]
                    for _ in range(max(0, missing)):
                        last[grade] += 1
                        if last[grade] > gen.CODES_PER_GRADE:
                            raise MaterialsError("too_many_codes", grade=grade, needed=last[grade])
                        created.append(
                            ParticipantCode(
                                campaign_id=campaign_id,
                                school=school,
                                municipality_id=school.municipality_id,
                                region_id=school.region_id,
                                grade=grade,
                                class_number=group.class_number,
                                code=gen.code_number(grade, last[grade]),
                                reserve=reserve,
                            )
                        )
        ParticipantCode.objects.bulk_create(created)
        if created:
            audit_record(
                actor=actor,
                action="materials.codes_issue",
                scope=Scope.of_school(school.pk, school.municipality_id, school.region_id),
                details={"campaign_id": campaign_id, "issued": len(created)},
            )
    return created


# --- generation ------------------------------------------------------------------------------


@dataclass
class GenerateResult:
    created: int = 0
    existing: int = 0
    kit_ids: list[int] = field(default_factory=list)


def kits_generate(
    *,
    actor: Actor,
    work_id: int,
    region_id: int | None = None,
    school_id: int | None = None,
    request: HttpRequest | None = None,
) -> GenerateResult:
    """Compose the variants of every school that applied for a work (or one region/school).

    Each kit records its seed and bank revision, so it can be regenerated exactly. Kits that
    exist are kept (idempotent). Before anything is written the bank is checked: each
    municipality must have enough distinct combinations for all its schools' variants.
    """
    _require(actor, A.GENERATE_MATERIALS)
    work = selectors.work_get(actor=actor, work_id=work_id, action=A.GENERATE_MATERIALS)
    revision = selectors.bank_revision(actor=actor, work_id=work.pk, action=A.GENERATE_MATERIALS)
    if revision == 0:
        raise MaterialsError("bank_empty", work=str(work))
    pool = selectors.bank_pool(
        actor=actor, work_id=work.pk, revision=revision, action=A.GENERATE_MATERIALS
    )
    k = work.variants_per_school
    filters: dict[str, Any] = {"work": work}
    if region_id is not None:
        filters["application__region_id"] = region_id
    if school_id is not None:
        filters["application__school_id"] = school_id
    lines = list(
        _lines(actor, A.GENERATE_MATERIALS, **filters).values_list(
            "application__school_id", "participants"
        )
    )
    schools = {
        s.pk: s
        for s in School.objects.for_actor(actor, A.GENERATE_MATERIALS)
        .filter(pk__in=[sid for sid, _ in lines])
        .select_related("municipality")
    }
    participants = {sid: n for sid, n in lines if sid in schools}
    kits = Kit.objects.for_actor(actor, A.GENERATE_MATERIALS).filter(work=work)
    existing = set(kits.filter(school_id__in=participants).values_list("school_id", flat=True))
    # Capacity: distinct combinations must cover every variant of a municipality's schools.
    combinations = math.prod(len(c) for c in pool) if all(pool) else 0
    per_municipality: dict[int, list[int]] = defaultdict(list)
    for sid in participants:
        per_municipality[schools[sid].municipality_id].append(sid)
    for _muni_id, sids in per_municipality.items():
        total = kits.filter(municipality_id=_muni_id).exclude(school_id__in=sids).count() + len(
            sids
        )
        if combinations < total * k:
            raise MaterialsError(
                "bank_too_few_combinations",
                municipality=schools[sids[0]].municipality.code,
                schools=total,
                combinations=combinations,
                needed=total * k,
            )
    result = GenerateResult(existing=len(existing))
    for muni_id, sids in sorted(per_municipality.items()):
        taken = set(
            Variant.objects.for_actor(actor, A.GENERATE_MATERIALS)
            .filter(work=work, municipality_id=muni_id)
            .values_list("signature", flat=True)
        )
        for sid in sorted(sids, key=lambda s: schools[s].code):
            if sid in existing:
                continue
            kit = _kit_create(
                actor=actor,
                work=work,
                school=schools[sid],
                pool=pool,
                revision=revision,
                participants=participants[sid],
                taken=taken,
            )
            result.created += 1
            result.kit_ids.append(kit.pk)
    for sid in sorted(participants):
        participant_codes_issue(actor=actor, school_id=sid, campaign_id=work.campaign_id)
    audit_record(
        actor=actor,
        action="materials.generate",
        request=request,
        details={
            "work_id": work.pk,
            "region_id": region_id,
            "school_id": school_id,
            "created": result.created,
            "existing": result.existing,
            "bank_revision": revision,
        },
    )
    return result


def kit_compose(kit: Kit, pool: gen.Pool) -> gen.Composition:
    """The kit's variants as its recorded seed determines them (exact regeneration)."""
    return gen.compose(kit.seed, pool, kit.work.variants_per_school, balanced=kit.balanced)


def _kit_create(
    *,
    actor: Actor,
    work: Work,
    school: School,
    pool: gen.Pool,
    revision: int,
    participants: int,
    taken: set[str],
) -> Kit:
    k = work.variants_per_school
    for attempt in range(GENERATE_RETRIES):
        seed = gen.new_seed()
        # Balanced first; if the municipality's balanced combinations run short, any unique one.
        balanced = attempt < BALANCED_RETRIES
        composition = gen.compose(seed, pool, k, balanced=balanced)
        signatures = [gen.signature(items) for items in composition.items]
        if taken.intersection(signatures) or len(set(signatures)) != k:
            continue
        try:
            with transaction.atomic():
                kit = Kit.objects.create(
                    school=school,
                    work=work,
                    municipality_id=school.municipality_id,
                    region_id=school.region_id,
                    seed=seed,
                    bank_revision=revision,
                    balanced=balanced,
                    participants=participants,
                    password_token=crypto.encrypt(gen.new_password().encode())
                    if work.encrypted_archive
                    else "",
                )
                Variant.objects.bulk_create(
                    Variant(
                        kit=kit,
                        work=work,
                        school_id=school.pk,
                        municipality_id=school.municipality_id,
                        region_id=school.region_id,
                        number=n,
                        uid=gen.variant_uid(
                            seed=seed, work_id=work.pk, school_id=school.pk, number=n
                        ),
                        signature=sig,
                        items=list(items),
                        difficulty=composition.difficulty[n - 1],
                    )
                    for n, (items, sig) in enumerate(
                        zip(composition.items, signatures, strict=True), start=1
                    )
                )
        except IntegrityError:
            # A concurrent generation took the same combination (or a uid clashed): redraw.
            continue
        taken.update(signatures)
        return kit
    raise MaterialsError("generate_collision", school=school.code)


# --- rendering and archives ------------------------------------------------------------------

BUILD_STATS: dict[str, float] = defaultdict(float)


@contextmanager
def _timed(part: str) -> Iterator[None]:
    """Accumulate time per build stage (read by bench/materials_build.py)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        BUILD_STATS[part] += time.perf_counter() - started


def _work_info(work: Work) -> pdf.WorkInfo:
    return pdf.WorkInfo(
        year=work.campaign.year,
        subject=work.subject.name,
        grade=work.grade,
        duration_minutes=work.duration_minutes,
        encrypted=work.encrypted_archive,
        session=SESSION_SHORT.get(work.campaign.session, ""),
    )


@lru_cache(maxsize=64)
def _instruction(info: pdf.WorkInfo) -> bytes:
    return pdf.instruction_pdf(info)


@dataclass(frozen=True)
class KitDocuments:
    """Everything rendered for one kit (pure bytes), before packing."""

    variants: list[arch.ArchiveFile]
    criteria: bytes
    others: list[arch.ArchiveFile]
    manifest: bytes

    @property
    def files(self) -> list[arch.ArchiveFile]:
        return arch.signed_files([*self.variants, *self.others], self.manifest)


def kit_variant_docs(*, actor: Actor, kit: Kit) -> list[pdf.VariantDoc]:
    work = kit.work
    info = _work_info(work)
    columns = selectors.work_columns(work)
    variants = list(
        Variant.objects.for_actor(actor, A.DOWNLOAD_MATERIALS).filter(kit=kit).order_by("number")
    )
    ids = {i for v in variants for i in v.items}
    items = {
        i.pk: i for i in BankItem.objects.for_actor(actor, A.GENERATE_MATERIALS).filter(pk__in=ids)
    }
    wanted = {n for i in items.values() for n in image_names(i.text) + image_names(i.answer)}
    stored = {}
    if wanted:
        stored = {
            row.name: _stored_image(row.path)
            for row in MaterialFile.objects.for_actor(actor, A.GENERATE_MATERIALS).filter(
                work_id=kit.work_id, kind=MaterialFile.Kind.IMAGE, name__in=wanted
            )
        }

    def images_of(item: BankItem) -> tuple[tuple[str, bytes], ...]:
        names = dict.fromkeys(image_names(item.text) + image_names(item.answer))
        return tuple((n, stored[n]) for n in names if n in stored)

    return [
        pdf.VariantDoc(
            work=info,
            number=v.number,
            uid=v.uid,
            tasks=tuple(
                pdf.TaskSpec(
                    label=col.label,
                    max_score=col.max_score,
                    text=items[item_id].text,
                    answer=items[item_id].answer,
                    images=images_of(items[item_id]),
                )
                for col, item_id in zip(columns, v.items, strict=True)
            ),
        )
        for v in variants
    ]


def kit_code_entries(*, actor: Actor, kit: Kit, action: str) -> list[pdf.CodeEntry]:
    return [
        pdf.CodeEntry(c.code, c.class_number, c.reserve)
        for c in selectors.participant_codes(
            actor=actor,
            action=action,
            school_id=kit.school_id,
            campaign_id=kit.work.campaign_id,
            grade=kit.work.grade,
        )
    ]


def _codes_xlsx(kit: Kit, codes: list[pdf.CodeEntry]) -> bytes:
    return code_list_xlsx(
        title=f"Коды участников {kit.work.campaign.label}, {kit.work.grade} класс, "
        f"ОО {kit.school.code}",
        codes=codes,
    )


def kit_render(*, actor: Actor, kit: Kit) -> KitDocuments:
    """Render every file of a kit. Deterministic: the same kit gives the same bytes."""
    work, school = kit.work, kit.school
    info = _work_info(work)
    docs = kit_variant_docs(actor=actor, kit=kit)
    codes = kit_code_entries(actor=actor, kit=kit, action=A.DOWNLOAD_MATERIALS)
    grade = work.grade
    with _timed("pdf"):
        variants = [arch.ArchiveFile(f"Вариант {d.number}.pdf", pdf.variant_pdf(d)) for d in docs]
        criteria = pdf.criteria_pdf(info, docs, school.code)
        others = [
            arch.ArchiveFile("Инструкция по проведению.pdf", _instruction(info)),
            arch.ArchiveFile(
                f"Коды участников {grade} класс.pdf",
                pdf.code_sheet_pdf(
                    year=info.year,
                    grade=grade,
                    school_code=school.code,
                    codes=codes,
                    session=info.session,
                ),
            ),
            arch.ArchiveFile(
                "Протокол проведения.pdf",
                pdf.protocol_pdf(
                    work=info, school_code=school.code, school_name=school.short_name, codes=codes
                ),
            ),
        ]
    with _timed("xlsx"):
        others.append(
            arch.ArchiveFile(f"Коды участников {grade} класс.xlsx", _codes_xlsx(kit, codes))
        )
    others += kit_attachments(actor=actor, kit=kit)
    manifest = arch.manifest_bytes(
        files=[*variants, *others],
        work={
            "year": info.year,
            "subject": info.subject,
            "grade": grade,
            "work_id": work.pk,
            "encrypted": work.encrypted_archive,
        },
        school={"id": school.pk, "code": school.code},
        variants=[{"number": d.number, "uid": d.uid} for d in docs],
    )
    return KitDocuments(variants=variants, criteria=criteria, others=others, manifest=manifest)


def kit_archive_name(kit: Kit) -> str:
    ext = "7z" if kit.work.encrypted_archive else "zip"
    work = kit.work
    return f"{work.campaign.label} {work.subject.name} {work.grade} класс {kit.school.code}.{ext}"


def kit_storage_dir(kit: Kit) -> str:
    return f"materials/{kit.work.campaign.year}/{kit.school.code}/work-{kit.work_id}"


def _publish(data: bytes, final: str) -> str:
    """Write to a temporary name, then move into place: a reader never sees a half file.

    On local disk the move is an atomic rename; on object storage a PUT of the whole object is
    itself atomic, so the final object is written in one call.
    """
    temp = default_storage.save(f"{final}.part-{uuid.uuid4().hex}", ContentFile(data))
    try:
        local_temp = default_storage.path(temp)
        local_final = default_storage.path(final)
    except NotImplementedError:
        if default_storage.exists(final):
            default_storage.delete(final)
        saved = default_storage.save(final, ContentFile(data))
        default_storage.delete(temp)
        return saved
    os.replace(local_temp, local_final)
    return final


def _clean_parts(directory: str, prefix: str) -> None:
    """Remove temporary files left by builds that died before publishing."""
    try:
        _dirs, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in files:
        if name.startswith(prefix) and ".part-" in name:
            default_storage.delete(f"{directory}/{name}")


def kit_pack(*, kit: Kit, documents: KitDocuments) -> bytes:
    files = documents.files
    with _timed("compression"):
        if kit.work.encrypted_archive:
            password = crypto.decrypt(kit.password_token).decode()
            return arch.sevenzip_bytes(files, password=password)
        return arch.zip_bytes(files)


def kit_build_request(
    *,
    actor: Actor,
    work_id: int,
    region_id: int | None = None,
    school_id: int | None = None,
    retry_failed: bool = False,
    force: bool = False,
    request: HttpRequest | None = None,
) -> int:
    """Queue an archive build per kit (one Job per kit, natural key). Returns jobs queued.

    Finished jobs are left alone unless ``force``; failed ones are re-queued with
    ``retry_failed``; jobs still waiting are sent again (the claim runs each once). Enqueued
    after commit.
    """
    _require(actor, A.GENERATE_MATERIALS)
    work = selectors.work_get(actor=actor, work_id=work_id, action=A.GENERATE_MATERIALS)
    kits = Kit.objects.for_actor(actor, A.GENERATE_MATERIALS).filter(work=work)
    if region_id is not None:
        kits = kits.filter(region_id=region_id)
    if school_id is not None:
        kits = kits.filter(school_id=school_id)
    queued: list[int] = []
    with transaction.atomic():
        for kit in kits.order_by("pk"):
            job, created = Job.objects.get_or_create(  # unscoped: natural key of a system job
                key=f"{KIT_BUILD}:{kit.pk}",
                defaults={
                    "kind": KIT_BUILD,
                    "actor": actor.user,
                    "params": {"kit_id": kit.pk, "work_id": work.pk},
                    "region_id": kit.region_id,
                    "municipality_id": kit.municipality_id,
                    "school_id": kit.school_id,
                },
            )
            if job.status == Job.Status.QUEUED:
                # Never picked up (e.g. a lost message): send it again; the claim dedupes.
                queued.append(job.pk)
                continue
            requeue = (
                created
                or (force and job.status != Job.Status.RUNNING)
                or (retry_failed and job.status == Job.Status.FAILED)
            )
            if not requeue:
                continue
            if not created:
                job.status = Job.Status.QUEUED
                job.error = ""
                job.save(update_fields=["status", "error", "updated_at"])
            queued.append(job.pk)
        audit_record(
            actor=actor,
            action="materials.build_request",
            request=request,
            details={
                "work_id": work.pk,
                "region_id": region_id,
                "school_id": school_id,
                "queued": len(queued),
            },
        )
    from apps.materials.tasks import kit_build_task

    transaction.on_commit(lambda: [job_send(kit_build_task, job_id=j) for j in queued])
    return len(queued)


def kit_build_cancel(
    *,
    actor: Actor,
    work_id: int,
    region_id: int | None = None,
    request: HttpRequest | None = None,
) -> int:
    """Cancel the builds of a work (or one region) still waiting in the queue; running ones
    finish. A cancelled job is FAILED with a note, so «Повторить ошибки» restarts it."""
    _require(actor, A.GENERATE_MATERIALS)
    work = selectors.work_get(actor=actor, work_id=work_id, action=A.GENERATE_MATERIALS)
    kits = Kit.objects.for_actor(actor, A.GENERATE_MATERIALS).filter(work=work)
    if region_id is not None:
        kits = kits.filter(region_id=region_id)
    keys = [f"{KIT_BUILD}:{pk}" for pk in kits.values_list("pk", flat=True)]
    with transaction.atomic():
        waiting = Job.objects.for_actor(actor, A.GENERATE_MATERIALS).filter(
            key__in=keys, status=Job.Status.QUEUED
        )
        cancelled = waiting.update(status=Job.Status.FAILED, error="Отменено оператором.")
        audit_record(
            actor=actor,
            action="materials.build_cancel",
            request=request,
            details={"work_id": work.pk, "region_id": region_id, "cancelled": cancelled},
        )
    return cancelled


def kit_build_run(*, job_id: int) -> Kit | None:
    """Build and publish one kit's archive (idempotent: a claimed job runs once).

    A transient database error puts the job back in the queue and re-raises (the task
    retries); any other error is recorded on the job and the kit as final.
    """
    job = job_claim(job_id=job_id)
    if job is None:
        return None
    actor = Actor.system(reason=f"job {job.pk}")
    kit = selectors.kit_get(actor=actor, kit_id=job.params["kit_id"], action=A.GENERATE_MATERIALS)
    try:
        documents = kit_render(actor=actor, kit=kit)
        data = kit_pack(kit=kit, documents=documents)
        directory = kit_storage_dir(kit)
        ext = "7z" if kit.work.encrypted_archive else "zip"
        with _timed("storage"):
            path = _publish(data, f"{directory}/kit-{kit.pk}.{ext}")
            criteria = _publish(documents.criteria, f"{directory}/kit-{kit.pk}-criteria.pdf")
            _clean_parts(directory, f"kit-{kit.pk}")
    except OperationalError:
        mine = Job.objects.filter(pk=job.pk)  # unscoped: the job this worker claimed
        mine.update(status=Job.Status.QUEUED, lease_until=None)
        raise
    except Exception as exc:
        job_fail(job=job, error=f"{type(exc).__name__}: {exc}"[:2000])
        Kit.objects.filter(pk=kit.pk).update(status=Kit.Status.FAILED)  # unscoped: own kit
        raise
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        kit.archive_path = path
        kit.archive_name = kit_archive_name(kit)
        kit.archive_sha256 = digest
        kit.archive_size = len(data)
        kit.archive_built_at = timezone.now()
        kit.criteria_path = criteria
        kit.status = Kit.Status.READY
        kit.save(
            update_fields=[
                "archive_path",
                "archive_name",
                "archive_sha256",
                "archive_size",
                "archive_built_at",
                "criteria_path",
                "status",
                "updated_at",
            ]
        )
        job_mark_done(job=job, output=path, sha256=digest)
    return kit


# --- audited reads of released materials -----------------------------------------------------


def _gate(view: selectors.KitView, what: str, label: str, now: datetime | None = None) -> None:
    release = getattr(view.releases, what)
    if not release.is_open(now or timezone.now()):
        raise NotReleasedError(label, release.at, release.place)


def _released_kit(
    *,
    actor: Actor,
    kit_id: int,
    what: str,
    label: str,
    path_field: str,
    action: str,
    request: HttpRequest | None,
    details_of: Any = None,
) -> Kit:
    """A built kit whose ``what`` is released to ``actor`` now; the download is audited."""
    view = selectors.kit_view(actor=actor, kit_id=kit_id, action=A.DOWNLOAD_MATERIALS)
    _gate(view, what, label)
    kit = view.kit
    if kit.status != Kit.Status.READY or not getattr(kit, path_field):
        raise MaterialsError("kit_not_built")
    audit_record(
        actor=actor,
        action=action,
        target=kit,
        scope=_kit_scope(kit),
        request=request,
        details=details_of(kit) if details_of else None,
    )
    return kit


@dataclass(frozen=True)
class Download:
    name: str
    content_type: str
    open: Any  # a callable returning a binary file object (streamed by FileResponse)
    size: int | None = None


def kit_archive_download(
    *, actor: Actor, kit_id: int, request: HttpRequest | None = None
) -> Download:
    """The kit's archive, from its publication instant; audited."""
    kit = _released_kit(
        actor=actor,
        kit_id=kit_id,
        what="archive",
        label="Архив с материалами",
        path_field="archive_path",
        action="materials.archive_download",
        request=request,
        details_of=lambda kit: {"work_id": kit.work_id, "sha256": kit.archive_sha256},
    )
    ctype = "application/x-7z-compressed" if kit.work.encrypted_archive else "application/zip"
    path = kit.archive_path

    def opener() -> IO[bytes]:
        return default_storage.open(path, "rb")

    return Download(kit.archive_name, ctype, opener, kit.archive_size)


def kit_criteria_download(
    *, actor: Actor, kit_id: int, request: HttpRequest | None = None
) -> Download:
    """The kit's criteria, from the period's first day (grade 8: 14:00 Moscow); audited."""
    kit = _released_kit(
        actor=actor,
        kit_id=kit_id,
        what="criteria",
        label="Критерии оценивания",
        path_field="criteria_path",
        action="materials.criteria_download",
        request=request,
    )
    work = kit.work
    name = f"Критерии {work.subject.name} {work.grade} класс {kit.school.code}.pdf"
    path = kit.criteria_path
    return Download(name, "application/pdf", lambda: default_storage.open(path, "rb"))


def kit_sheet_download(
    *, actor: Actor, kit_id: int, sheet: str, request: HttpRequest | None = None
) -> Download:
    """The participant-code sheet or the protocol template (rendered now, deterministic)."""
    import io

    view = selectors.kit_view(actor=actor, kit_id=kit_id, action=A.DOWNLOAD_MATERIALS)
    label = "Лист с кодами участников" if sheet == "codes" else "Макет протокола"
    _gate(view, "archive", label)
    kit = view.kit
    codes = kit_code_entries(actor=actor, kit=kit, action=A.DOWNLOAD_MATERIALS)
    info = _work_info(kit.work)
    if sheet == "codes":
        content = pdf.code_sheet_pdf(
            year=info.year,
            grade=info.grade,
            school_code=kit.school.code,
            codes=codes,
            session=info.session,
        )
        name = f"Коды участников {info.grade} класс {kit.school.code}.pdf"
    else:
        content = pdf.protocol_pdf(
            work=info, school_code=kit.school.code, school_name=kit.school.short_name, codes=codes
        )
        name = f"Протокол {info.subject} {info.grade} класс {kit.school.code}.pdf"
    audit_record(
        actor=actor,
        action=f"materials.{sheet}_download",
        target=kit,
        scope=_kit_scope(kit),
        request=request,
    )
    return Download(name, "application/pdf", lambda: io.BytesIO(content), len(content))


def kit_password_reveal(
    *, actor: Actor, kit_id: int, request: HttpRequest | None = None
) -> tuple[Kit, str]:
    """The grade-8 archive password, from 07:30 school-local on the school's day; audited
    (the password itself never enters the audit row or any log)."""
    view = selectors.kit_view(actor=actor, kit_id=kit_id, action=A.VIEW_ARCHIVE_PASSWORD)
    kit = view.kit
    if not kit.work.encrypted_archive or not kit.password_token:
        raise MaterialsNotFoundError("not_encrypted")
    _gate(view, "password", "Пароль к архиву")
    password = crypto.decrypt(kit.password_token).decode()
    audit_record(
        actor=actor,
        action="materials.password_view",
        target=kit,
        scope=_kit_scope(kit),
        request=request,
        details={"work_id": kit.work_id},
    )
    return kit, password


def variant_lookup(
    *, actor: Actor, uid: str, request: HttpRequest | None = None
) -> selectors.Lookup | None:
    """Trace a printed variant identifier to its school (federal); every lookup is audited."""
    _require(actor, A.LOOKUP_VARIANT)
    found = selectors.variant_lookup(actor=actor, uid=uid)
    audit_record(
        actor=actor,
        action="materials.variant_lookup",
        request=request,
        details={"uid": uid[:32], "found": found is not None},
    )
    return found


# --- automatic start of builds --------------------------------------------------------------------


def _auto_build_record(*, actor: Actor, work: Work, error: str) -> bool:
    """Keep the work's auto-start Job row in step with the last attempt; True if it changed
    (so a repeated failure is audited once, not on every beat tick)."""
    status = Job.Status.FAILED if error else Job.Status.DONE
    job, created = Job.objects.get_or_create(  # unscoped: natural key of a system record
        key=selectors.auto_build_key(work.pk),
        defaults={
            "kind": selectors.AUTO_BUILD,
            "status": status,
            "error": error,
            "params": {"work_id": work.pk},
        },
    )
    if created:
        return True
    if (job.status, job.error) == (status, error):
        return False
    job.status, job.error = status, error
    job.save(update_fields=["status", "error", "updated_at"])
    return True


def builds_auto_start(*, now: datetime | None = None) -> list[int]:
    """Start the builds of every work whose first publication instant is within the lead time
    (``MATERIALS_AUTO_BUILD_LEAD_DAYS``) or already past, while its period runs: compose the
    missing kits and queue their archives. Returns the ids of the works started.

    Idempotent: a work whose applied schools all have kits with a build requested (queued,
    running, done or failed) is left alone, so running it every tick changes nothing. Failed
    builds are not retried here (the operator decides, «Повторить ошибки»); they stay visible as
    overdue. The actor is the system, recorded in the audit rows.
    """
    moment = now or timezone.now()
    actor = Actor.system(reason="автоматический запуск сборки материалов")
    started: list[int] = []
    for work in selectors.current_works(actor=actor, now=moment):
        state = selectors.build_state(actor=actor, work=work, now=moment)
        if moment < state.auto_start_at or not state.needs_start:
            continue
        try:
            # Not one transaction: composing 40,000 kits is long, and a kit composed before a
            # failure is kept (the next tick composes the rest, as a repeated operator click).
            generated = kits_generate(actor=actor, work_id=work.pk)
            queued = kit_build_request(actor=actor, work_id=work.pk)
        except MaterialsError as exc:
            if _auto_build_record(actor=actor, work=work, error=exc.message):
                audit_record(
                    actor=actor,
                    action="materials.auto_build_failed",
                    details={"work_id": work.pk, "error": exc.code},
                )
            continue
        _auto_build_record(actor=actor, work=work, error="")
        audit_record(
            actor=actor,
            action="materials.auto_build",
            details={
                "work_id": work.pk,
                "created": generated.created,
                "queued": queued,
                "publication_at": state.publication_at.isoformat()
                if state.publication_at
                else None,
            },
        )
        started.append(work.pk)
    return started
