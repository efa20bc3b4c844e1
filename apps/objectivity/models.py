"""Objectivity control: scans of the paper works, marking on screen, the federal sample and
regional re-checks (docs/objectivity-control.md, ADR 0023).

* ``ScanBatch`` — one upload of scans (a multi-page PDF or images) for a school × work; a
  background job rasterizes it and reads each page's printed mark.
* ``ScanPage`` — one page of an upload: its normalised image in storage and what was read.
* ``Booklet`` — one participant's work as scanned: the pages of one printed copy of a variant,
  grouped in upload order; its participant code is typed by a person from the code box.
* ``Review`` — a checking of works by somebody other than the school's own protocol: the federal
  organizer (a sampled work), a regional or municipal commission (a re-check), or the school's
  own experts on screen. Its settings: the share marked twice and the discrepancy threshold.
* ``ReviewCase`` — one school in a review (for a re-check, the «дело»): status, outcome.
* ``CaseComment`` — a comment on a case.
* ``ReviewMarker`` — a marker of a review (a commission member or a school expert).
* ``MarkTask`` — one task of one booklet to be marked by one marker in one round (1, 2 or the
  third marker's 3). Personal: a marker sees only its own rows (``personal_field``).
* ``FederalSample`` — the federal operator's draw of schools and works, with its seed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.core.models import BaseModel, SchoolIdOwnedModel, SchoolOwnedModel, UnitScopedModel
from apps.core.scoping import Level, ScopedModel, ScopedQuerySet


class ScanBatch(BaseModel, SchoolOwnedModel):
    """One upload of scans of a school × work. The original file stays in storage."""

    class Status(models.TextChoices):
        QUEUED = "queued", "в очереди"
        PROCESSING = "processing", "обрабатывается"
        DONE = "done", "обработана"
        FAILED = "failed", "ошибка обработки"

    school = models.ForeignKey(
        "registration.School", verbose_name="ОО", on_delete=models.PROTECT, related_name="+"
    )
    work = models.ForeignKey(
        "campaigns.Work", verbose_name="работа", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто загрузил",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField("роль загрузившего", max_length=32, blank=True)
    file_path = models.CharField("файл в хранилище", max_length=500)
    file_name = models.CharField("имя файла", max_length=255)
    file_size = models.PositiveBigIntegerField("размер файла", default=0)
    file_sha256 = models.CharField("SHA-256 файла", max_length=64)
    status = models.CharField(
        "состояние", max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    pages = models.PositiveIntegerField("страниц в файле", default=0)
    identified = models.PositiveIntegerField("страниц опознано", default=0)
    blank = models.PositiveIntegerField("пустых страниц", default=0)
    foreign = models.PositiveIntegerField("чужих страниц", default=0)
    unreadable = models.PositiveIntegerField("нераспознанных страниц", default=0)
    # What the job found, for the school and the coordinator: missing pages per booklet,
    # duplicates, pages of another kit… (a list of {"kind", "page", "detail"}).
    report = models.JSONField("отчёт обработки", default=list, blank=True)
    error = models.TextField("ошибка", blank=True)
    processed_at = models.DateTimeField("обработана", null=True, blank=True)

    class Meta:
        verbose_name = "загрузка сканов"
        verbose_name_plural = "загрузки сканов"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Сканы {self.school_id}/{self.work_id} №{self.pk}"


class Booklet(BaseModel, SchoolIdOwnedModel):
    """One participant's work as scanned. ``code`` is empty until a person reads it."""

    class Status(models.TextChoices):
        NEEDS_CODE = "needs_code", "нужен код участника"
        READY = "ready", "готова к проверке"
        SUPERSEDED = "superseded", "заменена новой загрузкой"

    batch = models.ForeignKey(
        ScanBatch, verbose_name="загрузка", on_delete=models.CASCADE, related_name="booklets"
    )
    work = models.ForeignKey(
        "campaigns.Work", verbose_name="работа", on_delete=models.PROTECT, related_name="+"
    )
    variant = models.ForeignKey(
        "materials.Variant", verbose_name="вариант", on_delete=models.PROTECT, related_name="+"
    )
    seq = models.PositiveIntegerField("порядковый номер в загрузке")
    pages_expected = models.PositiveSmallIntegerField("страниц в варианте")
    missing_pages = models.JSONField("недостающие страницы", default=list, blank=True)
    code = models.CharField("код участника", max_length=5, blank=True, db_index=True)
    code_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто ввёл код",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    code_at = models.DateTimeField("код введён", null=True, blank=True)
    status = models.CharField(
        "состояние", max_length=16, choices=Status.choices, default=Status.NEEDS_CODE
    )

    class Meta:
        verbose_name = "работа участника (скан)"
        verbose_name_plural = "работы участников (сканы)"
        ordering = ["batch", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "seq"], name="booklet_seq_unique"),
        ]
        indexes = [models.Index(fields=["work", "school_id"], name="booklet_work_school_idx")]

    def __str__(self) -> str:
        return f"Работа {self.code or '?'} ({self.batch_id}/{self.seq})"


