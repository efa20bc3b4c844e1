"""Reads of context data, as an actor sees them: the school and campaign, the form's codes, the
current data, its uploads and what changed between two uploads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apps.campaigns import selectors as campaigns
from apps.campaigns.models import SESSION_SHORT
from apps.materials.models import ParticipantCode
from apps.registration.access import A, Actor
from apps.registration.models import School
from apps.results.context import xlsx as cx
from apps.results.models import ContextSheet, ContextUpload, ParticipantContext

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from apps.campaigns.models import Campaign


def context_school_get(*, actor: Actor, school_id: int, action: str = A.VIEW_RESULTS) -> School:
    return (
        School.objects.for_actor(actor, action)
        .select_related("municipality", "region")
        .get(pk=school_id)
    )


def context_campaign_get(*, actor: Actor, campaign_id: int | None = None) -> Campaign | None:
    """The campaign asked for (``?campaign=``), else the current one."""
    return campaigns.campaign_chosen(actor=actor, campaign_id=campaign_id)


def context_spec_get(
    *, actor: Actor, school: School, campaign: Campaign, action: str = A.UPLOAD_RESULTS
) -> cx.ContextSpec:
    """The form of a school × campaign: the codes issued to the school (code → grade)."""
    codes = (
        ParticipantCode.objects.for_actor(actor, action)
        .filter(school_id=school.pk, campaign_id=campaign.pk)
        .values_list("code", "grade")
    )
    return cx.ContextSpec(
        school_code=school.code,
        campaign_key=f"{campaign.year}-{campaign.session}",
        year=campaign.year,
        codes=dict(codes),
        session=SESSION_SHORT.get(campaign.session, ""),
    )


def context_sheet_get(
    *, actor: Actor, school_id: int, campaign_id: int, action: str = A.VIEW_RESULTS
) -> ContextSheet | None:
    return (
        ContextSheet.objects.for_actor(actor, action)
        .select_related("current_upload__uploaded_by")
        .filter(school_id=school_id, campaign_id=campaign_id)
        .first()
    )


def context_upload_list(*, actor: Actor, sheet: ContextSheet) -> QuerySet[ContextUpload]:
    return (
        ContextUpload.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(sheet=sheet)
        .select_related("uploaded_by")
        .defer("snapshot")
        .order_by("-number")
    )


def context_participant_list(*, actor: Actor, sheet: ContextSheet) -> QuerySet[ParticipantContext]:
    return ParticipantContext.objects.for_actor(actor, A.VIEW_RESULTS).filter(sheet=sheet)


def context_upload_get(*, actor: Actor, upload_id: int) -> ContextUpload:
    """One upload with its school and campaign (``DoesNotExist`` outside the actor's scope)."""
    return (
        ContextUpload.objects.for_actor(actor, A.VIEW_RESULTS)
        .select_related(
            "sheet",
            "sheet__school",
            "sheet__school__municipality",
            "sheet__campaign",
            "uploaded_by",
        )
        .get(pk=upload_id)
    )


def context_upload_diff(
    *, actor: Actor, upload: ContextUpload, against_number: int | None = None
) -> tuple[ContextUpload | None, cx.ContextDiff]:
    """What changed in ``upload`` against the upload numbered ``against_number`` of the same
    school × campaign (default: the one before it; none before: everything is new)."""
    uploads = ContextUpload.objects.for_actor(actor, A.VIEW_RESULTS).filter(
        sheet_id=upload.sheet_id
    )
    if against_number is not None and against_number != upload.number:
        base = uploads.filter(number=against_number).first()
    else:
        base = uploads.filter(number__lt=upload.number).order_by("-number").first()
    return base, cx.context_diff(base.snapshot if base is not None else None, upload.snapshot)
