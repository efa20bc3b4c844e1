"""Writes of the scans: the upload, the processing job, the participant code typed by a person.

An upload is validated whole before anything is stored (format by content, size cap, a kit of
the school for the work), stored under its SHA-256 and queued as a background job
(``apps/core/jobs.py``, kind ``objectivity.scans_process``). The job rasterizes the file, reads
every page's printed mark (``scans/recognition.py``), stores each page's normalised image, and
publishes the pages, booklets and report in one transaction (docs/objectivity/scans.md).
"""

from __future__ import annotations

import hashlib
import logging
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.utils import timezone

from apps.campaigns.models import Work
from apps.core.jobs import job_send
from apps.core.models import Job
from apps.core.scoping import Scope
from apps.core.services import audit_record, job_claim, job_fail, job_mark_done
from apps.materials.models import Kit, ParticipantCode, Variant
from apps.objectivity import reviews
from apps.objectivity.actions import ObjectivityActions as A
from apps.objectivity.audit import ObjectivityAudit
from apps.objectivity.models import Booklet, MarkTask, ScanBatch, ScanPage
from apps.objectivity.scans import constants
from apps.objectivity.scans.grouping import PageRead, Plan, plan_batch
from apps.objectivity.scans.messages import ScansConflictError, ScansInvalidError
from apps.registration.access import Actor
from apps.registration.models import School

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024


def _require(actor: Actor, action: str) -> None:
    if not actor.can(action):
        raise PermissionDenied


def _scope(school_id: int, municipality_id: int, region_id: int) -> Scope:
    return Scope.of_school(school_id, municipality_id, region_id)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f}"


def batch_path(school_id: int, work_id: int, sha256: str, ext: str) -> str:
    """Where an uploaded file is kept: named by its content, so the same file is stored once."""
    return f"scans/{school_id}/{work_id}/{sha256}.{ext}"


def page_path(batch: ScanBatch, index: int) -> str:
    """Where the normalised image of page ``index`` (1-based) of an upload is kept."""
    return f"scans/{batch.school_id}/{batch.work_id}/{batch.pk}/{index}.png"


def _digest(file: IO[bytes], name: str, limit: int) -> tuple[str, int]:
    """SHA-256 and size of ``file`` read in chunks, refusing it once past ``limit``."""
    sha = hashlib.sha256()
    total = 0
    file.seek(0)
    while chunk := file.read(CHUNK):
        total += len(chunk)
        if total > limit:
            raise ScansInvalidError("scan_file_too_big", name=name, limit=_megabytes(limit))
        sha.update(chunk)
    return sha.hexdigest(), total


def scans_upload(
    *, actor: Actor, school_id: int, work_id: int, file: IO[bytes] | None, size: int, filename: str
) -> ScanBatch:
    """Store an upload of scans of a school × work and queue its processing.

    A school's organizer or technical specialist for its school, a coordinator for a school of
    its unit (404 outside). Refused whole, nothing stored, for a file that is not PDF, PNG, JPEG
    or TIFF by its content, for one over the cap, and for a work the school has no kit for.
    """
    _require(actor, A.UPLOAD_SCANS)
    school = School.objects.for_actor(actor, A.UPLOAD_SCANS).get(pk=school_id)  # 404
    work = (
        Work.objects.for_actor(actor, A.UPLOAD_SCANS)
        .select_related("subject")
        .get(pk=work_id)  # 404
    )
    if not Kit.objects.for_actor(actor, A.UPLOAD_SCANS).filter(school=school, work=work).exists():
        raise ScansConflictError("scan_no_kit", work=f"{work.subject.name}, {work.grade} класс")
    name = (filename or "").rsplit("/", 1)[-1][:255] or "scans"
    if file is None:
        raise ScansInvalidError("scan_file_missing")
    limit = constants.max_upload_bytes()
    if size > limit:
        raise ScansInvalidError("scan_file_too_big", name=name, limit=_megabytes(limit))
    file.seek(0)
    head = file.read(constants.SNIFF_BYTES)
    if not head:
        raise ScansInvalidError("scan_file_empty", name=name)
    kind = constants.sniff(head)
    if kind is None:
        raise ScansInvalidError("scan_file_type", name=name)
    sha256, total = _digest(file, name, limit)
    path = batch_path(school.pk, work.pk, sha256, kind[0])
    if not default_storage.exists(path):
        file.seek(0)
        path = default_storage.save(path, File(file, name=name))
    with transaction.atomic():
        batch = ScanBatch.objects.create(
            school=school,
            work=work,
            uploaded_by=actor.user,
            role=str(actor.role or ""),
            file_path=path,
            file_name=name,
            file_size=total,
            file_sha256=sha256,
            municipality_id=school.municipality_id,
            region_id=school.region_id,
        )
        job = Job.objects.create(  # one job per upload (its natural key)
            key=f"{constants.SCANS_PROCESS}:{batch.pk}",
            kind=constants.SCANS_PROCESS,
            actor=actor.user,
            params={"batch_id": batch.pk},
            region_id=school.region_id,
            municipality_id=school.municipality_id,
            school_id=school.pk,
        )
        audit_record(
            actor=actor,
            action=ObjectivityAudit.SCANS_UPLOAD,
            target=batch,
            scope=_scope(school.pk, school.municipality_id, school.region_id),
            details={"work_id": work.pk, "size": total, "sha256": sha256, "format": kind[0]},
        )
    from apps.objectivity.scans.tasks import scans_process_task

    transaction.on_commit(lambda: job_send(scans_process_task, job_id=job.pk))
    return batch


