"""The item bank file as a kind of the import framework (``apps.core.imports``).

The federal operator uploads a work's whole bank (JSON or xlsx, with an optional zip of the images
its items refer to). The preview counts, per column, the items the file would add, change, retire
or leave as they are; the bank is not touched. The apply reads the stored files again, re-plans
them under the bank's row lock and refuses a stale preview (``ImportStaleError``); otherwise it
writes a new revision of the bank. The planning and writing are the services' (``_bank_plan``,
``_bank_write``), shared with the direct ``bank_import`` of the demo loader and scripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apps.campaigns.models import Work
from apps.core.imports import (
    Applied,
    ImportAudit,
    ImportKind,
    ImportStaleError,
    Staged,
    Target,
    import_file,
)
from apps.core.models import ImportBatch
from apps.materials import bank as bankfile
from apps.materials import selectors
from apps.materials.audit import MaterialsAudit
from apps.materials.messages import BANK_CHANGED, WORK_GONE
from apps.materials.services.bank import (
    BANK_IMPORT_KIND,
    BankImportResult,
    _bank_plan,
    _bank_write,
    _BankPlan,
)
from apps.materials.services.common import _require
from apps.registration.access import A

IMAGES = "images.zip"  # the optional images zip, stored beside the bank file


@dataclass(frozen=True)
class _Upload:
    work: Work
    images: bytes | None


def applied_message(result: BankImportResult) -> str:
    """What the operator reads once a bank file is applied."""
    if result.added or result.changed or result.retired:
        return (
            f"Банк загружен (версия {result.revision}): добавлено {result.added}, изменено "
            f"{result.changed}, снято {result.retired}, без изменений {result.unchanged}."
        )
    return "Банк не изменился: файл совпадает с текущей версией."


def images_message(result: BankImportResult) -> str:
    """The images an applied file added ('' if none)."""
    return f"Добавлено изображений: {result.images}." if result.images else ""


class BankImport(ImportKind):
    """A work's whole item bank (the file is the bank: items left out are retired)."""

    code = BANK_IMPORT_KIND
    action = A.MANAGE_BANK
    label = "банку заданий"
    folder = "bank"
    audit = ImportAudit(
        upload=MaterialsAudit.MATERIALS_BANK_UPLOAD,
        rejected=MaterialsAudit.MATERIALS_BANK_UPLOAD_REJECTED,
        apply=MaterialsAudit.MATERIALS_BANK_APPLY,
        discard=MaterialsAudit.MATERIALS_BANK_DISCARD,
    )
    max_bytes = bankfile.MAX_BANK_BYTES

    def target(self, *, actor: Any, **params: Any) -> Target:
        """The work (``work_id``; DoesNotExist → 404) and the images zip sent with the file."""
        _require(actor, A.MANAGE_BANK)
        work = selectors.work_get(actor=actor, work_id=params["work_id"])
        return Target(details={"work_id": work.pk}, data=_Upload(work, params.get("images")))

    def extension(self, content: bytes, name: str) -> str:
        return ".xlsx" if name.lower().endswith(".xlsx") else ".json"

    def stage(self, *, actor: Any, target: Target, content: bytes, name: str) -> Staged:
        upload: _Upload = target.data
        work = upload.work
        plan = _bank_plan(
            actor=actor,
            work=work,
            content=content,
            filename=name,
            images=upload.images,
            lock=False,
        )
        counts = plan.counts()
        return Staged(
            preview={
                "work": {"id": work.pk, "label": str(work)},
                "revision": plan.current,
                "columns": plan.per_column,
                "counts": counts,
            },
            counts=counts,
            files={IMAGES: upload.images} if upload.images else {},
        )

    def plan(self, *, actor: Any, batch: ImportBatch) -> _BankPlan:
        stored = batch.preview
        try:
            work = selectors.work_get(actor=actor, work_id=stored["work"]["id"])
        except Work.DoesNotExist as exc:
            raise ImportStaleError(what=WORK_GONE.format(work=stored["work"]["label"])) from exc
        plan = _bank_plan(
            actor=actor,
            work=work,
            content=import_file(batch),
            filename=batch.original_name,
            images=import_file(batch, IMAGES) or None,
            lock=True,
        )
        if plan.per_column != stored["columns"] or plan.counts() != stored["counts"]:
            raise ImportStaleError(what=BANK_CHANGED.format(work=stored["work"]["label"]))
        return plan

    def write(self, *, actor: Any, batch: ImportBatch, plan: _BankPlan) -> Applied:
        result = _bank_write(actor=actor, plan=plan, filename=batch.original_name)
        return Applied(
            message=applied_message(result),
            details={"work_id": plan.work.pk, "revision": result.revision, **plan.counts()},
            result=result,
        )


BANK = BankImport()
