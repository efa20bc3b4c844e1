"""Context data of a school and its participants for a campaign: the form download and its
upload (atomic replace, every version kept with who/when). The reads live in
``context.selectors``.

The one write, ``context_upload``, validates everything first (pure, ``context.xlsx``) and only
then replaces the current data of the school × campaign in one transaction holding the
``ContextSheet`` row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from apps.campaigns.models import Campaign
from apps.core.scoping import Level, Scope
from apps.core.services import audit_record
from apps.core.uploads import UploadError, file_error
from apps.registration.access import A, Actor
from apps.registration.models import School
from apps.results.audit import ResultsAudit
from apps.results.context import xlsx as cx
from apps.results.context.selectors import (
    context_campaign_get,
    context_school_get,
    context_spec_get,
)
from apps.results.models import ContextSheet, ContextUpload, ParticipantContext, Source
from apps.results.xlsx import safe_file_name


def _require(actor: Actor, action: str) -> None:
    if not actor.can(action):
        raise PermissionDenied


def _scope(school: School) -> Scope:
    return Scope(
        level=Level.SCHOOL,
        anchor_id=school.pk,
        region_id=school.region_id,
        municipality_id=school.municipality_id,
        school_id=school.pk,
    )


# --- the form -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContextFile:
    name: str
    content: bytes


def _target(
    *, actor: Actor, school_id: int, campaign_id: int | None
) -> tuple[School, Campaign, cx.ContextSpec]:
    _require(actor, A.UPLOAD_RESULTS)
    school = context_school_get(actor=actor, school_id=school_id, action=A.UPLOAD_RESULTS)
    campaign = context_campaign_get(actor=actor, campaign_id=campaign_id)
    if campaign is None:
        raise file_error("Кампания ВПР не найдена: контекстные данные собираются по кампании.")
    return school, campaign, context_spec_get(actor=actor, school=school, campaign=campaign)


def context_form_download(
    *,
    actor: Actor,
    school_id: int,
    campaign_id: int | None = None,
) -> ContextFile:
    """The school's blank context-data form (codes issued for the campaign prefilled)."""
    school, campaign, spec = _target(actor=actor, school_id=school_id, campaign_id=campaign_id)
    content = cx.context_workbook(spec)
    audit_record(
        actor=actor,
        action=ResultsAudit.RESULTS_CONTEXT_FORM_DOWNLOAD,
        target=school,
        scope=_scope(school),
        details={"campaign_id": campaign.pk, "codes": len(spec.codes)},
    )
    return ContextFile(spec.file_name, content)


# --- the upload -----------------------------------------------------------------------------


def _sheet_for(*, actor: Actor, school: School, campaign: Campaign) -> ContextSheet:
    """The lock row of the school × campaign, created on first use (a race is harmless)."""
    lookup = {"school": school, "campaign": campaign}
    sheets = ContextSheet.objects.for_actor(actor, A.UPLOAD_RESULTS)
    found = sheets.filter(**lookup).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ContextSheet.objects.create(
                **lookup, municipality_id=school.municipality_id, region_id=school.region_id
            )
    except IntegrityError:
        return sheets.get(**lookup)


def context_upload(
    *,
    actor: Actor,
    school_id: int,
    content: bytes,
    filename: str = "",
    campaign_id: int | None = None,
    source: str = Source.XLSX,
) -> ContextUpload:
    """Validate a filled form and make it the school's context data; on any error raise
    ``UploadError`` (every error, Russian, row and column) and store nothing."""
    school, campaign, spec = _target(actor=actor, school_id=school_id, campaign_id=campaign_id)
    try:
        data = cx.read_context(content, spec)
    except UploadError as exc:
        audit_record(
            actor=actor,
            action=ResultsAudit.RESULTS_CONTEXT_UPLOAD_REFUSED,
            target=school,
            scope=_scope(school),
            details={"campaign_id": campaign.pk, "errors": len(exc.errors)},
        )
        raise
    sha = hashlib.sha256(content).hexdigest()
    name = safe_file_name(filename, spec.file_name)
    sheet = _sheet_for(actor=actor, school=school, campaign=campaign)
    with transaction.atomic():
        # One upload at a time per school × campaign: the second waits here.
        sheet = (
            ContextSheet.objects.for_actor(actor, A.UPLOAD_RESULTS)
            .select_for_update()
            .get(pk=sheet.pk)
        )
        number = sheet.version_count + 1
        path = default_storage.save(
            f"results/context/{school.pk}/{campaign.pk}/v{number}-{sha[:12]}.xlsx",
            ContentFile(content),
        )
        upload = context_version_store(
            actor=actor,
            sheet=sheet,
            data=data,
            number=number,
            source=source,
            original_name=name[:255],
            file=path,
            file_sha256=sha,
        )
        audit_record(
            actor=actor,
            action=ResultsAudit.RESULTS_CONTEXT_UPLOAD,
            target=upload,
            scope=_scope(school),
            details={
                "campaign_id": campaign.pk,
                "version": number,
                "participants": len(data.participants),
                "sha256": sha,
                "source": source,
            },
        )
    return upload


def context_version_store(
    *,
    actor: Actor,
    sheet: ContextSheet,
    data: cx.ContextData,
    number: int,
    source: str,
    original_name: str = "",
    file: str = "",
    file_sha256: str = "",
) -> ContextUpload:
    """Store validated context data as version ``number`` of the sheet and make it current:
    the upload row with its snapshot, the participants (by code) replaced. The caller holds
    the sheet's row lock (or, in the demo seed, creates the sheet) and writes the audit row."""
    ids = {
        "school_id": sheet.school_id,
        "municipality_id": sheet.municipality_id,
        "region_id": sheet.region_id,
    }
    upload = ContextUpload.objects.create(
        sheet=sheet,
        number=number,
        uploaded_by=getattr(actor, "user", None),
        source=source,
        original_name=original_name,
        file=file,
        file_sha256=file_sha256,
        school_data=data.school,
        participants=len(data.participants),
        snapshot=data.snapshot(),
        **ids,
    )
    ParticipantContext.objects.for_actor(actor, A.UPLOAD_RESULTS).filter(sheet=sheet).delete()
    ParticipantContext.objects.bulk_create(
        ParticipantContext(
            sheet=sheet,
            upload=upload,
            code=p.code,
            grade=p.grade,
            gender=p.gender,
            native_language=p.native_language,
            ovz=p.ovz,
            textbook_russian=p.textbook_russian,
            textbook_math=p.textbook_math,
            **ids,
        )
        for p in data.participants
    )
    sheet.current_upload = upload
    sheet.version_count = number
    sheet.save(update_fields=["current_upload", "version_count", "updated_at"])
    return upload
