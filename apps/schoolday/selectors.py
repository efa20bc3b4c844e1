"""Reads shared by the school day's sub-domains: the school, its work days and the instant a day
is over in the school's zone.

A school's *work day* is a (work, date) pair of its active classes' works with a day set
(``ClassWork.date``) in a campaign; each class writes with its participants
(``ClassWork.participants``, else the class's pupils).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from apps.campaigns import schedule
from apps.campaigns import selectors as campaign_selectors
from apps.campaigns.models import Campaign, Work
from apps.classes.models import ClassWork
from apps.classes.selectors import class_works_of_school
from apps.registration.access import Actor
from apps.registration.models import School
from apps.schoolday.actions import SchoolDayActions as A


def school_get(*, actor: Actor, school_id: int, action: str = A.VIEW_SCHOOL_DAY) -> School:
    """A school the actor may see with ``action`` (``School.DoesNotExist`` → 404 otherwise)."""
    school: School = (
        School.objects.for_actor(actor, action)
        .select_related("municipality", "region")
        .get(pk=school_id)
    )
    return school


def work_get(*, actor: Actor, work_id: int, action: str = A.VIEW_SCHOOL_DAY) -> Work:
    """A work (reference data; ``Work.DoesNotExist`` → 404 for an unknown id)."""
    work: Work = (
        Work.objects.for_actor(actor, action).select_related("subject", "campaign").get(pk=work_id)
    )
    return work


def school_zone(school: School) -> str:
    return campaign_selectors.school_zone(school)


def day_over_at(school: School, day: dt.date) -> dt.datetime:
    """The end of ``day`` in the school's zone: from then on the day's placement, organizers and
    observers are the record of what happened and no longer change."""
    return schedule.at_local(day + dt.timedelta(days=1), dt.time(0, 0), school_zone(school))


def day_over(school: School, day: dt.date, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) >= day_over_at(school, day)


def participants_of(class_work: ClassWork) -> int:
    """How many of the class write the work: confirmed in the application, else all its pupils.
    Load ``school_class`` with the class work."""
    return class_work.participants or class_work.school_class.pupils


def work_title(work: Work) -> str:
    return f"{work.subject.name}, {work.grade} класс"


@dataclass(frozen=True)
class WorkDay:
    """One work on one day at a school, with the classes writing it then (by grade, number)."""

    work: Work
    date: dt.date
    class_works: list[ClassWork] = field(default_factory=list)

    @property
    def participants(self) -> int:
        return sum(participants_of(cw) for cw in self.class_works)

    @property
    def title(self) -> str:
        return work_title(self.work)

    @property
    def labels(self) -> str:
        return ", ".join(cw.school_class.label for cw in self.class_works)


def _dated_class_works(
    *, actor: Actor, school: School, campaign_id: int, action: str
) -> QuerySet[ClassWork]:
    return (
        class_works_of_school(
            actor=actor, school_id=school.pk, campaign_id=campaign_id, action=action
        )
        .filter(date__isnull=False)
        .select_related("work__campaign")
    )


def work_days(
    *,
    actor: Actor,
    school_id: int,
    campaign_id: int | None = None,
    action: str = A.VIEW_SCHOOL_DAY,
) -> tuple[School, Campaign | None, list[WorkDay]]:
    """The school's work days in a campaign (``campaign_id``, else the current one), by date and
    work. ``School.DoesNotExist`` for a school out of scope."""
    school = school_get(actor=actor, school_id=school_id, action=action)
    campaign = campaign_selectors.campaign_chosen(actor=actor, campaign_id=campaign_id)
    if campaign is None:
        return school, None, []
    days: dict[tuple[int, dt.date], WorkDay] = {}
    for cw in _dated_class_works(
        actor=actor, school=school, campaign_id=campaign.pk, action=action
    ):
        if cw.date is None:  # filtered out above; keeps the type checker sure
            continue
        key = (cw.work_id, cw.date)
        if key not in days:
            days[key] = WorkDay(cw.work, cw.date)
        days[key].class_works.append(cw)
    ordered = sorted(days.values(), key=lambda d: (d.date, d.work.grade, d.work.subject.name))
    return school, campaign, ordered


def work_day(
    *,
    actor: Actor,
    school: School,
    work: Work,
    date: dt.date,
    action: str = A.VIEW_SCHOOL_DAY,
) -> WorkDay:
    """The classes of ``school`` writing ``work`` on ``date`` (possibly none)."""
    rows = _dated_class_works(
        actor=actor, school=school, campaign_id=work.campaign_id, action=action
    ).filter(work=work, date=date)
    return WorkDay(work, date, list(rows))


def work_dates(
    *, actor: Actor, school: School, work: Work, action: str = A.VIEW_SCHOOL_DAY
) -> list[dt.date]:
    """The days the school's active classes write ``work`` (first to last)."""
    days = (
        _dated_class_works(actor=actor, school=school, campaign_id=work.campaign_id, action=action)
        .filter(work=work)
        .values_list("date", flat=True)
    )
    return sorted({d for d in days if d is not None})
