"""Writes of the federal sample: the draw of schools per work (stratified by region, with a
recorded seed) and the publication of the federal scores as a school's official results.

Decisions:

* The population of a work is the schools with a kit of the work (``materials.Kit``: the
  schools taking part). Per region ``n = min(N, max(min_per_region, round(share·N/100)))``,
  rounded half up; the schools of a region are sorted by code and drawn with
  ``random.Random(seed)``, works in id order, regions in id order. The same seed and
  parameters give the same sample (``draw_plan`` is pure).
* One sample per campaign. A second draw replaces the first only while nothing was done with it
  (every case still waits for scans, no scans uploaded since the draw, no markers, no marks);
  otherwise it is refused.
* Each work gets one federal review (no unit) and a case (reason «выборка») per drawn school.
* Publication: every booklet of the school with a code must have its final scores (the
  marking's ``booklet_results``); ``results.services.results_publish_federal`` then writes them
  as the official results (a new current version, the school's own scores kept beside).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from apps.campaigns.models import Campaign, Work
from apps.core import instants
from apps.core.scoping import Level, Scope
from apps.core.services import audit_record
from apps.materials.models import Kit
from apps.objectivity import reviews
from apps.objectivity.actions import ObjectivityActions as OA  # noqa: N817
from apps.objectivity.audit import ObjectivityAudit
from apps.objectivity.marking import selectors as marking
from apps.objectivity.models import (
    Booklet,
    FederalSample,
    MarkTask,
    Review,
    ReviewCase,
    ReviewMarker,
    ScanBatch,
)
from apps.objectivity.sample.messages import SampleError, SampleInvalidError, SampleNotFoundError
from apps.registration.models import School
from apps.results import services as results_services
from apps.results import xlsx
from apps.results.messages import codes_text
from apps.schoolday.selectors import work_title

MAX_MIN_PER_REGION = 1000
MAX_SEED = 2**62


def _require(actor: Any, action: str) -> None:
    if not actor.can(action):
        raise PermissionDenied


# --- the draw ------------------------------------------------------------------------------------


def stratum_size(population: int, share: Decimal, min_per_region: int) -> int:
    """How many schools of a region of ``population`` schools are drawn."""
    by_share = int((share * population / 100).to_integral_value(rounding=ROUND_HALF_UP))
    return min(population, max(min_per_region, by_share))


def draw_plan(
    population: dict[int, dict[int, list[tuple[str, int]]]],
    *,
    share: Decimal,
    min_per_region: int,
    seed: int,
) -> dict[int, dict[int, list[int]]]:
    """Pure: work id → region id → the drawn school ids, from work id → region id → the
    (code, id) of the schools taking part. Reproducible for the same arguments."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible draw, not a secret
    out: dict[int, dict[int, list[int]]] = {}
    for work_id in sorted(population):
        out[work_id] = {}
        for region_id in sorted(population[work_id]):
            schools = sorted(population[work_id][region_id])
            n = stratum_size(len(schools), share, min_per_region)
            drawn = rng.sample(schools, n)
            out[work_id][region_id] = sorted(school_id for _code, school_id in drawn)
    return out


def _share(value: Any) -> Decimal:
    try:
        share = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        raise SampleInvalidError("share_range", share=str(value)[:20]) from None
    if not share.is_finite() or share <= 0 or share > 100:
        raise SampleInvalidError("share_range", share=str(value)[:20])
    return share


def _population(actor: Any, works: Sequence[Work]) -> dict[int, dict[int, list[tuple[str, int]]]]:
    rows = (
        Kit.objects.for_actor(actor, OA.DRAW_SAMPLE)
        .filter(work__in=works)
        .values_list("work_id", "school__region_id", "school__code", "school_id")
        .distinct()
    )
    out: dict[int, dict[int, list[tuple[str, int]]]] = {w.pk: {} for w in works}
    for work_id, region_id, code, school_id in rows:
        out[work_id].setdefault(region_id, []).append((code, school_id))
    return out


