"""Filled application forms as a kind of the import framework (``apps.core.imports``, ADR 0019).

A school uploads its form-application, a municipal or regional coordinator its summary file. The
file is read whole (a file with any problem changes nothing and the refusal is audited) and
planned school by school against the applications as they are; the preview lists what changes.
Only the uploader applies it (``uploader_only``): the apply locks the schools and their
applications, plans every school again and refuses the whole file if a plan differs from the
preview (``ImportStaleError``) or a rule now refuses it (``ImportInvalidNowError``); otherwise
it writes every school's lines and transitions in the apply's one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from apps.applications import selectors as sel
from apps.applications import xlsx as forms_xlsx
from apps.applications.audit import ApplicationsAudit
from apps.applications.constants import (
    FIELD_LABELS,
    FORM_SCHOOL,
    FORM_SUMMARY,
    IMPORT_KIND,
    LEVEL_KEYS,
    LEVEL_NAMES,
)
from apps.applications.messages import (
    IMPORT_APPLIED,
    IMPORT_APPLIED_NOTHING,
    IMPORT_OTHER_LEVEL,
    IMPORT_SCHOOLS_CHANGED,
    IMPORT_UNKNOWN_FORM,
    ChainError,
)
from apps.applications.models import Application, Source
from apps.applications.rules import (
    Issue,
    LineValues,
    SchoolPlan,
    Target,
    WorkRef,
    plan_school,
)
from apps.applications.services.common import (
    _campaign,
    _create_application,
    _record_lines,
    _transition,
    _unit_scope,
    _write_lines,
)
from apps.campaigns.models import Campaign
from apps.core.imports import (
    Applied,
    ImportAudit,
    ImportInvalidNowError,
    ImportKind,
    ImportStaleError,
    Staged,
)
from apps.core.imports import Target as ImportTarget
from apps.core.models import ImportBatch
from apps.core.scoping import Level, Scope
from apps.core.uploads import MAX_UPLOAD_BYTES, CellError, UploadError, file_error
from apps.registration.access import A, Actor
from apps.registration.constants import SchoolStatus
from apps.registration.models import Municipality, Region, School
from apps.registration.services import school_unit_scope


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


def _wrong_campaign(actor: Actor, meta: forms_xlsx.FormMeta, campaign: Campaign) -> str:
    other = (
        sel.campaign_get(actor=actor, campaign_id=meta.campaign_id) if meta.campaign_id else None
    )
    named = f"«{other.label}»" if other else f"{meta.campaign_year or 'не указана'} года"
    return (
        f"Файл относится к другой кампании ({named}), а заявки принимаются для "
        f"{campaign.label}. Скачайте форму {campaign.label} и заполните её."
    )


def _apply_plan(
    *,
    actor: Actor,
    plan: SchoolPlan,
    school: School,
    campaign: Campaign,
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
        )
    if plan.changes:
        _write_lines(app, plan.changes)
        _record_lines(
            actor=actor,
            app=app,
            school=school,
            changes=plan.changes,
            source=Source.XLSX,
        )
    if plan.transition in ("submit", "confirm"):
        _transition(
            actor=actor,
            app=app,
            school=school,
            verb="submit" if plan.transition == "submit" else "confirm",
            to_status=plan.status_after,
            source=Source.XLSX,
        )


@dataclass
class ApplicationsPlan:
    """A batch planned again under the schools' and applications' row locks."""

    campaign: Campaign
    schools: dict[int, School]
    plans: list[SchoolPlan]


class ApplicationsImport(ImportKind):
    """A school's form-application or a coordinator's summary file; only its uploader applies."""

    code = IMPORT_KIND
    action = A.IMPORT_APPLICATIONS
    label = "заявкам на участие в ВПР"
    folder = "applications"
    uploader_only = True
    audit = ImportAudit(
        upload=ApplicationsAudit.APPLICATION_UPLOAD,
        rejected=ApplicationsAudit.APPLICATION_UPLOAD_REJECTED,
        apply=ApplicationsAudit.APPLICATION_IMPORT_APPLY,
        discard=ApplicationsAudit.APPLICATION_IMPORT_DISCARD,
    )

    def target(self, *, actor: Any, **params: Any) -> ImportTarget:
        """The campaign and school asked for, checked once the file names its own."""
        return ImportTarget(
            scope=actor.scope,
            data=(params.get("campaign_id"), params.get("school_id")),
        )

    def stage(self, *, actor: Any, target: ImportTarget, content: bytes, name: str) -> Staged:
        campaign_id, school_id = target.data
        try:
            campaign, planned = self._planned(
                actor=actor, content=content, campaign_id=campaign_id, school_id=school_id
            )
        except ChainError as exc:
            raise file_error(exc.message) from exc
        # A refused file is audited under the unit it turned out to be about (as the preview).
        target.scope = planned.scope
        if planned.errors:
            raise UploadError(sorted(planned.errors, key=lambda e: (e.row, e.column)))
        preview = _preview(planned, campaign=campaign, level=actor.scope.level)
        return Staged(preview=preview, counts=preview["counts"], scope=planned.scope)

    @staticmethod
    def _planned(
        *, actor: Actor, content: bytes, campaign_id: int | None, school_id: int | None
    ) -> tuple[Campaign, _Planned]:
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
            raise file_error(IMPORT_UNKNOWN_FORM)
        return campaign, planned

    def plan(self, *, actor: Any, batch: ImportBatch) -> ApplicationsPlan:
        """Lock the schools and their applications, plan each again; refuse any difference."""
        level = actor.scope.level
        preview = batch.preview
        if preview.get("level") != LEVEL_KEYS[level]:
            raise ImportInvalidNowError(reason=IMPORT_OTHER_LEVEL)
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
            raise ImportStaleError(what=IMPORT_SCHOOLS_CHANGED)
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
                raise ImportInvalidNowError(reason=f"ОО {code}: {plan.issues[0].message}")
            if plan.signature() != item["signature"]:
                raise ImportStaleError(what=f"ОО {code}")
            plans.append(plan)
        return ApplicationsPlan(campaign=campaign, schools=by_id, plans=plans)

    def write(self, *, actor: Any, batch: ImportBatch, plan: Any) -> Applied:
        """Every school's plan; the batch keeps what was done as its preview's ``result``."""
        for school_plan in plan.plans:
            _apply_plan(
                actor=actor,
                plan=school_plan,
                school=plan.schools[school_plan.state.school_id],
                campaign=plan.campaign,
            )
        result = {
            "schools": len(plan.plans),
            "lines": sum(len(p.changes) for p in plan.plans),
            "transitions": sum(1 for p in plan.plans if p.transition),
        }
        message = (
            IMPORT_APPLIED.format(schools=result["schools"], lines=result["lines"])
            if plan.plans
            else IMPORT_APPLIED_NOTHING
        )
        return Applied(message=message, details=result, preview={**batch.preview, "result": result})


APPLICATIONS = ApplicationsImport()