class ScanPage(SchoolIdOwnedModel):
    """One page of an upload, as read by the job."""

    class Status(models.TextChoices):
        IDENTIFIED = "identified", "опознана"
        BLANK = "blank", "пустая"
        FOREIGN = "foreign", "чужая (другой комплект или не из ВПР)"
        UNREADABLE = "unreadable", "метка не прочитана"
        DUPLICATE = "duplicate", "повтор страницы"

    batch = models.ForeignKey(
        ScanBatch, verbose_name="загрузка", on_delete=models.CASCADE, related_name="scan_pages"
    )
    index = models.PositiveIntegerField("номер страницы в файле")
    booklet = models.ForeignKey(
        Booklet,
        verbose_name="работа участника",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pages",
    )
    page_number = models.PositiveSmallIntegerField("страница варианта", null=True, blank=True)
    status = models.CharField("состояние", max_length=16, choices=Status.choices)
    mark = models.CharField("прочитанная метка", max_length=120, blank=True)
    rotation = models.SmallIntegerField("поворот при выравнивании (°)", default=0)
    image_path = models.CharField("изображение в хранилище", max_length=500)
    width = models.PositiveIntegerField("ширина (px)", default=0)
    height = models.PositiveIntegerField("высота (px)", default=0)

    class Meta:
        verbose_name = "страница скана"
        verbose_name_plural = "страницы сканов"
        ordering = ["batch", "index"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "index"], name="scan_page_index_unique"),
        ]

    def __str__(self) -> str:
        return f"Страница {self.index} ({self.batch_id})"


