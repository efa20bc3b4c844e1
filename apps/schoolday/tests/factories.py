"""Factories of the school day app: rooms, the adults of the day, sittings and seats.

Each row copies its scope columns from its school (as the services do). Adults get synthetic
labels for names («Организатор 1»): no real person's name in the tests.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import factory
from django.utils import timezone

from apps.campaigns.tests.factories import SubjectFactory, WorkFactory
from apps.classes.tests.factories import ClassWorkFactory
from apps.registration.tests.factories import SchoolFactory
from apps.schoolday.models import Person, Room, Seat, Sitting


class RoomFactory(factory.django.DjangoModelFactory):
    """A room of a new school with 15 seats and no computers."""

    class Meta:
        model = Room

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Кабинет {n + 1}")
    seats = 15
    computers = 0
    municipality_id = factory.LazyAttribute(lambda o: o.school.municipality_id)
    region_id = factory.LazyAttribute(lambda o: o.school.region_id)


class PersonFactory(factory.django.DjangoModelFactory):
    """A room organizer of a new school by default (``duty=Person.Duty.EXPERT`` etc.)."""

    class Meta:
        model = Person
        skip_postgeneration_save = True  # the M2M hooks write their own rows

    school = factory.SubFactory(SchoolFactory)
    duty = Person.Duty.ORGANIZER
    full_name = factory.Sequence(lambda n: f"Взрослый участник {n + 1}")
    contact = factory.Sequence(lambda n: f"+7 900 000-{n % 100:02d}-{n % 97:02d}")
    municipality_id = factory.LazyAttribute(lambda o: o.school.municipality_id)
    region_id = factory.LazyAttribute(lambda o: o.school.region_id)

    @factory.post_generation
    def subjects(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        """Subjects of an expert: ``PersonFactory(subjects=[subject])``."""
        if create and extracted:
            self.subjects.set(extracted)

    @factory.post_generation
    def teaches(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        """Classes the person teaches: ``PersonFactory(teaches=[school_class])``."""
        if create and extracted:
            self.teaches.set(extracted)


_CLASSES = itertools.count(1)


def _today_plus_week() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=7)


class SittingFactory(factory.django.DjangoModelFactory):
    """A room on a work day a week from today (a work of a new subject unless given)."""

    class Meta:
        model = Sitting
        skip_postgeneration_save = True

    room = factory.SubFactory(RoomFactory)
    # a work of its own subject, so several sittings never clash on (campaign, subject, grade)
    work = factory.SubFactory(
        WorkFactory,
        subject=factory.SubFactory(
            SubjectFactory,
            code=factory.Sequence(lambda n: f"sd-subject-{n}"),
            name=factory.Sequence(lambda n: f"Предмет дня проведения {n}"),
        ),
    )
    date = factory.LazyFunction(_today_plus_week)
    organizer = None
    school_id = factory.LazyAttribute(lambda o: o.room.school_id)
    municipality_id = factory.LazyAttribute(lambda o: o.room.municipality_id)
    region_id = factory.LazyAttribute(lambda o: o.room.region_id)

    @factory.post_generation
    def observers(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.observers.set(extracted)


class SeatFactory(factory.django.DjangoModelFactory):
    """A run of a class's participants in a sitting; the class work is of the sitting's work and
    school unless given (``count`` defaults to 10 from offset 0)."""

    class Meta:
        model = Seat

    sitting = factory.SubFactory(SittingFactory)
    class_work = factory.LazyAttribute(
        lambda o: ClassWorkFactory(
            work=o.sitting.work,
            date=o.sitting.date,
            school_class__school=o.sitting.room.school,
            school_class__campaign=o.sitting.work.campaign,
            school_class__grade=o.sitting.work.grade,
            # a letter and number of its own, clear of the classes a test makes by hand
            school_class__letter=f"С{next(_CLASSES)}",
            school_class__number=50 - next(_CLASSES) % 20,
        )
    )
    offset = 0
    count = 10
    school_id = factory.LazyAttribute(lambda o: o.sitting.school_id)
    municipality_id = factory.LazyAttribute(lambda o: o.sitting.municipality_id)
    region_id = factory.LazyAttribute(lambda o: o.sitting.region_id)
