"""Upload → preview → apply, written once for every kind of file (ADR 0019).

A file a user uploads to change many rows at once (the item bank, coordinator accounts, the
school list, a campaign's works, applications) goes through the same steps:

1. **upload** (``import_upload``): the file is read within the size limit, parsed and planned by
   its *kind*; a bad file raises ``UploadError`` listing every problem by row and column, the
   refusal is audited and nothing is stored. A good file is stored through the storage API as an
   ``ImportBatch`` in ``preview`` with what would change (the kind's preview dict).
2. **apply** (``import_apply``): under the batch's row lock, a batch that is not an open preview of
   this kind (applied, discarded, someone else's where only the uploader may) is refused with one
   of the sentences of ``refusal``; otherwise the kind re-plans the stored file under its own row
   locks and raises ``ImportStaleError`` if the plan differs from the preview, then writes, all in
   one transaction with the batch's status and the audit row. Applying twice changes nothing.
3. **discard** (``import_discard``): the batch is closed and its stored files are deleted after
   commit.

Kinds whose apply is slow (hashing a password per new account) hand the apply to a job:
``import_apply_request`` checks and queues one job per batch, ``import_apply_run`` runs it as the
person who asked (idempotent; a transient database error re-queues it).

A kind is a subclass of ``ImportKind`` registered once at start-up (``import_kind_register`` in
its app's ``AppConfig.ready``); it keeps only what differs: how to find the upload's target, how
to parse and plan, how to re-plan and write. Views and the API call the three functions here
through ``apps.registration.imports`` (one HTML view base and one API base).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.db.models import Model
from django.utils import timezone

from apps.core import instants
from apps.core.errors import ConflictError, DomainError
from apps.core.jobs import JobTask, job_kind_register, job_send, job_task
from apps.core.models import ImportBatch, Job
from apps.core.scoping import Scope
from apps.core.services import audit_record, job_claim, job_fail, job_mark_done
from apps.core.uploads import MAX_UPLOAD_BYTES, UploadError, file_error, too_big_message

logger = logging.getLogger(__name__)

APPLY = "apply"
DISCARD = "discard"
_VERBS = {APPLY: "применить", DISCARD: "отменить"}

# The Russian texts of the framework (the kinds add their own in their apps' messages.py).
MESSAGES: dict[str, str] = {
    "import_stale": (
        "С момента предпросмотра данные изменились ({what}). Ничего не изменено: загрузите "
        "файл заново и проверьте изменения."
    ),
    "import_invalid_now": "Файл больше нельзя применить: {reason} Ничего не изменено.",
}
WRONG_KIND = "Эта загрузка не относится к {label}; {verb} её здесь нельзя."
ALREADY_APPLIED = "Файл уже применён {when}; повторное применение ничего не меняет."
ALREADY_APPLIED_DISCARD = "Файл уже применён {when}; отменить его нельзя."
NOT_PREVIEW = "Загрузка в состоянии «{status}»; {verb} её нельзя. Загрузите файл заново."
NOT_YOURS = "Применить или отменить загрузку может только тот, кто её загрузил."
DISCARDED = "Загрузка отменена; ничего не изменено."
APPLY_RUNNING = "Файл уже применяется; дождитесь окончания."
APPLY_QUEUED = "Файл принят к применению; страница обновится, когда всё будет готово."
APPLY_GONE = "Загрузка или подразделение больше недоступны. Ничего не изменено."
APPLY_DB_BUSY = (
    "Не удалось применить файл: база данных временно недоступна. Ничего не изменено; "
    "нажмите «Применить изменения» ещё раз позже."
)
APPLY_FAILED = (
    "Не удалось применить файл из-за внутренней ошибки. Ничего не изменено; нажмите "
    "«Применить изменения» ещё раз или обратитесь в поддержку."
)
APPLY_MAX_ATTEMPTS = 5


class ImportStaleError(ConflictError):
    """The apply is refused (409): what the file would change is no longer what the preview
    showed. ``what`` names what changed (a row, a unit); ``context`` may carry the file's preview
    as it reads today. Nothing is written."""

    messages = MESSAGES

    def __init__(self, what: str, **kwargs: Any) -> None:
        super().__init__("import_stale", what=what, **kwargs)


class ImportInvalidNowError(ConflictError):
    """The apply is refused (409): a rule of the procedure now refuses a row of the preview."""

    messages = MESSAGES

    def __init__(self, reason: str, **kwargs: Any) -> None:
        super().__init__("import_invalid_now", reason=reason, **kwargs)


@dataclass(frozen=True)
class ImportAudit:
    """The audit actions of one kind (members of its app's audit enum)."""

    upload: str
    rejected: str
    apply: str
    discard: str


@dataclass
class Target:
    """What an upload is about, found before the file is read (a missing one answers 404).

    ``scope`` is the unit the batch belongs to (its scope columns and audit rows); ``obj`` the
    audit target of a refused upload; ``details`` what every audit row of the batch says about
    it; ``data`` the kind's own (the work, the unit, the campaign).
    """

    scope: Scope | None = None
    obj: Model | None = None
    details: dict[str, Any] = field(default_factory=dict)
    data: Any = None


@dataclass
class Staged:
    """A file parsed and planned: the preview to store (JSON), the counts its audit row gets,
    the unit it belongs to if parsing found it (else the target's), extra files to keep."""

    preview: dict[str, Any]
    counts: dict[str, Any] = field(default_factory=dict)
    scope: Scope | None = None
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Applied:
    """What writing a plan did: the sentence the user reads, the audit details, the new preview
    to store (``None`` keeps it) and the kind's own result."""

    message: str
    details: dict[str, Any] = field(default_factory=dict)
    preview: dict[str, Any] | None = None
    result: Any = None


@dataclass(frozen=True)
class ImportOutcome:
    """What an apply or discard call did: ``done`` is False when it was refused (``message``)."""

    batch: ImportBatch
    done: bool
    message: str
    result: Any = None


@dataclass(frozen=True)
class ApplyRequest:
    """What asking for a background apply did: ``job`` is None when it was refused."""

    batch: ImportBatch
    job: Job | None = None
    refusal: str = ""


class ImportKind:
    """One kind of file. Subclasses set the class attributes and implement the hooks."""

    code: str  # ImportBatch.kind (an instance may set its own: one class, several kinds)
    action: str  # the action that scopes its batches (``for_actor``)
    label: str  # «Эта загрузка не относится к {label}»: dative, e.g. «банку заданий»
    folder: str  # storage folder under imports/
    audit: ImportAudit
    uploader_only: ClassVar[bool] = False  # only the uploader may apply or discard
    max_bytes: ClassVar[int] = MAX_UPLOAD_BYTES
    background: ClassVar[bool] = False  # apply through a job (``import_apply_request``)

    # -- hooks ----------------------------------------------------------------------------------

    def target(self, *, actor: Any, **params: Any) -> Target:
        """Find what the upload is about (raise ``DoesNotExist`` when out of scope)."""
        return Target()

    def extension(self, content: bytes, name: str) -> str:
        return ".xlsx"

    def stage(self, *, actor: Any, target: Target, content: bytes, name: str) -> Staged:
        """Parse and plan the file; raise ``UploadError`` listing every problem."""
        raise NotImplementedError

    def plan(self, *, actor: Any, batch: ImportBatch) -> Any:
        """Re-plan a stored batch under row locks; raise ``ImportStaleError`` if it changed."""
        raise NotImplementedError

    def write(self, *, actor: Any, batch: ImportBatch, plan: Any) -> Applied:
        """Carry out the plan (inside the apply's transaction)."""
        raise NotImplementedError

    def busy(self, *, actor: Any, batch_id: int) -> str:
        """Why the batch cannot be touched right now ('' if it can): a job is applying it."""
        if not self.background:
            return ""
        job = _job_find(self, actor, batch_id)
        return APPLY_RUNNING if job_live(job) else ""

    # -- helpers for the hooks -------------------------------------------------------------------

    def owns(self, batch: ImportBatch) -> bool:
        return batch.kind == self.code

    @property
    def job_kind(self) -> str:
        return f"import_apply:{self.code}"


_KINDS: dict[str, ImportKind] = {}


def import_kind_register(kind: ImportKind, task: JobTask | None = None) -> None:
    """Make ``kind`` known (from its app's ``AppConfig.ready``); a background kind names the
    Celery task that runs ``import_apply_run``."""
    _KINDS[kind.code] = kind
    if kind.background:
        if task is None:
            raise ValueError(f"import kind {kind.code} applies in the background: give its task")
        job_kind_register(kind.job_kind, task)


def import_kind_of(code: str) -> ImportKind:
    return _KINDS[code]


def import_kinds() -> list[ImportKind]:
    return list(dict.fromkeys(_KINDS.values()))


# --- reading and storing ------------------------------------------------------------------------


def import_read(file: IO[bytes], size: int, *, max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    """The uploaded bytes, refused (``UploadError``) over the limit before or while reading."""
    if size > max_bytes:
        raise file_error(too_big_message(size, max_bytes))
    content = file.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise file_error(too_big_message(len(content), max_bytes))
    return content


def import_file(batch: ImportBatch, name: str = "") -> bytes:
    """A batch's stored upload (or the extra file ``name`` stored beside it)."""
    path = batch.file if not name else (batch.preview.get("files") or {}).get(name, "")
    if not path:
        return b""
    with default_storage.open(path, "rb") as stored:
        data: bytes = stored.read()
    return data


def _paths(batch: ImportBatch) -> list[str]:
    extra = batch.preview.get("files") or {}
    return [p for p in (batch.file, *extra.values()) if p]


def _delete_later(paths: list[str]) -> None:
    def delete() -> None:
        for p in paths:
            default_storage.delete(p)

    transaction.on_commit(delete)


# --- upload ---------------------------------------------------------------------------------------


def import_upload(
    kind: ImportKind,
    *,
    actor: Any,
    name: str,
    content: bytes | None = None,
    file: IO[bytes] | None = None,
    size: int = 0,
    **params: Any,
) -> ImportBatch:
    """Validate a file of ``kind`` and store it with its preview; nothing else changes.

    ``params`` go to the kind's ``target`` (the work, the unit, the campaign the file is for).
    Raises ``UploadError`` (audited as the kind's ``rejected`` action) when anything is wrong.
    """
    if actor.user is None:  # an upload is always somebody's; the batch's actor is required
        raise PermissionDenied
    target = kind.target(actor=actor, **params)
    sha = ""
    try:
        if content is None:
            content = import_read(file, size, max_bytes=kind.max_bytes) if file is not None else b""
        elif len(content) > kind.max_bytes:
            raise file_error(too_big_message(len(content), kind.max_bytes))
        sha = hashlib.sha256(content).hexdigest()
        staged = kind.stage(actor=actor, target=target, content=content, name=name)
    except UploadError as exc:
        audit_record(
            actor=actor,
            action=kind.audit.rejected,
            target=target.obj,
            scope=target.scope,
            details={
                **target.details,
                "file": name[:200],
                "sha256": sha,
                "errors": len(exc.errors),
                "first_errors": [str(e) for e in exc.errors[:10]],
            },
        )
        raise
    scope = staged.scope or target.scope
    folder = f"imports/{kind.folder}/{uuid.uuid4().hex}"
    saved: list[str] = []
    try:
        path = default_storage.save(
            f"{folder}/upload{kind.extension(content, name)}", ContentFile(content)
        )
        saved.append(path)
        preview = dict(staged.preview)
        if staged.files:
            preview["files"] = {}
            for key, data in staged.files.items():
                stored = default_storage.save(f"{folder}/{key}", ContentFile(data))
                saved.append(stored)
                preview["files"][key] = stored
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                kind=kind.code,
                actor=actor.user,
                status=ImportBatch.Status.PREVIEW,
                original_name=name[:255],
                file=path,
                file_sha256=sha,
                preview=preview,
                region_id=scope.region_id if scope else None,
                municipality_id=scope.municipality_id if scope else None,
                school_id=scope.school_id if scope else None,
            )
            audit_record(
                actor=actor,
                action=kind.audit.upload,
                target=batch,
                scope=scope,
                details={**target.details, "file": name[:200], "sha256": sha, **staged.counts},
            )
    except Exception:
        for p in saved:
            default_storage.delete(p)
        raise
    return batch


# --- apply and discard ------------------------------------------------------------------------


def import_batch_get(kind: ImportKind, *, actor: Any, batch_id: int) -> ImportBatch:
    """A batch the actor may handle (any kind: the page says when it is not this one)."""
    return ImportBatch.objects.for_actor(actor, kind.action).get(pk=batch_id)


def _lock(kind: ImportKind, actor: Any, batch_id: int) -> ImportBatch:
    return ImportBatch.objects.for_actor(actor, kind.action).select_for_update().get(pk=batch_id)


def refusal(kind: ImportKind, batch: ImportBatch, actor: Any, operation: str = APPLY) -> str:
    """Why ``batch`` cannot be applied (or discarded) now; '' if it can. One set of sentences."""
    verb = _VERBS[operation]
    if not kind.owns(batch):
        return WRONG_KIND.format(label=kind.label, verb=verb)
    if batch.status == ImportBatch.Status.APPLIED:
        when = instants.format_instant(batch.applied_at, getattr(actor, "unit", None))
        return (ALREADY_APPLIED if operation == APPLY else ALREADY_APPLIED_DISCARD).format(
            when=when
        )
    if batch.status != ImportBatch.Status.PREVIEW:
        return NOT_PREVIEW.format(status=batch.get_status_display(), verb=verb)
    if kind.uploader_only and (actor.user is None or batch.actor_id != actor.user.pk):
        return NOT_YOURS
    return ""


def batch_scope(batch: ImportBatch) -> Scope:
    """The unit a batch is about, as its audit rows name it."""
    return Scope.of_row(batch)


def import_apply(kind: ImportKind, *, actor: Any, batch_id: int) -> ImportOutcome:
    """Apply a previewed batch in one transaction (re-planned under locks); once only."""
    if busy := kind.busy(actor=actor, batch_id=batch_id):
        return ImportOutcome(import_batch_get(kind, actor=actor, batch_id=batch_id), False, busy)
    return _apply_locked(kind, actor=actor, batch_id=batch_id)


def _apply_locked(kind: ImportKind, *, actor: Any, batch_id: int) -> ImportOutcome:
    with transaction.atomic():
        batch = _lock(kind, actor, batch_id)
        if why := refusal(kind, batch, actor, APPLY):
            return ImportOutcome(batch, False, why)
        plan = kind.plan(actor=actor, batch=batch)
        applied = kind.write(actor=actor, batch=batch, plan=plan)
        batch.status = ImportBatch.Status.APPLIED
        batch.applied_at = timezone.now()
        fields = ["status", "applied_at", "updated_at"]
        if applied.preview is not None:
            batch.preview = applied.preview
            fields.append("preview")
        batch.save(update_fields=fields)
        audit_record(
            actor=actor,
            action=kind.audit.apply,
            target=batch,
            scope=batch_scope(batch),
            details=applied.details,
        )
    return ImportOutcome(batch, True, applied.message, applied.result)


def import_discard(kind: ImportKind, *, actor: Any, batch_id: int) -> ImportOutcome:
    """Close a previewed batch; nothing else changes; its stored files go after commit."""
    if busy := kind.busy(actor=actor, batch_id=batch_id):
        return ImportOutcome(import_batch_get(kind, actor=actor, batch_id=batch_id), False, busy)
    with transaction.atomic():
        batch = _lock(kind, actor, batch_id)
        if why := refusal(kind, batch, actor, DISCARD):
            return ImportOutcome(batch, False, why)
        batch.status = ImportBatch.Status.DISCARDED
        batch.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action=kind.audit.discard, target=batch, scope=batch_scope(batch))
        _delete_later(_paths(batch))
    return ImportOutcome(batch, True, DISCARDED)