# --- the job ----------------------------------------------------------------------------------


def _system(batch_id: int) -> Actor:
    return Actor.system(reason=f"scans batch {batch_id}")


def _kit_variants(actor: Actor, batch: ScanBatch) -> tuple[dict[str, int], dict[str, int]]:
    """The variants of the school's kit for the work: uid → number, uid → id."""
    variants = list(
        Variant.objects.for_actor(actor, A.VIEW_SCANS).filter(
            kit__school_id=batch.school_id, kit__work_id=batch.work_id
        )
    )
    return {v.uid: v.number for v in variants}, {v.uid: v.pk for v in variants}


def _foreign_reasons(actor: Actor, batch: ScanBatch, uids: set[str]) -> dict[str, str]:
    reasons: dict[str, str] = {}
    if not uids:
        return reasons
    for v in (
        Variant.objects.for_actor(actor, A.VIEW_SCANS)
        .filter(uid__in=uids)
        .select_related("kit", "work__subject")
    ):
        if v.kit.school_id != batch.school_id:
            reasons[v.uid] = "комплект другой ОО"
        else:
            reasons[v.uid] = (
                f"комплект другой работы ОО ({v.work.subject.name}, {v.work.grade} класс)"
            )
    return reasons


def _store_png(path: str, content: bytes) -> str:
    if default_storage.exists(path):
        default_storage.delete(path)
    return default_storage.save(path, ContentFile(content))


def _read_pages(batch: ScanBatch) -> tuple[list[PageRead], list[dict[str, Any]]]:
    """Rasterize the upload, read every page, store its normalised image (before the rows are
    published: a reader never finds a row without its image)."""
    from apps.objectivity.scans import recognition

    with default_storage.open(batch.file_path, "rb") as handle:
        data = handle.read()
    reads: list[PageRead] = []
    images: list[dict[str, Any]] = []
    for index, image in enumerate(recognition.rasterize(data, batch.file_name), start=1):
        reading = recognition.read_page(image)
        path = _store_png(page_path(batch, index), recognition.png_bytes(reading.image))
        reads.append(PageRead(index, reading.mark, reading.text or "", reading.blank))
        images.append(
            {
                "path": path,
                "rotation": int(reading.rotation),
                "width": reading.image.width,
                "height": reading.image.height,
            }
        )
    return reads, images


def _fail_batch(batch: ScanBatch, error: str) -> ScanBatch:
    with transaction.atomic():
        ScanBatch.objects.filter(pk=batch.pk).update(  # unscoped: the batch this job processes
            status=ScanBatch.Status.FAILED, error=error[:2000], processed_at=timezone.now()
        )
    batch.refresh_from_db()
    return batch