def _in_use(sample: FederalSample) -> bool:
    """Whether anything was done with a sample since its draw (then it cannot be replaced)."""
    cases = ReviewCase.objects.filter(review__sample=sample)  # unscoped: federal only
    if cases.exclude(status=ReviewCase.Status.REQUESTED).exists():
        return True
    if MarkTask.objects.filter(review__sample=sample).exists():  # unscoped: federal only
        return True
    if ReviewMarker.objects.filter(review__sample=sample).exists():
        return True
    pairs = list(cases.values_list("school_id", "review__work_id"))
    for school_id, work_id in pairs:
        if ScanBatch.objects.filter(  # unscoped: federal only
            school_id=school_id, work_id=work_id, created_at__gte=sample.created_at
        ).exists():
            return True
    return False


def _discard(sample: FederalSample) -> None:
    ReviewCase.objects.filter(review__sample=sample).delete()  # unscoped: federal only
    Review.objects.filter(sample=sample).delete()  # unscoped: federal only
    sample.delete()


@transaction.atomic
def sample_draw(
    *,
    actor: Any,
    campaign_id: int,
    work_ids: Sequence[int],
    share: Any,
    min_per_region: int,
    seed: int | None = None,
    double_share: int = 20,
    threshold: int = 1,
) -> FederalSample:
    """Draw the federal sample of a campaign: per work, per region, the schools whose works the
    federal organizer checks. FEDERAL side only. Refused (nothing changed) with a Russian
    message on bad parameters, or when the campaign's sample is already in use."""
    _require(actor, OA.DRAW_SAMPLE)
    if actor.scope.level is not Level.FEDERAL:
        raise PermissionDenied
    campaign = Campaign.objects.for_actor(actor, OA.DRAW_SAMPLE).get(pk=campaign_id)
    share_value = _share(share)
    if not isinstance(min_per_region, int) or not 0 <= min_per_region <= MAX_MIN_PER_REGION:
        raise SampleInvalidError("min_range", value=str(min_per_region)[:20])
    if seed is not None and not 0 <= seed < MAX_SEED:
        raise SampleInvalidError("seed_range", value=str(seed)[:30])
    ids = sorted(set(work_ids))
    if not ids:
        raise SampleInvalidError("works_empty")
    works = list(
        Work.objects.for_actor(actor, OA.DRAW_SAMPLE)
        .filter(pk__in=ids)
        .select_related("subject", "campaign")
        .order_by("pk")
    )
    found = {w.pk: w for w in works}
    for work_id in ids:
        work = found.get(work_id)
        if work is None or work.campaign_id != campaign.pk:
            raise SampleInvalidError("work_foreign", work=work_id, campaign=campaign.label)
    population = _population(actor, works)
    if not any(population[w.pk] for w in works):
        raise SampleInvalidError("population_empty")
    previous = (
        FederalSample.objects.for_actor(actor, OA.DRAW_SAMPLE)
        .select_for_update()
        .filter(campaign=campaign)
        .first()
    )
    replaced = None
    if previous is not None:
        if _in_use(previous):
            raise SampleError(
                "sample_in_use",
                campaign=campaign.label,
                at=instants.format_instant(previous.created_at, None),
            )
        replaced = previous.pk
        _discard(previous)
    seed = reviews.new_seed() if seed is None else seed
    plan = draw_plan(population, share=share_value, min_per_region=min_per_region, seed=seed)
    strata = {
        str(work_id): {
            str(region_id): {
                "population": len(population[work_id][region_id]),
                "drawn": len(drawn),
            }
            for region_id, drawn in regions.items()
        }
        for work_id, regions in plan.items()
    }
    sample = FederalSample.objects.create(
        campaign=campaign,
        seed=seed,
        params={
            "share": str(share_value),
            "min_per_region": min_per_region,
            "works": ids,
            "double_share": double_share,
            "threshold": threshold,
        },
        strata=strata,
        drawn_by=actor.user,
    )
    drawn_ids = {sid for regions in plan.values() for ids_ in regions.values() for sid in ids_}
    schools = {s.pk: s for s in School.objects.filter(pk__in=drawn_ids)}  # unscoped: federal
    cases = 0
    for work in works:
        review = reviews.review_create(
            actor=actor,
            kind=Review.Kind.FEDERAL,
            work=work,
            title=f"Федеральная проверка: {work_title(work)} ({campaign.label})",
            unit_scope=Scope(level=Level.FEDERAL),
            double_share=double_share,
            threshold=threshold,
            sample=sample,
        )
        for region_schools in plan[work.pk].values():
            for school_id in region_schools:
                reviews.case_add(review, schools[school_id], reason=ReviewCase.Reason.SAMPLE)
                cases += 1
    audit_record(
        actor=actor,
        action=ObjectivityAudit.SAMPLE_DRAW,
        target=sample,
        details={
            "campaign_id": campaign.pk,
            "seed": seed,
            "share": str(share_value),
            "min_per_region": min_per_region,
            "works": ids,
            "cases": cases,
            "replaced": replaced,
        },
    )
    return sample


