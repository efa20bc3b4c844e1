"""Writes of results: issue the form, check a file, accept an upload (atomic replace with history),
reopen uploads after the deadline, recompute a school's statistics.

Validation is pure (``apps.results.xlsx``) and happens before any write; an accepted upload then
replaces the previous results of the school × work in one transaction holding the row lock of
its ``ResultSheet``, so concurrent uploads serialise and every version is kept.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    OperationalError,
    connection,
    connections,
    router,
    transaction,
)
from django.db.models import Model, OuterRef, Q, QuerySet, Subquery, signals
from django.db.models.sql import InsertQuery, UpdateQuery
from django.utils import timezone
from psycopg import sql as psycopg_sql

from apps.campaigns import schedule
from apps.campaigns.models import Work
from apps.campaigns.selectors import column_count
from apps.core import instants
from apps.core.jobs import job_drain_available, job_drain_started, job_send, job_send_drain
from apps.core.models import Job
from apps.core.precompiled import Precompiled, prepared_cursor
from apps.core.scoping import Level
from apps.core.services import (
    audit_record,
    job_claim,
    job_claim_many,
    job_fail,
    job_mark_done,
    job_mark_done_many,
    job_requeue,
)
from apps.core.uploads import UploadError, collection_paused
from apps.registration.access import A, Actor, actor_for_user
from apps.registration.actions import FEDERAL_SIDE
from apps.registration.models import School
from apps.registration.services import school_unit_scope
from apps.results import selectors as sel
from apps.results import xlsx
from apps.results.audit import ResultsAudit
from apps.results.constants import RESULTS_REMIND, RESULTS_STATS
from apps.results.messages import (
    DroppedParticipantsError,
    ResultsError,
    ResultsInvalidError,
    ResultsNotFoundError,
    codes_text,
)
from apps.results.models import (
    ParticipantResult,
    ResultDraft,
    ResultReopen,
    ResultSheet,
    ResultVersion,
    SchoolWorkStats,
    Source,
)
from apps.schoolday.actions import SchoolDayActions
from apps.schoolday.checking import selectors as checking
from apps.schoolday.models import Person

if TYPE_CHECKING:
    from apps.results.monitoring.selectors import Unit

MAX_REOPEN_DAYS = 30

logger = logging.getLogger(__name__)


def _require(actor: Actor, action: str) -> None:
    if not actor.can(action):
        raise PermissionDenied


def _sheet_for(*, actor: Actor, action: str, school: School, work: Work) -> ResultSheet:
    """The school × work row, created on first use (a concurrent creator wins harmlessly).
    Callers lock it by its id: a found row has only its id and reopening loaded."""
    found = sel.sheet_ref(actor=actor, school_id=school.pk, work_id=work.pk, action=action)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ResultSheet.objects.create(
                school=school,
                work=work,
                municipality_id=school.municipality_id,
                region_id=school.region_id,
            )
    except IntegrityError:
        found = sel.sheet_ref(actor=actor, school_id=school.pk, work_id=work.pk, action=action)
        if found is None:  # pragma: no cover - the unique row exists once the insert collided
            raise
        return found


# --- the blank form ------------------------------------------------------------------------


@dataclass(frozen=True)
class FormFile:
    name: str
    content: bytes


def results_form_download(*, actor: Actor, school_id: int, work_id: int) -> FormFile:
    """The school's results form of the work (codes prefilled), once the form is published."""
    _require(actor, A.UPLOAD_RESULTS)
    school = sel.school_get(actor=actor, school_id=school_id, action=A.UPLOAD_RESULTS)
    work = sel.work_get(actor=actor, work_id=work_id, action=A.UPLOAD_RESULTS)
    window = sel.upload_window(actor=actor, school=school, work=work, sheet=None)
    now = timezone.now()
    if window.form_at is None:
        raise ResultsError("upload_no_date")
    if now < window.form_at:
        raise ResultsError("form_not_released", at=window.shown(window.form_at))
    spec = sel.form_spec(actor=actor, school=school, work=work, action=A.UPLOAD_RESULTS)
    content = xlsx.form_workbook(spec)
    audit_record(
        actor=actor,
        action=ResultsAudit.RESULTS_FORM_DOWNLOAD,
        target=school,
        scope=school_unit_scope(school),
        details={"work_id": work.pk, "codes": len(spec.prefill)},
    )
    return FormFile(spec.file_name, content)


def results_version_file(*, actor: Actor, version_id: int) -> tuple[ResultVersion, bytes]:
    """The file of an accepted version as uploaded; a browser entry is rendered as a form."""
    version = sel.version_get(actor=actor, version_id=version_id)
    if version.file and default_storage.exists(version.file):
        with default_storage.open(version.file, "rb") as handle:
            return version, handle.read()
    raise ResultsNotFoundError("version_not_found")


# --- checking and uploading ----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    school: School
    work: Work
    spec: xlsx.FormSpec


def _target(*, actor: Actor, school_id: int, work_id: int) -> Target:
    _require(actor, A.UPLOAD_RESULTS)
    school = sel.school_get(actor=actor, school_id=school_id, action=A.UPLOAD_RESULTS)
    work = sel.work_get(actor=actor, work_id=work_id, action=A.UPLOAD_RESULTS)
    spec = sel.form_spec(actor=actor, school=school, work=work, action=A.UPLOAD_RESULTS)
    return Target(school, work, spec)


def results_check(*, actor: Actor, school_id: int, work_id: int, content: bytes) -> xlsx.Checked:
    """«Проверить»: the same validation as an upload, storing nothing (any time, even late)."""
    target = _target(actor=actor, school_id=school_id, work_id=work_id)
    return xlsx.check_form(content, target.spec)


def results_dropped_codes(
    *, actor: Actor, school_id: int, work_id: int, checked: xlsx.Checked
) -> list[str]:
    """Codes of the current version that ``checked`` would drop (shown before a replacement)."""
    sheet = sel.sheet_get(
        actor=actor, school_id=school_id, work_id=work_id, action=A.UPLOAD_RESULTS
    )
    current = sheet.current_version if sheet is not None else None
    if current is None:
        return []
    new = {r.code for r in checked.rows}
    return sorted(code for code in (current.snapshot or {}).get("rows", {}) if code not in new)


def _check_window(window: sel.Window, now: dt.datetime) -> None:
    if window.is_open(now):
        return
    if window.opens_at is None:
        raise ResultsError("upload_no_date")
    if now < window.opens_at:
        raise ResultsError("upload_not_open", at=window.shown(window.opens_at))
    raise ResultsError("upload_closed", at=window.shown(window.deadline_at))


def _check_window_audited(
    actor: Actor,
    target: Target,
    window: sel.Window,
    details: dict[str, object],
) -> None:
    """Refuse an upload outside the window, recording the attempt."""
    try:
        _check_window(window, timezone.now())
    except ResultsError as exc:
        audit_record(
            actor=actor,
            action=ResultsAudit.RESULTS_UPLOAD_REFUSED,
            target=target.school,
            scope=school_unit_scope(target.school),
            details={"work_id": target.work.pk, "code": exc.code, **details},
        )
        raise


