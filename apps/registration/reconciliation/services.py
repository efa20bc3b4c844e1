"""School-list reconciliation («выверка ОО»): download, upload → preview, apply, discard.

A municipal or regional coordinator downloads the list of its unit's schools, edits it, uploads
it. A file with any rejected row is refused whole and changes nothing (no batch is stored; the
refusal is audited). An accepted file becomes an ``ImportBatch`` (kind ``school_list``) holding the
preview; only an explicit apply writes, in one transaction, after re-validating against the rows
as they are now (under ``select_for_update``). Applying twice changes nothing. Schools are never
deleted: a school missing from the file is left as it is, a school marked «Закрыта» is closed.
Each download, upload (accepted or refused), apply and discard writes exactly one audit row.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from apps.core import instants
from apps.core.models import ImportBatch
from apps.core.scoping import Level, Scope
from apps.core.services import audit_record
from apps.core.uploads import MAX_UPLOAD_BYTES, UploadError, file_error
from apps.registration.access import A, Actor
from apps.registration.constants import SchoolStatus
from apps.registration.messages import RegistrationError
from apps.registration.models import Municipality, Region, School
from apps.registration.reconciliation import rules as rc

if TYPE_CHECKING:
    from django.http import HttpRequest

# Accounts of new schools are issued by the accounts flow (accounts/services.py): a new active
# school appears in its municipality's organizers file; its login is its code.
ACCOUNTS_NOTE = (
    "Учётные записи организаторов новых ОО (логин — код ОО) выдаются в разделе «Организаторы ОО»: "
    "новые ОО уже есть в файле организаторов муниципалитета."
)


class RefusedUploadError(UploadError):
    """A reconciliation file that cannot be applied; ``preview`` shows all rows if it was read."""

    def __init__(self, errors: list[Any], preview: dict[str, Any] | None = None) -> None:
        super().__init__(errors)
        self.preview = preview
        if preview is not None:
            self.context = {"preview": preview}


class StaleReconciliationError(RegistrationError):
    """The apply is refused (409): the unit's school list changed since the preview so that a
    row would now be rejected; ``errors`` and ``preview`` show the file as it reads today."""

    def __init__(self, errors: list[Any], preview: dict[str, Any]) -> None:
        super().__init__(
            "reconciliation_stale",
            details=[e.as_dict() for e in errors],
            context={"preview": preview},
        )
        self.errors = list(errors)
        self.preview = preview

    def __str__(self) -> str:
        return "; ".join(str(e) for e in self.errors)


@dataclass(frozen=True)
class TemplateFile:
    filename: str
    content: bytes


@dataclass(frozen=True)
class ApplyOutcome:
    """What an apply (or discard) call did: ``done`` is False when it had nothing to do."""

    batch: ImportBatch
    done: bool
    message: str


# --- units ---------------------------------------------------------------------------------------


def _scope(unit: rc.UnitInfo, region_id: int) -> Scope:
    if unit.level == rc.LEVEL_MUNICIPALITY:
        return Scope(
            level=Level.MUNICIPALITY,
            anchor_id=unit.id,
            region_id=region_id,
            municipality_id=unit.id,
        )
    return Scope(level=Level.REGION, anchor_id=unit.id, region_id=unit.id)


def _unit(
    *, actor: Actor, level: str, unit_id: int, lock: bool = False
) -> tuple[rc.UnitInfo, Scope, dict[str, Municipality]]:
    """The unit as the actor sees it (DoesNotExist → 404), its scope and its municipalities.

    ``lock`` takes the unit's municipality rows FOR UPDATE: applies to one unit are serialised.
    """
    munis = Municipality.objects.for_actor(actor, A.RECONCILE_SCHOOLS).select_related("region")
    if level == rc.LEVEL_REGION:
        region = Region.objects.for_actor(actor, A.VIEW_REGION).get(pk=unit_id)
        code, name, region_id = region.code, region.name, region.pk
        munis = munis.filter(region_id=unit_id)
    elif level == rc.LEVEL_MUNICIPALITY:
        munis = munis.filter(pk=unit_id)
    else:
        raise PermissionDenied
    if lock:
        munis = munis.select_for_update(of=("self",))
    by_code = {m.code: m for m in munis.order_by("code")}
    if level == rc.LEVEL_MUNICIPALITY:
        if not by_code:
            raise Municipality.DoesNotExist
        muni = next(iter(by_code.values()))
        code, name, region_id = muni.code, muni.name, muni.region_id
    unit = rc.UnitInfo(
        level=level,
        id=unit_id,
        code=code,
        name=name,
        municipalities={m.code: m.time_zone or m.region.time_zone for m in by_code.values()},
    )
    return unit, _scope(unit, region_id), by_code


def _own_unit(actor: Actor) -> tuple[rc.UnitInfo, Scope, dict[str, Municipality]]:
    """The unit a coordinator reconciles: its own municipality or region."""
    if not actor.can(A.RECONCILE_SCHOOLS) or actor.scope.anchor_id is None:
        raise PermissionDenied
    if actor.scope.level is Level.MUNICIPALITY:
        return _unit(actor=actor, level=rc.LEVEL_MUNICIPALITY, unit_id=actor.scope.anchor_id)
    if actor.scope.level is Level.REGION:
        return _unit(actor=actor, level=rc.LEVEL_REGION, unit_id=actor.scope.anchor_id)
    raise PermissionDenied


def _schools(*, actor: Actor, unit: rc.UnitInfo, lock: bool = False) -> list[School]:
    qs = School.objects.for_actor(actor, A.RECONCILE_SCHOOLS).select_related("municipality")
    if unit.level == rc.LEVEL_MUNICIPALITY:
        qs = qs.filter(municipality_id=unit.id)
    else:
        qs = qs.filter(region_id=unit.id)
    if lock:
        qs = qs.select_for_update(of=("self",))
    return list(qs.order_by("municipality__code", "code"))


def _existing(school: School) -> rc.ExistingSchool:
    return rc.ExistingSchool(
        id=school.pk,
        code=school.code,
        values=rc.SchoolValues(
            full_name=school.full_name,
            short_name=school.short_name,
            address=school.address,
            school_type=school.school_type,
            status=school.status,
            municipality_code=school.municipality.code,
            time_zone=school.time_zone,
        ),
    )


# --- download ------------------------------------------------------------------------------------


def school_list_template(*, actor: Actor, request: HttpRequest | None = None) -> TemplateFile:
    """The reconciliation file of the actor's unit (every school of it, closed ones too)."""
    unit, scope, _ = _own_unit(actor)
    schools = [_existing(s) for s in _schools(actor=actor, unit=unit)]
    stamp = instants.format_instant(timezone.now(), actor.unit)
    content = rc.build_template(unit=unit, schools=schools, generated_at=stamp)
    audit_record(
        actor=actor,
        action="school_list.template_download",
        scope=scope,
        request=request,
        details={"unit": unit.code, "schools": len(schools)},
    )
    return TemplateFile(filename=f"Выверка списка ОО {unit.code}.xlsx", content=content)


