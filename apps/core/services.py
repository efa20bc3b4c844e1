"""Shared write helpers: the audit trail and job claiming."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from apps.core.client_ip import Client
from apps.core.models import AuditEvent, Job

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
    return AuditEvent.objects.create(
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
