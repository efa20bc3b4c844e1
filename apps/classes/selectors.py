"""Reads shared by the classes sub-domains: a school's classes and the works they see."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from apps.campaigns.selectors import school_zone
from apps.classes.actions import ClassActions as A
from apps.classes.models import AssignmentRun, ClassWork, SchoolClass
from apps.registration.access import Actor
from apps.registration.models import School


def school_get(*, actor: Actor, school_id: int, action: str = A.VIEW_CLASSES) -> School:
    """A school the actor may see (DoesNotExist → 404 otherwise)."""
    return School.objects.for_actor(actor, action).get(pk=school_id)


def school_today(school: School, now: dt.datetime | None = None) -> dt.date:
    """Today in the school's own zone (Moscow for a school whose zone is not set)."""
    return (now or timezone.now()).astimezone(ZoneInfo(school_zone(school))).date()


def published_run(*, campaign_id: int) -> AssignmentRun | None:
    """The campaign's published assignment run, if any (national data: no scoping needed)."""
    return (
        AssignmentRun.objects.filter(  # unscoped: one national row per campaign, no tenant data
            campaign_id=campaign_id, status=AssignmentRun.Status.PUBLISHED
        )
        .order_by("-published_at")
        .first()
    )


def assignment_visible(
    *, actor: Actor, school: School, campaign_id: int, now: dt.datetime | None = None
) -> bool:
    """Whether the actor may see the assigned works of ``school``'s classes: the federal side
    always (drafts included, through its own pages), coordinators once the run is published, the
    school from 00:00 school-local on the run's ``publish_on``."""
    if actor.is_federal:
        return True
    run = published_run(campaign_id=campaign_id)
    if run is None:
        return False
    if actor.scope.school_id is None:
        return True
    return school_today(school, now) >= run.publish_on


def classes_of_school(
    *, actor: Actor, school_id: int, campaign_id: int, action: str = A.VIEW_CLASSES
) -> QuerySet[SchoolClass]:
    """The active classes of a school in a campaign, by grade and number."""
    school = school_get(actor=actor, school_id=school_id, action=action)
    return (
        SchoolClass.objects.for_actor(actor, action)
        .filter(school=school, campaign_id=campaign_id, is_active=True)
        .order_by("grade", "number")
    )


def class_works_of_school(
    *,
    actor: Actor,
    school_id: int,
    campaign_id: int,
    action: str = A.VIEW_CLASSES,
    now: dt.datetime | None = None,
) -> QuerySet[ClassWork]:
    """The works of a school's active classes the actor may see (assigned ones only once
    ``assignment_visible``), with class, work and subject loaded."""
    school = school_get(actor=actor, school_id=school_id, action=action)
    works = (
        ClassWork.objects.for_actor(actor, action)
        .filter(
            school_id=school.pk,
            school_class__campaign_id=campaign_id,
            school_class__is_active=True,
        )
        .select_related("school_class", "work", "work__subject")
        .order_by("school_class__grade", "school_class__number", "work__subject__name")
    )
    if not assignment_visible(actor=actor, school=school, campaign_id=campaign_id, now=now):
        works = works.exclude(source=ClassWork.Source.ASSIGNED)
    return works