# --- apply in the background ------------------------------------------------------------------
#
# One job per batch (kind ``import_apply:<code>``, key ``<code>:<batch id>``), so a double click or
# a redelivered message applies once. The job stores ids and the asker's client only.


def _job_key(kind: ImportKind, batch_id: int) -> str:
    return f"{kind.code}:{batch_id}"


def _job_find(kind: ImportKind, actor: Any, batch_id: int) -> Job | None:
    return (
        Job.objects.for_actor(actor, kind.action)
        .filter(kind=kind.job_kind, key=_job_key(kind, batch_id))
        .first()
    )


def job_live(job: Job | None) -> bool:
    """True while a worker holds the job (its lease has not expired)."""
    return (
        job is not None
        and job.status == Job.Status.RUNNING
        and job.lease_until is not None
        and job.lease_until >= timezone.now()
    )


def import_apply_job(kind: ImportKind, *, actor: Any, batch_id: int) -> Job | None:
    """The apply job of a batch, if one was asked for."""
    return _job_find(kind, actor, batch_id)


def import_apply_jobs(kind: ImportKind, *, actor: Any, batch_ids: list[int]) -> dict[int, Job]:
    """The apply jobs of several batches, by batch id (one query)."""
    keys = {_job_key(kind, i): i for i in batch_ids}
    jobs = Job.objects.for_actor(actor, kind.action).filter(kind=kind.job_kind, key__in=keys)
    return {keys[j.key]: j for j in jobs}


