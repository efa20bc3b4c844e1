"""The school day (docs/school-day.md): rooms, the adults of the day, and the placement of the
classes into rooms for each work day.

Pupils stay codes: a room holds a run of a class's participant codes (``Seat``: the class's
work, the offset of the first code in the class's codes ordered by number, and how many), never
a name. Adults of the day (room organizers, public observers, experts, technical specialists)
are listed by name and contact: the procedure asks for them by name.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.core.models import BaseModel, SchoolIdOwnedModel, SchoolOwnedModel

MAX_SEATS = 60


class Room(BaseModel, SchoolOwnedModel):
    """A room of the school where works are written («кабинет», «аудитория»)."""

    school = models.ForeignKey(
        "registration.School", verbose_name="ОО", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("аудитория", max_length=64, help_text="Например, «Кабинет 12».")
    seats = models.PositiveSmallIntegerField(
        "мест для участников", validators=[MinValueValidator(1), MaxValueValidator(MAX_SEATS)]
    )
    computers = models.PositiveSmallIntegerField(
        "компьютеров для участников",
        default=0,
        validators=[MaxValueValidator(MAX_SEATS)],
        help_text="Для работ в компьютерной форме.",
    )
    is_active = models.BooleanField("используется", default=True)

    class Meta:
        verbose_name = "аудитория"
        verbose_name_plural = "аудитории"
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "name"],
                condition=models.Q(is_active=True),
                name="room_name_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Person(BaseModel, SchoolOwnedModel):
    """An adult of the school day: room organizer, public observer, expert or technical
    specialist (adults only; pupils are never named)."""

    class Duty(models.TextChoices):
        ORGANIZER = "organizer", "организатор в аудитории"
        OBSERVER = "observer", "общественный наблюдатель"
        EXPERT = "expert", "эксперт по проверке"
        TECHNICIAN = "technician", "технический специалист"

    school = models.ForeignKey(
        "registration.School", verbose_name="ОО", on_delete=models.PROTECT, related_name="+"
    )
    duty = models.CharField("роль", max_length=16, choices=Duty.choices)
    full_name = models.CharField("ФИО", max_length=150)
    contact = models.CharField("телефон или почта", max_length=150, blank=True)
    subjects = models.ManyToManyField(
        "campaigns.Subject",
        verbose_name="предметы (эксперт)",
        blank=True,
        related_name="+",
    )
    teaches = models.ManyToManyField(
        "classes.SchoolClass",
        verbose_name="классы, в которых преподаёт",
        blank=True,
        related_name="+",
        help_text="Эксперт не проверяет работы классов, в которых преподаёт.",
    )
    is_active = models.BooleanField("участвует", default=True)
    # An expert's own account (role «эксперт»): it sees and enters only the codes given to it.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="учётная запись",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "участник дня проведения"
        verbose_name_plural = "участники дня проведения"
        ordering = ["school", "duty", "full_name"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_duty_display()})"


class Sitting(BaseModel, SchoolIdOwnedModel):
    """One room on one work day: who organizes it and who observes."""

    work = models.ForeignKey(
        "campaigns.Work", verbose_name="работа", on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField("дата проведения")
    room = models.ForeignKey(
        Room, verbose_name="аудитория", on_delete=models.PROTECT, related_name="sittings"
    )
    organizer = models.ForeignKey(
        Person,
        verbose_name="организатор в аудитории",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    observers = models.ManyToManyField(
        Person, verbose_name="общественные наблюдатели", blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "аудитория в день проведения"
        verbose_name_plural = "аудитории в дни проведения"
        ordering = ["school_id", "date", "work", "room"]
        constraints = [
            models.UniqueConstraint(fields=["room", "work", "date"], name="sitting_unique")
        ]

    def __str__(self) -> str:
        return f"{self.room_id} {self.work_id} {self.date}"


class Seat(BaseModel, SchoolIdOwnedModel):
    """A run of a class's participants placed in a sitting: the codes from ``offset`` (0-based,
    in the class's codes ordered by number) taking ``count`` seats."""

    sitting = models.ForeignKey(
        Sitting, verbose_name="аудитория в день", on_delete=models.CASCADE, related_name="seats"
    )
    class_work = models.ForeignKey(
        "classes.ClassWork",
        verbose_name="работа класса",
        on_delete=models.PROTECT,
        related_name="+",
    )
    offset = models.PositiveSmallIntegerField("с участника (по порядку кодов)", default=0)
    count = models.PositiveSmallIntegerField(
        "участников", validators=[MinValueValidator(1), MaxValueValidator(MAX_SEATS)]
    )

    class Meta:
        verbose_name = "места класса в аудитории"
        verbose_name_plural = "места классов в аудиториях"
        ordering = ["sitting", "class_work", "offset"]
        constraints = [
            models.UniqueConstraint(fields=["sitting", "class_work", "offset"], name="seat_unique")
        ]

    def __str__(self) -> str:
        return f"{self.class_work_id}: {self.offset}+{self.count}"


