"""Applications derived from the class register and the assignment (the procedure since 2025).

For a campaign with grades and a school with a register, the school confirms, per class and
work, the number of participants and the form; the classes app stores them
(``apps.classes.participation``) and the application's lines per work are recomputed from the
classes (``rules.derive_lines``), recorded in the application's history like any save. A
per-work edit of such an application is refused (``rules.plan_school``); submitting is refused
while a class's work is unconfirmed (``services.decisions.application_submit``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from apps.applications import selectors as sel
from apps.applications.messages import ChainError
from apps.applications.models import Application, Source
from apps.applications.rules import (
    NOT_TAKING_PART,
    AppState,
    LineChange,
    derive_lines,
)
from apps.applications.services.common import (
    Outcome,
    _editable,
    _record_lines,
    _require,
    _write_lines,
)
from apps.classes.participation import ParticipationInput, class_works_participation_set
from apps.registration.access import A, Actor

__all__ = [
    "ParticipationInput",
    "application_class_lines_save",
    "sync_derived_lines",
    "unconfirmed_refusal",
]

_LISTED = 5  # class works named in a refusal; the rest are counted


def sync_derived_lines(
    *,
    actor: Actor,
    action: str,
    app: Application,
    state: AppState,
    source: str,
    rows: Sequence[sel.ClassLineRow] | None = None,
) -> list[LineChange]:
    """Write the lines derived from the school's classes where they differ from the stored
    ones (one history and audit row for the save); the caller holds the locked application."""
    if rows is None:
        rows = sel.class_lines(
            actor=actor, school_id=app.school_id, campaign=app.campaign, action=action
        )
    works = {w.id: w for w in sel.work_refs(actor=actor, campaign=app.campaign)}
    derived = derive_lines(((r.work.id, r.participants) for r in rows), works)
    changes = [
        LineChange(work_id, works[work_id].label, state.lines.get(work_id, NOT_TAKING_PART), new)
        for work_id, new in derived.items()
        if work_id in works and new != state.lines.get(work_id, NOT_TAKING_PART)
    ]
    if changes:
        _write_lines(app, changes)
        _record_lines(actor=actor, app=app, school=app.school, changes=changes, source=source)
    return changes


def unconfirmed_refusal(rows: Sequence[sel.ClassLineRow]) -> ChainError | None:
    """The refusal to submit while a class's work is unconfirmed, naming the classes and works
    (None: every class work is confirmed)."""
    titles = sel.unconfirmed_titles(rows)
    if not titles:
        return None
    items = "; ".join(titles[:_LISTED])
    if len(titles) > _LISTED:
        items += f" и ещё {len(titles) - _LISTED}"
    return ChainError("classes_unconfirmed", count=len(titles), items=items)


def application_class_lines_save(
    *,
    actor: Actor,
    application_id: int,
    lines: Sequence[ParticipationInput],
    source: str = Source.BROWSER,
) -> Outcome:
    """Confirm participants and forms of the named class works of the application's school and
    recompute the application's lines per work from its classes.

    Raises ChainError when the actor's level may not edit the application now (or it does not
    follow the classes), ``ClassWork.DoesNotExist`` for a class work that is not the school's
    (404) and ``ParticipationInvalidError`` naming each bad class and work (nothing saved).
    """
    _require(actor, A.EDIT_APPLICATION)
    with transaction.atomic():
        app, state = _editable(actor, application_id)
        if not state.by_class:
            raise ChainError("not_by_class", school=app.school.code)
        changed = class_works_participation_set(
            actor=actor,
            school_id=app.school_id,
            campaign_id=app.campaign_id,
            rows=lines,
            action=A.EDIT_APPLICATION,
        )
        changes = sync_derived_lines(
            actor=actor, action=A.EDIT_APPLICATION, app=app, state=state, source=source
        )
    if not changed and not changes:
        return Outcome(app, False, "Изменений нет: заявка осталась прежней.")
    return Outcome(
        app,
        True,
        f"Заявка сохранена (изменено работ классов: {len(changed)}, строк по работам: "
        f"{len(changes)}).",
    )
