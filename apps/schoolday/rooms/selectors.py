"""Reads of a school's rooms and adults of the day (active ones; removed ones stay in history)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from apps.campaigns import selectors as campaign_selectors
from apps.campaigns.models import Subject
from apps.classes.models import SchoolClass
from apps.registration.access import Actor
from apps.registration.models import School
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.models import Person, Room, Sitting
from apps.schoolday.placement.rules import natural_key
from apps.schoolday.selectors import school_get


def room_list(*, actor: Actor, school_id: int, action: str = A.VIEW_SCHOOL_DAY) -> list[Room]:
    """The school's active rooms in natural order («Кабинет 2» before «Кабинет 10»)."""
    school = school_get(actor=actor, school_id=school_id, action=action)
    rooms = Room.objects.for_actor(actor, action).filter(school=school, is_active=True)
    return sorted(rooms, key=lambda r: (natural_key(r.name), r.pk))


def room_get(*, actor: Actor, room_id: int, action: str = A.VIEW_SCHOOL_DAY) -> Room:
    """An active room the actor may see (``Room.DoesNotExist`` → 404 otherwise)."""
    room: Room = Room.objects.for_actor(actor, action).get(pk=room_id, is_active=True)
    return room


def person_list(
    *, actor: Actor, school_id: int, duty: str | None = None, action: str = A.VIEW_SCHOOL_DAY
) -> QuerySet[Person]:
    """The school's active adults of the day (by duty, then name), with their subjects and the
    classes they teach."""
    school = school_get(actor=actor, school_id=school_id, action=action)
    people = (
        Person.objects.for_actor(actor, action)
        .filter(school=school, is_active=True)
        .prefetch_related("subjects", "teaches")
        .order_by("duty", "full_name", "pk")
    )
    return people.filter(duty=duty) if duty else people


def person_get(*, actor: Actor, person_id: int, action: str = A.VIEW_SCHOOL_DAY) -> Person:
    """An active adult of the day the actor may see (``Person.DoesNotExist`` → 404 otherwise)."""
    person: Person = (
        Person.objects.for_actor(actor, action)
        .prefetch_related("subjects", "teaches")
        .get(pk=person_id, is_active=True)
    )
    return person


def subject_choices(*, actor: Actor, action: str = A.VIEW_SCHOOL_DAY) -> QuerySet[Subject]:
    """The subjects an expert may check (reference data)."""
    return Subject.objects.for_actor(actor, action).order_by("name")


def class_choices(
    *, actor: Actor, school: School, action: str = A.VIEW_SCHOOL_DAY
) -> QuerySet[SchoolClass]:
    """The school's active classes of the current campaign (what an expert may teach)."""
    campaign = campaign_selectors.campaign_current(actor=actor)
    return (
        SchoolClass.objects.for_actor(actor, action)
        .filter(school=school, campaign=campaign, is_active=True)
        .order_by("grade", "number")
    )


def upcoming_sittings(
    *, actor: Actor, school: School, today: dt.date, action: str = A.VIEW_SCHOOL_DAY
) -> QuerySet[Sitting]:
    """The school's sittings on days not over yet (``today`` school-local)."""
    return (
        Sitting.objects.for_actor(actor, action)
        .filter(school_id=school.pk, date__gte=today)
        .select_related("room", "work__subject")
        .order_by("date", "pk")
    )