def import_apply_request(kind: ImportKind, *, actor: Any, batch_id: int) -> ApplyRequest:
    """Check a batch can be applied and queue its apply job (one job per batch).

    Raises ``DoesNotExist`` (out of scope) and ``ImportStaleError`` before anything is queued. A
    batch already applied or discarded is refused with the reason. A job that is queued, failed
    or lost its worker is queued again; the claim keeps it to one run.
    """
    if actor.user is None:  # the job runs as the person who asked
        raise PermissionDenied
    job = _job_find(kind, actor, batch_id)
    if job_live(job):  # a worker holds the batch's row lock: answer at once, do not wait
        return ApplyRequest(batch=import_batch_get(kind, actor=actor, batch_id=batch_id), job=job)
    with transaction.atomic():
        batch = _lock(kind, actor, batch_id)
        if why := refusal(kind, batch, actor, APPLY):
            return ApplyRequest(batch=batch, refusal=why)
        kind.plan(actor=actor, batch=batch)  # a stale preview is refused now, not in the worker
        client = getattr(actor, "client", None)
        params = {"batch_id": batch.pk, "client": client.as_params() if client else {}}
        job = _job_find(kind, actor, batch.pk)
        if job is None:
            job = Job.objects.create(
                kind=kind.job_kind,
                key=_job_key(kind, batch.pk),
                actor=actor.user,
                params=params,
                region_id=batch.region_id,
                municipality_id=batch.municipality_id,
                school_id=batch.school_id,
            )
        elif not job_live(job):
            job.status = Job.Status.QUEUED
            job.error = ""
            job.lease_until = None
            job.actor = actor.user
            job.params = params
            job.save(
                update_fields=["status", "error", "lease_until", "actor", "params", "updated_at"]
            )
        else:
            return ApplyRequest(batch=batch, job=job)
        job_id = job.pk
        task = job_task(kind.job_kind)
        transaction.on_commit(lambda: job_send(task, job_id=job_id))
    return ApplyRequest(batch=batch, job=job)


