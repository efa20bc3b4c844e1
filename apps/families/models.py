"""Results for families (docs/families.md): the record that a class's families were informed.

The slips themselves are not stored: they are printed from the school's accepted results (read
through the analytics selectors) whenever the school asks. Pupils stay codes here too: no model
of this app has a field for a name or any free text, so none can be received or stored
(``tests/test_models.py`` checks every field).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.core.models import BaseModel, SchoolOwnedModel
from apps.results.constants import CLASS_MAX, CLASS_MIN


class FamiliesInformed(BaseModel, SchoolOwnedModel):
    """A school recorded that the families of one class were told its results in one work.

    The class is the results' «Порядковый номер класса» (participants without one cannot be
    marked); ``class_label`` keeps the register's «4А» as it was when marked. One row per
    school × work × class; withdrawn (deleted, audited) only on the school-local day it was made.
    """

    school = models.ForeignKey(
        "registration.School", verbose_name="ОО", on_delete=models.PROTECT, related_name="+"
    )
    work = models.ForeignKey(
        "campaigns.Work", verbose_name="работа", on_delete=models.PROTECT, related_name="+"
    )
    class_number = models.PositiveSmallIntegerField(
        "порядковый номер класса",
        validators=[MinValueValidator(CLASS_MIN), MaxValueValidator(CLASS_MAX)],
    )
    class_label = models.CharField("класс", max_length=16)
    informed_at = models.DateTimeField("родители проинформированы (отмечено)")
    informed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто отметил",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "информирование родителей класса"
        verbose_name_plural = "информирование родителей классов"
        ordering = ["school", "work", "class_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "work", "class_number"], name="families_informed_unique"
            )
        ]
        indexes = [
            models.Index(fields=["work", "region_id"], name="families_inf_region_idx"),
            models.Index(fields=["work", "municipality_id"], name="families_inf_muni_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.class_label}: {self.school_id}/{self.work_id}"
