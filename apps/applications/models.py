"""Applications (заявки): per school and campaign, a line per work, and the approval chain
school → municipality → region recorded as decision rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.core.models import BaseModel, SchoolOwnedModel


class Status(models.TextChoices):
    DRAFT = "draft", "черновик"
    SUBMITTED = "submitted", "подана ОО"
    CONFIRMED_MUNICIPALITY = "confirmed_municipality", "подтверждена муниципалитетом"
    CONFIRMED_REGION = "confirmed_region", "подтверждена регионом"


class Source(models.TextChoices):
    BROWSER = "browser", "в браузере"
    XLSX = "xlsx", "файл xlsx"
    API = "api", "API"


class Application(BaseModel, SchoolOwnedModel):
    """A school's application for one campaign. Confirmation locks it for the levels below."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name="кампания",
        on_delete=models.PROTECT,
        related_name="applications",
    )
    school = models.ForeignKey(
        "registration.School", verbose_name="ОО", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "состояние", max_length=32, choices=Status.choices, default=Status.DRAFT, db_index=True
    )

    class Meta:
        verbose_name = "заявка"
        verbose_name_plural = "заявки"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "school"], name="application_unique_per_school"
            )
        ]
        # Monitoring counts applications per region / municipality and status.
        indexes = [
            models.Index(fields=["campaign", "region_id", "status"], name="application_region_idx"),
            models.Index(
                fields=["campaign", "municipality_id", "status"], name="application_muni_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Заявка {self.school_id} ({self.get_status_display()})"


class ApplicationLine(models.Model):
    """One grade × subject (a work) of an application."""

    application = models.ForeignKey(
        Application, verbose_name="заявка", on_delete=models.CASCADE, related_name="lines"
    )
    work = models.ForeignKey(
        "campaigns.Work", verbose_name="работа", on_delete=models.PROTECT, related_name="+"
    )
    takes_part = models.BooleanField("участвует", default=False)
    participants = models.PositiveIntegerField("участников", default=0)
    classes = models.PositiveSmallIntegerField("классов", default=0)

    class Meta:
        verbose_name = "строка заявки"
        verbose_name_plural = "строки заявки"
        constraints = [
            models.UniqueConstraint(fields=["application", "work"], name="line_unique_per_work"),
            # The last line of defence behind apps.applications.rules.check_line.
            models.CheckConstraint(
                condition=(
                    models.Q(takes_part=False, participants=0, classes=0)
                    | models.Q(
                        takes_part=True,
                        participants__gte=1,
                        classes__gte=1,
                        classes__lte=models.F("participants"),
                    )
                ),
                name="line_counts_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}/{self.work_id}"


class ApplicationDecision(models.Model):
    """One transition of an application: who, when, from what to what, through what."""

    application = models.ForeignKey(
        Application, verbose_name="заявка", on_delete=models.CASCADE, related_name="decisions"
    )
    at = models.DateTimeField("когда", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="кто", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField("роль", max_length=32)
    from_status = models.CharField("было", max_length=32, choices=Status.choices)
    to_status = models.CharField("стало", max_length=32, choices=Status.choices)
    source = models.CharField("способ", max_length=16, choices=Source.choices)
    comment = models.TextField("комментарий", blank=True)

    class Meta:
        verbose_name = "переход заявки"
        verbose_name_plural = "история заявки"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status} → {self.to_status}"


class ApplicationLineChange(models.Model):
    """One save of an application's lines (form, file or API): who changed which works and how.

    ``changes`` holds ``{"work": label, "old": [takes_part, participants, classes], "new": [...]}``
    per changed work, so the history shows «участников 48 → 46» for what a coordinator edited.
    """

    application = models.ForeignKey(
        Application, verbose_name="заявка", on_delete=models.CASCADE, related_name="line_changes"
    )
    at = models.DateTimeField("когда", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField("роль", max_length=32, blank=True)
    source = models.CharField("способ", max_length=16, choices=Source.choices)
    changes = models.JSONField("изменения", default=list)

    class Meta:
        verbose_name = "изменение строк заявки"
        verbose_name_plural = "изменения строк заявки"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id}: {len(self.changes)} строк"