def import_apply_run(*, job_id: int, actor_of: Callable[[Job], Any]) -> Job | None:
    """Apply a queued batch as the person who asked, in one transaction with the job's end.

    ``actor_of`` builds that person's actor (with the client stored in the job). Idempotent: a
    job already claimed or finished is left alone (None); a batch found applied marks the job
    done. A transient database error re-queues the job and re-raises (the task retries, up to
    ``APPLY_MAX_ATTEMPTS`` runs); any other error rolls the apply back and is recorded on the job
    as a Russian sentence.
    """
    job = job_claim(job_id=job_id)
    if job is None:
        return None
    if job.actor is None:
        return job_fail(job=job, error=APPLY_GONE)
    kind = import_kind_of(job.key.rsplit(":", 1)[0])
    actor = actor_of(job)
    try:
        with transaction.atomic():
            outcome = _apply_locked(kind, actor=actor, batch_id=int(job.params["batch_id"]))
            if outcome.done or outcome.batch.status == ImportBatch.Status.APPLIED:
                return job_mark_done(job=job, output="", sha256="")
        return job_fail(job=job, error=outcome.message)
    except DomainError as exc:
        return job_fail(job=job, error=exc.message)
    except (ObjectDoesNotExist, PermissionDenied):
        return job_fail(job=job, error=APPLY_GONE)
    except OperationalError:
        if job.attempts >= APPLY_MAX_ATTEMPTS:
            logger.warning("import apply job %s: database unavailable, giving up", job.pk)
            return job_fail(job=job, error=APPLY_DB_BUSY)
        mine = Job.objects.filter(pk=job.pk)  # unscoped: the job this worker claimed
        mine.update(status=Job.Status.QUEUED, lease_until=None)
        raise
    except Exception:
        # The traceback names code, not values; the job keeps a Russian sentence only.
        logger.exception("import apply job %s failed", job.pk)
        return job_fail(job=job, error=APPLY_FAILED)