# --- upload --------------------------------------------------------------------------------------


def _read(file: IO[bytes], size: int) -> bytes:
    if size > MAX_UPLOAD_BYTES:
        raise file_error(
            f"Файл слишком большой ({size / 1024 / 1024:.1f} МБ); "
            f"допускается не более {MAX_UPLOAD_BYTES // 1024 // 1024} МБ."
        )
    return file.read(MAX_UPLOAD_BYTES + 1)


def school_list_upload(
    *,
    actor: Actor,
    file: IO[bytes],
    name: str,
    size: int,
    request: HttpRequest | None = None,
) -> ImportBatch:
    """Validate a reconciliation file and store it with its preview; nothing else changes.

    Raises ``RefusedUploadError`` (audited as ``school_list.upload_rejected``) when the file cannot
    be read or any row is rejected; then no batch is stored.
    """
    unit, scope, _ = _own_unit(actor)
    sha = ""
    try:
        content = _read(file, size)
        sha = hashlib.sha256(content).hexdigest()
        parsed = rc.parse_upload(content, unit=unit, max_bytes=MAX_UPLOAD_BYTES)
        preview = rc.reconcile(
            parsed, unit=unit, existing=[_existing(s) for s in _schools(actor=actor, unit=unit)]
        )
        if not parsed.rows:
            raise file_error("В файле нет ни одной строки с ОО. Заполните лист «Список ОО».")
        data = preview.as_dict()
        if preview.rejected:
            raise RefusedUploadError(preview.errors, preview=data)
    except UploadError as exc:
        audit_record(
            actor=actor,
            action="school_list.upload_rejected",
            scope=scope,
            request=request,
            details={
                "unit": unit.code,
                "file": name[:200],
                "sha256": sha,
                "errors": len(exc.errors),
                "first_errors": [str(e) for e in exc.errors[:10]],
            },
        )
        if isinstance(exc, RefusedUploadError):
            raise
        raise RefusedUploadError(exc.errors) from exc
    data["columns"] = dict(parsed.columns)
    if actor.user is None:  # an upload is always somebody's; the batch's actor is required
        raise PermissionDenied
    path = default_storage.save(
        f"imports/school_list/{uuid.uuid4().hex}.xlsx", ContentFile(content)
    )
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                kind=rc.KIND,
                actor=actor.user,
                status=ImportBatch.Status.PREVIEW,
                original_name=name[:255],
                file=path,
                file_sha256=sha,
                preview=data,
                region_id=scope.region_id,
                municipality_id=scope.municipality_id,
            )
            audit_record(
                actor=actor,
                action="school_list.upload",
                target=batch,
                scope=scope,
                request=request,
                details={"unit": unit.code, "file": name[:200], "sha256": sha, **data["counts"]},
            )
    except Exception:
        default_storage.delete(path)
        raise
    return batch