@dataclass(frozen=True)
class Accepted:
    """An accepted upload: the version now current (the old one when nothing changed)."""

    sheet: ResultSheet
    version: ResultVersion
    diff: xlsx.Diff
    unchanged: bool
    unused_codes: int
    # The work's official results are federal (``ResultSheet.federal_since``): the upload was
    # kept as a version and as the school's own scores beside the federal ones, not made current.
    own_only: bool = False


def _rows(
    work: Work, sheet: ResultSheet, version: ResultVersion, rows: list[xlsx.Row]
) -> list[ParticipantResult]:
    out = []
    for row in rows:
        primary = row.primary_score
        out.append(
            ParticipantResult(
                sheet=sheet,
                version=version,
                work=work,
                school_id=sheet.school_id,
                municipality_id=sheet.municipality_id,
                region_id=sheet.region_id,
                code=row.code,
                absent=row.absent,
                variant=row.variant,
                scores=list(row.scores),
                primary_score=primary,
                mark=work.mark_for(primary) if primary is not None else None,
                journal_mark=row.journal_mark,
                class_number=row.class_number,
            )
        )
    return out


# Every column ``_rows_write`` fills (all but the id), in this order.
_ROW_COLUMNS = (
    "sheet_id",
    "version_id",
    "work_id",
    "school_id",
    "municipality_id",
    "region_id",
    "code",
    "absent",
    "variant",
    "scores",
    "primary_score",
    "mark",
    "journal_mark",
    "class_number",
    "own_scores",
    "own_primary_score",
)


def _scores_json(scores: tuple[int | None, ...]) -> str:
    """``json.dumps`` of a row's scores (whole numbers and None), without its per-call cost."""
    return repr(list(scores)).replace("None", "null")  # «[1, None]» → «[1, null]»


def _rows_write(
    work: Work, sheet: ResultSheet, version: ResultVersion, rows: list[xlsx.Row]
) -> None:
    """Insert an upload's result rows (the caller holds the sheet's lock and deleted the old
    ones): the same rows ``bulk_create(_rows(...))`` writes, as plain tuples — one ``COPY`` on
    PostgreSQL, one ``executemany`` elsewhere — without building and preparing a model
    instance per participant (most of an upload's ORM time, bench/README.md)."""
    ids = (sheet.pk, version.pk, work.pk, sheet.school_id, sheet.municipality_id, sheet.region_id)
    values = []
    for row in rows:
        primary = row.primary_score
        values.append(
            (
                *ids,
                row.code,
                row.absent,
                row.variant,
                _scores_json(row.scores),
                primary,
                work.mark_for(primary) if primary is not None else None,
                row.journal_mark,
                row.class_number,
                None,
                None,
            )
        )
    meta = ParticipantResult._meta
    fields = {f.attname: f for f in meta.concrete_fields}
    columns = [str(fields[name].column) for name in _ROW_COLUMNS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            statement = psycopg_sql.SQL("COPY {} ({}) FROM STDIN").format(
                psycopg_sql.Identifier(meta.db_table),
                psycopg_sql.SQL(", ").join(psycopg_sql.Identifier(c) for c in columns),
            )
            with cursor.cursor.copy(statement) as copy:
                for value in values:
                    copy.write_row(value)
            return
        quote = connection.ops.quote_name
        cursor.executemany(
            "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model's meta
                quote(meta.db_table),
                ", ".join(quote(c) for c in columns),
                ", ".join(["%s"] * len(columns)),
            ),
            values,
        )


@functools.cache
def _insert_statement(model: type[Model], vendor: str, using: str) -> tuple[str, tuple[Any, ...]]:
    """Django's own INSERT of one ``model`` row (the SQL ``save()`` runs for a new object),
    compiled once per process: its text depends only on the columns; with the fields that fill
    its parameters, in order (as ``core.services._audit_insert``)."""
    meta = model._meta
    fields = tuple(f for f in meta.local_concrete_fields if f is not meta.auto_field)
    query = InsertQuery(model)
    query.insert_values(list(fields), [model()], raw=False)
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = list(meta.db_returning_fields)
    statements = compiler.as_sql()
    if len(statements) != 1:  # pragma: no cover - one object, one statement on every backend
        raise RuntimeError("one object, one INSERT")
    return statements[0][0], fields


def _insert(obj: Any, using: str = DEFAULT_DB_ALIAS) -> Any:
    """``obj.save(force_insert=True)`` (what ``objects.create`` runs) for a new row of a plain
    model: the same statement and values (each field's ``pre_save`` and ``get_db_prep_save``,
    ``auto_now`` instants set on ``obj``), compiled once per process and run on the prepared
    cursor. A model with its own ``save`` or with save signals connected goes through
    ``save()``."""
    model = type(obj)
    if (
        model.save is not Model.save
        or signals.pre_save.has_listeners(model)
        or signals.post_save.has_listeners(model)
        or model._meta.parents
    ):
        obj.save(force_insert=True, using=using)
        return obj
    obj._prepare_related_fields_for_save(operation_name="save")
    connection = connections[using]
    sql, fields = _insert_statement(model, connection.vendor, using)  # type: ignore[arg-type]
    values = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    returning = model._meta.db_returning_fields
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, values)
        if connection.features.can_return_columns_from_insert:
            row = cursor.fetchone()
            for field, value in zip(returning, row, strict=True):
                for converter in field.get_db_converters(connection):
                    value = converter(value, field, connection)
                setattr(obj, field.attname, value)
        else:  # pragma: no cover - PostgreSQL and SQLite return it
            obj.pk = connection.ops.last_insert_id(cursor, model._meta.db_table, "id")
    obj._state.adding = False
    obj._state.db = using
    return obj


def _update_fields(model: type[Model], names: tuple[str, ...]) -> tuple[Any, ...]:
    """The fields ``save(update_fields=names)`` writes, in the model's order (as ``save``)."""
    return tuple(
        f
        for f in model._meta.local_concrete_fields
        if not f.primary_key and (f.name in names or f.attname in names)
    )


_UPDATES: dict[tuple[Any, ...], str] = {}


def _update(obj: Any, names: tuple[str, ...], using: str = DEFAULT_DB_ALIAS) -> None:
    """``obj.save(update_fields=names)`` of a loaded row: Django's own UPDATE by primary key
    (each field's ``pre_save`` and ``get_db_prep_save``; ``auto_now`` set on ``obj``; a row
    gone raises as ``save`` does), compiled once per model and fields. A NULL value (Django
    writes it into the text), its own ``save`` or save signals go through ``save()``."""
    model = type(obj)
    if (
        model.save is not Model.save
        or signals.pre_save.has_listeners(model)
        or signals.post_save.has_listeners(model)
        or model._meta.parents
    ):
        obj.save(update_fields=list(names), using=using)
        return
    obj._prepare_related_fields_for_save(operation_name="save")
    fields = _update_fields(model, names)
    raw = [field.pre_save(obj, False) for field in fields]
    if any(value is None or hasattr(value, "resolve_expression") for value in raw):
        obj.save(update_fields=list(names), using=using)
        return
    connection = connections[using]
    key = (model, names, connection.vendor, using)
    sql = _UPDATES.get(key)
    if sql is None:
        query = UpdateQuery(model)
        query.add_update_fields(
            [(field, None, value) for field, value in zip(fields, raw, strict=True)]
        )
        query.add_q(Q(pk=obj.pk))
        sql, params = query.get_compiler(using=using).as_sql()
        if len(params) != len(fields) + 1:  # pragma: no cover - one parameter per field and pk
            raise RuntimeError("an UPDATE of one row, one parameter per field")
        _UPDATES[key] = sql
    values = [
        field.get_db_prep_save(value, connection) for field, value in zip(fields, raw, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, model._meta.pk.get_db_prep_value(obj.pk, connection)])
        if cursor.rowcount < 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")


