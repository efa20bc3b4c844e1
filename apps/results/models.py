"""Results of a school's participants in a work, their upload history and per-school statistics.

* ``ResultSheet`` — one row per school × work: the row every upload locks, the current version,
  and the coordinator's reopening after the deadline.
* ``ResultVersion`` — every accepted upload (who, when, file sha256, the normalised content),
  never changed; the diff between two versions is computed from their snapshots.
* ``ResultReopen`` — a coordinator reopened uploads for a school × work until a day (recorded).
* ``ResultDraft`` — the browser entry saved as a draft (no names: refused like a file).
* ``ParticipantResult`` — the current results: one row per participant code × work. Codes only:
  the portal never receives or stores participants' names.
* ``SchoolWorkStats`` — the small aggregate the analytics stage builds on.

Big tables copy ``region_id``/``municipality_id`` (and ``school_id``) from the school.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.core.models import BaseModel, SchoolIdOwnedModel, SchoolOwnedModel


class Source(models.TextChoices):
    XLSX = "xlsx", "файл в браузере"
    API = "api", "API"
    BROWSER = "browser", "ввод в браузере"
    # the federal organizer's marks of a sampled work (apps.objectivity): official results
    FEDERAL = "federal", "федеральная проверка"


class ResultSheet(BaseModel, SchoolOwnedModel):
    """A school's results for one work: the lock row of uploads and the pointer to the current
    version. Created on the first upload (or reopening)."""

    school = models.ForeignKey(
        "registration.School", verbose_name="ОО", on_delete=models.PROTECT, related_name="+"
    )
    work = models.ForeignKey(
        "campaigns.Work", verbose_name="работа", on_delete=models.PROTECT, related_name="+"
    )
    current_version = models.ForeignKey(
        "ResultVersion",
        verbose_name="текущая версия",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version_count = models.PositiveIntegerField("принято версий", default=0)
    # The reopening in force (a copy of the latest ResultReopen's instant, for a one-row check).
    reopened_until = models.DateTimeField("приём открыт до", null=True, blank=True)
    # Federal checking (apps.objectivity): the work is in the federal sample, so its official
    # results are the federal organizer's marks; once they are published the school's uploads
    # are kept as its own scores beside them, never official.
    federal_since = models.DateTimeField("федеральные баллы официальны с", null=True, blank=True)

    class Meta:
        verbose_name = "результаты ОО по работе"
        verbose_name_plural = "результаты ОО по работам"
        constraints = [
            models.UniqueConstraint(fields=["school", "work"], name="result_sheet_unique")
        ]
        indexes = [models.Index(fields=["work", "municipality_id"], name="result_sheet_muni_idx")]

    def __str__(self) -> str:
        return f"Результаты {self.school_id}/{self.work_id}"


class _AcceptedUpload(SchoolIdOwnedModel):
    """What every accepted upload records (a results version, a context-data version): its
    number within the sheet, who and when, how it came, and the original file in storage."""

    number = models.PositiveIntegerField("номер версии")
    uploaded_at = models.DateTimeField("загружено", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто загрузил",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField("способ", max_length=16, choices=Source.choices)
    original_name = models.CharField("имя файла", max_length=255, blank=True)
    file = models.CharField("файл в хранилище", max_length=500, blank=True)
    file_sha256 = models.CharField("SHA-256 файла", max_length=64, blank=True)

    class Meta:
        abstract = True


class ResultVersion(_AcceptedUpload):
    """One accepted upload of a school × work. ``snapshot`` is the normalised content keyed by
    participant code (what the diff compares); the original file stays in storage."""

    sheet = models.ForeignKey(
        ResultSheet, verbose_name="результаты", on_delete=models.PROTECT, related_name="versions"
    )
    participants = models.PositiveIntegerField("участников (выполняли)")
    absent = models.PositiveIntegerField("отсутствовали")
    snapshot = models.JSONField("содержимое", default=dict)
    # Counts of the diff against the previous version: {"added": n, "changed": n, "removed": n}.
    changes = models.JSONField("изменения к предыдущей версии", default=dict, blank=True)
    late = models.BooleanField("после срока (по переоткрытию)", default=False)
    # Who checked which codes and who observed the upload (docs/school-day.md, «Проверка»): the
    # expert's name per code as given at the upload, and the public observer present.
    checked_by = models.JSONField("кто проверял (эксперт по коду)", default=dict, blank=True)
    observer = models.ForeignKey(
        "schoolday.Person",
        verbose_name="общественный наблюдатель при загрузке",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    observer_name = models.CharField("наблюдатель (ФИО при загрузке)", max_length=150, blank=True)

    class Meta:
        verbose_name = "версия результатов"
        verbose_name_plural = "версии результатов"
        ordering = ["sheet", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "number"], name="result_version_unique")
        ]

    def __str__(self) -> str:
        return f"Версия {self.number} ({self.sheet_id})"


class ResultReopen(SchoolIdOwnedModel):
    """A coordinator reopened uploads of a school × work after the deadline, until ``until_at``."""

    sheet = models.ForeignKey(
        ResultSheet, verbose_name="результаты", on_delete=models.PROTECT, related_name="reopens"
    )
    at = models.DateTimeField("когда", auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="кто", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField("роль", max_length=32)
    until_day = models.DateField("последний день приёма (местное время ОО)")
    until_at = models.DateTimeField("приём открыт до (UTC)")
    reason = models.TextField("причина")

    class Meta:
        verbose_name = "переоткрытие приёма результатов"
        verbose_name_plural = "переоткрытия приёма результатов"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.sheet_id} до {self.until_day}"


class ResultDraft(BaseModel, SchoolOwnedModel):
    """The browser entry saved without submitting: the table's texts, one list per row (code …
    mark). Refused when a cell looks like a name, so no name is ever stored here either."""

    school = models.ForeignKey(
        "registration.School", verbose_name="ОО", on_delete=models.PROTECT, related_name="+"
    )
    work = models.ForeignKey(
        "campaigns.Work", verbose_name="работа", on_delete=models.PROTECT, related_name="+"
    )
    cells = models.JSONField("таблица", default=list)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто сохранил",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "черновик результатов"
        verbose_name_plural = "черновики результатов"
        constraints = [
            models.UniqueConstraint(fields=["school", "work"], name="result_draft_unique")
        ]

    def __str__(self) -> str:
        return f"Черновик {self.school_id}/{self.work_id}"


class ParticipantResult(SchoolIdOwnedModel):
    """The current result of one participant code in one work.

    ``scores`` lists one entry per task column in form order: an integer, or null for «X»
    (not attempted, counts 0). An absent participant has no scores. ``journal_mark`` is the
    previous-term mark, 0 meaning «нет отметки» (null: not given for an absent participant).
    """

    sheet = models.ForeignKey(
        ResultSheet, verbose_name="результаты", on_delete=models.CASCADE, related_name="+"
    )
    version = models.ForeignKey(
        ResultVersion, verbose_name="версия", on_delete=models.PROTECT, related_name="+"
    )
    work = models.ForeignKey(
        "campaigns.Work", verbose_name="работа", on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField("код участника", max_length=5)
    absent = models.BooleanField("отсутствовал", default=False)
    variant = models.PositiveSmallIntegerField("вариант", null=True, blank=True)
    scores = models.JSONField("баллы по заданиям", default=list)
    primary_score = models.PositiveSmallIntegerField("первичный балл", null=True, blank=True)
    mark = models.PositiveSmallIntegerField("отметка по шкале", null=True, blank=True)
    journal_mark = models.PositiveSmallIntegerField(
        "отметка за предыдущий период", null=True, blank=True
    )
    class_number = models.PositiveSmallIntegerField("порядковый номер класса", null=True)
    # Federal checking: the school's own scores of a work whose official scores are federal
    # (null when the school entered none, or the work is not federally checked).
    own_scores = models.JSONField("баллы ОО (своя проверка)", null=True, blank=True)
    own_primary_score = models.PositiveSmallIntegerField(
        "первичный балл ОО (своя проверка)", null=True, blank=True
    )

    class Meta:
        verbose_name = "результат участника"
        verbose_name_plural = "результаты участников"
        ordering = ["sheet", "code"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "code"], name="participant_result_unique"),
            models.CheckConstraint(
                condition=models.Q(absent=True, variant__isnull=True, primary_score__isnull=True)
                | models.Q(absent=False, variant__isnull=False, primary_score__isnull=False),
                name="participant_result_absent_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["work", "region_id"], name="participant_result_region_idx"),
            models.Index(fields=["work", "municipality_id"], name="participant_result_muni_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.work_id})"


class SchoolWorkStats(SchoolOwnedModel):
    """Per-school statistics of one work, recomputed after each accepted upload.

    ``histogram[i]`` counts participants with primary score i (0..max); ``column_sums[j]`` is
    the sum of scores of column j (X counts 0) over participants who wrote the work;
    ``journal`` counts participants by previous-term mark ("5".."2", "0" = нет отметки);
    ``vs_journal`` compares the work's mark with the journal mark (lower/equal/higher).
    """

    school = models.ForeignKey(
        "registration.School", verbose_name="ОО", on_delete=models.PROTECT, related_name="+"
    )
    work = models.ForeignKey(
        "campaigns.Work", verbose_name="работа", on_delete=models.PROTECT, related_name="+"
    )
    version_number = models.PositiveIntegerField("по версии результатов")
    participants = models.PositiveIntegerField("выполняли работу")
    absent = models.PositiveIntegerField("отсутствовали")
    mark2 = models.PositiveIntegerField("«2»")
    mark3 = models.PositiveIntegerField("«3»")
    mark4 = models.PositiveIntegerField("«4»")
    mark5 = models.PositiveIntegerField("«5»")
    histogram = models.JSONField("распределение первичных баллов", default=list)
    column_sums = models.JSONField("суммы баллов по заданиям", default=list)
    journal = models.JSONField("отметки за предыдущий период", default=dict)
    vs_journal = models.JSONField("сравнение с отметками по журналу", default=dict)
    computed_at = models.DateTimeField("рассчитано")

    class Meta:
        verbose_name = "статистика ОО по работе"
        verbose_name_plural = "статистика ОО по работам"
        constraints = [
            models.UniqueConstraint(fields=["school", "work"], name="school_work_stats_unique")
        ]
        indexes = [
            models.Index(fields=["work", "region_id"], name="stats_region_idx"),
            models.Index(fields=["work", "municipality_id"], name="stats_muni_idx"),
        ]

    def __str__(self) -> str:
        return f"Статистика {self.school_id}/{self.work_id}"


class ContextSheet(BaseModel, SchoolOwnedModel):
    """A school's context data for one campaign: the row every context upload locks and the
    pointer to the current upload. Created on the first upload."""

    school = models.ForeignKey(
        "registration.School", verbose_name="ОО", on_delete=models.PROTECT, related_name="+"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name="кампания", on_delete=models.PROTECT, related_name="+"
    )
    current_upload = models.ForeignKey(
        "ContextUpload",
        verbose_name="текущая версия",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version_count = models.PositiveIntegerField("принято версий", default=0)

    class Meta:
        verbose_name = "контекстные данные ОО"
        verbose_name_plural = "контекстные данные ОО"
        constraints = [
            models.UniqueConstraint(fields=["school", "campaign"], name="context_sheet_unique")
        ]

    def __str__(self) -> str:
        return f"Контекстные данные {self.school_id}/{self.campaign_id}"


class ContextUpload(_AcceptedUpload):
    """One accepted context-data upload (never changed): who, when, the file, and the
    normalised content (school part and participants by code) — the previous ones are kept."""

    sheet = models.ForeignKey(
        ContextSheet,
        verbose_name="контекстные данные",
        on_delete=models.PROTECT,
        related_name="uploads",
    )
    school_data = models.JSONField("сведения об ОО", default=dict)
    participants = models.PositiveIntegerField("участников")
    snapshot = models.JSONField("содержимое", default=dict)

    class Meta:
        verbose_name = "версия контекстных данных"
        verbose_name_plural = "версии контекстных данных"
        ordering = ["sheet", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "number"], name="context_upload_unique")
        ]

    def __str__(self) -> str:
        return f"Контекстные данные, версия {self.number} ({self.sheet_id})"


class ParticipantContext(SchoolIdOwnedModel):
    """The current context data of one participant code (codes only, never names)."""

    sheet = models.ForeignKey(
        ContextSheet,
        verbose_name="контекстные данные",
        on_delete=models.CASCADE,
        related_name="+",
    )
    upload = models.ForeignKey(
        ContextUpload, verbose_name="версия", on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField("код участника", max_length=5)
    grade = models.PositiveSmallIntegerField("класс (параллель)")
    gender = models.CharField("пол", max_length=1)
    native_language = models.BooleanField("язык обучения родной")
    ovz = models.BooleanField("ОВЗ")
    textbook_russian = models.CharField("линия УМК по русскому языку", max_length=64)
    textbook_math = models.CharField("линия УМК по математике", max_length=64)

    class Meta:
        verbose_name = "контекстные данные участника"
        verbose_name_plural = "контекстные данные участников"
        ordering = ["sheet", "code"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "code"], name="participant_context_unique")
        ]

    def __str__(self) -> str:
        return self.code
