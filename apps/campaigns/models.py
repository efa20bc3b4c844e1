"""Campaigns: years, subjects, works (subject × grade) with task columns and scales, the
plan-graph, schools' chosen dates and reserve days.

Scales and task lists change between years: they are data here, never code.
"""

from __future__ import annotations

from typing import Any, Self, TypeVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.core.models import BaseModel, SchoolOwnedModel
from apps.core.scoping import ActorLike

_M = TypeVar("_M", bound=models.Model)


class ReferenceQuerySet(models.QuerySet[_M]):
    """Global reference data (campaigns, subjects, works): the same rows for every role that
    holds the action, nothing for a role that lacks it. Reads still go through ``for_actor`` so
    views, API and exports use the one scoping call everywhere."""

    def for_actor(self, actor: ActorLike, action: str) -> Self:
        return self if actor.can(action) else self.none()


class Session(models.TextChoices):
    """A campaign's session: the main spring one, or an autumn one (as in 2020 and 2022)."""

    SPRING = "spring", "весенний этап"
    AUTUMN = "autumn", "осенний этап"


# The short season word every label of a campaign ends with («ВПР 2026, весна»).
SESSION_SHORT: dict[str, str] = {Session.SPRING: "весна", Session.AUTUMN: "осень"}


class Campaign(BaseModel):
    """One year's ВПР session (e.g. «ВПР 2026»). Global reference data, visible to everyone."""

    year = models.PositiveSmallIntegerField("год")
    session = models.CharField(
        "этап", max_length=8, choices=Session.choices, default=Session.SPRING
    )
    name = models.CharField("наименование", max_length=100)
    application_deadline = models.DateField(
        "последний день подачи заявок",
        help_text="Включительно, по местному времени ОО.",
    )
    is_active = models.BooleanField("текущая", default=False)

    objects: Any = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "кампания ВПР"
        verbose_name_plural = "кампании ВПР"
        # Newest first; within a year "autumn" sorts before "spring", i.e. the later session.
        ordering = ["-year", "session"]
        constraints = [
            models.UniqueConstraint(fields=["year", "session"], name="campaign_unique_per_session")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The one way a campaign is named on pages, files and select options: year and session
        («ВПР 2026, весна» / «ВПР 2026, осень»), so two sessions of one year never look alike
        whatever free-text ``name`` an operator gave them."""
        return f"ВПР {self.year}, {SESSION_SHORT.get(self.session, self.session)}"


class Subject(BaseModel):
    """A school subject («Русский язык»)."""

    code = models.SlugField("код", max_length=40, unique=True)
    name = models.CharField("наименование", max_length=100, unique=True)

    objects: Any = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "учебный предмет"
        verbose_name_plural = "учебные предметы"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Difficulty(models.TextChoices):
    BASIC = "Б", "Базовый"
    ADVANCED = "П", "Повышенный"
    HIGH = "В", "Высокий"


class CampaignGrade(models.Model):
    """A grade that takes part in a campaign (4–8 and 10 since 2025) and how many subjects the
    federal assignment adds to each of its classes besides the compulsory works."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="кампания", on_delete=models.CASCADE, related_name="grades"
    )
    grade = models.PositiveSmallIntegerField(
        "класс (параллель)", validators=[MinValueValidator(1), MaxValueValidator(11)]
    )
    assigned_count = models.PositiveSmallIntegerField(
        "предметов по распределению на класс",
        default=0,
        validators=[MaxValueValidator(10)],
        help_text="Сколько предметов федеральный организатор назначает каждому классу сверх "
        "обязательных работ.",
    )

    objects: Any = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "параллель кампании"
        verbose_name_plural = "параллели кампании"
        ordering = ["campaign", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "grade"], name="campaign_grade_unique")
        ]

    def __str__(self) -> str:
        return f"{self.grade} класс ({self.campaign.label})"


class Participation(models.TextChoices):
    """How a class comes to write a work."""

    COMPULSORY = "compulsory", "обязательная"
    ASSIGNED = "assigned", "по распределению"


