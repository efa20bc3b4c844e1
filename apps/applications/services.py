"""Writes of applications: lines, the approval chain, files (download, upload → preview → apply).

Every transition (submit, confirm, reopen) runs in a transaction on the application row taken
FOR UPDATE, writes one ``ApplicationDecision`` (who, role, when, from → to, source) and one audit
row. Line edits write one audit row per save. Uploads are validated whole first: a file with any
problem changes nothing (the refusal is audited); a good file becomes a ``core.ImportBatch``
(kind ``application``) holding the preview, and only an explicit apply by its uploader writes —
after planning it again against the applications as they are now, under row locks.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
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
from apps.applications.messages import MESSAGES, ChainError
from apps.applications.models import (
    Application,
    ApplicationDecision,
    ApplicationLine,
    ApplicationLineChange,
    Source,
    Status,
)
from apps.applications.rules import (
    AppState,
    Issue,
    LineChange,
    LineValues,
    RawLine,
    SchoolPlan,
    Target,
    WorkRef,
    check_line,
    confirm_target,
    edit_refusal,
    parse_line,
    plan_school,
    reopen_target,
    submit_target,
)
from apps.campaigns.models import Campaign
from apps.core import instants
from apps.core.errors import InvalidError
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

# --- results and errors --------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What a write did: ``changed`` is False when there was nothing to do."""

    application: Application
    changed: bool
    message: str


@dataclass(frozen=True)
class FileOut:
    filename: str
    content: bytes


@dataclass(frozen=True)
class ApplyOutcome:
    batch: ImportBatch
    done: bool
    message: str


class LinesInvalidError(InvalidError):
    """Lines that break the rules (400); ``issues`` name the work and field of each problem."""

    messages = MESSAGES

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        super().__init__(
            "lines_invalid",
            details=[
                {"work": i.work_id, "field": i.field, "message": i.message} for i in self.issues
            ],
            count=len(self.issues),
        )

    def __str__(self) -> str:
        return self.message

    def by_work(self) -> dict[int | None, list[Issue]]:
        found: dict[int | None, list[Issue]] = {}
        for issue in self.issues:
            found.setdefault(issue.work_id, []).append(issue)
        return found


# --- helpers -------------------------------------------------------------------------------------


def _unit_scope(unit: sel.Unit) -> Scope:
    if unit.kind == "municipality":
        return Scope(
            level=Level.MUNICIPALITY,
            anchor_id=unit.id,
            region_id=unit.region_id,
            municipality_id=unit.id,
        )
    if unit.kind == "region":
        return Scope(level=Level.REGION, anchor_id=unit.id, region_id=unit.id)
    return Scope(level=Level.FEDERAL)


def _require(actor: Actor, action: str) -> None:
    if not actor.can(action):
        raise PermissionDenied


def _campaign(actor: Actor, campaign_id: int | None) -> Campaign:
    campaign = sel.campaign_get(actor=actor, campaign_id=campaign_id)
    if campaign is None:
        raise ChainError("no_campaign")
    return campaign


def _locked(actor: Actor, action: str, application_id: int) -> Application:
    """The application FOR UPDATE, as the actor sees it (DoesNotExist → 404)."""
    return (
        Application.objects.for_actor(actor, action)
        .select_for_update(of=("self",))
        .select_related("school", "campaign")
        .get(pk=application_id)
    )


def _stamp(unit: object) -> str:
    """When a file was generated, on the clock of the unit it is about (core.instants)."""
    return instants.format_instant(timezone.now(), unit)


def _create_application(*, school: School, campaign: Campaign) -> Application:
    # Scope columns are copied from the school, never taken from input.
    return Application.objects.create(
        campaign=campaign,
        school=school,
        region_id=school.region_id,
        municipality_id=school.municipality_id,
        status=Status.DRAFT,
    )


def _write_lines(app: Application, changes: Sequence[LineChange]) -> None:
    if not changes:
        return
    existing = {
        line.work_id: line
        for line in ApplicationLine.objects.filter(
            application=app, work_id__in=[c.work_id for c in changes]
        )
    }
    for change in changes:
        new = change.new
        line = existing.get(change.work_id)
        if line is None:
            ApplicationLine.objects.create(
                application=app,
                work_id=change.work_id,
                takes_part=new.takes_part,
                participants=new.participants,
                classes=new.classes,
            )
            continue
        line.takes_part, line.participants, line.classes = (
            new.takes_part,
            new.participants,
            new.classes,
        )
        line.save(update_fields=["takes_part", "participants", "classes"])
    app.save(update_fields=["updated_at"])


