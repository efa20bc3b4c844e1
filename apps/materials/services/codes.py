"""Participant codes: issuing a school's codes from its counted application lines."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction

from apps.applications.models import Application, ApplicationLine
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


def participant_codes_issue(
    *, actor: Actor, school_id: int, campaign_id: int
) -> list[ParticipantCode]:
    """Issue the school's missing participant codes for every grade it applied for.

    Per grade the need is the maximum participants (and classes) over that grade's works; one
    code serves a participant in all works. Codes are never taken back (they may be printed);
    if the need grows, new codes are appended. Idempotent.
    """
    _require(actor, A.GENERATE_MATERIALS)
    school = School.objects.for_actor(actor, A.GENERATE_MATERIALS).get(pk=school_id)
    need: dict[int, tuple[int, int]] = {}
    lines = _lines(
        actor,
        A.GENERATE_MATERIALS,
        application__school_id=school.pk,
        application__campaign_id=campaign_id,
    ).values_list("work__grade", "participants", "classes")
    for grade, participants, classes in lines:
        p, c = need.get(grade, (0, 0))
        need[grade] = (max(p, participants), max(c, classes))
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
            for group in gen.code_groups(grade, participants, classes):
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