class Work(BaseModel):
    """A work of a campaign: one subject in one grade, with its scale and plan-graph."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="кампания", on_delete=models.PROTECT, related_name="works"
    )
    subject = models.ForeignKey(
        Subject, verbose_name="предмет", on_delete=models.PROTECT, related_name="works"
    )
    grade = models.PositiveSmallIntegerField(
        "класс", validators=[MinValueValidator(4), MaxValueValidator(11)]
    )
    max_score = models.PositiveSmallIntegerField("максимальный первичный балл")
    # The mark conversion scale: «2» is 0 .. mark3_from − 1, «5» is mark5_from .. max_score.
    mark3_from = models.PositiveSmallIntegerField("«3» от балла")
    mark4_from = models.PositiveSmallIntegerField("«4» от балла")
    mark5_from = models.PositiveSmallIntegerField("«5» от балла")
    duration_minutes = models.PositiveSmallIntegerField("продолжительность, минут", default=45)
    encrypted_archive = models.BooleanField(
        "архив зашифрован", default=False, help_text="Для 8 класса: пароль в день проведения."
    )
    participation = models.CharField(
        "участие",
        max_length=16,
        choices=Participation.choices,
        default=Participation.COMPULSORY,
        help_text="Обязательная — пишет каждый класс параллели; по распределению — только "
        "классы, которым её назначил федеральный организатор.",
    )
    computer_allowed = models.BooleanField(
        "можно на компьютере",
        default=False,
        help_text="ОО может провести работу в компьютерной форме вместо бумажной.",
    )
    variants_per_school = models.PositiveSmallIntegerField(
        "вариантов на ОО", default=2, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    # The plan-graph (dates are local to each school's zone unless stated otherwise).
    period_start = models.DateField("первый день периода")
    period_end = models.DateField("последний день периода")
    recommended_dates = models.JSONField("рекомендуемые даты", default=list, blank=True)
    materials_publish_date = models.DateField("публикация материалов")
    checking_until = models.DateField(
        "последний день проверки работ",
        null=True,
        blank=True,
        help_text="Окно проверки: со дня проведения в классе по этот день включительно (местное "
        "время ОО). Пусто — до последнего дня загрузки результатов.",
    )
    results_upload_deadline = models.DateField("последний день загрузки результатов")
    results_release_date = models.DateField("публикация результатов")

    objects: Any = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "работа"
        verbose_name_plural = "работы"
        ordering = ["campaign", "grade", "subject__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "subject", "grade"], name="work_unique_per_campaign"
            ),
            models.CheckConstraint(
                condition=models.Q(mark3_from__gt=0)
                & models.Q(mark4_from__gt=models.F("mark3_from"))
                & models.Q(mark5_from__gt=models.F("mark4_from"))
                & models.Q(max_score__gte=models.F("mark5_from")),
                name="work_scale_increasing",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="work_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.grade} класс ({self.campaign.label})"

    def mark_for(self, primary_score: int) -> int:
        """The mark «2»–«5» of a primary score, by this work's scale."""
        if primary_score >= self.mark5_from:
            return 5
        if primary_score >= self.mark4_from:
            return 4
        if primary_score >= self.mark3_from:
            return 3
        return 2


class TaskColumn(models.Model):
    """One column of the results form («1», «9.1», «4К1»): its maximum, level and topic."""

    work = models.ForeignKey(
        Work, verbose_name="работа", on_delete=models.CASCADE, related_name="columns"
    )
    position = models.PositiveSmallIntegerField("порядок")
    label = models.CharField("номер задания", max_length=16)
    max_score = models.PositiveSmallIntegerField("максимальный балл")
    difficulty = models.CharField(
        "уровень", max_length=1, choices=Difficulty.choices, default=Difficulty.BASIC
    )
    topic = models.TextField("планируемый результат", blank=True)

    class Meta:
        verbose_name = "задание (столбец формы)"
        verbose_name_plural = "задания (столбцы формы)"
        ordering = ["work", "position"]
        constraints = [
            models.UniqueConstraint(fields=["work", "label"], name="column_label_unique"),
            models.UniqueConstraint(fields=["work", "position"], name="column_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.max_score}б)"


class _SchoolOwned(BaseModel, SchoolOwnedModel):
    """A row that belongs to one school (a foreign key; the scope columns are copied from it)."""

    school = models.ForeignKey(
        "registration.School", verbose_name="ОО", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class SchoolWorkDate(_SchoolOwned):
    """The day a school holds a work: inside the period, or an approved reserve day."""

    work = models.ForeignKey(
        Work, verbose_name="работа", on_delete=models.PROTECT, related_name="school_dates"
    )
    date = models.DateField("дата проведения")
    reserve = models.ForeignKey(
        "ReserveDayRequest",
        verbose_name="резервный день",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто выбрал",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "дата проведения в ОО"
        verbose_name_plural = "даты проведения в ОО"
        constraints = [
            models.UniqueConstraint(fields=["school", "work"], name="school_work_date_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.work_id} {self.date}"


class ReserveDayRequest(_SchoolOwned):
    """A school's request to hold a work outside the period; the regional coordinator decides."""

    class Status(models.TextChoices):
        PENDING = "pending", "на рассмотрении"
        APPROVED = "approved", "согласовано"
        REJECTED = "rejected", "отклонено"

    work = models.ForeignKey(
        Work, verbose_name="работа", on_delete=models.PROTECT, related_name="reserve_requests"
    )
    requested_date = models.DateField("запрошенная дата")
    reason = models.TextField("причина")
    status = models.CharField(
        "решение", max_length=16, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто запросил",
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто решил",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("когда решено", null=True, blank=True)
    comment = models.TextField("комментарий координатора", blank=True)
    classes = models.CharField(
        "классы",
        max_length=500,
        blank=True,
        help_text="Классы, для которых запрошен день («4А, 4Б»); пусто — запрос всей ОО.",
    )

    class Meta:
        verbose_name = "запрос резервного дня"
        verbose_name_plural = "запросы резервных дней"
        ordering = ["-created_at"]
        constraints = [
            # One open request per school and work: a second one waits for the decision.
            models.UniqueConstraint(
                fields=["school", "work"],
                condition=models.Q(status="pending"),
                name="reserve_day_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.work_id} {self.requested_date} ({self.status})"
