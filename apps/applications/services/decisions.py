"""The approval chain: submit, confirm and reopen, each one ``ApplicationDecision`` and audit row
written in a transaction on the application row taken FOR UPDATE.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from apps.applications import selectors as sel
from apps.applications.messages import ChainError
from apps.applications.models import (
    Application,
    Source,
    Status,
)
from apps.applications.rules import (
    AppState,
    Issue,
    check_line,
    confirm_target,
    reopen_target,
    submit_target,
)
from apps.applications.services.by_class import sync_derived_lines, unconfirmed_refusal
from apps.applications.services.common import (
    LinesInvalidError,
    Outcome,
    _locked,
    _require,
    _state,
    _transition,
)
from apps.core.scoping import Level
from apps.registration.access import A, Actor


def _step(
    *,
    actor: Actor,
    action: str,
    application_id: int,
    verb: str,
    decide: Callable[[Application, AppState], Status | None],
    source: str,
    comment: str,
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
            )
    return app, state, target


def application_submit(
    *,
    actor: Actor,
    application_id: int,
    source: str = Source.BROWSER,
    comment: str = "",
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
        if state.by_class:
            # The lines follow the classes: every class's work must be confirmed; the lines are
            # brought up to date with the register (a class added since the last save).
            rows = sel.class_lines(
                actor=actor,
                school_id=app.school_id,
                campaign=app.campaign,
                action=A.SUBMIT_APPLICATION,
            )
            refusal = unconfirmed_refusal(rows)
            if refusal is not None:
                raise refusal
            sync_derived_lines(
                actor=actor,
                action=A.SUBMIT_APPLICATION,
                app=app,
                state=state,
                source=source,
                rows=rows,
            )
            return target
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
    )
    if target is None:
        return Outcome(app, False, "Заявка не подтверждена: возвращать нечего.")
    return Outcome(app, True, f"Подтверждение снято: заявка {target.label}.")