# The form's codes, its rows, the version's snapshots and diff: tens of thousands of objects.
@collection_paused()
def results_upload(
    *,
    actor: Actor,
    school_id: int,
    work_id: int,
    content: bytes,
    filename: str,
    source: str = Source.XLSX,
    confirm_dropped: bool = False,
    observer_id: int | None = None,
) -> Accepted:
    """Validate a filled form and, if every cell is right, make it the school's results.

    Raises ``UploadError`` (every error, nothing stored) or ``ResultsError`` (window closed).
    A file identical in content to the current version creates no new version. A file without
    some participants of the current version raises ``DroppedParticipantsError`` unless
    ``confirm_dropped``: a replacement never deletes results without being told to.
    ``observer_id``: the school's public observer present at the upload (optional; another
    school's person or a non-observer refuses the upload with ``ResultsInvalidError``).
    """
    target = _target(actor=actor, school_id=school_id, work_id=work_id)
    school, work = target.school, target.work
    observer = _observer(actor, school, observer_id)
    # the row's id and reopening: ``_accept`` locks it and reads it whole
    sheet = sel.sheet_ref(
        actor=actor, school_id=school.pk, work_id=work.pk, action=A.UPLOAD_RESULTS
    )
    window = sel.upload_window(actor=actor, school=school, work=work, sheet=sheet)
    sha = hashlib.sha256(content).hexdigest()
    _check_window_audited(actor, target, window, {"sha256": sha})
    try:
        checked = xlsx.read_form(content, target.spec)
    except UploadError as exc:
        # The attempt is recorded (no cell values: a refused file may hold names).
        audit_record(
            actor=actor,
            action=ResultsAudit.RESULTS_UPLOAD_REJECTED,
            target=school,
            scope=school_unit_scope(school),
            details={"work_id": work.pk, "errors": len(exc.errors), "sha256": sha},
        )
        raise
    return _accept(
        actor=actor,
        target=target,
        sheet=sheet,
        window=window,
        checked=checked,
        content=content,
        filename=filename,
        source=source,
        confirm_dropped=confirm_dropped,
        observer=observer,
    )


def _observer(actor: Actor, school: School, observer_id: int | None) -> Person | None:
    """The public observer named for an upload: an active observer of this school, else a
    refusal before anything is written."""
    if observer_id is None:
        return None
    try:
        return sel.observer_get(actor=actor, school_id=school.pk, observer_id=observer_id)
    except Person.DoesNotExist:
        raise ResultsInvalidError("observer_unknown") from None


def _checked_by(*, school: School, work: Work, codes: set[str]) -> dict[str, str]:
    """Code → the name of the expert it was given to, for the uploaded codes with an
    assignment (read as the system: the record is the school's whoever uploads)."""
    system = Actor.system(reason="results.checked_by")
    experts = checking.code_expert_names(actor=system, school_id=school.pk, work_id=work.pk)
    return {code: experts[code] for code in sorted(codes) if code in experts}


def _accept(
    *,
    actor: Actor,
    target: Target,
    sheet: ResultSheet | None,
    window: sel.Window,
    checked: xlsx.Checked,
    content: bytes,
    filename: str,
    source: str,
    confirm_dropped: bool = False,
    observer: Person | None = None,
) -> Accepted:
    """Make validated rows the school's results: lock the school × work row, keep a version
    (with who checked its codes and the observer present), replace the result rows, audit,
    and recompute the statistics after commit."""
    school, work = target.school, target.work
    sha = hashlib.sha256(content).hexdigest()
    new_snapshot = xlsx.snapshot(target.spec, checked.rows)
    checked_by = _checked_by(school=school, work=work, codes={r.code for r in checked.rows})
    sheet = sheet or _sheet_for(actor=actor, action=A.UPLOAD_RESULTS, school=school, work=work)
    with transaction.atomic():
        # One upload at a time per school × work: the second waits here, then sees the first.
        sheet = sel.sheet_locked(actor=actor, sheet_id=sheet.pk, action=A.UPLOAD_RESULTS)
        now = timezone.now()
        # A coordinator may have reopened (or the day ended) while the file was being read.
        window = replace(window, reopened_until=sheet.reopened_until)
        _check_window(window, now)
        current = (
            sel.version_find(
                actor=actor, version_id=sheet.current_version_id, action=A.UPLOAD_RESULTS
            )
            if sheet.current_version_id is not None
            else None
        )
        if sheet.federal_since is not None:
            return _accept_own(
                actor=actor,
                target=target,
                sheet=sheet,
                checked=checked,
                content=content,
                filename=filename,
                source=source,
                late=window.is_late(now),
                observer=observer,
                checked_by=checked_by,
            )
        changes = xlsx.diff(current.snapshot if current is not None else None, new_snapshot)
        if current is not None and changes.empty:
            audit_record(
                actor=actor,
                action=ResultsAudit.RESULTS_UPLOAD_UNCHANGED,
                target=current,
                scope=school_unit_scope(school),
                details={"work_id": work.pk, "version": current.number, "sha256": sha},
            )
            return Accepted(sheet, current, changes, True, checked.unused_codes)
        if current is not None and changes.removed and not confirm_dropped:
            raise DroppedParticipantsError(list(changes.removed))
        number = sheet.version_count + 1
        path = default_storage.save(
            f"results/{work.campaign_id}/{school.pk}/{work.pk}/v{number}-{sha[:12]}.xlsx",
            ContentFile(content),
        )
        present = [r for r in checked.rows if not r.absent]
        version = _insert(
            ResultVersion(
                sheet=sheet,
                school_id=school.pk,
                municipality_id=school.municipality_id,
                region_id=school.region_id,
                number=number,
                uploaded_by=actor.user,
                source=source,
                original_name=xlsx.safe_file_name(filename, target.spec.file_name)[:255],
                file=path,
                file_sha256=sha,
                participants=len(present),
                absent=len(checked.rows) - len(present),
                snapshot=new_snapshot,
                changes=changes.counts,
                late=window.is_late(now),
                checked_by=checked_by,
                observer=observer,
                observer_name=observer.full_name if observer is not None else "",
            )
        )
        ParticipantResult.objects.for_actor(actor, A.UPLOAD_RESULTS).filter(sheet=sheet).delete()
        _rows_write(work, sheet, version, checked.rows)
        sheet.current_version = version
        sheet.version_count = number
        _update(sheet, ("current_version", "version_count", "updated_at"))
        if not sel.version_seen(actor=actor, version_id=version.pk, action=A.VIEW_RESULTS):
            raise PermissionDenied  # pragma: no cover - the school was checked above
        _audit_version(
            actor,
            school,
            work,
            version,
            changes,
            late=version.late,
            checked_codes=len(checked_by),
            observer_id=observer.pk if observer is not None else None,
        )
        if source == Source.BROWSER:
            ResultDraft.objects.for_actor(actor, A.UPLOAD_RESULTS).filter(
                school_id=school.pk, work_id=work.pk
            ).delete()
        _queue_stats(actor=actor, school=school, work=work, version=version)
    return Accepted(sheet, version, changes, False, checked.unused_codes)