class FederalSample(BaseModel, ScopedModel):
    """The federal operator's draw of schools and works for federal checking (ВПР с контролем
    объективности). Stratified by region; ``seed`` reproduces the draw. Federal data: only the
    federal side reads the sample itself; a school sees its own cases."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name="кампания", on_delete=models.PROTECT, related_name="+"
    )
    seed = models.BigIntegerField("зерно выборки")
    # The parameters of the draw: {"share": %, "min_per_region": n, "works": [ids], …}.
    params = models.JSONField("параметры выборки", default=dict)
    # The strata as drawn: {region_id: {"population": n, "drawn": n}}.
    strata = models.JSONField("страты (по регионам)", default=dict)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто провёл выборку",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_fields: dict[Level, str] = {}  # federal data: no org unit sees it

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "федеральная выборка"
        verbose_name_plural = "федеральные выборки"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Выборка {self.pk} (зерно {self.seed})"


class Review(BaseModel, UnitScopedModel):
    """A checking of the works of one work by a commission (or a school's experts on screen).

    The unit that runs it is copied onto the row (``region_id``/``municipality_id``/``school_id``;
    all empty for the federal organizer), so a coordinator sees the reviews of its unit and below.
    """

    class Kind(models.TextChoices):
        FEDERAL = "federal", "федеральная проверка (выборка)"
        RECHECK = "recheck", "перепроверка комиссией"
        SCHOOL = "school", "проверка экспертами ОО"

    class Status(models.TextChoices):
        OPEN = "open", "идёт"
        CLOSED = "closed", "завершена"

    kind = models.CharField("вид", max_length=16, choices=Kind.choices)
    work = models.ForeignKey(
        "campaigns.Work", verbose_name="работа", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("название", max_length=200)
    sample = models.ForeignKey(
        FederalSample,
        verbose_name="федеральная выборка",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    double_share = models.PositiveSmallIntegerField(
        "доля работ, проверяемых дважды (%)", default=20
    )
    threshold = models.PositiveSmallIntegerField(
        "порог расхождения (баллов по заданию)",
        default=0,
        help_text="Если оценки двух экспертов по заданию расходятся больше порога, задание "
        "проверяет третий эксперт.",
    )
    seed = models.BigIntegerField("зерно распределения")
    status = models.CharField(
        "состояние", max_length=16, choices=Status.choices, default=Status.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто открыл",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("завершена", null=True, blank=True)

    class Meta:
        verbose_name = "проверка работ комиссией"
        verbose_name_plural = "проверки работ комиссиями"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ReviewCase(BaseModel, SchoolOwnedModel):
    """One school in a review: for a re-check, the case with its status, comments and outcome."""

    class Reason(models.TextChoices):
        FLAGS = "flags", "признаки необъективности"
        RANDOM = "random", "случайный отбор"
        SAMPLE = "sample", "федеральная выборка"
        SCHOOL = "school", "по решению ОО"

    class Status(models.TextChoices):
        REQUESTED = "requested", "сканы запрошены"
        SCANNED = "scanned", "сканы получены"
        MARKING = "marking", "на проверке"
        MARKED = "marked", "проверено"
        CLOSED = "closed", "закрыто"

    class Outcome(models.TextChoices):
        NONE = "", "—"
        CONFIRMED = "confirmed", "результаты подтверждены"
        PARTLY = "partly", "подтверждены частично"
        NOT_CONFIRMED = "not_confirmed", "результаты не подтверждены"

    review = models.ForeignKey(
        Review, verbose_name="проверка", on_delete=models.CASCADE, related_name="cases"
    )
    school = models.ForeignKey(
        "registration.School", verbose_name="ОО", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("основание", max_length=16, choices=Reason.choices)
    # The objectivity markers that selected the school (codes of apps.analytics.objectivity).
    flags = models.JSONField("признаки", default=list, blank=True)
    status = models.CharField(
        "состояние", max_length=16, choices=Status.choices, default=Status.REQUESTED
    )
    outcome = models.CharField(
        "итог", max_length=16, choices=Outcome.choices, default=Outcome.NONE, blank=True
    )
    # Federal review: when the federal scores became the official results of the school's work.
    published_at = models.DateTimeField("результаты опубликованы", null=True, blank=True)

    class Meta:
        verbose_name = "ОО в проверке (дело)"
        verbose_name_plural = "ОО в проверках (дела)"
        ordering = ["review", "school__code"]
        constraints = [
            models.UniqueConstraint(fields=["review", "school"], name="review_case_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}/{self.school_id}"


class CaseComment(BaseModel, SchoolIdOwnedModel):
    """A comment on a case (coordinators, the commission's chair, the school)."""

    case = models.ForeignKey(
        ReviewCase, verbose_name="дело", on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="автор", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField("роль автора", max_length=32)
    text = models.TextField("текст")

    class Meta:
        verbose_name = "комментарий к делу"
        verbose_name_plural = "комментарии к делам"
        ordering = ["case", "created_at", "id"]

    def __str__(self) -> str:
        return f"Комментарий {self.pk}"


class ReviewMarker(BaseModel):
    """A marker of a review: a commission member (role marker) or, for a school's own review, one
    of the school's experts. Read through its review (scoped by the review's unit)."""

    review = models.ForeignKey(
        Review, verbose_name="проверка", on_delete=models.CASCADE, related_name="markers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="эксперт", on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField("участвует", default=True)

    class Meta:
        verbose_name = "эксперт проверки"
        verbose_name_plural = "эксперты проверки"
        ordering = ["review", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="review_marker_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}/{self.user_id}"


class MarkTask(BaseModel, SchoolIdOwnedModel):
    """One task (form column) of one booklet, for one marker in one round. ``score`` is empty
    until entered; ``None`` with ``entered_at`` set is «X» (nothing written, counts 0)."""

    personal_field = "marker_id"

    review = models.ForeignKey(
        Review, verbose_name="проверка", on_delete=models.CASCADE, related_name="tasks"
    )
    booklet = models.ForeignKey(
        Booklet, verbose_name="работа участника", on_delete=models.PROTECT, related_name="tasks"
    )
    column = models.ForeignKey(
        "campaigns.TaskColumn", verbose_name="задание", on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveSmallIntegerField("проверка (1, 2 или третья)")
    marker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="эксперт",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    score = models.PositiveSmallIntegerField("балл", null=True, blank=True)
    entered_at = models.DateTimeField("оценено", null=True, blank=True, db_index=True)
    comment = models.CharField("замечание эксперта", max_length=300, blank=True)

    class Meta:
        verbose_name = "задание на проверку"
        verbose_name_plural = "задания на проверку"
        ordering = ["review", "booklet", "column__position", "round"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "booklet", "column", "round"], name="mark_task_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["review", "marker", "entered_at"], name="mark_task_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.booklet_id}/{self.column_id}/{self.round}"