def _record_lines(
    *,
    actor: Actor,
    app: Application,
    school: School,
    changes: Sequence[LineChange],
    source: str,
    request: HttpRequest | None,
) -> None:
    ApplicationLineChange.objects.create(
        application=app,
        actor=actor.user,
        role=str(actor.role or ""),
        source=source,
        changes=[
            {"work": c.label, "old": c.old.as_list(), "new": c.new.as_list()} for c in changes
        ],
    )
    audit_record(
        actor=actor,
        action="application.lines_save",
        target=app,
        scope=school_unit_scope(school),
        request=request,
        details={
            "source": source,
            "changes": [
                {"work": c.label, "old": c.old.display(), "new": c.new.display()}
                for c in changes[:100]
            ],
        },
    )


def _transition(
    *,
    actor: Actor,
    app: Application,
    school: School,
    verb: str,
    to_status: str,
    source: str,
    comment: str = "",
    request: HttpRequest | None = None,
) -> None:
    """Move a locked application to ``to_status``: one decision row and one audit row."""
    from_status = app.status
    if actor.user is None:  # system actors do not take part in the chain
        raise PermissionDenied
    ApplicationDecision.objects.create(
        application=app,
        actor=actor.user,
        role=str(actor.role or ""),
        from_status=from_status,
        to_status=to_status,
        source=source,
        comment=comment[:2000],
    )
    app.status = to_status
    app.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=f"application.{verb}",
        target=app,
        scope=school_unit_scope(school),
        request=request,
        details={"from": from_status, "to": to_status, "source": source},
    )


def _state(actor: Actor, action: str, app: Application) -> AppState:
    return sel.states_for(actor=actor, action=action, campaign=app.campaign, schools=[app.school])[
        app.school_id
    ]


# --- open and edit -------------------------------------------------------------------------------


def application_open(
    *,
    actor: Actor,
    school_id: int,
    campaign_id: int | None = None,
    request: HttpRequest | None = None,
) -> Application:
    """The school's application for the campaign, created as a draft if there is none yet."""
    _require(actor, A.EDIT_APPLICATION)
    campaign = _campaign(actor, campaign_id)
    with transaction.atomic():
        school = (
            School.objects.for_actor(actor, A.EDIT_APPLICATION)
            .select_for_update(of=("self",))
            .get(pk=school_id)
        )
        existing = sel.application_for_school(
            actor=actor, school_id=school.pk, campaign=campaign, action=A.EDIT_APPLICATION
        )
        if existing is not None:
            return existing
        if school.status != SchoolStatus.ACTIVE:
            raise ChainError("school_closed", school=school.code)
        try:
            with transaction.atomic():
                app = _create_application(school=school, campaign=campaign)
        except IntegrityError:  # created meanwhile by a concurrent request
            found = sel.application_for_school(
                actor=actor, school_id=school.pk, campaign=campaign, action=A.EDIT_APPLICATION
            )
            if found is None:
                raise
            return found
        if not Application.objects.for_actor(actor, A.EDIT_APPLICATION).filter(pk=app.pk).exists():
            raise PermissionDenied  # never expected: the school was read in scope
        audit_record(
            actor=actor,
            action="application.open",
            target=app,
            scope=school_unit_scope(school),
            request=request,
            details={"campaign": campaign.year},
        )
    return app


def _parse_lines(
    lines: Mapping[int, RawLine], works: Mapping[int, WorkRef], school_id: int
) -> tuple[dict[int, LineValues], list[Issue]]:
    parsed: dict[int, LineValues] = {}
    issues: list[Issue] = []
    for work_id, raw in lines.items():
        if work_id not in works:
            issues.append(Issue(school_id, work_id, "", f"Работа {work_id} не входит в кампанию."))
            continue
        values, errors = parse_line(raw)
        issues += [Issue(school_id, work_id, name, message) for name, message in errors]
        if values is not None:
            parsed[work_id] = values
    return parsed, issues


def application_lines_save(
    *,
    actor: Actor,
    application_id: int,
    lines: Mapping[int, RawLine],
    source: str = Source.BROWSER,
    request: HttpRequest | None = None,
) -> Outcome:
    """Set the named lines of an application (works not named stay as they are).

    Raises ChainError when the actor's level may not edit it now (confirmed above the actor,
    or the school's deadline passed) and LinesInvalidError when a line breaks a rule.
    """
    _require(actor, A.EDIT_APPLICATION)
    with transaction.atomic():
        app = _locked(actor, A.EDIT_APPLICATION, application_id)
        state = _state(actor, A.EDIT_APPLICATION, app)
        refusal = edit_refusal(
            actor.scope.level,
            app.status,
            deadline_passed=state.deadline_passed,
            deadline_text=state.deadline_text,
        )
        if refusal is not None:
            raise refusal
        works = {w.id: w for w in sel.work_refs(actor=actor, campaign=app.campaign)}
        parsed, issues = _parse_lines(lines, works, app.school_id)
        plan = plan_school(
            state, Target(app.school_id, lines=parsed), level=actor.scope.level, works=works
        )
        issues += plan.issues
        if issues:
            raise LinesInvalidError(issues)
        if not plan.changes:
            return Outcome(app, False, "Изменений нет: заявка осталась прежней.")
        _write_lines(app, plan.changes)
        _record_lines(
            actor=actor,
            app=app,
            school=app.school,
            changes=plan.changes,
            source=source,
            request=request,
        )
    return Outcome(app, True, f"Заявка сохранена (изменено строк: {len(plan.changes)}).")


