"""Factories of the classes app: a campaign's grades, a school's classes and their works."""

from __future__ import annotations

from typing import Any

import factory

from apps.campaigns.models import CampaignGrade
from apps.campaigns.tests.factories import CampaignFactory
from apps.classes.models import ClassWork, SchoolClass
from apps.registration.tests.factories import SchoolFactory


class CampaignGradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignGrade
        django_get_or_create = ("campaign", "grade")

    campaign = factory.SubFactory(CampaignFactory)
    grade = 4
    assigned_count = 1


class SchoolClassFactory(factory.django.DjangoModelFactory):
    """4А of a new school by default (its scope columns copied from the school)."""

    class Meta:
        model = SchoolClass

    campaign = factory.SubFactory(CampaignFactory)
    school = factory.SubFactory(SchoolFactory)
    grade = 4
    letter = factory.Sequence(lambda n: "АБВГДЕЖИКЛМН"[n % 12])
    number = factory.Sequence(lambda n: (n % 50) + 1)
    pupils = 25
    pupils_ovz = 0
    municipality_id = factory.LazyAttribute(lambda o: o.school.municipality_id)
    region_id = factory.LazyAttribute(lambda o: o.school.region_id)


class ClassWorkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClassWork

    school_class = factory.SubFactory(SchoolClassFactory)
    work: Any = None  # give the work (apps.campaigns.tests.factories.WorkFactory)
    source = ClassWork.Source.COMPULSORY
    school_id = factory.LazyAttribute(lambda o: o.school_class.school_id)
    municipality_id = factory.LazyAttribute(lambda o: o.school_class.municipality_id)
    region_id = factory.LazyAttribute(lambda o: o.school_class.region_id)
