"""Participant codes: issuing a school's codes from its counted application lines.

A grade the school keeps a class register for (``apps/classes``: classes writing the applied
works) gets its codes per class: each code belongs to its class (``ParticipantCode.
school_class``), as many codes as the class's confirmed participants (``ClassWork.
participants``, else its pupils; the most over its works, since one code serves all works of the
grade) plus the reserve. Other grades, and schools with no register, are issued as before from
the application lines, per grade (numbered groups of the line's classes).

Codes issued per grade before the school entered its register, and codes of a class that left
the register (or its grade), are re-attached to the register's classes that still need codes
when the codes are issued again, unless results carry them (``plan_codes`` in
``apps/materials/generation.py``); a code's class number always follows its class
(``ParticipantCode.current_class_number``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.applications.models import Application, ApplicationLine
from apps.classes.models import ClassWork, SchoolClass
from apps.core.scoping import Scope
from apps.core.services import audit_record
from apps.materials import generation as gen
from apps.materials import selectors
from apps.materials.audit import MaterialsAudit
from apps.materials.messages import MaterialsError
from apps.materials.models import ParticipantCode
from apps.materials.services.common import COUNTED_APPLICATIONS, _require
from apps.registration.access import A, Actor
from apps.registration.models import School


def _lines(actor: Actor, action: str, **filters: Any) -> Any:
    """Application lines that count for materials (the school takes part, application sent)."""

    apps_qs = Application.objects.for_actor(actor, action).filter(status__in=COUNTED_APPLICATIONS)
    return ApplicationLine.objects.filter(
        application__in=apps_qs, takes_part=True, participants__gt=0, **filters
    )


@dataclass(frozen=True)
class _RegisterClass:
    """A register class writing applied works: its id, number, label and participants."""

    pk: int
    number: int
    label: str
    participants: int


def _register_need(
    actor: Actor, school_id: int, campaign_id: int, work_ids: set[int]
) -> dict[int, dict[int, _RegisterClass]]:
    """grade → class number → the register's active class writing any of ``work_ids`` with
    its participants: the confirmed number, else the class's pupils, the most over its works."""
    rows = (
        ClassWork.objects.for_actor(actor, A.GENERATE_MATERIALS)
        .filter(
            school_id=school_id,
            work_id__in=work_ids,
            school_class__campaign_id=campaign_id,
            school_class__is_active=True,
        )
        .values_list(
            "school_class_id",
            "school_class__grade",
            "school_class__letter",
            "school_class__number",
            "participants",
            "school_class__pupils",
        )
    )
    per_class: dict[int, dict[int, _RegisterClass]] = defaultdict(dict)
    for pk, grade, letter, number, participants, pupils in rows:
        count = participants if participants is not None else pupils
        known = per_class[grade].get(number)
        most = max(count, known.participants if known else 0)
        per_class[grade][number] = _RegisterClass(pk, number, f"{grade}{letter}", most)
    return per_class


def _load_classes(actor: Actor, codes: list[ParticipantCode]) -> None:
    """Attach the codes' register classes (one query; the codes are locked without a join)."""
    ids = {c.school_class_id for c in codes if c.school_class_id is not None}
    classes = {
        c.pk: c
        for c in SchoolClass.objects.for_actor(actor, A.GENERATE_MATERIALS).filter(pk__in=ids)
    }
    for code in codes:
        if code.school_class_id is not None:
            code.school_class = classes[code.school_class_id]


@dataclass
class _Changes:
    created: list[ParticipantCode] = field(default_factory=list)
    changed: list[ParticipantCode] = field(default_factory=list)
    # (grade, class label, class number) → codes re-attached to it
    reattached: Counter[tuple[int, str, int]] = field(default_factory=Counter)
    released: int = 0


def _plan_grade(
    grade: int,
    codes: list[ParticipantCode],
    wanted: list[gen.Wanted],
    *,
    register: dict[int, _RegisterClass] | None,
    used: set[str],
) -> gen.CodePlan:
    """The issue plan of one grade: per register class (groups are class ids; the codes of no
    current class and without results may move), else per numbered group of the application
    line (groups are class numbers; nothing moves)."""
    if register is None:
        issued = [gen.IssuedCode(int(c.code[1:]), c.class_number, c.reserve) for c in codes]
    else:
        issued = []
        for c in codes:
            current = c.current_class
            issued.append(
                gen.IssuedCode(
                    int(c.code[1:]),
                    current.pk if current is not None else None,
                    c.reserve,
                    movable=current is None and c.code not in used,
                )
            )
    return gen.plan_codes(issued, wanted)