class Packet(BaseModel, SchoolIdOwnedModel):
    """The delivery packet of one sitting as one printable PDF (cover sheet with the checklist,
    the room's protocol and code sheet, labels of the two return packets), built by a background
    job. ``inputs`` is the digest of what it was built from: a packet whose placement, organizer
    or codes changed since is stale and is built again."""

    class Status(models.TextChoices):
        QUEUED = "queued", "в очереди"
        READY = "ready", "готов"
        FAILED = "failed", "ошибка сборки"

    sitting = models.OneToOneField(
        Sitting, verbose_name="аудитория в день", on_delete=models.CASCADE, related_name="packet"
    )
    status = models.CharField(
        "состояние", max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    inputs = models.CharField("отпечаток исходных данных", max_length=64, blank=True)
    file = models.CharField("файл в хранилище", max_length=255, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveIntegerField("размер, байт", default=0)
    pages = models.PositiveSmallIntegerField("страниц", default=0)
    built_at = models.DateTimeField("собран", null=True, blank=True)
    error = models.TextField("ошибка", blank=True)

    class Meta:
        verbose_name = "доставочный пакет"
        verbose_name_plural = "доставочные пакеты"

    def __str__(self) -> str:
        return f"{self.sitting_id} ({self.status})"


class ExpertAssignment(BaseModel, SchoolIdOwnedModel):
    """One participant code of a work given to an expert to check. An expert never checks a
    class it teaches (``Person.teaches``); an expert's account sees only its own rows."""

    # An expert's personal scope (``Scope.user_id``) narrows to the rows given to it.
    personal_field = "expert__user_id"

    work = models.ForeignKey(
        "campaigns.Work", verbose_name="работа", on_delete=models.PROTECT, related_name="+"
    )
    code = models.ForeignKey(
        "materials.ParticipantCode",
        verbose_name="код участника",
        on_delete=models.CASCADE,
        related_name="+",
    )
    expert = models.ForeignKey(
        Person, verbose_name="эксперт", on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто распределил",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "работа на проверку эксперту"
        verbose_name_plural = "работы на проверку экспертам"
        ordering = ["school_id", "work", "code"]
        constraints = [
            models.UniqueConstraint(fields=["work", "code"], name="expert_assignment_unique")
        ]
        indexes = [models.Index(fields=["school_id", "work"], name="expert_assignment_school")]

    def __str__(self) -> str:
        return f"{self.work_id}/{self.code_id} → {self.expert_id}"


class DayRecord(BaseModel, SchoolIdOwnedModel):
    """The record of one room on one work day: the school confirms that the materials were
    handed out and, after the work, returned in sealed return packets (with the counts of used
    and unused kits). Every confirmation is audited as well."""

    sitting = models.OneToOneField(
        Sitting, verbose_name="аудитория в день", on_delete=models.CASCADE, related_name="record"
    )
    handed_out_at = models.DateTimeField("материалы выданы", null=True, blank=True)
    handed_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто подтвердил выдачу",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    returned_at = models.DateTimeField("материалы возвращены", null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто подтвердил возврат",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sealed = models.BooleanField("возвратные пакеты запечатаны", default=False)
    used_kits = models.PositiveSmallIntegerField("использованных комплектов", null=True, blank=True)
    unused_kits = models.PositiveSmallIntegerField(
        "неиспользованных комплектов", null=True, blank=True
    )
    note = models.TextField("замечания", blank=True)

    class Meta:
        verbose_name = "запись о дне в аудитории"
        verbose_name_plural = "записи о дне в аудиториях"

    def __str__(self) -> str:
        return f"{self.sitting_id}: выдано {self.handed_out_at}, возвращено {self.returned_at}"
