"""Gated reads of released materials: archive, criteria, sheets, password, variant lookup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from django.core.files.storage import default_storage
from django.utils import timezone

from apps.core import crypto
from apps.core.services import audit_record
from apps.materials import pdf, selectors
from apps.materials.audit import MaterialsAudit
from apps.materials.messages import MaterialsError, MaterialsNotFoundError, NotReleasedError
from apps.materials.models import Kit
from apps.materials.services.archives import _work_info, kit_code_entries
from apps.materials.services.common import _kit_scope, _require
from apps.registration.access import A, Actor


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
        details=details_of(kit) if details_of else None,
    )
    return kit


@dataclass(frozen=True)
class Download:
    name: str
    content_type: str
    open: Any  # a callable returning a binary file object (streamed by FileResponse)
    size: int | None = None


def kit_archive_download(*, actor: Actor, kit_id: int) -> Download:
    """The kit's archive, from its publication instant; audited."""
    kit = _released_kit(
        actor=actor,
        kit_id=kit_id,
        what="archive",
        label="Архив с материалами",
        path_field="archive_path",
        action=MaterialsAudit.MATERIALS_ARCHIVE_DOWNLOAD,
        details_of=lambda kit: {"work_id": kit.work_id, "sha256": kit.archive_sha256},
    )
    ctype = "application/x-7z-compressed" if kit.work.encrypted_archive else "application/zip"
    path = kit.archive_path

    def opener() -> IO[bytes]:
        return default_storage.open(path, "rb")

    return Download(kit.archive_name, ctype, opener, kit.archive_size)


def kit_criteria_download(*, actor: Actor, kit_id: int) -> Download:
    """The kit's criteria, from the period's first day (grade 8: 14:00 Moscow); audited."""
    kit = _released_kit(
        actor=actor,
        kit_id=kit_id,
        what="criteria",
        label="Критерии оценивания",
        path_field="criteria_path",
        action=MaterialsAudit.MATERIALS_CRITERIA_DOWNLOAD,
    )
    work = kit.work
    name = f"Критерии {work.subject.name} {work.grade} класс {kit.school.code}.pdf"
    path = kit.criteria_path
    return Download(name, "application/pdf", lambda: default_storage.open(path, "rb"))


def kit_sheet_download(*, actor: Actor, kit_id: int, sheet: str) -> Download:
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
        action=MaterialsAudit(f"materials.{sheet}_download"),
        target=kit,
        scope=_kit_scope(kit),
    )
    return Download(name, "application/pdf", lambda: io.BytesIO(content), len(content))


def kit_password_reveal(*, actor: Actor, kit_id: int) -> tuple[Kit, str]:
    """The grade-8 archive password, from 07:30 school-local on the school's day; audited
    (the password itself never enters the audit row or any log)."""
    kit, release = selectors.kit_password_view(
        actor=actor, kit_id=kit_id, action=A.VIEW_ARCHIVE_PASSWORD
    )
    if not kit.work.encrypted_archive or not kit.password_token:
        raise MaterialsNotFoundError("not_encrypted")
    if not release.is_open(timezone.now()):
        raise NotReleasedError("Пароль к архиву", release.at, release.place)
    password = crypto.decrypt(kit.password_token).decode()
    audit_record(
        actor=actor,
        action=MaterialsAudit.MATERIALS_PASSWORD_VIEW,
        target=kit,
        scope=_kit_scope(kit),
        details={"work_id": kit.work_id},
    )
    return kit, password


def variant_lookup(*, actor: Actor, uid: str) -> selectors.Lookup | None:
    """Trace a printed variant identifier to its school (federal); every lookup is audited."""
    _require(actor, A.LOOKUP_VARIANT)
    found = selectors.variant_lookup(actor=actor, uid=uid)
    audit_record(
        actor=actor,
        action=MaterialsAudit.MATERIALS_VARIANT_LOOKUP,
        details={"uid": uid[:32], "found": found is not None},
    )
    return found
