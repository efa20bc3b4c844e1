"""Infrastructure models shared by every app: timestamps, the copied scope columns of tenant
rows, the audit trail, background jobs."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from apps.core.scoping import Level, ScopedModel, ScopedQuerySet


class BaseModel(models.Model):
    """Adds creation and modification instants (UTC)."""

    created_at = models.DateTimeField("создано", auto_now_add=True)
    updated_at = models.DateTimeField("изменено", auto_now=True)

    class Meta:
        abstract = True


# Where each level's anchor id sits on a row that carries copies of its scope columns.
_COPIED_SCOPE_FIELDS = {
    Level.REGION: "region_id",
    Level.MUNICIPALITY: "municipality_id",
    Level.SCHOOL: "school_id",
}


class UnitScopedModel(ScopedModel):
    """A row about one org unit of any level, or about none (then only the federal level sees it).

    The service that writes the row copies the unit's region, municipality and school ids onto
    it, so ``for_actor`` filters one indexed column of this table at every level, with no join
    up the hierarchy. Plain ids, not foreign keys: core knows no domain models.
    """

    scope_fields = _COPIED_SCOPE_FIELDS

    region_id = models.BigIntegerField("регион", null=True, blank=True, db_index=True)
    municipality_id = models.BigIntegerField("муниципалитет", null=True, blank=True, db_index=True)
    school_id = models.BigIntegerField("ОО", null=True, blank=True, db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class SchoolOwnedModel(ScopedModel):
    """A row that belongs to one school. The subclass declares the school: a ``school`` foreign
    key (its column is ``school_id``) or, on big tables, ``SchoolIdOwnedModel``'s plain id.

    The service that writes the row copies the school's municipality and region ids onto it, so
    ``for_actor`` filters one indexed column of this table at every level, with no join to the
    schools, and the table can be counted per unit from its own indexes.
    """

    scope_fields = _COPIED_SCOPE_FIELDS

    municipality_id = models.BigIntegerField("муниципалитет", db_index=True)
    region_id = models.BigIntegerField("регион", db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class SchoolIdOwnedModel(SchoolOwnedModel):
    """A school-owned row that holds its school as a copied id, not a foreign key (big tables
    whose rows hang off a school-owned parent row): scoped without a join, like the others."""

    school_id = models.BigIntegerField("ОО", db_index=True)

    class Meta:
        abstract = True


class AuditEventQuerySet(ScopedQuerySet["AuditEvent"]):
    """Append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")


class AuditEvent(UnitScopedModel):
    """One thing somebody did: who (user, role, scope), what, when, from where. Never changed.

    The scope columns hold the org unit the event concerns, so a coordinator sees the events
    of its own unit and below.
    """

    at = models.DateTimeField("когда", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="пользователь",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    username = models.CharField("логин", max_length=150, blank=True)
    role = models.CharField("роль", max_length=32, blank=True)
    action = models.CharField("действие", max_length=64, db_index=True)
    target_type = models.CharField("тип объекта", max_length=64, blank=True)
    target_id = models.CharField("объект", max_length=64, blank=True)
    ip = models.GenericIPAddressField("IP-адрес", null=True, blank=True)
    user_agent = models.CharField("браузер", max_length=300, blank=True)
    details = models.JSONField("подробности", default=dict, blank=True)

    # Replaces the inherited manager; ClassVar, as the inherited one is to the type checker.
    objects: ClassVar = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "запись журнала"
        verbose_name_plural = "журнал действий"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")


class Job(BaseModel, UnitScopedModel):
    """A unit of background work with a natural key, so a task can run twice and do it once.

    Its scope columns are those of the org unit the job works on (copied by the service).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "в очереди"
        RUNNING = "running", "выполняется"
        DONE = "done", "готово"
        FAILED = "failed", "ошибка"

    kind = models.CharField("тип", max_length=64)
    key = models.CharField("ключ", max_length=200, unique=True)
    status = models.CharField(
        "состояние", max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто запустил",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    attempts = models.PositiveIntegerField("попыток", default=0)
    lease_until = models.DateTimeField("занято до", null=True, blank=True)
    output = models.CharField("файл результата", max_length=500, blank=True)
    output_sha256 = models.CharField("SHA-256 результата", max_length=64, blank=True)
    error = models.TextField("ошибка", blank=True)
    params = models.JSONField("параметры", default=dict, blank=True)

    class Meta:
        verbose_name = "фоновое задание"
        verbose_name_plural = "фоновые задания"
        ordering = ["-created_at"]
        # The jobs still to run, by kind (the drain's claim, the sweep): done ones, one per
        # upload and build over a campaign, stay out of it.
        indexes = [
            models.Index(
                fields=["kind", "id"],
                condition=models.Q(status__in=["queued", "running"]),
                name="core_job_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.status})"


class ImportBatch(BaseModel, UnitScopedModel):
    """One uploaded file on its way from preview to apply.

    The upload is validated and stored; ``preview`` lists what would change (created, replaced,
    unchanged, rejected rows with reasons). Only an explicit confirmation applies it, once,
    in one transaction. The scope columns are those of the unit the file is about.
    """

    class Status(models.TextChoices):
        PREVIEW = "preview", "предпросмотр"
        APPLIED = "applied", "применён"
        REJECTED = "rejected", "отклонён"
        DISCARDED = "discarded", "отменён"

    kind = models.CharField("тип загрузки", max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто загрузил",
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        "состояние", max_length=16, choices=Status.choices, default=Status.PREVIEW
    )
    original_name = models.CharField("имя файла", max_length=255, blank=True)
    file = models.CharField("файл в хранилище", max_length=500, blank=True)
    file_sha256 = models.CharField("SHA-256 файла", max_length=64, blank=True)
    preview = models.JSONField("предпросмотр изменений", default=dict, blank=True)
    errors = models.JSONField("ошибки", default=list, blank=True)
    applied_at = models.DateTimeField("применён", null=True, blank=True)

    class Meta:
        verbose_name = "загрузка файла"
        verbose_name_plural = "загрузки файлов"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name} ({self.status})"