def _queue_stats(*, actor: Actor, school: School, work: Work, version: ResultVersion) -> None:
    """The recomputation is a job stored with the version: if the broker is down when the
    upload commits, the upload still succeeds and the sweep sends the job later."""
    job = _insert(  # scoped to the school uploaded
        Job(
            kind=RESULTS_STATS,
            key=f"{RESULTS_STATS}:{version.pk}",
            actor=actor.user,
            region_id=school.region_id,
            municipality_id=school.municipality_id,
            school_id=school.pk,
            params={"school_id": school.pk, "work_id": work.pk, "version": version.number},
        )
    )
    transaction.on_commit(lambda: _enqueue_stats(job_id=job.pk))


def _enqueue_stats(*, job_id: int) -> None:
    """After an accepted upload: have its statistics job run (kept queued if the broker is
    down). With a Redis broker the job joins the next drain run (``results_stats_drain``, ADR
    0032), asked for only when none is pending; tasks run in-process run it alone."""
    from apps.results.tasks import results_stats_drain_task, results_stats_run_task

    if job_drain_available(results_stats_drain_task):
        job_send_drain(
            results_stats_drain_task,
            name=RESULTS_STATS,
            countdown=settings.RESULTS_STATS_DRAIN_DELAY,
        )
    else:
        job_send(results_stats_run_task, job_id=job_id)


# --- federal checking: the federal organizer's scores as the official results -----------------


def _store_version(
    *,
    actor: Actor,
    sheet: ResultSheet,
    spec: xlsx.FormSpec,
    rows: Sequence[xlsx.Row],
    content: bytes,
    filename: str,
    source: str,
    changes: xlsx.Diff,
    late: bool = False,
    observer: Person | None = None,
    checked_by: dict[str, str] | None = None,
) -> ResultVersion:
    """Keep ``rows`` as the sheet's next version (file in storage); the caller holds the lock."""
    number = sheet.version_count + 1
    sha = hashlib.sha256(content).hexdigest()
    path = default_storage.save(
        f"results/{sheet.work.campaign_id}/{sheet.school_id}/{sheet.work_id}/"
        f"v{number}-{sha[:12]}.xlsx",
        ContentFile(content),
    )
    present = [r for r in rows if not r.absent]
    return ResultVersion.objects.create(
        sheet=sheet,
        school_id=sheet.school_id,
        municipality_id=sheet.municipality_id,
        region_id=sheet.region_id,
        number=number,
        uploaded_by=actor.user,
        source=source,
        original_name=xlsx.safe_file_name(filename, spec.file_name)[:255],
        file=path,
        file_sha256=sha,
        participants=len(present),
        absent=len(rows) - len(present),
        snapshot=xlsx.snapshot(spec, rows),
        changes=changes.counts,
        late=late,
        checked_by=checked_by or {},
        observer=observer,
        observer_name=observer.full_name if observer is not None else "",
    )


def _accept_own(
    *,
    actor: Actor,
    target: Target,
    sheet: ResultSheet,
    checked: xlsx.Checked,
    content: bytes,
    filename: str,
    source: str,
    late: bool,
    observer: Person | None,
    checked_by: dict[str, str],
) -> Accepted:
    """An upload after the federal publication (inside ``_accept``'s lock): the school's own
    scores. Kept as a version for the history and written beside the official federal scores
    (``own_scores``) of the same codes; the current version and the statistics stay federal."""
    school, work = target.school, target.work
    previous = (
        ResultVersion.objects.for_actor(actor, A.UPLOAD_RESULTS)
        .filter(sheet=sheet)
        .exclude(source=Source.FEDERAL)
        .order_by("-number")
        .first()
    )
    new_snapshot = xlsx.snapshot(target.spec, checked.rows)
    changes = xlsx.diff(previous.snapshot if previous is not None else None, new_snapshot)
    if previous is not None and changes.empty:
        return Accepted(sheet, previous, changes, True, checked.unused_codes, own_only=True)
    version = _store_version(
        actor=actor,
        sheet=sheet,
        spec=target.spec,
        rows=checked.rows,
        content=content,
        filename=filename,
        source=source,
        changes=changes,
        late=late,
        observer=observer,
        checked_by=checked_by,
    )
    sheet.version_count = version.number
    sheet.save(update_fields=["version_count", "updated_at"])
    own = {r.code: r for r in checked.rows if not r.absent}
    official = list(
        ParticipantResult.objects.for_actor(actor, A.UPLOAD_RESULTS).filter(sheet=sheet)
    )
    for result in official:
        row = own.get(result.code)
        result.own_scores = list(row.scores) if row is not None else None
        result.own_primary_score = row.primary_score if row is not None else None
    ParticipantResult.objects.bulk_update(official, ["own_scores", "own_primary_score"])
    _audit_version(actor, school, work, version, changes, own_only=True)
    return Accepted(sheet, version, changes, False, checked.unused_codes, own_only=True)


def _audit_version(
    actor: Actor, school: School, work: Work, version: ResultVersion, changes: Any, **extra: Any
) -> None:
    """The audit row of a new results version (an upload, a school's own scores after the
    federal publication, the federal publication): what every such row records, plus ``extra``."""
    audit_record(
        actor=actor,
        action=ResultsAudit.RESULTS_UPLOAD,
        target=version,
        scope=school_unit_scope(school),
        details={
            "work_id": work.pk,
            "version": version.number,
            "participants": version.participants,
            "absent": version.absent,
            "sha256": version.file_sha256,
            "changes": changes.counts,
            "source": version.source,
            **extra,
        },
    )


