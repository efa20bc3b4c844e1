"""Uploads of filled forms through the import framework (``apps.core.imports``, ADR 0019): the
kind (``apps/applications/imports.py``) validates a file whole (a file with any problem changes
nothing and the refusal is audited); a good file becomes a ``core.ImportBatch`` (kind
``application``) holding the preview, and only an explicit apply by its uploader writes — after
planning it again against the applications as they are now, under row locks.
"""

from __future__ import annotations

from typing import IO

from apps.applications import selectors as sel
from apps.applications.audit import ApplicationsAudit
from apps.applications.constants import IMPORT_KIND
from apps.applications.services.common import (
    FileOut,
    _campaign,
    _require,
    _unit_scope,
)
from apps.core.imports import (
    ImportKind,
    ImportOutcome,
    import_apply,
    import_discard,
    import_kind_of,
    import_upload,
)
from apps.core.models import ImportBatch
from apps.core.services import audit_record
from apps.core.xlsx import table_workbook
from apps.registration.access import A, Actor


def _kind() -> ImportKind:
    """The application file's kind (``apps/applications/imports.py``, registered at start-up)."""
    return import_kind_of(IMPORT_KIND)


def application_import_upload(
    *,
    actor: Actor,
    file: IO[bytes],
    name: str,
    size: int,
    campaign_id: int | None = None,
    school_id: int | None = None,
) -> ImportBatch:
    """Validate an application file (a school's form or a summary) and store its preview.

    Raises UploadError (audited as ``application.upload_rejected``) when anything is wrong;
    then nothing is stored and nothing changes.
    """
    _require(actor, A.IMPORT_APPLICATIONS)
    return import_upload(
        _kind(),
        actor=actor,
        name=name,
        file=file,
        size=size,
        campaign_id=campaign_id,
        school_id=school_id,
    )


def application_import_apply(*, actor: Actor, batch_id: int) -> ImportOutcome:
    """Apply a previewed upload (once, by its uploader), re-planned under row locks.

    If anything differs from the preview (``ImportStaleError``), or a rule now refuses it
    (``ImportInvalidNowError``), nothing is changed.
    """
    _require(actor, A.IMPORT_APPLICATIONS)
    return import_apply(_kind(), actor=actor, batch_id=batch_id)


def application_import_discard(*, actor: Actor, batch_id: int) -> ImportOutcome:
    """Cancel a previewed upload (its uploader only); nothing else changes."""
    _require(actor, A.IMPORT_APPLICATIONS)
    return import_discard(_kind(), actor=actor, batch_id=batch_id)


def application_not_applied_file(
    *,
    actor: Actor,
    unit_kind: str,
    unit_id: int | None,
    campaign_id: int | None = None,
) -> FileOut:
    """The list of active schools that have not applied, as xlsx (audited)."""

    _require(actor, A.MONITOR_APPLICATIONS)
    unit = sel.unit_get(actor=actor, kind=unit_kind, unit_id=unit_id, action=A.MONITOR_APPLICATIONS)
    campaign = _campaign(actor, campaign_id)
    schools = sel.not_applied_list(actor=actor, campaign=campaign, unit=unit)
    content = table_workbook(
        sheet_title="Не подали заявку",
        title=f"ОО, не подавшие заявку на участие в {campaign.label}: {unit.title or 'РФ'}",
        headers=["Регион", "Муниципалитет", "Код ОО", "ОО"],
        rows=(
            [s.region.name, s.municipality.name, s.code, s.short_name] for s in schools.iterator()
        ),
        widths=[28, 32, 12, 50],
    )
    audit_record(
        actor=actor,
        action=ApplicationsAudit.APPLICATION_NOT_APPLIED_EXPORT,
        scope=_unit_scope(unit),
        details={"unit": unit.code or "РФ", "campaign": campaign.year},
    )
    return FileOut(f"Не подали заявку {campaign.label} {unit.code or 'РФ'}.xlsx", content)