# --- apply ---------------------------------------------------------------------------------------


def _not_applicable(batch: ImportBatch, actor: Actor) -> str:
    if batch.kind != rc.KIND:
        return "Эта загрузка не относится к выверке списка ОО."
    if batch.status == ImportBatch.Status.APPLIED:
        when = instants.format_instant(batch.applied_at, actor.unit)
        return f"Файл уже применён {when}; повторное применение ничего не меняет."
    if batch.status != ImportBatch.Status.PREVIEW:
        return f"Загрузка {batch.get_status_display()}; применить её нельзя. Загрузите файл заново."
    return ""


# A school's code is edu<region><MM><SS>: MM numbers the municipality within the region, SS the
# school within the municipality (as the national list issues them, e.g. edu660512).
BLOCK_MAX = 99  # two digits each for the municipality block and the school within it
_MUNICIPALITY_INDEX = re.compile(r"_m0*(\d{1,2})$")  # «reg66_m005» → 5


@dataclass
class _Blocks:
    """The region's codes as municipality blocks: who numbers in which MM, which codes are taken."""

    prefix: str
    taken: set[str]
    owners: dict[str, set[int]]  # MM → municipalities with a school coded in that block
    own: dict[int, Counter[str]]  # municipality → how many of its schools are in each MM

    def free_in(self, mm: str) -> str | None:
        """The next free code of block ``mm``: after its highest, else its lowest gap."""
        used = {int(c[-2:]) for c in self.taken if c.startswith(f"{self.prefix}{mm}")}
        top = max(used, default=0)
        order = [*range(top + 1, BLOCK_MAX + 1), *range(1, top)]
        return next((f"{self.prefix}{mm}{n:02d}" for n in order if n not in used), None)

    def foreign(self, mm: str, muni_id: int) -> bool:
        return bool(self.owners.get(mm, set()) - {muni_id})

    def block_for(self, muni: Municipality) -> str | None:
        """The municipality's own block: where most of its schools are, else its number from its
        own code, else the lowest block no other municipality numbers in (with a free code)."""
        mine = self.own.get(muni.pk)
        candidates: list[str] = []
        if mine:
            candidates += [mm for mm, _ in sorted(mine.items(), key=lambda kv: (-kv[1], kv[0]))]
        if (match := _MUNICIPALITY_INDEX.search(muni.code)) and 1 <= int(match[1]) <= BLOCK_MAX:
            candidates.append(f"{int(match[1]):02d}")
        candidates += [f"{n:02d}" for n in range(1, BLOCK_MAX + 1)]
        for mm in candidates:
            if not self.foreign(mm, muni.pk) and self.free_in(mm) is not None:
                return mm
        return None