def results_publish_federal(
    *, actor: Actor, school_id: int, work_id: int, rows: Sequence[xlsx.Row]
) -> Accepted:
    """Make the federal organizer's scores of a sampled work the school's official results.

    ``rows``: one present row per participant code checked federally (variant, scores; None is
    «X»). The school's own current results give the absent participants (they stay absent),
    the classes and the marks of the period, and their scores are kept beside the official
    ones (``own_scores``). A participant the school marked present without a federal row, or
    a code not issued to the school, refuses the whole publication (``ResultsInvalidError``
    naming the codes; nothing changed). A new version with ``source=federal`` becomes current,
    ``ResultSheet.federal_since`` is set (the school's later uploads become its own scores
    only) and the statistics and aggregates are recomputed as after an upload. The federal
    side only (the caller checks its own right to publish)."""
    if actor.role not in FEDERAL_SIDE or actor.scope.level is not Level.FEDERAL:
        raise PermissionDenied
    if not rows:
        raise ResultsInvalidError("federal_empty")
    school = sel.school_get(actor=actor, school_id=school_id)
    work = sel.work_get(actor=actor, work_id=work_id)
    spec = sel.form_spec(actor=actor, school=school, work=work, action=A.VIEW_RESULTS)
    federal = {r.code: r for r in rows}
    unknown = sorted(code for code in federal if code not in spec.issued)
    if unknown:
        raise ResultsInvalidError("federal_unknown_codes", codes=codes_text(unknown))
    sheet = _sheet_for(actor=actor, action=A.VIEW_RESULTS, school=school, work=work)
    with transaction.atomic():
        sheet = (
            ResultSheet.objects.for_actor(actor, A.VIEW_RESULTS)
            .select_for_update()
            .select_related("work")
            .get(pk=sheet.pk)
        )
        if sheet.federal_since is not None:
            raise ResultsError(
                "federal_already", at=instants.format_instant(sheet.federal_since, school)
            )
        own = {
            r.code: r
            for r in ParticipantResult.objects.for_actor(actor, A.VIEW_RESULTS).filter(sheet=sheet)
        }
        missing = sorted(c for c, r in own.items() if not r.absent and c not in federal)
        if missing:
            raise ResultsInvalidError("federal_missing_codes", codes=codes_text(missing))
        classes = {p.code: p.class_number for p in spec.prefill}
        merged: list[xlsx.Row] = []
        for code in sorted(set(own) | set(federal)):
            mine, theirs = own.get(code), federal.get(code)
            class_number = mine.class_number if mine is not None else classes.get(code)
            journal = mine.journal_mark if mine is not None else None
            if theirs is None:  # absent in the school's results, and no booklet
                merged.append(xlsx.Row(code, True, None, (), class_number, journal))
            else:
                scores = tuple(theirs.scores)
                merged.append(xlsx.Row(code, False, theirs.variant, scores, class_number, journal))
        current = (
            ResultVersion.objects.for_actor(actor, A.VIEW_RESULTS)
            .filter(sheet=sheet, pk=sheet.current_version_id or 0)
            .first()
        )
        new_snapshot = xlsx.snapshot(spec, merged)
        changes = xlsx.diff(current.snapshot if current is not None else None, new_snapshot)
        content = xlsx.form_workbook(spec, merged)
        version = _store_version(
            actor=actor,
            sheet=sheet,
            spec=spec,
            rows=merged,
            content=content,
            filename=spec.file_name,
            source=Source.FEDERAL,
            changes=changes,
        )
        results = _rows(work, sheet, version, merged)
        for result in results:
            mine = own.get(result.code)
            if mine is not None and not mine.absent:
                result.own_scores = list(mine.scores)
                result.own_primary_score = mine.primary_score
        ParticipantResult.objects.for_actor(actor, A.VIEW_RESULTS).filter(sheet=sheet).delete()
        ParticipantResult.objects.bulk_create(results)
        sheet.current_version = version
        sheet.version_count = version.number
        sheet.federal_since = timezone.now()
        sheet.save(
            update_fields=["current_version", "version_count", "federal_since", "updated_at"]
        )
        _audit_version(actor, school, work, version, changes)
        _queue_stats(actor=actor, school=school, work=work, version=version)
    return Accepted(sheet, version, changes, False, 0)


class ResultsRefreshListener(Protocol):
    """Recomputes what is derived from some schools' results of a work (idempotent)."""

    def __call__(self, *, work_id: int, school_ids: list[int]) -> object: ...


_REFRESH_LISTENERS: list[ResultsRefreshListener] = []


def results_refresh_listener_register(listener: ResultsRefreshListener) -> None:
    """Run ``listener`` in every statistics job, after the school's statistics.

    The analytics app registers its aggregate refresh from its ``AppConfig.ready``: analytics
    sits above results in the layers (docs/architecture.md), so results never imports it.
    """
    if listener not in _REFRESH_LISTENERS:
        _REFRESH_LISTENERS.append(listener)


def _stats_refresh_many(*, work_id: int, school_ids: list[int]) -> None:
    """The statistics of these schools' results of a work, then the registered listeners once
    for all of them (the analytics aggregates: each parent summed once), in one transaction:
    the schools' sheets are locked in the order of their ids, then the aggregates' chains (the
    order of every refresh), so concurrent drains cannot deadlock."""
    ordered = sorted(set(school_ids))
    with transaction.atomic():
        for school_id in ordered:
            _stats_refresh(school_id=school_id, work_id=work_id)
        for listener in _REFRESH_LISTENERS:
            listener(work_id=work_id, school_ids=ordered)


# How many statistics jobs a drain run claims at a time.
STATS_DRAIN_BATCH = 200


def results_stats_drain(*, limit: int = STATS_DRAIN_BATCH) -> int:
    """Run every queued statistics job (ADR 0032): claim them, refresh each school × work once
    however many of its uploads wait, the listeners once per work for all its schools, and
    mark the jobs done; again until none is left. Returns how many jobs were done.

    A school whose refresh fails fails its own jobs only (the others of its work are refreshed
    one by one); a transient database error puts the jobs not yet done back in the queue and is
    raised (the task retries)."""
    from apps.results.tasks import results_stats_drain_task

    job_drain_started(results_stats_drain_task, name=RESULTS_STATS)
    done = 0
    while True:
        jobs = job_claim_many(kind=RESULTS_STATS, limit=limit)
        if not jobs:
            return done
        done += _stats_run_jobs(jobs)
        if len(jobs) < limit:
            return done


def _stats_run_jobs(jobs: list[Job]) -> int:
    by_work: dict[int, dict[int, list[Job]]] = {}  # work → school → its jobs, oldest first
    for job in jobs:
        schools = by_work.setdefault(int(job.params["work_id"]), {})
        schools.setdefault(int(job.params["school_id"]), []).append(job)
    finished: list[Job] = []
    try:
        for work_id, schools in by_work.items():
            try:
                _stats_refresh_many(work_id=work_id, school_ids=list(schools))
            except OperationalError:
                raise
            except Exception:
                logger.exception(
                    "statistics of work %s: refreshing its schools one by one", work_id
                )
                for school_id, school_jobs in schools.items():
                    try:
                        _stats_refresh_many(work_id=work_id, school_ids=[school_id])
                    except OperationalError:
                        raise
                    except Exception as exc:
                        for job in school_jobs:
                            job_fail(job=job, error=f"{type(exc).__name__}: {exc}"[:2000])
                        continue
                    finished += school_jobs
                continue
            finished += [job for school_jobs in schools.values() for job in school_jobs]
    except OperationalError:
        job_mark_done_many(jobs=finished)
        failed_or_done = {job.pk for job in finished} | {
            job.pk for job in jobs if job.status == Job.Status.FAILED
        }
        job_requeue(jobs=[job for job in jobs if job.pk not in failed_or_done])
        raise
    job_mark_done_many(jobs=finished)
    return len(finished)


