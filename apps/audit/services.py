"""The audit log's export: a streamed xlsx of what the actor may see, itself audited once."""

from __future__ import annotations

import tempfile
from typing import IO

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from apps.audit.audit import AuditLogAudit
from apps.audit.selectors import AuditFilter, audit_export_rows, export_headers
from apps.core import instants
from apps.core.services import audit_record
from apps.core.xlsx_stream import stream_table_xlsx
from apps.registration.access import A, Actor

EXPORT_WIDTHS = (20, 18, 26, 40, 28, 16, 30, 16, 40, 60)


def audit_export(*, actor: Actor, filters: AuditFilter) -> tuple[str, IO[bytes]]:
    """The xlsx of the audit events the actor sees under ``filters`` (a temporary file to stream).

    Written row by row to a temporary file, so a long log does not sit in memory. The export's
    own audit record is written after the rows were read: it is not part of the file.
    """
    if not actor.can(A.VIEW_AUDIT):
        raise PermissionDenied
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    now = timezone.now()
    stamp = instants.local(now, actor.unit)
    count = stream_table_xlsx(
        handle,
        sheet_title="Журнал действий",
        title=f"Журнал действий: {actor.unit or 'Российская Федерация'}, "
        f"выгружен {instants.format_instant(now, actor.unit)}",
        headers=export_headers(actor),
        rows=audit_export_rows(actor=actor, filters=filters),
        widths=EXPORT_WIDTHS,
    )
    handle.seek(0)
    audit_record(
        actor=actor,
        action=AuditLogAudit.AUDIT_EXPORT,
        details={**filters.as_details(), "rows": count},
    )
    return f"Журнал действий {stamp:%Y-%m-%d %H%M}.xlsx", handle
