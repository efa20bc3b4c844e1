"""Factories of campaigns, subjects, works and task columns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from apps.campaigns.models import (
    Campaign,
    CampaignGrade,
    Difficulty,
    Session,
    Subject,
    TaskColumn,
    Work,
)

# The grades of a campaign since 2025 (docs/classes.md): 4–8 and 10.
GRADES_2026 = (4, 5, 6, 7, 8, 10)

# Русский язык, 4 класс, 2026 (the public structure): label, maximum, level.
RUSSIAN_4_2026: list[tuple[str, int, str]] = [
    ("1", 2, "Б"),
    ("2", 1, "Б"),
    ("3", 2, "Б"),
    ("4", 3, "Б"),
    ("5", 2, "Б"),
    ("6", 1, "Б"),
    ("7", 1, "Б"),
    ("8", 2, "Б"),
    ("9.1", 1, "П"),
    ("9.2", 2, "П"),
    ("10.1", 1, "П"),
    ("10.2", 2, "П"),
    ("11", 1, "Б"),
    ("12.1", 2, "Б"),
    ("12.2", 1, "Б"),
]


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ("year", "session")
        skip_postgeneration_save = True  # the grades hook writes its own rows

    year = 2026
    session = Session.SPRING
    name = factory.LazyAttribute(lambda o: f"ВПР {o.year}")
    application_deadline = factory.LazyAttribute(lambda o: dt.date(o.year, 2, 20))
    is_active = True

    @factory.post_generation
    def grades(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        """The campaign's grades (``CampaignGrade`` rows): 4–8 and 10 unless given."""
        if not create:
            return
        for grade in extracted if extracted is not None else GRADES_2026:
            CampaignGrade.objects.get_or_create(campaign=self, grade=grade)


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject
        django_get_or_create = ("code",)

    code = "russian"
    name = "Русский язык"


class WorkFactory(factory.django.DjangoModelFactory):
    """Русский язык 4 класс 2026 by default: 15 columns, maximum 24, scale 10/16/21."""

    class Meta:
        model = Work
        skip_postgeneration_save = True  # the columns hook writes its own rows

    campaign = factory.SubFactory(CampaignFactory)
    subject = factory.SubFactory(SubjectFactory)
    grade = 4
    max_score = 24
    mark3_from = 10
    mark4_from = 16
    mark5_from = 21
    duration_minutes = 45
    encrypted_archive = factory.LazyAttribute(lambda o: o.grade == 8)
    variants_per_school = 2
    period_start = factory.LazyAttribute(lambda o: dt.date(o.campaign.year, 4, 11))
    period_end = factory.LazyAttribute(lambda o: dt.date(o.campaign.year, 5, 16))
    recommended_dates = factory.LazyAttribute(
        lambda o: [dt.date(o.campaign.year, 4, 15).isoformat()]
    )
    materials_publish_date = factory.LazyAttribute(
        lambda o: o.period_start - dt.timedelta(days=3 if o.grade == 8 else 4)
    )
    results_upload_deadline = factory.LazyAttribute(lambda o: dt.date(o.campaign.year, 5, 23))
    results_release_date = factory.LazyAttribute(lambda o: dt.date(o.campaign.year, 6, 6))

    @factory.post_generation
    def columns(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        spec = extracted if extracted is not None else RUSSIAN_4_2026
        TaskColumn.objects.bulk_create(
            TaskColumn(
                work=self,
                position=i,
                label=label,
                max_score=maximum,
                difficulty=Difficulty(level),
                topic=f"Планируемый результат задания {label}",
            )
            for i, (label, maximum, level) in enumerate(spec, start=1)
        )