# --- the chain -----------------------------------------------------------------------------------


def _step(
    *,
    actor: Actor,
    action: str,
    application_id: int,
    verb: str,
    decide: Callable[[Application, AppState], Status | None],
    source: str,
    comment: str,
    request: HttpRequest | None,
) -> tuple[Application, AppState, Status | None]:
    """One transition on the locked application; ``decide`` names the target (None: no-op)
    or raises ChainError / LinesInvalidError."""
    _require(actor, action)
    with transaction.atomic():
        app = _locked(actor, action, application_id)
        state = _state(actor, action, app)
        target = decide(app, state)
        if target is not None:
            _transition(
                actor=actor,
                app=app,
                school=app.school,
                verb=verb,
                to_status=target,
                source=source,
                comment=comment,
                request=request,
            )
    return app, state, target


def application_submit(
    *,
    actor: Actor,
    application_id: int,
    source: str = Source.BROWSER,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Outcome:
    """The school submits its draft (until the end of the deadline day in its zone)."""
    if actor.scope.level is not Level.SCHOOL and actor.can(A.SUBMIT_APPLICATION):
        raise ChainError("not_a_transition")

    def decide(app: Application, state: AppState) -> Status | None:
        target = submit_target(
            app.status, deadline_passed=state.deadline_passed, deadline_text=state.deadline_text
        )
        if target is None:
            return None
        # Lines are checked on save; the profile may have changed since, so check them again.
        works = {w.id: w for w in sel.work_refs(actor=actor, campaign=app.campaign)}
        issues = [
            Issue(app.school_id, work_id, name, message)
            for work_id, values in state.lines.items()
            if work_id in works
            for name, message in check_line(
                values,
                grade=works[work_id].grade,
                grade_info=state.grades.get(str(works[work_id].grade)),
            )
        ]
        if issues:
            raise LinesInvalidError(issues)
        return target

    app, state, target = _step(
        actor=actor,
        action=A.SUBMIT_APPLICATION,
        application_id=application_id,
        verb="submit",
        decide=decide,
        source=source,
        comment=comment,
        request=request,
    )
    if target is None:
        return Outcome(app, False, f"Заявка уже {app.get_status_display()}.")
    taking = sum(1 for v in state.lines.values() if v.takes_part)
    note = "" if taking else " ОО не участвует ни в одной работе."
    return Outcome(app, True, f"Заявка подана.{note}")


def application_confirm(
    *,
    actor: Actor,
    application_id: int,
    source: str = Source.BROWSER,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Outcome:
    """A coordinator confirms an application (a draft too: on behalf of the school)."""
    app, _state_before, target = _step(
        actor=actor,
        action=A.CONFIRM_APPLICATION,
        application_id=application_id,
        verb="confirm",
        decide=lambda app, _state: confirm_target(actor.scope.level, app.status),
        source=source,
        comment=comment,
        request=request,
    )
    if target is None:
        return Outcome(app, False, f"Заявка уже {app.get_status_display()}.")
    return Outcome(app, True, f"Заявка {target.label}.")


def application_reopen(
    *,
    actor: Actor,
    application_id: int,
    source: str = Source.BROWSER,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Outcome:
    """A coordinator takes back the latest confirmation (the region also the municipality's)."""
    app, _state_before, target = _step(
        actor=actor,
        action=A.REOPEN_APPLICATION,
        application_id=application_id,
        verb="reopen",
        decide=lambda app, state: reopen_target(
            actor.scope.level, app.status, state.previous_status
        ),
        source=source,
        comment=comment,
        request=request,
    )
    if target is None:
        return Outcome(app, False, "Заявка не подтверждена: возвращать нечего.")
    return Outcome(app, True, f"Подтверждение снято: заявка {target.label}.")


# --- files: download -----------------------------------------------------------------------------


def application_form_file(
    *, actor: Actor, application_id: int, request: HttpRequest | None = None
) -> FileOut:
    """The school's form-application with its current lines (the download is audited)."""
    _require(actor, A.VIEW_APPLICATION)
    app = sel.application_get(actor=actor, application_id=application_id)
    school, campaign = app.school, app.campaign
    state = _state(actor, A.VIEW_APPLICATION, app)
    content = forms_xlsx.build_school_form(
        header=forms_xlsx.SchoolHeader(
            code=school.code,
            name=school.full_name or school.short_name,
            municipality=school.municipality.name,
            campaign_year=campaign.year,
            campaign_name=campaign.label,
            deadline_text=state.deadline_text,
            generated_at=_stamp(school),
            campaign_id=campaign.pk,
        ),
        works=sel.work_refs(actor=actor, campaign=campaign),
        lines=state.lines,
        grades=state.grades,
    )
    audit_record(
        actor=actor,
        action="application.form_download",
        target=app,
        scope=school_unit_scope(school),
        request=request,
    )
    return FileOut(
        forms_xlsx.school_form_filename(campaign_name=campaign.label, school_code=school.code),
        content,
    )


def _coordinator_level(actor: Actor) -> Level:
    level = actor.scope.level
    if level not in (Level.MUNICIPALITY, Level.REGION):
        raise PermissionDenied
    return level


def application_summary_file(
    *,
    actor: Actor,
    unit_kind: str,
    unit_id: int,
    campaign_id: int | None = None,
    request: HttpRequest | None = None,
) -> FileOut:
    """The summary of a unit for the coordinator: every active school, applied or not."""
    _require(actor, A.APPLICATION_SUMMARY)
    level = _coordinator_level(actor)
    unit = sel.unit_get(actor=actor, kind=unit_kind, unit_id=unit_id, action=A.APPLICATION_SUMMARY)
    campaign = _campaign(actor, campaign_id)
    schools = list(sel.unit_schools(actor=actor, unit=unit, action=A.APPLICATION_SUMMARY))
    states = sel.states_for(
        actor=actor, action=A.APPLICATION_SUMMARY, campaign=campaign, schools=schools
    )
    rows = [
        forms_xlsx.SummarySchool(
            code=s.code,
            name=s.short_name,
            municipality=s.municipality.name,
            status_label=sel.summary_status_label(states[s.pk]),
            confirmed=sel.summary_confirmed(level, states[s.pk]),
            locked=edit_refusal(level, states[s.pk].effective_status, deadline_passed=False)
            is not None,
            lines=states[s.pk].lines,
        )
        for s in schools
    ]
    content = forms_xlsx.build_summary(
        header=forms_xlsx.SummaryHeader(
            level=LEVEL_KEYS[level],
            unit_kind=unit.kind,
            unit_code=unit.code,
            unit_name=unit.name,
            campaign_year=campaign.year,
            campaign_name=campaign.label,
            generated_at=_stamp(actor.unit),
            campaign_id=campaign.pk,
        ),
        works=sel.work_refs(actor=actor, campaign=campaign),
        schools=rows,
    )
    audit_record(
        actor=actor,
        action="application.summary_download",
        scope=_unit_scope(unit),
        request=request,
        details={"unit": unit.code, "schools": len(rows), "campaign": campaign.year},
    )
    return FileOut(
        forms_xlsx.summary_filename(campaign_name=campaign.label, unit_code=unit.code), content
    )


def application_monitoring_file(
    *,
    actor: Actor,
    unit_kind: str,
    unit_id: int | None,
    campaign_id: int | None = None,
    request: HttpRequest | None = None,
) -> FileOut:
    """Monitoring of a unit as xlsx (audited)."""
    _require(actor, A.MONITOR_APPLICATIONS)
    unit = sel.unit_get(actor=actor, kind=unit_kind, unit_id=unit_id, action=A.MONITOR_APPLICATIONS)
    campaign = _campaign(actor, campaign_id)
    data = sel.monitoring_get(actor=actor, campaign=campaign, unit=unit)
    not_applied = list(sel.not_applied_list(actor=actor, campaign=campaign, unit=unit))
    content = forms_xlsx.build_monitoring(
        data=data,
        works=sel.work_refs(actor=actor, campaign=campaign),
        not_applied=[(s.code, s.short_name, s.municipality.name) for s in not_applied],
        campaign_name=campaign.label,
        generated_at=_stamp(actor.unit),
    )
    audit_record(
        actor=actor,
        action="application.monitoring_export",
        scope=_unit_scope(unit),
        request=request,
        details={"unit": unit.code or "РФ", "campaign": campaign.year},
    )
    code = unit.code or "РФ"
    return FileOut(f"Мониторинг заявок {campaign.label} {code}.xlsx", content)


# --- files: upload, preview, apply ---------------------------------------------------------------


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