def scans_process(*, batch_id: int) -> ScanBatch:
    """Read an upload and publish its pages, booklets and report (the job's body).

    Idempotent: a re-run replaces the batch's pages and booklets in the same transaction that
    publishes the new ones (codes already typed are kept for the booklet with the same number
    and variant). The batch is DONE with everything at once, or FAILED with a Russian error and
    nothing else changed. A batch whose booklets are already being marked is not re-read.
    """
    actor = _system(batch_id)
    batch = ScanBatch.objects.for_actor(actor, A.VIEW_SCANS).select_related("work").get(pk=batch_id)
    if MarkTask.objects.for_actor(actor, A.VIEW_REVIEWS).filter(booklet__batch=batch).exists():
        raise ScansConflictError("scan_batch_in_marking", batch=batch.pk)
    ScanBatch.objects.filter(pk=batch.pk).update(  # unscoped: the batch this job processes
        status=ScanBatch.Status.PROCESSING, error=""
    )
    from apps.objectivity.scans.recognition import ScanFormatError

    try:
        reads, images = _read_pages(batch)
    except ScanFormatError as exc:
        return _fail_batch(batch, str(exc))
    except OperationalError:
        raise
    except Exception as exc:
        logger.exception("scans batch %s could not be read", batch.pk)
        _fail_batch(
            batch,
            f"Файл «{batch.file_name}» не удалось прочитать ({type(exc).__name__}). "
            "Сохраните сканы заново (PDF или изображения) и загрузите ещё раз.",
        )
        raise
    if not reads:
        return _fail_batch(batch, f"В файле «{batch.file_name}» нет ни одной страницы.")
    own, variant_ids = _kit_variants(actor, batch)
    foreign_uids = {r.mark.uid for r in reads if r.mark is not None and r.mark.uid not in own}
    plan = plan_batch(reads, own=own, foreign=_foreign_reasons(actor, batch, foreign_uids))
    return _publish(actor, batch, plan, images, variant_ids)


def _publish(
    actor: Actor,
    batch: ScanBatch,
    plan: Plan,
    images: list[dict[str, Any]],
    variant_ids: dict[str, int],
) -> ScanBatch:
    ids = {
        "school_id": batch.school_id,
        "municipality_id": batch.municipality_id,
        "region_id": batch.region_id,
    }
    with transaction.atomic():
        batch = (
            ScanBatch.objects.for_actor(actor, A.VIEW_SCANS).select_for_update().get(pk=batch.pk)
        )
        kept = {
            (b.seq, b.variant_id): b
            for b in Booklet.objects.for_actor(actor, A.VIEW_SCANS).filter(batch=batch)
            if b.code
        }
        ScanPage.objects.for_actor(actor, A.VIEW_SCANS).filter(batch=batch).delete()
        Booklet.objects.for_actor(actor, A.VIEW_SCANS).filter(batch=batch).delete()
        booklets: dict[int, Booklet] = {}
        for plan_booklet in plan.booklets:
            variant_id = variant_ids[plan_booklet.uid]
            before = kept.get((plan_booklet.seq, variant_id))
            booklets[plan_booklet.seq] = Booklet.objects.create(
                batch=batch,
                work_id=batch.work_id,
                variant_id=variant_id,
                seq=plan_booklet.seq,
                pages_expected=plan_booklet.pages_expected,
                missing_pages=plan_booklet.missing,
                code=before.code if before else "",
                code_by_id=before.code_by_id if before else None,
                code_at=before.code_at if before else None,
                status=before.status if before else Booklet.Status.NEEDS_CODE,
                **ids,
            )
        ScanPage.objects.bulk_create(
            [
                ScanPage(
                    batch=batch,
                    index=page.index,
                    booklet=booklets.get(page.booklet_seq) if page.booklet_seq else None,
                    page_number=page.page_number,
                    status=page.status,
                    mark=page.mark,
                    rotation=images[page.index - 1]["rotation"],
                    image_path=images[page.index - 1]["path"],
                    width=images[page.index - 1]["width"],
                    height=images[page.index - 1]["height"],
                    **ids,
                )
                for page in plan.pages
            ]
        )
        batch.status = ScanBatch.Status.DONE
        batch.pages = len(plan.pages)
        batch.identified = plan.count(ScanPage.Status.IDENTIFIED)
        batch.blank = plan.count(ScanPage.Status.BLANK)
        batch.foreign = plan.count(ScanPage.Status.FOREIGN)
        batch.unreadable = plan.count(ScanPage.Status.UNREADABLE)
        batch.report = plan.report
        batch.error = ""
        batch.processed_at = timezone.now()
        batch.save()
        audit_record(
            actor=actor,
            action=ObjectivityAudit.SCANS_PROCESSED,
            target=batch,
            scope=_scope(batch.school_id, batch.municipality_id, batch.region_id),
            details={
                "work_id": batch.work_id,
                "pages": batch.pages,
                "identified": batch.identified,
                "booklets": len(booklets),
                "problems": sum(1 for r in plan.report if r["kind"] != "blank"),
            },
        )
        _notify_if_ready(batch.school_id, batch.work_id)
    return batch


