"""Writes of the checking (the school organizer): the works of each class given to the school's
experts of the work's subject, automatically or by hand, and taken back.

The rule of the procedure: an expert never checks a class it teaches (``Person.teaches``). Every
write checks everything first and writes nothing when a rule breaks. Giving works is allowed
before and during a class's checking window and refused once it has closed
(``selectors.checking_over``: the end of the last day of checking, school-local).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from apps.campaigns.models import Work
from apps.core.services import audit_record
from apps.materials.models import ParticipantCode
from apps.registration.access import Actor
from apps.registration.constants import time_zone_label
from apps.registration.models import School
from apps.registration.services import school_unit_scope
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.audit import SchoolDayAudit
from apps.schoolday.checking import selectors
from apps.schoolday.messages import MESSAGES, SchoolDayError, SchoolDayInvalidError
from apps.schoolday.models import ExpertAssignment, Person
from apps.schoolday.selectors import school_zone, work_get, work_title

ACTION = A.ASSIGN_EXPERTS


def _day_text(value: dt.date) -> str:
    return f"{value:%d.%m.%Y}"


def _lock_school(actor: Actor, school_id: int) -> School:
    """The school, locked: one write of its checking at a time (``DoesNotExist`` → 404)."""
    school: School = (
        School.objects.for_actor(actor, ACTION)
        .select_for_update()
        .select_related("municipality", "region")
        .get(pk=school_id)
    )
    return school


def _state(
    actor: Actor, school: School, work_id: int, now: dt.datetime | None
) -> tuple[Work, selectors.Checking]:
    work = work_get(actor=actor, work_id=work_id, action=ACTION)
    return work, selectors.checking_get(
        actor=actor, school_id=school.pk, work_id=work.pk, now=now, action=ACTION
    )


def _code_ids(actor: Actor, school: School, work: Work, codes: set[str]) -> dict[str, int]:
    """participant code → its row id (the school's codes of the work's campaign)."""
    return dict(
        ParticipantCode.objects.for_actor(actor, ACTION)
        .filter(school_id=school.pk, campaign_id=work.campaign_id, code__in=codes, reserve=False)
        .values_list("code", "pk")
    )


def _assignment(
    school: School, work: Work, code_id: int, expert: Person, actor: Actor
) -> ExpertAssignment:
    return ExpertAssignment(
        work=work,
        code_id=code_id,
        expert=expert,
        assigned_by=actor.user,
        school_id=school.pk,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )


def _refuse_over(school: School, work: Work, state: selectors.Checking) -> None:
    """Refuse when the window of every class writing the work has closed."""
    if state.over:
        last = max(row.last for row in state.classes)
        raise SchoolDayError(
            "checking_over",
            work=work_title(work),
            date=_day_text(last),
            zone=time_zone_label(school_zone(school)),
        )


@transaction.atomic
def checking_auto_assign(
    *, actor: Actor, school_id: int, work_id: int, now: dt.datetime | None = None
) -> int:
    """Give every code of the school's classes writing the work that nobody checks yet to the
    school's active experts of the subject who do not teach its class: evenly (the expert with
    the fewest codes of the work first, ties by name), keeping what was given before. Classes
    whose window has closed are left as they are. Returns how many codes were given.

    ``SchoolDayError`` naming the class when a class with codes to give has no expert who may
    check it («нет экспертов по предмету», «все эксперты по предмету преподают в 5А»); nothing
    is written then."""
    school = _lock_school(actor, school_id)
    work, state = _state(actor, school, work_id, now)
    _refuse_over(school, work, state)
    todo = [
        (row, [c.code for c in row.codes if c.expert is None])
        for row in state.classes
        if not row.over
    ]
    todo = [(row, codes) for row, codes in todo if codes]
    stuck = [row for row, _ in todo if not row.eligible]
    if stuck:
        raise SchoolDayError(
            "checking_class_no_expert",
            details=[
                {"class_work": row.class_work.pk, "message": state.problem(row)} for row in stuck
            ],
            label=stuck[0].label,
            reason=state.problem(stuck[0]),
            subject=work.subject.name,
        )
    load = state.load
    ids = _code_ids(actor, school, work, {c for _, codes in todo for c in codes})
    made: list[ExpertAssignment] = []
    given: dict[str, list[str]] = {}
    for row, codes in todo:
        for code in codes:
            expert = min(row.eligible, key=lambda e: (load.get(e.pk, 0), e.full_name, e.pk))
            load[expert.pk] = load.get(expert.pk, 0) + 1
            made.append(_assignment(school, work, ids[code], expert, actor))
            given.setdefault(expert.full_name, []).append(code)
    ExpertAssignment.objects.bulk_create(made)
    if made:
        audit_record(
            actor=actor,
            action=SchoolDayAudit.CHECKING_AUTO_ASSIGN,
            scope=school_unit_scope(school),
            details={"work_id": work.pk, "given": given},
        )
    return len(made)


def _expert(actor: Actor, school: School, work: Work, expert_id: int) -> Person:
    """The school's expert of the work's subject, active (a refusal names who it is)."""
    person = (
        Person.objects.for_actor(actor, ACTION)
        .filter(school_id=school.pk, pk=expert_id)
        .prefetch_related("subjects", "teaches")
        .first()
    )
    if person is None:
        raise SchoolDayInvalidError("checking_expert_unknown", expert=expert_id)
    if person.duty != Person.Duty.EXPERT:
        raise SchoolDayInvalidError(
            "checking_not_expert", name=person.full_name, role=person.get_duty_display()
        )
    if not person.is_active:
        raise SchoolDayInvalidError("checking_expert_inactive", name=person.full_name)
    if work.subject_id not in {s.pk for s in person.subjects.all()}:
        raise SchoolDayInvalidError(
            "checking_expert_subject", name=person.full_name, subject=work.subject.name
        )
    return person


def _problem(key: str, code: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": MESSAGES[key].format(code=code, **extra)}


def _raise(problems: Sequence[dict[str, Any]]) -> None:
    if problems:
        raise SchoolDayInvalidError(
            "checking_invalid",
            details=problems,
            problems="; ".join(p["message"].rstrip(".") for p in problems) + ".",
        )


def _find(
    state: selectors.Checking, codes: Sequence[str]
) -> tuple[dict[str, tuple[selectors.ClassChecking, selectors.CodeRow]], list[dict[str, Any]]]:
    """code → (its class, its row) for the codes of the classes writing the work; a problem for
    every other code."""
    rows = {c.code: (row, c) for row in state.classes for c in row.codes}
    problems = [
        _problem("checking_code_unknown", code, work=state.title)
        for code in codes
        if code not in rows
    ]
    return rows, problems


def _clean_codes(codes: Sequence[str]) -> list[str]:
    cleaned = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    if not cleaned:
        raise SchoolDayInvalidError("checking_codes_required")
    return cleaned


@transaction.atomic
def checking_assign(
    *,
    actor: Actor,
    school_id: int,
    work_id: int,
    expert_id: int,
    codes: Sequence[str],
    now: dt.datetime | None = None,
) -> list[ExpertAssignment]:
    """Give ``codes`` to one expert (taking them from whoever had them). Refused whole, naming
    each code and its class, when the expert teaches the class, a code is not one of the
    school's classes writing the work, its scores are entered, or its window has closed; the
    expert must be an active expert of the work's subject."""
    wanted = _clean_codes(codes)
    school = _lock_school(actor, school_id)
    work, state = _state(actor, school, work_id, now)
    _refuse_over(school, work, state)
    expert = _expert(actor, school, work, expert_id)
    rows, problems = _find(state, wanted)
    zone = time_zone_label(school_zone(school))
    teaches = selectors.taught(expert)
    for code in wanted:
        if code not in rows:
            continue
        row, found = rows[code]
        if row.class_work.school_class_id in teaches:
            problems.append(
                _problem("checking_own_class", code, label=row.label, name=expert.full_name)
            )
        elif row.over:
            problems.append(
                _problem(
                    "checking_class_over",
                    code,
                    label=row.label,
                    date=_day_text(row.last),
                    zone=zone,
                )
            )
        elif found.scored and found.expert is not None and found.expert.pk != expert.pk:
            problems.append(_problem("checking_code_scored", code))
    _raise(problems)
    moving = [c for c in wanted if rows[c][1].expert is not None]
    existing = {
        a.code.code: a
        for a in ExpertAssignment.objects.for_actor(actor, ACTION)
        .select_for_update()
        .select_related("code", "expert")
        .filter(school_id=school.pk, work=work, code__code__in=moving)
    }
    ids = _code_ids(actor, school, work, set(wanted))
    saved = []
    before: dict[str, str] = {}
    for code in wanted:
        current = existing.get(code)
        if current is None:
            saved.append(_assignment(school, work, ids[code], expert, actor))
            continue
        if current.expert_id == expert.pk:
            continue
        before[code] = current.expert.full_name
        current.expert = expert
        current.assigned_by = actor.user
        current.save(update_fields=["expert", "assigned_by", "updated_at"])
    ExpertAssignment.objects.bulk_create(saved)
    audit_record(
        actor=actor,
        action=SchoolDayAudit.CHECKING_ASSIGN,
        scope=school_unit_scope(school),
        details={
            "work_id": work.pk,
            "expert": expert.full_name,
            "codes": wanted,
            "taken_from": before,
        },
    )
    return list(
        ExpertAssignment.objects.for_actor(actor, ACTION).filter(
            school_id=school.pk, work=work, code__code__in=wanted
        )
    )


