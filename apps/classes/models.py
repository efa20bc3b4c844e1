"""The class register, the assignment of subjects to classes and each class's works.

No names, ever: a class is its parallel and letter («4А»), its number in the results form and its
counts of pupils (with ОВЗ among them).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.campaigns.models import ReferenceQuerySet
from apps.core.models import BaseModel, SchoolIdOwnedModel, SchoolOwnedModel

MAX_CLASS_NUMBER = 50  # «Порядковый номер класса» of the results form: 1–50
MAX_PUPILS = 60


class SchoolClass(BaseModel, SchoolOwnedModel):
    """One class of a school in a campaign (the school's class register)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name="кампания", on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey(
        "registration.School", verbose_name="ОО", on_delete=models.PROTECT, related_name="+"
    )
    grade = models.PositiveSmallIntegerField(
        "параллель", validators=[MinValueValidator(1), MaxValueValidator(11)]
    )
    letter = models.CharField(
        "литера", max_length=8, help_text="Буква или номер класса в параллели: «А», «Б», «1»."
    )
    number = models.PositiveSmallIntegerField(
        "порядковый номер класса",
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CLASS_NUMBER)],
        help_text="Номер класса в форме сбора результатов (лист «Порядковый номер класса»).",
    )
    pupils = models.PositiveSmallIntegerField(
        "обучающихся", validators=[MinValueValidator(1), MaxValueValidator(MAX_PUPILS)]
    )
    pupils_ovz = models.PositiveSmallIntegerField("из них с ОВЗ", default=0)
    is_active = models.BooleanField(
        "действует",
        default=True,
        help_text="Класс, убранный из реестра после распределения, остаётся в истории.",
    )

    class Meta:
        verbose_name = "класс"
        verbose_name_plural = "классы"
        ordering = ["school", "grade", "number"]
        indexes = [models.Index(fields=["campaign", "grade"], name="class_campaign_grade")]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "school", "grade", "letter"],
                condition=models.Q(is_active=True),
                name="class_letter_unique",
            ),
            models.UniqueConstraint(
                fields=["campaign", "school", "grade", "number"],
                condition=models.Q(is_active=True),
                name="class_number_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(pupils_ovz__lte=models.F("pupils")),
                name="class_ovz_within_pupils",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.grade}{self.letter}"


class AssignmentRun(BaseModel):
    """One national run of the assignment of subjects to classes for a campaign.

    The seed is recorded, so the run can be repeated to the same result; a draft run can be run
    again, a published one is final (classes added later are assigned on the same rules).
    Schools see their classes' assigned works from 00:00 school-local on ``publish_on``.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "черновик"
        PUBLISHED = "published", "опубликовано"

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name="кампания", on_delete=models.PROTECT, related_name="+"
    )
    seed = models.BigIntegerField("зерно распределения")
    status = models.CharField(
        "состояние", max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    publish_on = models.DateField("публикация для ОО")
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто запустил",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField("опубликовано", null=True, blank=True)
    stats = models.JSONField("итоги распределения", default=dict, blank=True)

    # National data: every role holding the action sees the run (its distribution is scoped).
    objects: Any = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "распределение предметов по классам"
        verbose_name_plural = "распределения предметов по классам"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.seed} ({self.status})"


class ClassWork(BaseModel, SchoolIdOwnedModel):
    """A work a class writes: compulsory for its parallel or assigned by the run; its form
    (paper or computer) and its day in the school's timetable (inside the work's period, or the
    approved reserve day of ``reserve``)."""

    class Source(models.TextChoices):
        COMPULSORY = "compulsory", "обязательная"
        ASSIGNED = "assigned", "по распределению"

    class Form(models.TextChoices):
        PAPER = "paper", "бумажная"
        COMPUTER = "computer", "компьютерная"

    school_class = models.ForeignKey(
        SchoolClass, verbose_name="класс", on_delete=models.PROTECT, related_name="works"
    )
    work = models.ForeignKey(
        "campaigns.Work", verbose_name="работа", on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField("основание", max_length=16, choices=Source.choices)
    run = models.ForeignKey(
        AssignmentRun,
        verbose_name="распределение",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="class_works",
    )
    form = models.CharField("форма", max_length=16, choices=Form.choices, default=Form.PAPER)
    participants = models.PositiveSmallIntegerField(
        "участников",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PUPILS)],
        help_text="Сколько обучающихся класса пишут работу, как подтвердила ОО в заявке "
        "(пусто — ещё не подтверждено).",
    )
    date = models.DateField("дата проведения", null=True, blank=True)
    date_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто назначил дату",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reserve = models.ForeignKey(
        "campaigns.ReserveDayRequest",
        verbose_name="резервный день",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="class_works",
        help_text="Запрос резервного дня, в котором участвует класс (на рассмотрении), или "
        "согласованный резервный день, в который класс пишет работу.",
    )

    class Meta:
        verbose_name = "работа класса"
        verbose_name_plural = "работы классов"
        ordering = ["school_class", "work"]
        constraints = [
            models.UniqueConstraint(fields=["school_class", "work"], name="class_work_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school_class_id}: {self.work_id}"
