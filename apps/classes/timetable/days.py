"""A school's class days per work: the first and the last day its active classes write it.

The release rules follow them (``campaigns.schedule``, ``first`` as the chosen day and ``last``
as ``last=``): the archive and the 07:30 password go by the first class day, the grade-8
criteria, the upload window and a late day's moves by the last. The school's own day
(``campaigns.SchoolWorkDate``) is kept equal to the first class day by the timetable services
(``campaigns.services.school_date_sync``); the last day is read here, never stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max, Min

from apps.classes.models import ClassWork
from apps.registration.access import Actor


@dataclass(frozen=True)
class ClassDays:
    first: dt.date
    last: dt.date


def class_days(
    *, actor: Actor, action: str, school_id: int, work_ids: Iterable[int]
) -> dict[int, ClassDays]:
    """work id → the first and last day the school's active classes write it (works with no
    class day set are missing). One query."""
    rows = (
        ClassWork.objects.for_actor(actor, action)
        .filter(
            school_id=school_id,
            work_id__in=list(work_ids),
            school_class__is_active=True,
            date__isnull=False,
        )
        .order_by()
        .values("work_id")
        .annotate(first=Min("date"), last=Max("date"))
        .values_list("work_id", "first", "last")
    )
    return {work_id: ClassDays(first, last) for work_id, first, last in rows}
