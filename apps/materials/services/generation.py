"""Kit generation: a school's variants composed from the bank with a stored seed."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from apps.campaigns.models import Work
from apps.core import crypto
from apps.core.services import audit_record
from apps.materials import generation as gen
from apps.materials import selectors
from apps.materials.audit import MaterialsAudit
from apps.materials.messages import MaterialsError
from apps.materials.models import Kit, Variant
from apps.materials.services.codes import _lines, participant_codes_issue
from apps.materials.services.common import BALANCED_RETRIES, GENERATE_RETRIES, _require
from apps.registration.access import A, Actor
from apps.registration.models import School


@dataclass
class GenerateResult:
    created: int = 0
    existing: int = 0
    kit_ids: list[int] = field(default_factory=list)


def kits_generate(
    *,
    actor: Actor,
    work_id: int,
    region_id: int | None = None,
    school_id: int | None = None,
) -> GenerateResult:
    """Compose the variants of every school that applied for a work (or one region/school).

    Each kit records its seed and bank revision, so it can be regenerated exactly. Kits that
    exist are kept (idempotent). Before anything is written the bank is checked: each
    municipality must have enough distinct combinations for all its schools' variants.
    """
    _require(actor, A.GENERATE_MATERIALS)
    work = selectors.work_get(actor=actor, work_id=work_id, action=A.GENERATE_MATERIALS)
    revision = selectors.bank_revision(actor=actor, work_id=work.pk, action=A.GENERATE_MATERIALS)
    if revision == 0:
        raise MaterialsError("bank_empty", work=str(work))
    pool = selectors.bank_pool(
        actor=actor, work_id=work.pk, revision=revision, action=A.GENERATE_MATERIALS
    )
    k = work.variants_per_school
    filters: dict[str, Any] = {"work": work}
    if region_id is not None:
        filters["application__region_id"] = region_id
    if school_id is not None:
        filters["application__school_id"] = school_id
    lines = list(
        _lines(actor, A.GENERATE_MATERIALS, **filters).values_list(
            "application__school_id", "participants"
        )
    )
    schools = {
        s.pk: s
        for s in School.objects.for_actor(actor, A.GENERATE_MATERIALS)
        .filter(pk__in=[sid for sid, _ in lines])
        .select_related("municipality")
    }
    participants = {sid: n for sid, n in lines if sid in schools}
    kits = Kit.objects.for_actor(actor, A.GENERATE_MATERIALS).filter(work=work)
    existing = set(kits.filter(school_id__in=participants).values_list("school_id", flat=True))
    # Capacity: distinct combinations must cover every variant of a municipality's schools.
    combinations = math.prod(len(c) for c in pool) if all(pool) else 0
    per_municipality: dict[int, list[int]] = defaultdict(list)
    for sid in participants:
        per_municipality[schools[sid].municipality_id].append(sid)
    for _muni_id, sids in per_municipality.items():
        total = kits.filter(municipality_id=_muni_id).exclude(school_id__in=sids).count() + len(
            sids
        )
        if combinations < total * k:
            raise MaterialsError(
                "bank_too_few_combinations",
                municipality=schools[sids[0]].municipality.code,
                schools=total,
                combinations=combinations,
                needed=total * k,
            )
    result = GenerateResult(existing=len(existing))
    for muni_id, sids in sorted(per_municipality.items()):
        taken = set(
            Variant.objects.for_actor(actor, A.GENERATE_MATERIALS)
            .filter(work=work, municipality_id=muni_id)
            .values_list("signature", flat=True)
        )
        for sid in sorted(sids, key=lambda s: schools[s].code):
            if sid in existing:
                continue
            kit = _kit_create(
                actor=actor,
                work=work,
                school=schools[sid],
                pool=pool,
                revision=revision,
                participants=participants[sid],
                taken=taken,
            )
            result.created += 1
            result.kit_ids.append(kit.pk)
    for sid in sorted(participants):
        participant_codes_issue(actor=actor, school_id=sid, campaign_id=work.campaign_id)
    audit_record(
        actor=actor,
        action=MaterialsAudit.MATERIALS_GENERATE,
        details={
            "work_id": work.pk,
            "region_id": region_id,
            "school_id": school_id,
            "created": result.created,
            "existing": result.existing,
            "bank_revision": revision,
        },
    )
    return result


def kit_compose(kit: Kit, pool: gen.Pool) -> gen.Composition:
    """The kit's variants as its recorded seed determines them (exact regeneration)."""
    return gen.compose(kit.seed, pool, kit.work.variants_per_school, balanced=kit.balanced)


def _kit_create(
    *,
    actor: Actor,
    work: Work,
    school: School,
    pool: gen.Pool,
    revision: int,
    participants: int,
    taken: set[str],
) -> Kit:
    k = work.variants_per_school
    for attempt in range(GENERATE_RETRIES):
        seed = gen.new_seed()
        # Balanced first; if the municipality's balanced combinations run short, any unique one.
        balanced = attempt < BALANCED_RETRIES
        composition = gen.compose(seed, pool, k, balanced=balanced)
        signatures = [gen.signature(items) for items in composition.items]
        if taken.intersection(signatures) or len(set(signatures)) != k:
            continue
        try:
            with transaction.atomic():
                kit = Kit.objects.create(
                    school=school,
                    work=work,
                    municipality_id=school.municipality_id,
                    region_id=school.region_id,
                    seed=seed,
                    bank_revision=revision,
                    balanced=balanced,
                    participants=participants,
                    password_token=crypto.encrypt(gen.new_password().encode())
                    if work.encrypted_archive
                    else "",
                )
                Variant.objects.bulk_create(
                    Variant(
                        kit=kit,
                        work=work,
                        school_id=school.pk,
                        municipality_id=school.municipality_id,
                        region_id=school.region_id,
                        number=n,
                        uid=gen.variant_uid(
                            seed=seed, work_id=work.pk, school_id=school.pk, number=n
                        ),
                        signature=sig,
                        items=list(items),
                        difficulty=composition.difficulty[n - 1],
                    )
                    for n, (items, sig) in enumerate(
                        zip(composition.items, signatures, strict=True), start=1
                    )
                )
        except IntegrityError:
            # A concurrent generation took the same combination (or a uid clashed): redraw.
            continue
        taken.update(signatures)
        return kit
    raise MaterialsError("generate_collision", school=school.code)