def _region_blocks(region_code: str) -> _Blocks:
    system = Actor.system(reason="выверка списка ОО: выбор свободного кода ОО")
    prefix = f"edu{region_code}"
    blocks = _Blocks(prefix=prefix, taken=set(), owners={}, own={})
    rows = (
        School.objects.for_actor(system, A.VIEW_SCHOOL)
        .filter(code__startswith=prefix)
        .values_list("code", "municipality_id")
    )
    for code, muni_id in rows:
        suffix = code[len(prefix) :]
        if len(suffix) != 4 or not suffix.isdigit():
            continue
        blocks.taken.add(code)
        blocks.owners.setdefault(suffix[:2], set()).add(muni_id)
        blocks.own.setdefault(muni_id, Counter())[suffix[:2]] += 1
    return blocks


def _free_codes(region_code: str, municipalities: Sequence[Municipality]) -> list[str]:
    """A new code for each of ``municipalities`` (in order; callers hold the region lock), each
    in its own municipality's numbering: a new school of municipality 05 gets edu<region>05SS,
    never a code of another municipality's block."""
    blocks = _region_blocks(region_code)
    out: list[str] = []
    for muni in municipalities:
        mm = blocks.block_for(muni)
        code = blocks.free_in(mm) if mm is not None else None
        if mm is None or code is None:
            raise RegistrationError("school_codes_exhausted", region=region_code)
        blocks.taken.add(code)
        blocks.owners.setdefault(mm, set()).add(muni.pk)
        blocks.own.setdefault(muni.pk, Counter())[mm] += 1
        out.append(code)
    return out


def _lock_region(region_id: int) -> Region:
    """Serialises code allocation within a region (codes are unique across the country)."""
    system = Actor.system(reason="выверка списка ОО: блокировка выдачи кодов ОО")
    return Region.objects.for_actor(system, A.VIEW_REGION).select_for_update().get(pk=region_id)


_FIELDS = ("full_name", "short_name", "address", "school_type", "status", "time_zone")