def _apply_grade(
    school: School,
    campaign_id: int,
    grade: int,
    codes: list[ParticipantCode],
    plan: gen.CodePlan,
    register: dict[int, _RegisterClass] | None,
    changes: _Changes,
) -> None:
    """Turn one grade's plan into rows: new codes, re-attached and released codes, and the
    class numbers of codes whose class was renumbered since (``class_number`` follows)."""
    by_n = {int(c.code[1:]): c for c in codes}
    classes = {k.pk: k for k in (register or {}).values()}
    now = timezone.now()
    for n, group, reserve in plan.new:
        if n > gen.CODES_PER_GRADE:
            raise MaterialsError("too_many_codes", grade=grade, needed=n)
        klass = classes.get(group) if group is not None else None
        changes.created.append(
            ParticipantCode(
                campaign_id=campaign_id,
                school=school,
                municipality_id=school.municipality_id,
                region_id=school.region_id,
                grade=grade,
                class_number=klass.number if klass is not None else group,
                school_class_id=klass.pk if klass is not None else None,
                code=gen.code_number(grade, n),
                reserve=reserve,
            )
        )
    moved: set[int] = set()
    for n, group, reserve in plan.attach:
        klass = classes[group] if group is not None else None
        code = by_n[n]
        code.school_class_id = klass.pk if klass is not None else None
        code.class_number = klass.number if klass is not None else group
        code.reserve = reserve
        code.updated_at = now
        changes.changed.append(code)
        moved.add(n)
        if klass is not None:
            changes.reattached[(grade, klass.label, klass.number)] += 1
    for n in plan.release:
        code = by_n[n]
        if code.school_class_id is None and code.class_number is None:
            continue
        # no class needs it: it stays issued, in no class (its old number could be a register
        # class's, whose code it is not)
        code.school_class_id = code.class_number = None
        code.updated_at = now
        changes.changed.append(code)
        moved.add(n)
        changes.released += 1
    for n, code in by_n.items():
        current = code.current_class if n not in moved else None
        if current is not None and code.class_number != current.number:
            code.class_number = current.number
            code.updated_at = now
            changes.changed.append(code)


def participant_codes_issue(
    *, actor: Actor, school_id: int, campaign_id: int
) -> list[ParticipantCode]:
    """Issue the school's missing participant codes for every grade it applied for.

    Per grade the need is the maximum participants (and classes) over that grade's works, or
    per class of the register (``_register_need``); one code serves a participant in all works.
    Codes are never taken back (they may be printed). In a register grade the codes of no
    current class that no results carry (issued per grade before the register, or of a class
    removed since) are first re-attached to the classes still short of codes, oldest first
    (audited per class); the ones no class needs stay issued without a class. Only then are new
    codes appended. Idempotent. Returns the codes created.
    """
    _require(actor, A.GENERATE_MATERIALS)
    school = School.objects.for_actor(actor, A.GENERATE_MATERIALS).get(pk=school_id)
    need: dict[int, tuple[int, int]] = {}
    lines = _lines(
        actor,
        A.GENERATE_MATERIALS,
        application__school_id=school.pk,
        application__campaign_id=campaign_id,
    ).values_list("work__grade", "participants", "classes", "work_id")
    work_ids: set[int] = set()
    for grade, participants, classes, work_id in lines:
        p, c = need.get(grade, (0, 0))
        need[grade] = (max(p, participants), max(c, classes))
        work_ids.add(work_id)
    register = _register_need(actor, school.pk, campaign_id, work_ids)
    changes = _Changes()
    with transaction.atomic():
        codes = ParticipantCode.objects.for_actor(actor, A.GENERATE_MATERIALS)
        existing = list(codes.select_for_update().filter(school=school, campaign_id=campaign_id))
        _load_classes(actor, existing)
        used: set[str] = set()
        if any(c.grade in register and c.current_class is None for c in existing):
            used = selectors.codes_with_results(school_id=school.pk, campaign_id=campaign_id)
        for grade, (participants, classes) in sorted(need.items()):
            grade_codes = [c for c in existing if c.grade == grade]
            by_number = register.get(grade)
            if by_number is not None:
                groups = gen.class_code_groups(
                    grade, [(k.number, k.participants) for k in by_number.values()]
                )
                wanted = [
                    gen.Wanted(by_number[g.class_number or 0].pk, g.participants, g.reserve)
                    for g in groups
                ]
            else:
                wanted = [
                    gen.Wanted(g.class_number, g.participants, g.reserve)
                    for g in gen.code_groups(grade, participants, classes)
                ]
            plan = _plan_grade(grade, grade_codes, wanted, register=by_number, used=used)
            _apply_grade(school, campaign_id, grade, grade_codes, plan, by_number, changes)
        ParticipantCode.objects.bulk_create(changes.created)
        if changes.changed:
            codes.bulk_update(
                changes.changed, ["school_class", "class_number", "reserve", "updated_at"]
            )
        scope = Scope.of_school(school.pk, school.municipality_id, school.region_id)
        if changes.created:
            audit_record(
                actor=actor,
                action=MaterialsAudit.MATERIALS_CODES_ISSUE,
                scope=scope,
                details={"campaign_id": campaign_id, "issued": len(changes.created)},
            )
        if changes.reattached or changes.released:
            audit_record(
                actor=actor,
                action=MaterialsAudit.MATERIALS_CODES_REATTACH,
                scope=scope,
                details={
                    "campaign_id": campaign_id,
                    "reattached": sum(changes.reattached.values()),
                    "classes": [
                        {"grade": grade, "class": label, "number": number, "codes": count}
                        for (grade, label, number), count in sorted(changes.reattached.items())
                    ],
                    "released": changes.released,
                },
            )
    return changes.created
