"""School-list reconciliation («выверка ОО»): download, upload → preview, apply, discard.

A municipal or regional coordinator downloads the list of its unit's schools, edits it, uploads
it. Upload, apply and discard are the import framework's (``apps.core.imports``, ADR 0019) with
the kind ``SCHOOL_LIST`` (``reconciliation/imports.py``: the file's checks, the re-check under row
locks, the writes). A file with any rejected row is refused whole and changes nothing (no batch
is stored; the refusal is audited); only an explicit apply writes. Each download, upload
(accepted or refused), apply and discard writes exactly one audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.utils import timezone

from apps.core import instants
from apps.core.imports import ImportOutcome, import_apply, import_discard, import_upload
from apps.core.models import ImportBatch
from apps.core.services import audit_record
from apps.registration.access import Actor
from apps.registration.audit import SchoolsAudit
from apps.registration.reconciliation import rules as rc
from apps.registration.reconciliation.imports import (
    SCHOOL_LIST,
    existing,
    own_unit,
    unit_schools,
)


@dataclass(frozen=True)
class TemplateFile:
    filename: str
    content: bytes


# --- download ------------------------------------------------------------------------------------


def school_list_template(*, actor: Actor) -> TemplateFile:
    """The reconciliation file of the actor's unit (every school of it, closed ones too)."""
    unit, scope, _ = own_unit(actor)
    schools = [existing(s) for s in unit_schools(actor=actor, unit=unit)]
    stamp = instants.format_instant(timezone.now(), actor.unit)
    content = rc.build_template(unit=unit, schools=schools, generated_at=stamp)
    audit_record(
        actor=actor,
        action=SchoolsAudit.SCHOOL_LIST_TEMPLATE_DOWNLOAD,
        scope=scope,
        details={"unit": unit.code, "schools": len(schools)},
    )
    return TemplateFile(filename=f"Выверка списка ОО {unit.code}.xlsx", content=content)


# --- upload --------------------------------------------------------------------------------------


def school_list_import_upload(
    *,
    actor: Actor,
    file: IO[bytes],
    name: str,
    size: int,
) -> ImportBatch:
    """Validate a reconciliation file and store it with its preview; nothing else changes.

    Raises ``UploadError`` (audited as ``school_list.upload_rejected``; a file with rejected rows
    as ``RefusedUploadError`` with the preview of every row in its ``context``); then no batch is
    stored.
    """
    return import_upload(SCHOOL_LIST, actor=actor, file=file, name=name, size=size)


# --- apply and discard ---------------------------------------------------------------------------


def school_list_import_apply(*, actor: Actor, batch_id: int) -> ImportOutcome:
    """Apply a previewed reconciliation in one transaction (re-checked under row locks).

    A batch already applied (or discarded, or of another kind) is left alone: the outcome says
    so and nothing is written. Raises ``ImportStaleError`` (409, with the file as it reads today
    in ``details`` and ``context["preview"]``) if the unit changed so that a row would now be
    rejected; then nothing changes and the batch stays in preview.
    """
    return import_apply(SCHOOL_LIST, actor=actor, batch_id=batch_id)


def school_list_import_discard(*, actor: Actor, batch_id: int) -> ImportOutcome:
    """Drop a previewed reconciliation; nothing else changes. Its stored file is deleted."""
    return import_discard(SCHOOL_LIST, actor=actor, batch_id=batch_id)
