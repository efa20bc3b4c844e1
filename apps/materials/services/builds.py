"""Kit builds as idempotent jobs: request, cancel, run, and the automatic start ahead of
publication."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db import OperationalError, transaction
from django.utils import timezone

from apps.campaigns.models import Work
from apps.core.jobs import job_send
from apps.core.models import Job
from apps.core.services import audit_record, job_claim, job_fail, job_mark_done
from apps.materials import selectors
from apps.materials.audit import MaterialsAudit
from apps.materials.constants import KIT_BUILD
from apps.materials.messages import MaterialsError
from apps.materials.models import Kit
from apps.materials.services.archives import (
    _clean_parts,
    _publish,
    _timed,
    kit_archive_name,
    kit_pack,
    kit_render,
    kit_storage_dir,
)
from apps.materials.services.common import _require
from apps.materials.services.generation import kits_generate
from apps.registration.access import A, Actor


def kit_build_request(
    *,
    actor: Actor,
    work_id: int,
    region_id: int | None = None,
    school_id: int | None = None,
    retry_failed: bool = False,
    force: bool = False,
) -> int:
    """Queue an archive build per kit (one Job per kit, natural key). Returns jobs queued.

    Finished jobs are left alone unless ``force``; failed ones are re-queued with
    ``retry_failed``; jobs still waiting are sent again (the claim runs each once). Enqueued
    after commit.
    """
    _require(actor, A.GENERATE_MATERIALS)
    work = selectors.work_get(actor=actor, work_id=work_id, action=A.GENERATE_MATERIALS)
    kits = Kit.objects.for_actor(actor, A.GENERATE_MATERIALS).filter(work=work)
    if region_id is not None:
        kits = kits.filter(region_id=region_id)
    if school_id is not None:
        kits = kits.filter(school_id=school_id)
    queued: list[int] = []
    with transaction.atomic():
        for kit in kits.order_by("pk"):
            job, created = Job.objects.get_or_create(  # unscoped: natural key of a system job
                key=f"{KIT_BUILD}:{kit.pk}",
                defaults={
                    "kind": KIT_BUILD,
                    "actor": actor.user,
                    "params": {"kit_id": kit.pk, "work_id": work.pk},
                    "region_id": kit.region_id,
                    "municipality_id": kit.municipality_id,
                    "school_id": kit.school_id,
                },
            )
            if job.status == Job.Status.QUEUED:
                # Never picked up (e.g. a lost message): send it again; the claim dedupes.
                queued.append(job.pk)
                continue
            requeue = (
                created
                or (force and job.status != Job.Status.RUNNING)
                or (retry_failed and job.status == Job.Status.FAILED)
            )
            if not requeue:
                continue
            if not created:
                job.status = Job.Status.QUEUED
                job.error = ""
                job.save(update_fields=["status", "error", "updated_at"])
            queued.append(job.pk)
        audit_record(
            actor=actor,
            action=MaterialsAudit.MATERIALS_BUILD_REQUEST,
            details={
                "work_id": work.pk,
                "region_id": region_id,
                "school_id": school_id,
                "queued": len(queued),
            },
        )
    from apps.materials.tasks import kit_build_task

    transaction.on_commit(lambda: [job_send(kit_build_task, job_id=j) for j in queued])
    return len(queued)


def kit_build_cancel(
    *,
    actor: Actor,
    work_id: int,
    region_id: int | None = None,
) -> int:
    """Cancel the builds of a work (or one region) still waiting in the queue; running ones
    finish. A cancelled job is FAILED with a note, so «Повторить ошибки» restarts it."""
    _require(actor, A.GENERATE_MATERIALS)
    work = selectors.work_get(actor=actor, work_id=work_id, action=A.GENERATE_MATERIALS)
    kits = Kit.objects.for_actor(actor, A.GENERATE_MATERIALS).filter(work=work)
    if region_id is not None:
        kits = kits.filter(region_id=region_id)
    keys = [f"{KIT_BUILD}:{pk}" for pk in kits.values_list("pk", flat=True)]
    with transaction.atomic():
        waiting = Job.objects.for_actor(actor, A.GENERATE_MATERIALS).filter(
            key__in=keys, status=Job.Status.QUEUED
        )
        cancelled = waiting.update(status=Job.Status.FAILED, error="Отменено оператором.")
        audit_record(
            actor=actor,
            action=MaterialsAudit.MATERIALS_BUILD_CANCEL,
            details={"work_id": work.pk, "region_id": region_id, "cancelled": cancelled},
        )
    return cancelled


def kit_build_run(*, job_id: int) -> Kit | None:
    """Build and publish one kit's archive (idempotent: a claimed job runs once).

    A transient database error puts the job back in the queue and re-raises (the task
    retries); any other error is recorded on the job and the kit as final.
    """
    job = job_claim(job_id=job_id)
    if job is None:
        return None
    actor = Actor.system(reason=f"job {job.pk}")
    kit = selectors.kit_get(actor=actor, kit_id=job.params["kit_id"], action=A.GENERATE_MATERIALS)
    try:
        documents = kit_render(actor=actor, kit=kit)
        data = kit_pack(kit=kit, documents=documents)
        directory = kit_storage_dir(kit)
        ext = "7z" if kit.work.encrypted_archive else "zip"
        with _timed("storage"):
            path = _publish(data, f"{directory}/kit-{kit.pk}.{ext}")
            criteria = _publish(documents.criteria, f"{directory}/kit-{kit.pk}-criteria.pdf")
            _clean_parts(directory, f"kit-{kit.pk}")
    except OperationalError:
        mine = Job.objects.filter(pk=job.pk)  # unscoped: the job this worker claimed
        mine.update(status=Job.Status.QUEUED, lease_until=None)
        raise
    except Exception as exc:
        job_fail(job=job, error=f"{type(exc).__name__}: {exc}"[:2000])
        Kit.objects.filter(pk=kit.pk).update(status=Kit.Status.FAILED)  # unscoped: own kit
        raise
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        kit.archive_path = path
        kit.archive_name = kit_archive_name(kit)
        kit.archive_sha256 = digest
        kit.archive_size = len(data)
        kit.archive_built_at = timezone.now()
        kit.criteria_path = criteria
        kit.status = Kit.Status.READY
        kit.save(
            update_fields=[
                "archive_path",
                "archive_name",
                "archive_sha256",
                "archive_size",
                "archive_built_at",
                "criteria_path",
                "status",
                "updated_at",
            ]
        )
        job_mark_done(job=job, output=path, sha256=digest)
    return kit


def _auto_build_record(*, actor: Actor, work: Work, error: str) -> bool:
    """Keep the work's auto-start Job row in step with the last attempt; True if it changed
    (so a repeated failure is audited once, not on every beat tick)."""
    status = Job.Status.FAILED if error else Job.Status.DONE
    job, created = Job.objects.get_or_create(  # unscoped: natural key of a system record
        key=selectors.auto_build_key(work.pk),
        defaults={
            "kind": selectors.AUTO_BUILD,
            "status": status,
            "error": error,
            "params": {"work_id": work.pk},
        },
    )
    if created:
        return True
    if (job.status, job.error) == (status, error):
        return False
    job.status, job.error = status, error
    job.save(update_fields=["status", "error", "updated_at"])
    return True


def builds_auto_start(*, now: datetime | None = None) -> list[int]:
    """Start the builds of every work whose first publication instant is within the lead time
    (``MATERIALS_AUTO_BUILD_LEAD_DAYS``) or already past, while its period runs: compose the
    missing kits and queue their archives. Returns the ids of the works started.

    Idempotent: a work whose applied schools all have kits with a build requested (queued,
    running, done or failed) is left alone, so running it every tick changes nothing. Failed
    builds are not retried here (the operator decides, «Повторить ошибки»); they stay visible as
    overdue. The actor is the system, recorded in the audit rows.
    """
    moment = now or timezone.now()
    actor = Actor.system(reason="автоматический запуск сборки материалов")
    started: list[int] = []
    for work in selectors.current_works(actor=actor, now=moment):
        state = selectors.build_state(actor=actor, work=work, now=moment)
        if moment < state.auto_start_at or not state.needs_start:
            continue
        try:
            # Not one transaction: composing 40,000 kits is long, and a kit composed before a
            # failure is kept (the next tick composes the rest, as a repeated operator click).
            generated = kits_generate(actor=actor, work_id=work.pk)
            queued = kit_build_request(actor=actor, work_id=work.pk)
        except MaterialsError as exc:
            if _auto_build_record(actor=actor, work=work, error=exc.message):
                audit_record(
                    actor=actor,
                    action=MaterialsAudit.MATERIALS_AUTO_BUILD_FAILED,
                    details={"work_id": work.pk, "error": exc.code},
                )
            continue
        _auto_build_record(actor=actor, work=work, error="")
        audit_record(
            actor=actor,
            action=MaterialsAudit.MATERIALS_AUTO_BUILD,
            details={
                "work_id": work.pk,
                "created": generated.created,
                "queued": queued,
                "publication_at": state.publication_at.isoformat()
                if state.publication_at
                else None,
            },
        )
        started.append(work.pk)
    return started