@transaction.atomic
def school_list_apply(
    *, actor: Actor, batch_id: int, request: HttpRequest | None = None
) -> ApplyOutcome:
    """Apply a previewed reconciliation in one transaction (re-validated under row locks).

    A batch already applied (or discarded, or of another kind) is left alone: the outcome says
    so and nothing is written. Raises ``StaleReconciliationError`` if the unit changed so that a
    row would now be rejected; then nothing changes and the batch stays in preview.
    """
    batch = (
        ImportBatch.objects.for_actor(actor, A.RECONCILE_SCHOOLS)
        .select_for_update()
        .get(pk=batch_id)
    )
    refusal = _not_applicable(batch, actor)
    if refusal:
        return ApplyOutcome(batch=batch, done=False, message=refusal)
    stored = batch.preview
    unit, scope, munis = _unit(
        actor=actor, level=stored["unit"]["level"], unit_id=stored["unit"]["id"], lock=True
    )
    locked = {s.pk: s for s in _schools(actor=actor, unit=unit, lock=True)}
    parsed = rc.ParsedFile(rows=rc.rows_from_preview(stored), columns=stored.get("columns", {}))
    preview = rc.reconcile(parsed, unit=unit, existing=[_existing(s) for s in locked.values()])
    if preview.rejected:
        raise StaleReconciliationError(preview.errors, preview=preview.as_dict())

    created_rows = [r for r in preview.rows if r.outcome == rc.CREATED]
    codes: list[str] = []
    if created_rows:
        region = _lock_region(scope.region_id or unit.id)
        codes = _free_codes(
            region.code,
            [munis[r.values.municipality_code] for r in created_rows if r.values is not None],
        )
    created: list[dict[str, Any]] = []
    changed = closed = 0
    touched: list[int] = []
    for row in preview.rows:
        values = row.values
        if values is None or row.outcome == rc.UNCHANGED:
            continue
        muni = munis[values.municipality_code]
        if row.outcome == rc.CHANGED and row.school_id is not None:
            school = locked[row.school_id]
            if values.status == SchoolStatus.CLOSED and school.status != SchoolStatus.CLOSED:
                closed += 1
            update = [f for f in _FIELDS if getattr(school, f) != getattr(values, f)]
            for f in update:
                setattr(school, f, getattr(values, f))
            if school.municipality_id != muni.pk:
                school.municipality = muni
                school.region_id = muni.region_id
                update += ["municipality", "region"]
            school.full_clean()
            school.save(update_fields=[*update, "updated_at"])
            changed += 1
            touched.append(school.pk)
        elif row.outcome == rc.CREATED:
            school = School(
                municipality=muni,
                region_id=muni.region_id,
                code=codes[len(created)],
                full_name=values.full_name,
                short_name=values.short_name,
                address=values.address,
                school_type=values.school_type,
                status=values.status,
                time_zone=values.time_zone,
            )
            school.full_clean()
            school.save()
            created.append(
                {"row": row.row, "code": school.code, "name": school.short_name, "id": school.pk}
            )
            touched.append(school.pk)
    # The writes stay inside the actor's scope (checked in the same transaction).
    visible = School.objects.for_actor(actor, A.RECONCILE_SCHOOLS).filter(pk__in=touched).count()
    if visible != len(touched):
        raise PermissionDenied
    result = {
        "created": created,
        "changed": changed,
        "closed": closed,
        "unchanged": preview.count(rc.UNCHANGED),
        "accounts_note": ACCOUNTS_NOTE if created else "",
    }
    data = preview.as_dict()
    data["columns"] = stored.get("columns", {})
    data["result"] = result
    batch.preview = data
    batch.status = ImportBatch.Status.APPLIED
    batch.applied_at = timezone.now()
    batch.save(update_fields=["preview", "status", "applied_at", "updated_at"])
    audit_record(
        actor=actor,
        action="school_list.apply",
        target=batch,
        scope=scope,
        request=request,
        details={
            "unit": unit.code,
            "created": [c["code"] for c in created],
            "changed": changed,
            "closed": closed,
            "unchanged": result["unchanged"],
        },
    )
    message = (
        f"Изменения применены: новых ОО — {len(created)}, изменено — {changed} "
        f"(из них закрыто — {closed}), без изменений — {result['unchanged']}."
    )
    return ApplyOutcome(batch=batch, done=True, message=message)


@transaction.atomic
def school_list_discard(
    *, actor: Actor, batch_id: int, request: HttpRequest | None = None
) -> ApplyOutcome:
    """Drop a previewed reconciliation; nothing else changes. Its stored file is deleted."""
    batch = (
        ImportBatch.objects.for_actor(actor, A.RECONCILE_SCHOOLS)
        .select_for_update()
        .get(pk=batch_id)
    )
    refusal = _not_applicable(batch, actor)
    if refusal:
        return ApplyOutcome(batch=batch, done=False, message=refusal)
    batch.status = ImportBatch.Status.DISCARDED
    batch.save(update_fields=["status", "updated_at"])
    scope = Scope(
        level=Level.FEDERAL, region_id=batch.region_id, municipality_id=batch.municipality_id
    )
    audit_record(
        actor=actor, action="school_list.discard", target=batch, scope=scope, request=request
    )
    path = batch.file
    if path:
        transaction.on_commit(lambda: default_storage.delete(path))
    return ApplyOutcome(batch=batch, done=True, message="Загрузка отменена; ничего не изменено.")