# --- publication -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    case: ReviewCase
    version_number: int
    participants: int
    absent: int


def _federal_rows(case: ReviewCase) -> list[xlsx.Row]:
    """The final federal scores of the case's school, one row per participant code."""
    school = case.school
    booklets = Booklet.objects.filter(  # unscoped: the case read by a federal actor
        work_id=case.review.work_id, school_id=school.pk
    ).exclude(status=Booklet.Status.SUPERSEDED)
    no_code = booklets.filter(code="").count()
    if no_code:
        raise SampleError("booklet_no_code", count=no_code, school=school.code)
    results = marking.booklet_results(review=case.review, school_id=school.pk)
    marked = {r.booklet_id for r in results}
    unmarked = sorted(b.code for b in booklets if b.pk not in marked)
    pending = sorted({r.code for r in results if not r.final} | set(unmarked))
    if not results and not pending:
        raise SampleError("no_booklets", school=school.code)
    if pending:
        raise SampleError("not_marked", school=school.code, codes=codes_text(pending))
    counts: dict[str, int] = defaultdict(int)
    for r in results:
        counts[r.code] += 1
    twice = sorted(code for code, n in counts.items() if n > 1)
    if twice:
        raise SampleError("code_twice", codes=", ".join(twice), school=school.code)
    return [xlsx.Row(r.code, False, r.variant, tuple(r.scores), None, None) for r in results]


@transaction.atomic
def federal_publish(*, actor: Any, case_id: int) -> Published:
    """Make the federal scores of a sampled school's work its official results and close the
    case. Refused (nothing changed) while a booklet lacks its final scores or its code, or when
    a participant the school marked present has no checked booklet."""
    _require(actor, OA.PUBLISH_FEDERAL)
    try:
        case = (
            ReviewCase.objects.for_actor(actor, OA.PUBLISH_FEDERAL)
            .select_for_update(of=("self",))
            .select_related("review", "school")
            .get(pk=case_id)
        )
    except ReviewCase.DoesNotExist:
        raise SampleNotFoundError("case_not_found") from None
    if case.review.kind != Review.Kind.FEDERAL:
        raise SampleError("case_not_federal", school=case.school.code)
    if case.status == ReviewCase.Status.CLOSED:
        raise SampleError(
            "case_closed",
            school=case.school.code,
            at=instants.format_instant(case.published_at or case.updated_at, None),
        )
    rows = _federal_rows(case)
    accepted = results_services.results_publish_federal(
        actor=actor, school_id=case.school_id, work_id=case.review.work_id, rows=rows
    )
    case.published_at = timezone.now()
    case.save(update_fields=["published_at", "updated_at"])
    reviews.case_advance(case, ReviewCase.Status.CLOSED, actor=actor)
    audit_record(
        actor=actor,
        action=ObjectivityAudit.FEDERAL_PUBLISH,
        target=case,
        scope=Scope.of_row(case),
        details={
            "school_id": case.school_id,
            "work_id": case.review.work_id,
            "version": accepted.version.number,
            "participants": accepted.version.participants,
            "absent": accepted.version.absent,
        },
    )
    return Published(
        case, accepted.version.number, accepted.version.participants, accepted.version.absent
    )
