"""Shared pieces of the applications services: results and errors, the action and
campaign checks, the locked application, line writes and the transition record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from apps.applications import selectors as sel
from apps.applications.audit import ApplicationsAudit
from apps.applications.messages import MESSAGES, ChainError
from apps.applications.models import (
    Application,
    ApplicationDecision,
    ApplicationLine,
    ApplicationLineChange,
    Status,
)
from apps.applications.rules import (
    AppState,
    Issue,
    LineChange,
    edit_refusal,
)
from apps.campaigns.models import Campaign
from apps.core import instants
from apps.core.errors import InvalidError
from apps.core.scoping import Level, Scope
from apps.core.services import audit_record
from apps.registration.access import A, Actor
from apps.registration.models import School
from apps.registration.services import school_unit_scope


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


def _editable(actor: Actor, application_id: int) -> tuple[Application, AppState]:
    """The application locked for a lines edit and its state; raises the ChainError of
    ``rules.edit_refusal`` when the actor's level may not edit it now (the caller holds the
    transaction)."""
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
    return app, state


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
        action=ApplicationsAudit.APPLICATION_LINES_SAVE,
        target=app,
        scope=school_unit_scope(school),
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
        action=ApplicationsAudit(f"application.{verb}"),
        target=app,
        scope=school_unit_scope(school),
        details={"from": from_status, "to": to_status, "source": source},
    )


def _state(actor: Actor, action: str, app: Application) -> AppState:
    return sel.states_for(actor=actor, action=action, campaign=app.campaign, schools=[app.school])[
        app.school_id
    ]
