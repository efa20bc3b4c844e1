"""Uploads of filled forms: validated whole first (a file with any problem changes nothing and the
refusal is audited); a good file becomes a ``core.ImportBatch`` (kind ``application``) holding
the preview, and only an explicit apply by its uploader writes — after planning it again
against the applications as they are now, under row locks.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from apps.applications import selectors as sel
from apps.applications import xlsx as forms_xlsx
from apps.applications.constants import (
    FIELD_LABELS,
    FORM_SCHOOL,
    FORM_SUMMARY,
    IMPORT_KIND,
    LEVEL_KEYS,
    LEVEL_NAMES,
)
from apps.applications.messages import ChainError
from apps.applications.models import (
    Application,
    Source,
)
from apps.applications.rules import (
    Issue,
    LineValues,
    SchoolPlan,
    Target,
    WorkRef,
    plan_school,
)
from apps.applications.services.common import (
    ApplyOutcome,
    FileOut,
    _campaign,
    _create_application,
    _record_lines,
    _require,
    _transition,
    _unit_scope,
    _write_lines,
)
from apps.campaigns.models import Campaign
from apps.core.models import ImportBatch
from apps.core.scoping import Level, Scope
from apps.core.services import audit_record
from apps.core.uploads import MAX_UPLOAD_BYTES, CellError, UploadError, file_error
from apps.core.xlsx import table_workbook
from apps.registration.access import A, Actor
from apps.registration.constants import SchoolStatus
from apps.registration.models import Municipality, Region, School
from apps.registration.services import school_unit_scope

if TYPE_CHECKING:
    from django.http import HttpRequest


def _read(file: IO[bytes], size: int) -> bytes:
    if size > MAX_UPLOAD_BYTES:
        raise file_error(
            f"Файл слишком большой ({size / 1024 / 1024:.1f} МБ); "
            f"допускается не более {MAX_UPLOAD_BYTES // 1024 // 1024} МБ."
        )
    return file.read(MAX_UPLOAD_BYTES + 1)


@dataclass
class _Planned:
    """A validated upload: what it is about and what it would do."""

    form: str
    unit: sel.Unit
    scope: Scope
    plans: list[SchoolPlan]
    targets: dict[int, Target]
    errors: list[CellError]


def _issue_cells(
    issues: Sequence[Issue],
    *,
    line_cells: Mapping[tuple[int, int], tuple[int, Mapping[str, int]]],
    confirm_cells: Mapping[int, tuple[int, int]],
    label: Mapping[int, str],
) -> list[CellError]:
    """Turn plan issues into row/column errors of the uploaded file."""
    errors = []
    summary = bool(label)  # a summary names the sheet and the school of each problem
    lines_at = f"Лист «{forms_xlsx.SHEET_LINES}»: " if summary else ""
    schools_at = f"Лист «{forms_xlsx.SHEET_SCHOOLS}»: " if summary else ""
    for issue in issues:
        prefix = label.get(issue.school_id, "")
        if issue.work_id is not None and (issue.school_id, issue.work_id) in line_cells:
            row, cols = line_cells[(issue.school_id, issue.work_id)]
            col = cols.get(issue.field, 0)
            name = FIELD_LABELS.get(issue.field)
            text = f"«{name}»: {issue.message}" if name else issue.message
            errors.append(CellError(row, col, lines_at + prefix + text))
        elif issue.school_id in confirm_cells:
            row, col = confirm_cells[issue.school_id]
            errors.append(CellError(row, col, schools_at + prefix + issue.message))
        else:
            first = next(
                (row for (sid, _w), (row, _c) in line_cells.items() if sid == issue.school_id), 0
            )
            errors.append(CellError(first, 0, lines_at + prefix + issue.message))
    return errors


def _plan_school_form(
    *,
    actor: Actor,
    sheets: Mapping[str, Any],
    meta: forms_xlsx.FormMeta,
    campaign: Campaign,
    works: list[WorkRef],
    school_id: int | None,
) -> _Planned:
    level = actor.scope.level
    if level is Level.SCHOOL and actor.unit is not None and meta.unit_code != actor.unit.code:
        raise file_error(
            f"Это форма-заявка другой ОО ({meta.unit_code or 'код не указан'}), а вы загружаете "
            f"заявку ОО {actor.unit.code}. Скачайте форму-заявку своей ОО на странице заявки и "
            "заполните её."
        )
    school = (
        School.objects.for_actor(actor, A.IMPORT_APPLICATIONS)
        .select_related("municipality")
        .filter(code=meta.unit_code)
        .first()
    )
    if school is None:
        raise file_error(
            f"Форма-заявка ОО {meta.unit_code or '(код не указан)'}: такой ОО нет среди "
            "доступных вам. Загрузите форму-заявку своей ОО."
        )
    if school_id is not None and school.pk != school_id:
        raise file_error(
            f"Это форма-заявка ОО {school.code}, а загружается заявка другой ОО. Откройте "
            f"заявку ОО {school.code} или загрузите форму нужной ОО."
        )
    if school.status != SchoolStatus.ACTIVE:
        raise ChainError("school_closed", school=school.code)
    parsed = forms_xlsx.parse_school_form(sheets, meta, works=works, campaign_name=campaign.label)
    errors = parsed.all_errors
    state = sel.states_for(
        actor=actor, action=A.IMPORT_APPLICATIONS, campaign=campaign, schools=[school]
    )[school.pk]
    lines = {
        line.work_id: line.values
        for line in parsed.lines
        if line.work_id is not None and line.values is not None and not line.errors
    }
    target = Target(school.pk, lines=lines, submit=level is Level.SCHOOL)
    works_by_id = {w.id: w for w in works}
    plan = plan_school(state, target, level=level, works=works_by_id)
    line_cells = {
        (school.pk, line.work_id): (line.row, line.columns)
        for line in parsed.lines
        if line.work_id is not None
    }
    errors += _issue_cells(plan.issues, line_cells=line_cells, confirm_cells={}, label={})
    unit = sel.Unit("school", school.pk, school.code, school.short_name, school.region_id)
    return _Planned(
        FORM_SCHOOL, unit, school_unit_scope(school), [plan], {school.pk: target}, errors
    )


def _summary_unit(actor: Actor, meta: forms_xlsx.FormMeta) -> sel.Unit:
    action = A.APPLICATION_SUMMARY
    found: Region | Municipality | None
    if meta.unit_kind == "region":
        found = Region.objects.for_actor(actor, action).filter(code=meta.unit_code).first()
        if found is not None:
            return sel.Unit("region", found.pk, found.code, found.name, found.pk)
    elif meta.unit_kind == "municipality":
        found = Municipality.objects.for_actor(actor, action).filter(code=meta.unit_code).first()
        if found is not None:
            return sel.Unit("municipality", found.pk, found.code, found.name, found.region_id)
    raise file_error(
        f"Сводный файл относится к единице {meta.unit_code or '(код не указан)'}, которая вам "
        "недоступна. Скачайте сводный файл своего муниципалитета или региона."
    )


def _plan_summary(
    *,
    actor: Actor,
    sheets: Mapping[str, Any],
    meta: forms_xlsx.FormMeta,
    campaign: Campaign,
    works: list[WorkRef],
) -> _Planned:
    if not actor.can(A.APPLICATION_SUMMARY) or actor.scope.level not in (
        Level.MUNICIPALITY,
        Level.REGION,
    ):
        raise file_error(
            "Это сводный файл координатора. ОО загружает свою форму-заявку на странице заявки."
        )
    level = actor.scope.level
    if meta.level != LEVEL_KEYS[level]:
        who = LEVEL_NAMES.get(
            next((lv for lv, key in LEVEL_KEYS.items() if key == meta.level), Level.FEDERAL),
            meta.level,
        )
        raise file_error(
            f"Сводный файл сформирован для другого уровня ({who}), а вы — {LEVEL_NAMES[level]}. "
            "Скачайте сводный файл в своём кабинете."
        )
    unit = _summary_unit(actor, meta)
    parsed = forms_xlsx.parse_summary(sheets, meta, works=works, campaign_name=campaign.label)
    errors = list(parsed.all_errors)
    schools = {
        s.code: s for s in sel.unit_schools(actor=actor, unit=unit, action=A.APPLICATION_SUMMARY)
    }
    where = "муниципалитета" if unit.kind == "municipality" else "региона"

    def unknown(code: str) -> str:
        return (
            f"ОО {code} нет среди действующих ОО {where} {unit.code}: лишняя строка. Не "
            "добавляйте ОО в сводный файл (новые ОО добавляются выверкой списка ОО)."
        )

    confirm_cells: dict[int, tuple[int, int]] = {}
    confirms: dict[int, bool | None] = {}
    for item in parsed.confirmations:
        school = schools.get(item.code)
        if school is None:
            if item.code and not item.errors:
                error = CellError(item.row, 1, unknown(item.code))
                errors.append(forms_xlsx.on_sheet(forms_xlsx.SHEET_SCHOOLS, error))
            continue
        confirm_cells[school.pk] = (item.row, item.column)
        if not item.errors:
            confirms[school.pk] = item.confirm
    line_cells: dict[tuple[int, int], tuple[int, Mapping[str, int]]] = {}
    lines: dict[int, dict[int, LineValues]] = {}
    for line in parsed.lines:
        school = schools.get(line.code)
        if school is None:
            if line.code:
                error = CellError(line.row, line.columns.get("code", 1), unknown(line.code))
                errors.append(forms_xlsx.on_sheet(forms_xlsx.SHEET_LINES, error))
            continue
        if line.work_id is None:
            continue
        line_cells[(school.pk, line.work_id)] = (line.row, line.columns)
        if line.values is not None and not line.errors:
            lines.setdefault(school.pk, {})[line.work_id] = line.values
    involved = [s for s in schools.values() if s.pk in confirms or s.pk in lines]
    states = sel.states_for(
        actor=actor, action=A.APPLICATION_SUMMARY, campaign=campaign, schools=involved
    )
    works_by_id = {w.id: w for w in works}
    plans, targets = [], {}
    for school in involved:
        target = Target(school.pk, lines=lines.get(school.pk, {}), confirm=confirms.get(school.pk))
        plan = plan_school(states[school.pk], target, level=level, works=works_by_id)
        plans.append(plan)
        targets[school.pk] = target
        errors += _issue_cells(
            plan.issues,
            line_cells=line_cells,
            confirm_cells=confirm_cells,
            label={school.pk: f"ОО {school.code}: "},
        )
    return _Planned(FORM_SUMMARY, unit, _unit_scope(unit), plans, targets, errors)


def _preview(planned: _Planned, *, campaign: Campaign, level: Level) -> dict[str, Any]:
    changed = [p for p in planned.plans if p.changed]
    return {
        "form": planned.form,
        "level": LEVEL_KEYS[level],
        "campaign": {"id": campaign.pk, "year": campaign.year, "name": campaign.name},
        "unit": {
            "kind": planned.unit.kind,
            "id": planned.unit.id,
            "code": planned.unit.code,
            "name": planned.unit.name,
        },
        "counts": {
            "schools": len(planned.plans),
            "changed": len(changed),
            "unchanged": len(planned.plans) - len(changed),
            "lines": sum(len(p.changes) for p in changed),
            "submit": sum(1 for p in changed if p.transition == "submit"),
            "confirm": sum(1 for p in changed if p.transition == "confirm"),
            "reopen": sum(1 for p in changed if p.transition == "reopen"),
        },
        "schools": [p.as_dict() for p in changed],
        "targets": [
            {
                "school_id": p.state.school_id,
                "lines": {str(c.work_id): c.new.as_list() for c in p.changes},
                "confirm": planned.targets[p.state.school_id].confirm,
                "submit": planned.targets[p.state.school_id].submit,
                "signature": p.signature(),
            }
            for p in changed
        ],
    }


def application_import_upload(
    *,
    actor: Actor,
    file: IO[bytes],
    name: str,
    size: int,
    campaign_id: int | None = None,
    school_id: int | None = None,
    request: HttpRequest | None = None,
) -> ImportBatch:
    """Validate an application file (a school's form or a summary) and store its preview.

    Raises UploadError (audited as ``application.upload_rejected``) when anything is wrong;
    then nothing is stored and nothing changes.
    """
    _require(actor, A.IMPORT_APPLICATIONS)
    if actor.user is None:
        raise PermissionDenied
    level = actor.scope.level
    sha = ""
    scope = actor.scope
    try:
        content = _read(file, size)
        sha = hashlib.sha256(content).hexdigest()
        sheets, meta = forms_xlsx.read_form(content, max_bytes=MAX_UPLOAD_BYTES)
        campaign = sel.campaign_get(actor=actor, campaign_id=campaign_id)
        if campaign is None:
            raise file_error(ChainError("no_campaign").message)
        if meta.campaign_id != campaign.pk:
            raise file_error(_wrong_campaign(actor, meta, campaign))
        works = sel.work_refs(actor=actor, campaign=campaign)
        if meta.form == FORM_SCHOOL:
            planned = _plan_school_form(
                actor=actor,
                sheets=sheets,
                meta=meta,
                campaign=campaign,
                works=works,
                school_id=school_id,
            )
        elif meta.form == FORM_SUMMARY:
            planned = _plan_summary(
                actor=actor, sheets=sheets, meta=meta, campaign=campaign, works=works
            )
        else:
            raise file_error("Неизвестный вид формы в служебном листе. Скачайте форму заново.")
        scope = planned.scope
        if planned.errors:
            raise UploadError(sorted(planned.errors, key=lambda e: (e.row, e.column)))
    except ChainError as exc:
        refused = file_error(exc.message)
        _audit_rejected(actor, scope, request, name, sha, refused)
        raise refused from exc
    except UploadError as exc:
        _audit_rejected(actor, scope, request, name, sha, exc)
        raise
    preview = _preview(planned, campaign=campaign, level=level)
    path = default_storage.save(
        f"imports/applications/{uuid.uuid4().hex}.xlsx", ContentFile(content)
    )
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                kind=IMPORT_KIND,
                actor=actor.user,
                status=ImportBatch.Status.PREVIEW,
                original_name=name[:255],
                file=path,
                file_sha256=sha,
                preview=preview,
                region_id=planned.scope.region_id,
                municipality_id=planned.scope.municipality_id,
                school_id=planned.scope.school_id,
            )
            audit_record(
                actor=actor,
                action="application.upload",
                target=batch,
                scope=planned.scope,
                request=request,
                details={"file": name[:200], "sha256": sha, **preview["counts"]},
            )
    except Exception:
        default_storage.delete(path)
        raise
    return batch


def _wrong_campaign(actor: Actor, meta: forms_xlsx.FormMeta, campaign: Campaign) -> str:
    other = (
        sel.campaign_get(actor=actor, campaign_id=meta.campaign_id) if meta.campaign_id else None
    )
    named = f"«{other.label}»" if other else f"{meta.campaign_year or 'не указана'} года"
    return (
        f"Файл относится к другой кампании ({named}), а заявки принимаются для "
        f"{campaign.label}. Скачайте форму {campaign.label} и заполните её."
    )


def _audit_rejected(
    actor: Actor,
    scope: Scope,
    request: HttpRequest | None,
    name: str,
    sha: str,
    exc: UploadError,
) -> None:
    audit_record(
        actor=actor,
        action="application.upload_rejected",
        scope=scope,
        request=request,
        details={
            "file": name[:200],
            "sha256": sha,
            "errors": len(exc.errors),
            "first_errors": [str(e) for e in exc.errors[:10]],
        },
    )


def _batch_refusal(actor: Actor, batch: ImportBatch) -> str:
    if batch.kind != IMPORT_KIND:
        return ChainError("import_wrong_kind").message
    if batch.status != ImportBatch.Status.PREVIEW:
        return ChainError("import_not_preview", status=batch.get_status_display()).message
    if actor.user is None or batch.actor_id != actor.user.pk:
        return ChainError("import_not_yours").message
    return ""


def application_import_apply(
    *, actor: Actor, batch_id: int, request: HttpRequest | None = None
) -> ApplyOutcome:
    """Apply a previewed upload (once, by its uploader), re-planned under row locks.

    If anything differs from the preview, or a rule now refuses it, nothing is changed and
    ChainError says why.
    """
    _require(actor, A.IMPORT_APPLICATIONS)
    level = actor.scope.level
    with transaction.atomic():
        batch = (
            ImportBatch.objects.for_actor(actor, A.IMPORT_APPLICATIONS)
            .select_for_update()
            .get(pk=batch_id)
        )
        refusal = _batch_refusal(actor, batch)
        if refusal:
            return ApplyOutcome(batch, False, refusal)
        preview = batch.preview
        if preview.get("level") != LEVEL_KEYS[level]:
            return ApplyOutcome(batch, False, ChainError("import_not_yours").message)
        campaign = _campaign(actor, preview["campaign"]["id"])
        works = {w.id: w for w in sel.work_refs(actor=actor, campaign=campaign)}
        targets = preview.get("targets", [])
        school_ids = [t["school_id"] for t in targets]
        schools = list(
            School.objects.for_actor(actor, A.IMPORT_APPLICATIONS)
            .filter(pk__in=school_ids, status=SchoolStatus.ACTIVE)
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        if len(schools) != len(set(school_ids)):
            raise ChainError("import_stale", what="изменился список ОО")
        by_id = {s.pk: s for s in schools}
        states = sel.states_for(
            actor=actor,
            action=A.IMPORT_APPLICATIONS,
            campaign=campaign,
            schools=schools,
            lock=True,
        )
        plans = []
        for item in targets:
            target = Target(
                item["school_id"],
                lines={int(k): LineValues.from_list(v) for k, v in item["lines"].items()},
                confirm=item["confirm"],
                submit=item["submit"],
            )
            plan = plan_school(states[target.school_id], target, level=level, works=works)
            code = by_id[target.school_id].code
            if plan.issues:
                raise ChainError(
                    "import_invalid_now", reason=f"ОО {code}: {plan.issues[0].message}"
                )
            if plan.signature() != item["signature"]:
                raise ChainError("import_stale", what=f"ОО {code}")
            plans.append(plan)
        for plan in plans:
            _apply_plan(
                actor=actor,
                plan=plan,
                school=by_id[plan.state.school_id],
                campaign=campaign,
                request=request,
            )
        batch.status = ImportBatch.Status.APPLIED
        batch.applied_at = timezone.now()
        batch.preview = {
            **preview,
            "result": {
                "schools": len(plans),
                "lines": sum(len(p.changes) for p in plans),
                "transitions": sum(1 for p in plans if p.transition),
            },
        }
        batch.save(update_fields=["status", "applied_at", "preview", "updated_at"])
        audit_record(
            actor=actor,
            action="application.import_apply",
            target=batch,
            scope=_batch_scope(batch),
            request=request,
            details=batch.preview["result"],
        )
    if not plans:
        return ApplyOutcome(batch, True, "Файл применён: изменений нет, заявки остались прежними.")
    return ApplyOutcome(
        batch,
        True,
        f"Файл применён: изменено заявок — {len(plans)}, строк — "
        f"{batch.preview['result']['lines']}.",
    )


def _batch_scope(batch: ImportBatch) -> Scope:
    if batch.school_id:
        return Scope(
            level=Level.SCHOOL,
            anchor_id=batch.school_id,
            region_id=batch.region_id,
            municipality_id=batch.municipality_id,
            school_id=batch.school_id,
        )
    if batch.municipality_id:
        return Scope(
            level=Level.MUNICIPALITY,
            anchor_id=batch.municipality_id,
            region_id=batch.region_id,
            municipality_id=batch.municipality_id,
        )
    return Scope(level=Level.REGION, anchor_id=batch.region_id, region_id=batch.region_id)


def _apply_plan(
    *,
    actor: Actor,
    plan: SchoolPlan,
    school: School,
    campaign: Campaign,
    request: HttpRequest | None,
) -> None:
    """Carry out one school's plan inside the caller's transaction (rows already locked)."""
    state = plan.state
    if state.application_id is None:
        app = _create_application(school=school, campaign=campaign)
    else:
        app = Application.objects.for_actor(actor, A.IMPORT_APPLICATIONS).get(
            pk=state.application_id
        )
    if plan.transition == "reopen":
        _transition(
            actor=actor,
            app=app,
            school=school,
            verb="reopen",
            to_status=plan.status_after,
            source=Source.XLSX,
            request=request,
        )
    if plan.changes:
        _write_lines(app, plan.changes)
        _record_lines(
            actor=actor,
            app=app,
            school=school,
            changes=plan.changes,
            source=Source.XLSX,
            request=request,
        )
    if plan.transition in ("submit", "confirm"):
        _transition(
            actor=actor,
            app=app,
            school=school,
            verb="submit" if plan.transition == "submit" else "confirm",
            to_status=plan.status_after,
            source=Source.XLSX,
            request=request,
        )


def application_import_discard(
    *, actor: Actor, batch_id: int, request: HttpRequest | None = None
) -> ApplyOutcome:
    """Cancel a previewed upload; nothing else changes."""
    _require(actor, A.IMPORT_APPLICATIONS)
    with transaction.atomic():
        batch = (
            ImportBatch.objects.for_actor(actor, A.IMPORT_APPLICATIONS)
            .select_for_update()
            .get(pk=batch_id)
        )
        refusal = _batch_refusal(actor, batch)
        if refusal:
            return ApplyOutcome(batch, False, refusal)
        batch.status = ImportBatch.Status.DISCARDED
        batch.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="application.import_discard",
            target=batch,
            scope=_batch_scope(batch),
            request=request,
        )
    return ApplyOutcome(batch, True, "Загрузка отменена; заявки не изменены.")


def application_not_applied_file(
    *,
    actor: Actor,
    unit_kind: str,
    unit_id: int | None,
    campaign_id: int | None = None,
    request: HttpRequest | None = None,
) -> FileOut:
    """The list of active schools that have not applied, as xlsx (audited)."""

    _require(actor, A.MONITOR_APPLICATIONS)
    unit = sel.unit_get(actor=actor, kind=unit_kind, unit_id=unit_id, action=A.MONITOR_APPLICATIONS)
    campaign = _campaign(actor, campaign_id)
    schools = sel.not_applied_list(actor=actor, campaign=campaign, unit=unit)
    content = table_workbook(
        sheet_title="Не подали заявку",
        title=f"ОО, не подавшие заявку на участие в {campaign.label}: {unit.title or 'РФ'}",
        headers=["Регион", "Муниципалитет", "Код ОО", "ОО"],
        rows=(
            [s.region.name, s.municipality.name, s.code, s.short_name] for s in schools.iterator()
        ),
        widths=[28, 32, 12, 50],
    )
    audit_record(
        actor=actor,
        action="application.not_applied_export",
        scope=_unit_scope(unit),
        request=request,
        details={"unit": unit.code or "РФ", "campaign": campaign.year},
    )
    return FileOut(f"Не подали заявку {campaign.label} {unit.code or 'РФ'}.xlsx", content)
