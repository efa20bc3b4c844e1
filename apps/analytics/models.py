"""Pre-aggregated statistics of a work at four levels: Russia, region, municipality, school.

A school's row is computed from its ``ParticipantResult`` rows; every row above is the sum of
its children's rows, so report pages read a handful of aggregate rows and never raw results.
"""

from __future__ import annotations

from django.db import models

from apps.core.scoping import Level, ScopedModel, ScopedQuerySet

MARKS = (2, 3, 4, 5)


class WorkAggregate(ScopedModel):
    """Statistics of one work for one unit (level + unit id; Russia is level 0, unit 0).

    Absent participants count in no statistic (only in ``absent``); «X» counts 0 points.
    ``histogram[i]`` counts participants with primary score i (0..max); ``column_sums[j]`` is
    the sum of column j over participants; ``column_sums_by_mark[m][j]`` the same over the
    participants with mark m («2»..«5»). Journal comparison: ``journal_lower`` (ВПР mark below
    the journal mark), ``journal_equal``, ``journal_higher``, ``journal_missing`` (нет отметки),
    ``journal_gap2`` (differences of two marks or more).
    """

    scope_fields = {
        Level.REGION: "region_id",
        Level.MUNICIPALITY: "municipality_id",
        Level.SCHOOL: "school_id",
    }

    work = models.ForeignKey(
        "campaigns.Work", verbose_name="работа", on_delete=models.CASCADE, related_name="+"
    )
    level = models.PositiveSmallIntegerField("уровень")
    unit_id = models.BigIntegerField("единица")
    region_id = models.BigIntegerField("регион", null=True, blank=True)
    municipality_id = models.BigIntegerField("муниципалитет", null=True, blank=True)
    school_id = models.BigIntegerField("ОО", null=True, blank=True)
    schools = models.PositiveIntegerField("ОО с участниками", default=0)
    participants = models.PositiveIntegerField("участников", default=0)
    absent = models.PositiveIntegerField("отсутствовали", default=0)
    mark2 = models.PositiveIntegerField("«2»", default=0)
    mark3 = models.PositiveIntegerField("«3»", default=0)
    mark4 = models.PositiveIntegerField("«4»", default=0)
    mark5 = models.PositiveIntegerField("«5»", default=0)
    histogram = models.JSONField("распределение первичных баллов", default=list)
    column_sums = models.JSONField("суммы баллов по заданиям", default=list)
    column_sums_by_mark = models.JSONField("суммы по группам отметок", default=dict)
    journal_lower = models.PositiveIntegerField("понизили", default=0)
    journal_equal = models.PositiveIntegerField("подтвердили", default=0)
    journal_higher = models.PositiveIntegerField("повысили", default=0)
    journal_missing = models.PositiveIntegerField("без отметки по журналу", default=0)
    journal_gap2 = models.PositiveIntegerField("расхождение на 2 и более", default=0)
    # The same statistics of the participants with ОВЗ ("ovz") and without ("no_ovz"): each a
    # dict of the fields above (counts, histogram, column sums), summed upwards like them.
    subsets = models.JSONField("по участникам с ОВЗ и без ОВЗ", default=dict)
    computed_at = models.DateTimeField("рассчитано", auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "статистика по работе"
        verbose_name_plural = "статистика по работам"
        constraints = [
            models.UniqueConstraint(
                fields=["work", "level", "unit_id"], name="work_aggregate_unique"
            )
        ]
        indexes = [
            models.Index(fields=["work", "level", "region_id"], name="work_agg_region_idx"),
            models.Index(fields=["work", "level", "municipality_id"], name="work_agg_muni_idx"),
        ]

    def __str__(self) -> str:
        return f"Статистика {self.work_id} ур.{self.level} #{self.unit_id}"

    def mark_count(self, mark: int) -> int:
        return int(getattr(self, f"mark{mark}"))
