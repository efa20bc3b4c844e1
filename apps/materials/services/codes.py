"""Participant codes: issuing a school's codes from its counted application lines.

A grade the school keeps a class register for (``apps/classes``: classes writing the applied
works) gets its codes per class: the class's «Порядковый номер класса», as many codes as its
confirmed participants (``ClassWork.participants``, else its pupils; the most over its works,
since one code serves all works of the grade) plus the reserve. Other grades, and schools with
no register, are issued as before from the application lines."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction

from apps.applications.models import Application, ApplicationLine
from apps.classes.models import ClassWork
from apps.core.scoping import Scope
from apps.core.services import audit_record
from apps.materials import generation as gen
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


def _register_need(
    actor: Actor, school_id: int, campaign_id: int, work_ids: set[int]
) -> dict[int, list[tuple[int, int]]]:
    """grade → (class number, participants) of the register's active classes writing any of
    ``work_ids``: the confirmed number, else the class's pupils, the most over its works."""
    rows = (
        ClassWork.objects.for_actor(actor, A.GENERATE_MATERIALS)
        .filter(
            school_id=school_id,
            work_id__in=work_ids,
            school_class__campaign_id=campaign_id,
            school_class__is_active=True,
        )
        .values_list(
            "school_class__grade", "school_class__number", "participants", "school_class__pupils"
        )
    )
    per_class: dict[int, dict[int, int]] = defaultdict(dict)
    for grade, number, participants, pupils in rows:
        count = participants if participants is not None else pupils
        per_class[grade][number] = max(per_class[grade].get(number, 0), count)
    return {grade: sorted(counts.items()) for grade, counts in per_class.items()}


def participant_codes_issue(
    *, actor: Actor, school_id: int, campaign_id: int
) -> list[ParticipantCode]:
    """Issue the school's missing participant codes for every grade it applied for.

    Per grade the need is the maximum participants (and classes) over that grade's works, or
    per class of the register (``_register_need``); one code serves a participant in all works.
    Codes are never taken back (they may be printed); if the need grows, new codes are
    appended. Idempotent.
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
    created: list[ParticipantCode] = []
    with transaction.atomic():
        codes = ParticipantCode.objects.for_actor(actor, A.GENERATE_MATERIALS).select_for_update()
        existing = list(codes.filter(school=school, campaign_id=campaign_id))
        have: dict[tuple[int, int | None, bool], int] = defaultdict(int)
        last: dict[int, int] = defaultdict(int)
        for code in existing:
            have[(code.grade, code.class_number, code.reserve)] += 1
            last[code.grade] = max(last[code.grade], int(code.code[1:]))
        for grade, (participants, classes) in sorted(need.items()):
            groups = (
                gen.class_code_groups(grade, register[grade])
                if grade in register
                else gen.code_groups(grade, participants, classes)
            )
            for group in groups:
                for reserve, wanted in ((False, group.participants), (True, group.reserve)):
                    missing = wanted - have[(grade, group.class_number, reserve)]
                    for _ in range(max(0, missing)):
                        last[grade] += 1
                        if last[grade] > gen.CODES_PER_GRADE:
                            raise MaterialsError("too_many_codes", grade=grade, needed=last[grade])
                        created.append(
                            ParticipantCode(
                                campaign_id=campaign_id,
                                school=school,
                                municipality_id=school.municipality_id,
                                region_id=school.region_id,
                                grade=grade,
                                class_number=group.class_number,
                                code=gen.code_number(grade, last[grade]),
                                reserve=reserve,
                            )
                        )
        ParticipantCode.objects.bulk_create(created)
        if created:
            audit_record(
                actor=actor,
                action=MaterialsAudit.MATERIALS_CODES_ISSUE,
                scope=Scope.of_school(school.pk, school.municipality_id, school.region_id),
                details={"campaign_id": campaign_id, "issued": len(created)},
            )
    return created
