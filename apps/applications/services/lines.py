"""The school's application and its lines: open it for a campaign, save edited lines."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from apps.applications import selectors as sel
from apps.applications.audit import ApplicationsAudit
from apps.applications.messages import ChainError
from apps.applications.models import (
    Application,
    Source,
)
from apps.applications.rules import (
    Issue,
    LineValues,
    RawLine,
    Target,
    WorkRef,
    parse_line,
    plan_school,
)
from apps.applications.services.common import (
    LinesInvalidError,
    Outcome,
    _campaign,
    _create_application,
    _editable,
    _record_lines,
    _require,
    _write_lines,
)
from apps.core.services import audit_record
from apps.registration.access import A, Actor
from apps.registration.constants import SchoolStatus
from apps.registration.models import School
from apps.registration.services import school_unit_scope


def application_open(
    *,
    actor: Actor,
    school_id: int,
    campaign_id: int | None = None,
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
            action=ApplicationsAudit.APPLICATION_OPEN,
            target=app,
            scope=school_unit_scope(school),
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
) -> Outcome:
    """Set the named lines of an application (works not named stay as they are).

    Raises ChainError when the actor's level may not edit it now (confirmed above the actor,
    or the school's deadline passed) and LinesInvalidError when a line breaks a rule.
    """
    _require(actor, A.EDIT_APPLICATION)
    with transaction.atomic():
        app, state = _editable(actor, application_id)
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
        )
    return Outcome(app, True, f"Заявка сохранена (изменено строк: {len(plan.changes)}).")