def results_stats_run(*, job_id: int) -> SchoolWorkStats | None:
    """Run an upload's statistics job: the school's statistics, then the registered listeners
    (the analytics aggregates; all recompute from the current results, so a late or repeated run
    is harmless). A claimed or finished job is not run again; a transient database error puts it
    back in the queue."""
    job = job_claim(job_id=job_id)
    if job is None:
        return None
    school_id, work_id = job.params["school_id"], job.params["work_id"]
    try:
        stats = results_stats_refresh(school_id=school_id, work_id=work_id)
        for listener in _REFRESH_LISTENERS:
            listener(work_id=work_id, school_ids=[school_id])
    except OperationalError:
        mine = Job.objects.filter(pk=job.pk)  # unscoped: the job this worker claimed
        mine.update(status=Job.Status.QUEUED, lease_until=None)
        raise
    except Exception as exc:
        job_fail(job=job, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    with transaction.atomic():
        job_mark_done(job=job, output="", sha256="")
    return stats


# --- the browser entry: the same table in the browser, drafts -------------------------------

MAX_CELL_CHARS = 100


def _entry_cells(spec: xlsx.FormSpec, cells: list[list[str]]) -> list[list[str]]:
    width = spec.col_mark
    limit = max(len(spec.prefill), 1) + 200
    return [
        [str(v or "")[:MAX_CELL_CHARS] for v in (line + [""] * width)[:width]]
        for line in cells[:limit]
    ]


def results_draft_save(
    *, actor: Actor, school_id: int, work_id: int, cells: list[list[str]]
) -> ResultDraft:
    """Keep the browser table unsubmitted (any time). A cell shaped like a name refuses it."""
    target = _target(actor=actor, school_id=school_id, work_id=work_id)
    cells = _entry_cells(target.spec, cells)
    names = xlsx.entry_names(cells)
    if names:
        raise UploadError(names)
    school = target.school
    draft, _ = ResultDraft.objects.for_actor(actor, A.UPLOAD_RESULTS).update_or_create(
        school_id=school.pk,
        work_id=target.work.pk,
        defaults={
            "municipality_id": school.municipality_id,
            "region_id": school.region_id,
            "cells": cells,
            "saved_by": actor.user,
        },
    )
    return draft


def results_entry_check(
    *, actor: Actor, school_id: int, work_id: int, cells: list[list[str]]
) -> xlsx.Checked:
    """«Проверить» for the browser table: the rules of an uploaded file, nothing stored."""
    target = _target(actor=actor, school_id=school_id, work_id=work_id)
    cells = _entry_cells(target.spec, cells)
    return xlsx.check_book(xlsx.entry_book(target.spec, cells), target.spec)


def results_entry_submit(
    *,
    actor: Actor,
    school_id: int,
    work_id: int,
    cells: list[list[str]],
    confirm_dropped: bool = False,
    observer_id: int | None = None,
) -> Accepted:
    """Submit the browser table as the school's results: the same rules and the same atomic
    replace as a file (the version keeps the table as a filled form); the draft is removed."""
    target = _target(actor=actor, school_id=school_id, work_id=work_id)
    school, work = target.school, target.work
    observer = _observer(actor, school, observer_id)
    sheet = sel.sheet_ref(
        actor=actor, school_id=school.pk, work_id=work.pk, action=A.UPLOAD_RESULTS
    )
    window = sel.upload_window(actor=actor, school=school, work=work, sheet=sheet)
    _check_window_audited(actor, target, window, {"source": "browser"})
    cells = _entry_cells(target.spec, cells)
    checked = xlsx.check_book(xlsx.entry_book(target.spec, cells), target.spec)
    if checked.errors:
        audit_record(
            actor=actor,
            action=ResultsAudit.RESULTS_UPLOAD_REJECTED,
            target=school,
            scope=school_unit_scope(school),
            details={"work_id": work.pk, "errors": len(checked.errors), "source": "browser"},
        )
        raise UploadError(checked.errors)
    return _accept(
        actor=actor,
        target=target,
        sheet=sheet,
        window=window,
        checked=checked,
        content=xlsx.form_workbook(target.spec, checked.rows),
        filename=target.spec.file_name,
        source=Source.BROWSER,
        confirm_dropped=confirm_dropped,
        observer=observer,
    )


# --- the experts' entry: each expert enters the scores of the codes given to it ------------


def _check_checking_window(window: sel.CheckingWindow) -> None:
    now = timezone.now()
    if window.is_open(now):
        return
    if window.opens_at is None:
        raise ResultsError("checking_no_date")
    if now < window.opens_at:
        raise ResultsError("checking_not_open", at=window.shown(window.opens_at))
    raise ResultsError("checking_closed", at=window.shown(window.closes_at))


def results_expert_save(
    *,
    actor: Actor,
    school_id: int,
    work_id: int,
    cells: list[list[str]],
    expert_id: int | None = None,
) -> ResultDraft:
    """Merge an expert's rows into the school's draft (the organizer submits it later through
    the entry): only inside the checking window, only codes given to the expert (another code
    refuses the whole save, naming its row), the form's rules on the filled cells, no names.
    The other rows of the draft stay as they are; the codes and classes are the school's."""
    enter = SchoolDayActions.ENTER_SCORES
    _require(actor, enter)
    desk = sel.expert_desk(actor=actor, school_id=school_id, work_id=work_id, expert_id=expert_id)
    if desk.expert is None:
        raise ResultsInvalidError("expert_not_chosen")
    _check_checking_window(desk.window)
    spec = desk.spec
    cells = _entry_cells(spec, cells)
    names = xlsx.entry_names(cells)
    if names:
        raise UploadError(names)
    given = set(desk.codes)
    for row, line in enumerate(cells, start=2):
        code = line[0].strip()
        if not code and not any(v.strip() for v in line):
            continue
        if code not in given:
            raise ResultsNotFoundError("expert_code_foreign", row=row, value=code[:10] or "—")
    errors = xlsx.entry_value_errors(spec, cells)
    if errors:
        raise UploadError(errors)
    mine = {line[0].strip(): line for line in cells if line[0].strip()}
    school, work = desk.school, desk.work
    with transaction.atomic():
        draft = (
            ResultDraft.objects.for_actor(actor, enter)
            .select_for_update()
            .filter(school_id=school.pk, work_id=work.pk)
            .first()
        )
        if draft is not None:
            base = [list(line) for line in draft.cells]
        else:
            base, _ = sel.entry_cells(
                actor=actor, school=school, work=work, spec=spec, action=enter
            )
        merged: list[list[str]] = []
        placed: set[str] = set()
        for line in base:
            code = str(line[0]).strip() if line else ""
            if code in mine and code not in placed:
                new = list(mine[code])
                new[0], new[spec.col_class - 1] = code, line[spec.col_class - 1]
                merged.append(new)
                placed.add(code)
            else:
                merged.append(line)
        classes = {p.code: p.class_number for p in spec.prefill}
        for code in desk.codes:
            if code in mine and code not in placed:
                new = list(mine[code])
                new[spec.col_class - 1] = str(classes.get(code) or "")
                merged.append(new)
        if draft is None:
            draft = ResultDraft.objects.create(
                school_id=school.pk,
                work_id=work.pk,
                municipality_id=school.municipality_id,
                region_id=school.region_id,
                cells=merged,
                saved_by=actor.user,
            )
        else:
            draft.cells = merged
            draft.saved_by = actor.user
            draft.save(update_fields=["cells", "saved_by", "updated_at"])
        audit_record(
            actor=actor,
            action=ResultsAudit.RESULTS_EXPERT_ENTRY,
            target=school,
            scope=school_unit_scope(school),
            details={
                "work_id": work.pk,
                "expert_id": desk.expert.pk,
                "codes": len(mine),
                "on_behalf": desk.on_behalf,
            },
        )
    return draft


# --- reopening after the deadline ----------------------------------------------------------


def results_reopen(
    *,
    actor: Actor,
    school_id: int,
    work_id: int,
    until_day: dt.date,
    reason: str,
) -> ResultReopen:
    """A municipal or regional coordinator lets the school upload until the end of
    ``until_day`` (school-local). Recorded and audited; the latest reopening counts."""
    _require(actor, A.REOPEN_RESULTS)
    if actor.user is None:  # a reopening is always somebody's decision
        raise PermissionDenied
    school = sel.school_get(actor=actor, school_id=school_id, action=A.REOPEN_RESULTS)
    work = sel.work_get(actor=actor, work_id=work_id, action=A.REOPEN_RESULTS)
    reason = reason.strip()
    if not reason:
        raise ResultsInvalidError("reopen_reason")
    zone = sel.school_zone(school)
    today = timezone.now().astimezone(ZoneInfo(zone)).date()
    if until_day < today:
        raise ResultsInvalidError("reopen_past", today=f"{today:%d.%m.%Y}")
    if (until_day - today).days > MAX_REOPEN_DAYS:
        raise ResultsInvalidError("reopen_too_long", days=MAX_REOPEN_DAYS)
    sheet = _sheet_for(actor=actor, action=A.REOPEN_RESULTS, school=school, work=work)
    with transaction.atomic():
        sheet = (
            ResultSheet.objects.for_actor(actor, A.REOPEN_RESULTS)
            .select_for_update()
            .get(pk=sheet.pk)
        )
        until_at = schedule.at_local(until_day + dt.timedelta(days=1), dt.time(0, 0), zone)
        reopen = ResultReopen.objects.create(
            sheet=sheet,
            school_id=school.pk,
            municipality_id=school.municipality_id,
            region_id=school.region_id,
            by=actor.user,
            role=str(actor.role or ""),
            until_day=until_day,
            until_at=until_at,
            reason=reason[:2000],
        )
        sheet.reopened_until = until_at
        sheet.save(update_fields=["reopened_until", "updated_at"])
        audit_record(
            actor=actor,
            action=ResultsAudit.RESULTS_REOPEN,
            target=reopen,
            scope=school_unit_scope(school),
            details={"work_id": work.pk, "until": until_day.isoformat(), "reason": reason[:500]},
        )
    return reopen


# --- statistics ------------------------------------------------------------------------------


def _stats_sheet_rows(actor: Actor, *, school_id: int, work_id: int) -> QuerySet[Any]:
    """The sheet of a school × work, locked (the refreshes of a sheet serialise on it), with its
    work's maximum score and number of columns as scalar subqueries (only the sheet is locked)."""
    works = Work.objects.for_actor(actor, A.VIEW_RESULTS).filter(pk=OuterRef("work_id"))
    return (
        ResultSheet.objects.for_actor(actor, A.VIEW_RESULTS)
        .select_for_update()
        .filter(school_id=school_id, work_id=work_id)
        .annotate(
            work_max_score=Subquery(works.order_by().values("max_score")),
            work_columns=column_count("work_id"),
        )
        .order_by("pk")
        .values_list(
            "pk",
            "current_version_id",
            "version_count",
            "municipality_id",
            "region_id",
            "work_max_score",
            "work_columns",
        )[:1]
    )


def _stats_result_rows(actor: Actor, *, sheet_id: int) -> QuerySet[Any]:
    return (
        ParticipantResult.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(sheet_id=sheet_id)
        .order_by()  # the statistics do not depend on the rows' order
        .values_list("absent", "scores", "primary_score", "mark", "journal_mark")
    )


# The statistics job's reads, compiled once per process (``core.precompiled``, ADR 0028): it
# runs after every accepted upload, and building the querysets cost more than running them.
_STATS_SHEET = Precompiled(_stats_sheet_rows)
_STATS_ROWS = Precompiled(_stats_result_rows)

# What a refresh writes into a school's statistics row (every column but its id and keys).
_STATS_FIELDS = (
    "municipality_id",
    "region_id",
    "version_number",
    "participants",
    "absent",
    "mark2",
    "mark3",
    "mark4",
    "mark5",
    "histogram",
    "column_sums",
    "journal",
    "vs_journal",
    "computed_at",
)


@functools.cache
def _stats_update_statement(vendor: str, using: str) -> tuple[str, tuple[Any, ...]]:
    """The UPDATE of one school's statistics row (the SQL ``update(**values)`` runs, with the
    row's id returned), built once: its text depends only on the columns. The job writes as the
    system actor, whose ``for_actor`` adds no condition (checked here)."""
    system = Actor.system(reason="results.stats_refresh")
    if SchoolWorkStats.objects.for_actor(system, A.VIEW_RESULTS).query.has_filters():
        raise ImproperlyConfigured("the system actor's statistics rows are scoped")
    meta = SchoolWorkStats._meta
    quote = connections[using].ops.quote_name
    by_name = {field.attname: field for field in meta.concrete_fields}
    column = {field.attname: quote(field.column) for field in by_name.values() if field.column}
    fields = tuple(by_name[name] for name in _STATS_FIELDS)
    sql = "UPDATE {} SET {} WHERE {} = %s AND {} = %s RETURNING {}".format(  # noqa: S608 - names from the model's meta
        quote(meta.db_table),
        ", ".join(f"{column[name]} = %s" for name in _STATS_FIELDS),
        column["school_id"],
        column["work_id"],
        column["id"],
    )
    return sql, fields


def _stats_update(school_id: int, work_id: int, values: dict[str, Any]) -> int | None:
    """Update a school's statistics row as ``update(**values)`` would (each field's
    ``get_db_prep_save``); its id, or None when the school has no row yet."""
    using = router.db_for_write(SchoolWorkStats)
    conn = connections[using]
    sql, fields = _stats_update_statement(conn.vendor, using)
    params = [field.get_db_prep_save(values[field.attname], conn) for field in fields]
    with prepared_cursor(conn) as cursor:
        cursor.execute(sql, [*params, school_id, work_id])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def results_stats_refresh(*, school_id: int, work_id: int) -> SchoolWorkStats | None:
    """Recompute a school's statistics of a work from its current results (idempotent: the same
    results give the same row however often it runs).

    Three statements in the transaction: the sheet locked with its work's scale, the
    participants' rows, one UPDATE (an INSERT for a school's first statistics); the reads are
    compiled once per process and the UPDATE is built once. The row returned is the one
    written (what ``get()`` would read back)."""
    with transaction.atomic():
        return _stats_refresh(school_id=school_id, work_id=work_id)


def _stats_refresh(*, school_id: int, work_id: int) -> SchoolWorkStats | None:
    """``results_stats_refresh`` in the caller's transaction."""
    actor = Actor.system(reason="results.stats_refresh")
    found = _STATS_SHEET.rows(actor=actor, school_id=school_id, work_id=work_id)
    if not found or found[0][1] is None:
        return None
    sheet_id, _current, version_count, municipality_id, region_id, max_score, columns = found[0]
    if max_score is None:  # pragma: no cover - a sheet's work is protected from deletion
        raise Work.DoesNotExist("Work matching query does not exist.")
    rows = _STATS_ROWS.rows(actor=actor, sheet_id=sheet_id)
    histogram = [0] * (max_score + 1)
    sums = [0] * columns
    marks: Counter[int] = Counter()
    journal: Counter[str] = Counter()
    versus: Counter[str] = Counter()
    present = 0
    for absent, scores, primary, mark, journal_mark in rows:
        if absent or primary is None or mark is None:
            continue
        present += 1
        histogram[min(primary, max_score)] += 1
        for j, score in enumerate(scores[: len(sums)]):
            sums[j] += score or 0
        marks[mark] += 1
        journal[str(journal_mark)] += 1
        if journal_mark:
            versus[
                "lower" if mark < journal_mark else "higher" if mark > journal_mark else "equal"
            ] += 1
    values = {
        "municipality_id": municipality_id,
        "region_id": region_id,
        "version_number": version_count,
        "participants": present,
        "absent": len(rows) - present,
        "mark2": marks[2],
        "mark3": marks[3],
        "mark4": marks[4],
        "mark5": marks[5],
        "histogram": histogram,
        "column_sums": sums,
        "journal": dict(sorted(journal.items())),
        "vs_journal": {key: versus[key] for key in ("lower", "equal", "higher")},
        "computed_at": timezone.now(),
    }
    # The sheet's lock serialises the refreshes of a school × work: one UPDATE, or the
    # INSERT of its first statistics.
    stats_id = _stats_update(school_id, work_id, values)
    if stats_id is None:
        return SchoolWorkStats.objects.for_actor(actor, A.VIEW_RESULTS).create(
            school_id=school_id, work_id=work_id, **values
        )
    keys = {"id": stats_id, "school_id": school_id, "work_id": work_id}
    names = [f.attname for f in SchoolWorkStats._meta.concrete_fields]
    return SchoolWorkStats.from_db(
        router.db_for_write(SchoolWorkStats), names, [{**keys, **values}[name] for name in names]
    )


# --- reminders to schools that have not uploaded -------------------------------------------


@dataclass(frozen=True)
class Reminded:
    """A queued reminder: the schools it will mail and those without an e-mail address."""

    job_id: int
    queued: int
    without_email: int


def _remind_pending(
    *, actor: Actor, work_id: int, region_id: int | None, municipality_id: int | None
) -> tuple[Work, Unit, list[Any]]:
    """The work, the unit (checked through ``for_actor``) and its schools still missing."""
    from apps.results.monitoring import selectors as mon

    work = sel.work_get(actor=actor, work_id=work_id, action=A.REMIND_RESULTS)
    unit = mon.monitoring_unit_get(
        actor=actor,
        region_id=region_id,
        municipality_id=municipality_id,
        action=A.REMIND_RESULTS,
    )
    pending = mon.monitoring_schools(
        actor=actor, work=work, state=mon.UploadState.MISSING, unit=unit
    )
    return work, unit, pending


@transaction.atomic
def results_remind(
    *,
    actor: Actor,
    work_id: int,
    region_id: int | None = None,
    municipality_id: int | None = None,
) -> Reminded:
    """Queue an e-mail to every school in the actor's scope — or only in the region or
    municipality given (checked through ``for_actor``: ``DoesNotExist`` outside the scope) —
    that has not uploaded the work's results (the address of its questionnaire). The mails go
    out in a Celery task (thousands of schools at federal level); the request only counts them.
    Audited with the counts, never the addresses."""
    _require(actor, A.REMIND_RESULTS)
    if actor.user is None:
        raise PermissionDenied
    work, unit, pending = _remind_pending(
        actor=actor, work_id=work_id, region_id=region_id, municipality_id=municipality_id
    )
    with_email = sum(1 for p in pending if p.email)
    job = Job.objects.create(  # scoped to the unit reminded
        kind=RESULTS_REMIND,
        key=f"{RESULTS_REMIND}:{uuid.uuid4().hex}",
        actor=actor.user,
        region_id=unit.region.pk if unit.region is not None else None,
        municipality_id=unit.municipality.pk if unit.municipality is not None else None,
        params={
            "work_id": work.pk,
            "region_id": region_id,
            "municipality_id": municipality_id,
        },
    )
    audit_record(
        actor=actor,
        action=ResultsAudit.RESULTS_REMIND,
        target=job,
        details={
            "work_id": work.pk,
            "region_id": region_id,
            "municipality_id": municipality_id,
            "queued": with_email,
            "without_email": len(pending) - with_email,
        },
    )
    from apps.results.tasks import results_remind_send_task

    transaction.on_commit(lambda: job_send(results_remind_send_task, job_id=job.pk))
    return Reminded(job_id=job.pk, queued=with_email, without_email=len(pending) - with_email)


def results_remind_send(*, job_id: int) -> int | None:
    """Send a queued reminder as the coordinator who asked (idempotent: a claimed or finished
    job is not sent again). The schools are read again, so one that uploaded in the meantime
    is not mailed. Returns the number of mails sent (None if the job was not ours to run)."""
    from django.conf import settings
    from django.core.mail import send_mass_mail

    from apps.results.monitoring import selectors as mon

    job = job_claim(job_id=job_id)
    if job is None:
        return None
    if job.actor is None:
        job_fail(job=job, error="Нет пользователя, запросившего напоминание.")
        return None
    actor = actor_for_user(job.actor)
    try:
        work, _unit, pending = _remind_pending(
            actor=actor,
            work_id=job.params["work_id"],
            region_id=job.params.get("region_id"),
            municipality_id=job.params.get("municipality_id"),
        )
    except ObjectDoesNotExist:
        # The coordinator lost the unit (or the work) since: nothing is sent, and it is final.
        job_fail(job=job, error="Работа или единица больше не доступны.")
        return None
    mails = []
    for p in pending:
        if not p.email:
            continue
        day = f"{p.window.deadline_day:%d.%m.%Y}"
        deadline = p.window.shown(p.window.deadline_at)  # on the school's clock, labelled
        overdue = p.state == mon.UploadState.OVERDUE
        body = (
            f"Здравствуйте!\n\nОО {p.school.code} «{p.school.short_name}» ещё не загрузила "
            f"результаты ВПР: {work.subject.name}, {work.grade} класс.\n"
            + (
                f"Срок загрузки истёк {day} (приём закрыт {deadline}). Свяжитесь с "
                "координатором, чтобы он открыл приём.\n"
                if overdue
                else f"Последний день загрузки — {day} (приём до {deadline}).\n"
            )
            + "\nФорма сбора результатов и загрузка — в личном кабинете ОО на ВПР-портале.\n"
        )
        mails.append(
            (
                f"ВПР: загрузите результаты ({work.subject.name}, {work.grade} класс)",
                body,
                settings.DEFAULT_FROM_EMAIL,
                [p.email],
            )
        )
    sent = send_mass_mail(mails, fail_silently=False) if mails else 0
    with transaction.atomic():
        job.params = {**job.params, "sent": sent}
        job.save(update_fields=["params", "updated_at"])
        job_mark_done(job=job, output="", sha256="")
    return sent
