"""ОВЗ marks on participant codes: which codes belong to participants with ОВЗ and which special
conditions they had. Codes only, never names.

The school organizer marks the codes of its own school (the register's editing right,
``A.EDIT_CLASSES``); every change is audited. A code's mark is final once results carrying that
code have been uploaded: the analytics aggregates split by ОВЗ at the upload
(``apps.analytics``), and a school must not reshape its «без ОВЗ» figures after seeing them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from apps.core.services import audit_record
from apps.materials.audit import MaterialsAudit
from apps.materials.messages import MaterialsError, MaterialsInvalidError
from apps.materials.models import ParticipantCode
from apps.materials.selectors import codes_with_results
from apps.registration.access import A, Actor

# code → label, in the order the page shows them.
ACCOMMODATIONS: dict[str, str] = {
    "extra_time": "дополнительное время",
    "separate_room": "отдельная аудитория",
    "assistant": "ассистент",
    "adapted_variant": "адаптированный вариант",
}


def _system() -> Actor:
    return Actor.system(reason="ovz marks")


def ovz_code_list(
    *, actor: Actor, school_id: int, campaign_id: int, action: str = A.EDIT_CLASSES
) -> list[ParticipantCode]:
    """The school's codes of a campaign by grade, class (its current number) and code, as the
    actor may see them."""
    codes = (
        ParticipantCode.objects.for_actor(actor, action)
        .filter(school_id=school_id, campaign_id=campaign_id)
        .select_related("school_class")
    )
    return sorted(codes, key=lambda c: (c.grade, c.current_class_number or 0, c.code))


def ovz_codes(*, school_id: int, campaign_id: int) -> set[str]:
    """The codes with ОВЗ of one school in a campaign (for the analytics of that school)."""
    return set(
        ParticipantCode.objects.for_actor(_system(), A.GENERATE_MATERIALS)
        .filter(school_id=school_id, campaign_id=campaign_id, ovz=True)
        .values_list("code", flat=True)
    )


def ovz_codes_by_school(*, campaign_id: int, school_ids: Iterable[int]) -> dict[int, set[str]]:
    """The codes with ОВЗ of many schools in a campaign, in one query (the analytics rebuild)."""
    found: dict[int, set[str]] = defaultdict(set)
    rows = (
        ParticipantCode.objects.for_actor(_system(), A.GENERATE_MATERIALS)
        .filter(campaign_id=campaign_id, school_id__in=list(school_ids), ovz=True)
        .values_list("school_id", "code")
    )
    for school_id, code in rows:
        found[school_id].add(code)
    return found


def _has_results(code: ParticipantCode) -> bool:
    return bool(
        codes_with_results(
            school_id=code.school_id, campaign_id=code.campaign_id, codes=[code.code]
        )
    )


@transaction.atomic
def participant_code_mark(
    *,
    actor: Actor,
    school_id: int,
    campaign_id: int,
    code: str,
    ovz: bool,
    accommodations: Iterable[str] = (),
) -> ParticipantCode:
    """Mark (or unmark) one code of the actor's school as a participant with ОВЗ and the special
    conditions given. Refused for another school's code (not found), for an unknown condition,
    for conditions without ОВЗ, and once results with the code are uploaded."""
    wanted = list(dict.fromkeys(accommodations))
    unknown = [a for a in wanted if a not in ACCOMMODATIONS]
    if unknown:
        raise MaterialsInvalidError("ovz_unknown_accommodations", names=", ".join(unknown))
    if wanted and not ovz:
        raise MaterialsInvalidError("ovz_accommodations_without_ovz")
    try:
        row = (
            ParticipantCode.objects.for_actor(actor, A.EDIT_CLASSES)
            .select_for_update()
            .get(school_id=school_id, campaign_id=campaign_id, code=code)
        )
    except ParticipantCode.DoesNotExist as exc:
        raise MaterialsInvalidError("ovz_code_unknown", participant=code) from exc
    if row.ovz == ovz and row.accommodations == wanted:
        return row
    if _has_results(row):
        raise MaterialsError("ovz_results_uploaded", participant=code)
    before = {"ovz": row.ovz, "accommodations": list(row.accommodations)}
    row.ovz = ovz
    row.accommodations = wanted
    row.save(update_fields=["ovz", "accommodations", "updated_at"])
    audit_record(
        actor=actor,
        action=MaterialsAudit.MATERIALS_OVZ_MARK,
        target=row,
        details={
            "code": row.code,
            "before": before,
            "after": {"ovz": ovz, "accommodations": wanted},
        },
    )
    return row