def scans_process_run(*, job_id: int) -> ScanBatch | None:
    """The task's body: claim the job, process its batch, record the outcome on the job."""
    job = job_claim(job_id=job_id)
    if job is None:
        return None
    try:
        batch = scans_process(batch_id=int(job.params["batch_id"]))
    except OperationalError:
        Job.objects.filter(pk=job.pk).update(  # unscoped: the job this worker claimed
            status=Job.Status.QUEUED, lease_until=None
        )
        raise
    except ScansConflictError as exc:
        job_fail(job=job, error=exc.message)
        return None
    except Exception as exc:
        job_fail(job=job, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    with transaction.atomic():
        if batch.status == ScanBatch.Status.DONE:
            job_mark_done(job=job, output=batch.file_path, sha256=batch.file_sha256)
        else:
            job_fail(job=job, error=batch.error)
    return batch


def scans_reprocess(*, actor: Actor, scan_batch_id: int) -> ScanBatch:
    """Queue an upload's processing again (a failed one, or one read before the recognition
    improved). Refused while it is queued or running and once its booklets are being marked;
    typed codes survive (see ``scans_process``). Audited."""
    _require(actor, A.UPLOAD_SCANS)
    with transaction.atomic():
        batch = (
            ScanBatch.objects.for_actor(actor, A.UPLOAD_SCANS)
            .select_for_update()
            .get(pk=scan_batch_id)  # 404
        )
        if batch.status in (ScanBatch.Status.QUEUED, ScanBatch.Status.PROCESSING):
            raise ScansConflictError("scan_batch_busy", batch=batch.pk)
        if MarkTask.objects.for_actor(actor, A.VIEW_REVIEWS).filter(booklet__batch=batch).exists():
            raise ScansConflictError("scan_batch_in_marking", batch=batch.pk)
        job, _ = Job.objects.update_or_create(  # unscoped: the natural key of the batch's job
            key=f"{constants.SCANS_PROCESS}:{batch.pk}",
            defaults={
                "kind": constants.SCANS_PROCESS,
                "status": Job.Status.QUEUED,
                "error": "",
                "lease_until": None,
                "params": {"batch_id": batch.pk},
                "region_id": batch.region_id,
                "municipality_id": batch.municipality_id,
                "school_id": batch.school_id,
            },
        )
        batch.status = ScanBatch.Status.QUEUED
        batch.error = ""
        batch.save(update_fields=["status", "error", "updated_at"])
        audit_record(
            actor=actor,
            action=ObjectivityAudit.SCANS_REPROCESS,
            target=batch,
            scope=_scope(batch.school_id, batch.municipality_id, batch.region_id),
            details={"work_id": batch.work_id},
        )
    from apps.objectivity.scans.tasks import scans_process_task

    transaction.on_commit(lambda: job_send(scans_process_task, job_id=job.pk))
    return batch


# --- identification by a person ---------------------------------------------------------------


def _latest_batch(actor: Actor, school_id: int, work_id: int) -> ScanBatch | None:
    return (
        ScanBatch.objects.for_actor(actor, A.VIEW_SCANS)
        .filter(school_id=school_id, work_id=work_id, status=ScanBatch.Status.DONE)
        .order_by("-created_at", "-id")
        .first()
    )


def _notify_if_ready(school_id: int, work_id: int) -> bool:
    """Every current booklet of the latest processed upload has its code: the school's cases
    waiting for these scans move on (``reviews.cases_on_scans_ready``)."""
    actor = Actor.system(reason="scans ready")
    latest = _latest_batch(actor, school_id, work_id)
    if latest is None:
        return False
    booklets = Booklet.objects.for_actor(actor, A.VIEW_SCANS).filter(batch=latest)
    current = booklets.exclude(status=Booklet.Status.SUPERSEDED)
    if not current.exists() or current.filter(code="").exists():
        return False
    reviews.cases_on_scans_ready(school_id=school_id, work_id=work_id)
    return True


def _scored(actor: Actor, booklet: Booklet) -> bool:
    return (
        MarkTask.objects.for_actor(actor, A.VIEW_REVIEWS)
        .filter(booklet=booklet, entered_at__isnull=False)
        .exists()
    )


def booklet_code_set(*, actor: Actor, booklet_id: int, code: str) -> Booklet:
    """A person types the participant code read from the booklet's code box.

    The code must be one issued to the school for the work's grade, and not the code of
    another booklet of the same upload. Booklets of earlier uploads with this code are replaced
    (SUPERSEDED) by this one — refused when the earlier one is already being marked; a booklet
    of an earlier upload whose code a newer upload already has is itself SUPERSEDED. Audited;
    when every booklet of the latest upload has its code, the school's cases waiting for the
    scans move on.
    """
    _require(actor, A.IDENTIFY_BOOKLETS)
    value = (code or "").strip()
    with transaction.atomic():
        booklet = (
            Booklet.objects.for_actor(actor, A.IDENTIFY_BOOKLETS)
            .select_for_update()
            .select_related("batch", "work")
            .get(pk=booklet_id)  # 404
        )
        if booklet.status == Booklet.Status.SUPERSEDED:
            raise ScansConflictError("booklet_superseded", seq=booklet.seq, batch=booklet.batch_id)
        if MarkTask.objects.for_actor(actor, A.VIEW_REVIEWS).filter(booklet=booklet).exists():
            raise ScansConflictError("booklet_in_marking", seq=booklet.seq)
        if len(value) != 5 or not value.isdigit():
            raise ScansInvalidError("booklet_code_format", value=value[:20])
        work = booklet.work
        issued = ParticipantCode.objects.for_actor(actor, A.IDENTIFY_BOOKLETS).filter(
            school_id=booklet.school_id, campaign_id=work.campaign_id, grade=work.grade, code=value
        )
        if not issued.exists():
            raise ScansInvalidError("booklet_code_unknown", value=value, grade=work.grade)
        others = (
            Booklet.objects.for_actor(actor, A.IDENTIFY_BOOKLETS)
            .filter(school_id=booklet.school_id, work_id=booklet.work_id, code=value)
            .exclude(pk=booklet.pk)
            .exclude(status=Booklet.Status.SUPERSEDED)
            .select_related("batch")
            .select_for_update()
        )
        replaced: list[Booklet] = []
        newer: Booklet | None = None
        for other in others:
            if other.batch_id == booklet.batch_id:
                raise ScansConflictError(
                    "booklet_code_taken", value=value, seq=other.seq, batch=other.batch_id
                )
            if (other.batch.created_at, other.batch_id) > (
                booklet.batch.created_at,
                booklet.batch_id,
            ):
                newer = other  # a later scan of this participant: it is the current one
                continue
            if _scored(actor, other):
                raise ScansConflictError(
                    "booklet_code_checking", value=value, seq=other.seq, batch=other.batch_id
                )
            replaced.append(other)
        if newer is not None:
            replaced = []  # the newer booklet already replaced the older ones
        for other in replaced:
            other.status = Booklet.Status.SUPERSEDED
            other.save(update_fields=["status", "updated_at"])
        before = booklet.code
        booklet.code = value
        booklet.code_by = actor.user
        booklet.code_at = timezone.now()
        booklet.status = Booklet.Status.SUPERSEDED if newer else Booklet.Status.READY
        booklet.save(update_fields=["code", "code_by", "code_at", "status", "updated_at"])
        audit_record(
            actor=actor,
            action=ObjectivityAudit.BOOKLET_CODE,
            target=booklet,
            scope=_scope(booklet.school_id, booklet.municipality_id, booklet.region_id),
            details={
                "batch_id": booklet.batch_id,
                "seq": booklet.seq,
                "code": value,
                "before": before,
                "superseded": [b.pk for b in replaced],
                "superseded_by": newer.pk if newer else None,
            },
        )
        _notify_if_ready(booklet.school_id, booklet.work_id)
    return booklet
