"""Shared write helpers: the audit trail and job claiming."""

from __future__ import annotations

import functools
import hashlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model, Q
from django.db.models.sql import InsertQuery
from django.utils import timezone

from apps.core.client_ip import Client
from apps.core.models import AuditEvent, Job
from apps.core.precompiled import prepared_cursor

if TYPE_CHECKING:
    from apps.core.scoping import Scope

JOB_LEASE = timedelta(minutes=30)


def audit_record(
    *,
    actor: Any,
    action: str,
    target: Model | None = None,
    scope: Scope | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. ``scope`` is the org unit concerned (defaults to the actor's).

    The address and user agent come from ``actor.client`` (set from the request the actor was
    built for, or from a job's params).
    """
    where = scope or actor.scope
    client: Client = getattr(actor, "client", None) or Client()
    user = getattr(actor, "user", None)
    event = AuditEvent(
        user=user,
        username=getattr(user, "username", "") or getattr(actor, "reason", ""),
        role=str(actor.role or ""),
        region_id=where.region_id,
        municipality_id=where.municipality_id,
        school_id=where.school_id,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        ip=client.ip,
        user_agent=client.user_agent,
        details=details or {},
    )
    _audit_insert(event)
    return event


@functools.cache
def _audit_insert_statement(vendor: str, using: str) -> tuple[str, tuple[Any, ...]]:
    """Django's own INSERT of one audit event (the SQL ``save()`` runs), compiled once: its
    text depends only on the columns, and the fields that fill its parameters, in order."""
    meta = AuditEvent._meta
    fields = tuple(f for f in meta.local_concrete_fields if f is not meta.auto_field)
    query = InsertQuery(AuditEvent)
    query.insert_values(list(fields), [AuditEvent(details={})], raw=False)
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = list(meta.db_returning_fields)
    statements = compiler.as_sql()
    if len(statements) != 1:  # pragma: no cover - one object, one statement on every backend
        raise RuntimeError("one audit event, one INSERT")
    return statements[0][0], fields


def _audit_insert(event: AuditEvent, using: str = DEFAULT_DB_ALIAS) -> None:
    """Insert a new event as ``event.save()`` would — the same statement and values (each field's
    ``pre_save`` and ``get_db_prep_save``), the instant set by ``auto_now_add`` — without
    compiling the INSERT on every call: an audit row accompanies most requests (the 07:30
    password: ~0.55 → ~0.15 ms, issue 18). Append-only as ``save()``: only new events."""
    if event.pk is not None:
        raise PermissionError("audit events are append-only")
    connection = connections[using]
    sql, fields = _audit_insert_statement(connection.vendor, using)
    values = [field.get_db_prep_save(field.pre_save(event, True), connection) for field in fields]
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, values)
        if connection.features.can_return_columns_from_insert:
            event.pk = cursor.fetchone()[0]
        else:  # pragma: no cover - PostgreSQL and SQLite return it
            event.pk = connection.ops.last_insert_id(cursor, AuditEvent._meta.db_table, "id")
    event._state.adding = False
    event._state.db = using


def job_claim(*, job_id: int) -> Job | None:
    """Take a queued job (or one whose lease expired) for this worker; None if someone has it."""
    now = timezone.now()
    claimable = Q(status=Job.Status.QUEUED) | Q(status=Job.Status.RUNNING, lease_until__lt=now)
    with transaction.atomic():
        # A conditional UPDATE: exactly one worker wins the row.
        from django.db.models import F

        changed = Job.objects.filter(claimable, pk=job_id).update(  # unscoped: system claim
            status=Job.Status.RUNNING, lease_until=now + JOB_LEASE, attempts=F("attempts") + 1
        )
    if not changed:
        return None
    return Job.objects.get(pk=job_id)  # unscoped: the worker loads its own job by id


def job_claim_many(*, kind: str, limit: int) -> list[Job]:
    """Take up to ``limit`` claimable jobs of ``kind`` (queued, or running with an expired
    lease) for this worker, oldest first, as ``job_claim`` takes one: rows another worker is
    claiming at the same moment are skipped (``SKIP LOCKED`` where the database has it)."""
    from django.db.models import F

    now = timezone.now()
    claimable = Q(status=Job.Status.QUEUED) | Q(status=Job.Status.RUNNING, lease_until__lt=now)
    with transaction.atomic():
        ids = list(
            Job.objects.select_for_update(skip_locked=True)  # unscoped: system claim by kind
            .filter(claimable, kind=kind)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        Job.objects.filter(pk__in=ids).update(  # unscoped: the rows locked just above
            status=Job.Status.RUNNING, lease_until=now + JOB_LEASE, attempts=F("attempts") + 1
        )
    return list(Job.objects.filter(pk__in=ids).order_by("pk"))  # unscoped: this worker's jobs


def job_mark_done_many(*, jobs: list[Job]) -> None:
    """Mark claimed jobs without an output done, in one statement (``job_mark_done`` of each)."""
    if jobs:
        Job.objects.filter(pk__in=[job.pk for job in jobs]).update(  # unscoped: claimed jobs
            status=Job.Status.DONE,
            lease_until=None,
            error="",
            output="",
            output_sha256="",
            updated_at=timezone.now(),
        )


def job_requeue(*, jobs: list[Job]) -> None:
    """Put claimed jobs back in the queue (a transient database error: a retry takes them)."""
    if jobs:
        Job.objects.filter(pk__in=[job.pk for job in jobs]).update(  # unscoped: claimed jobs
            status=Job.Status.QUEUED, lease_until=None
        )


def job_publish(*, job: Job, path: str, content: bytes) -> Job:
    """Store the job's output at its deterministic path and mark it done, in one step."""
    if default_storage.exists(path):
        default_storage.delete(path)
    saved = default_storage.save(path, ContentFile(content))
    with transaction.atomic():
        return job_mark_done(job=job, output=saved, sha256=hashlib.sha256(content).hexdigest())


def job_mark_done(*, job: Job, output: str, sha256: str) -> Job:
    """Mark a job done with its already-stored output (callers own the transaction)."""
    job.output = output
    job.output_sha256 = sha256
    job.status = Job.Status.DONE
    job.lease_until = None
    job.error = ""
    job.save(
        update_fields=["output", "output_sha256", "status", "lease_until", "error", "updated_at"]
    )
    return job


def job_fail(*, job: Job, error: str) -> Job:
    job.status = Job.Status.FAILED
    job.error = error
    job.lease_until = None
    job.save(update_fields=["status", "error", "lease_until", "updated_at"])
    return job
