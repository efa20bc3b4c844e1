"""Writes of the families app: the slips file handed out (audited), the mark that a class's
families were informed, and its withdrawal on the same day (both audited)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from apps.analytics import selectors as analytics
from apps.core import instants
from apps.core.services import audit_record
from apps.families import pdf, selectors
from apps.families.audit import FamiliesAudit
from apps.families.messages import FamiliesError, FamiliesInvalidError
from apps.families.models import FamiliesInformed
from apps.registration.access import A, Actor
from apps.registration.services import school_unit_scope
from apps.results.models import ParticipantResult, ResultSheet


@dataclass(frozen=True)
class SlipsFile:
    """The PDF to stream and its Russian file name."""

    name: str
    content: bytes
    slips: int


def slips_pdf_download(
    *, actor: Actor, sheet_id: int, class_number: int | None = None
) -> SlipsFile:
    """The slips of a school's accepted results of one work (one class with ``class_number``)
    as one PDF, audited. ResultSheet.DoesNotExist out of scope (404); FamiliesError (409) before
    the results are accepted and processed; FamiliesInvalidError (400) for a class without
    results. The file is built on request and never stored."""
    sheet = selectors.sheet_get(actor=actor, sheet_id=sheet_id)
    doc = selectors.slips_document(actor=actor, sheet=sheet, class_number=class_number)
    label = doc.classes[0].label if class_number is not None and doc.classes else ""
    name = pdf.file_name(doc, label)
    content = pdf.slips_pdf(doc)
    audit_record(
        actor=actor,
        action=FamiliesAudit.SLIPS_DOWNLOAD,
        target=sheet,
        scope=school_unit_scope(sheet.school),
        details={
            "work_id": sheet.work_id,
            "version": sheet.current_version_id,
            "class_number": class_number,
            "slips": doc.slips,
            "percents_released": doc.released,
            "file": name,
        },
    )
    return SlipsFile(name=name, content=content, slips=doc.slips)


@transaction.atomic
def families_informed_mark(
    *, actor: Actor, sheet_id: int, class_number: int | None
) -> FamiliesInformed:
    """Record that the families of a class were informed of its results in the work (once per
    class). The sheet row is locked, so two clicks make one mark. ResultSheet.DoesNotExist out of
    scope (404); FamiliesError (409) before acceptance or when already marked;
    FamiliesInvalidError (400) without a class or for a class not in the accepted results."""
    sheet = (
        ResultSheet.objects.for_actor(actor, A.MARK_INFORMED)
        .select_for_update()
        .select_related("school", "work")
        .get(pk=sheet_id)
    )
    selectors.accepted(sheet)
    if class_number is None:
        raise FamiliesInvalidError("class_missing")
    in_results = (
        ParticipantResult.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(sheet_id=sheet.pk, class_number=class_number, absent=False)
        .exists()
    )
    if not in_results:
        raise FamiliesInvalidError("class_not_in_results", number=class_number)
    existing = (
        FamiliesInformed.objects.for_actor(actor, A.MARK_INFORMED)
        .filter(school_id=sheet.school_id, work_id=sheet.work_id, class_number=class_number)
        .first()
    )
    if existing is not None:
        raise FamiliesError(
            "already_informed",
            label=existing.class_label,
            informed_at=instants.format_instant(existing.informed_at, sheet.school),
        )
    work = sheet.work
    labels = analytics.class_labels(
        school_id=sheet.school_id, campaign_id=work.campaign_id, grade=work.grade
    )
    school = sheet.school
    mark = FamiliesInformed(
        school=school,
        work=work,
        region_id=school.region_id,
        municipality_id=school.municipality_id,
        class_number=class_number,
        class_label=analytics.class_label(class_number, labels),
        informed_at=timezone.now(),
        informed_by=actor.user,
    )
    mark.full_clean()
    mark.save()
    if not FamiliesInformed.objects.for_actor(actor, A.MARK_INFORMED).filter(pk=mark.pk).exists():
        raise FamiliesInformed.DoesNotExist  # never: the sheet was in scope (NetBox's check)
    audit_record(
        actor=actor,
        action=FamiliesAudit.INFORMED_MARK,
        target=mark,
        scope=school_unit_scope(school),
        details={
            "work_id": work.pk,
            "class_number": class_number,
            "class": mark.class_label,
        },
    )
    return mark


@transaction.atomic
def families_informed_undo(*, actor: Actor, informed_id: int) -> None:
    """Withdraw a mark made by mistake, on the school-local day it was made; later it stays
    (the record of the school's work). FamiliesInformed.DoesNotExist out of scope (404);
    FamiliesError (409) after that day. The audit row keeps what was withdrawn."""
    mark = (
        FamiliesInformed.objects.for_actor(actor, A.MARK_INFORMED)
        .select_for_update()
        .select_related("school")
        .get(pk=informed_id)
    )
    school = mark.school
    made_on = instants.local_date(mark.informed_at, school)
    if instants.today_at(school) != made_on:
        raise FamiliesError("undo_too_late", day=f"{made_on:%d.%m.%Y}")
    details = {
        "work_id": mark.work_id,
        "class_number": mark.class_number,
        "class": mark.class_label,
        "informed_at": mark.informed_at.isoformat(),
        "informed_by": mark.informed_by_id,
    }
    pk = mark.pk
    mark.delete()
    mark.pk = pk  # the audit row names the withdrawn mark
    audit_record(
        actor=actor,
        action=FamiliesAudit.INFORMED_UNDO,
        target=mark,
        scope=school_unit_scope(school),
        details=details,
    )