@transaction.atomic
def checking_unassign(
    *,
    actor: Actor,
    school_id: int,
    work_id: int,
    codes: Sequence[str],
    now: dt.datetime | None = None,
) -> int:
    """Take ``codes`` back from their experts (nobody checks them until given again). Refused
    whole for a code whose scores are entered or whose window has closed. Returns how many
    codes were taken back."""
    wanted = _clean_codes(codes)
    school = _lock_school(actor, school_id)
    work, state = _state(actor, school, work_id, now)
    _refuse_over(school, work, state)
    rows, problems = _find(state, wanted)
    zone = time_zone_label(school_zone(school))
    for code in wanted:
        if code not in rows:
            continue
        row, found = rows[code]
        if found.scored:
            problems.append(_problem("checking_code_scored", code))
        elif row.over:
            problems.append(
                _problem(
                    "checking_class_over",
                    code,
                    label=row.label,
                    date=_day_text(row.last),
                    zone=zone,
                )
            )
    _raise(problems)
    taken = {}
    for code in wanted:
        holder = rows[code][1].expert
        if holder is not None:
            taken[code] = holder.full_name
    deleted, _ = (
        ExpertAssignment.objects.for_actor(actor, ACTION)
        .filter(school_id=school.pk, work=work, code__code__in=list(taken))
        .delete()
    )
    if taken:
        audit_record(
            actor=actor,
            action=SchoolDayAudit.CHECKING_UNASSIGN,
            scope=school_unit_scope(school),
            details={"work_id": work.pk, "taken": taken},
        )
    return deleted
