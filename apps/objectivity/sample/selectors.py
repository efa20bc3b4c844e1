"""Reads of the federal sample: the samples (federal side), their strata and cases, and what a
school or a coordinator sees of it (its own cases, through ``ReviewCase.for_actor``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from apps.campaigns.models import Work
from apps.objectivity.actions import ObjectivityActions as OA  # noqa: N817
from apps.objectivity.models import FederalSample, Review, ReviewCase
from apps.objectivity.sample.messages import SampleNotFoundError
from apps.registration.models import Region


def sample_list(*, actor: Any) -> QuerySet[FederalSample]:
    """The federal samples (the federal side only: DRAW_SAMPLE)."""
    return (
        FederalSample.objects.for_actor(actor, OA.DRAW_SAMPLE)
        .select_related("campaign", "drawn_by")
        .order_by("-created_at", "-id")
    )


def sample_get(*, actor: Any, sample_id: int) -> FederalSample:
    try:
        return sample_list(actor=actor).get(pk=sample_id)
    except FederalSample.DoesNotExist:
        raise SampleNotFoundError("sample_not_found") from None


def sample_of_campaign(*, actor: Any, campaign_id: int) -> FederalSample | None:
    return sample_list(actor=actor).filter(campaign_id=campaign_id).first()


@dataclass(frozen=True)
class StratumRow:
    region_id: int
    region_code: str
    region_name: str
    population: int
    drawn: int


@dataclass(frozen=True)
class WorkStrata:
    work: Work
    rows: list[StratumRow] = field(default_factory=list)
    review_id: int | None = None  # the federal review of the work (its marking pages)

    @property
    def population(self) -> int:
        return sum(r.population for r in self.rows)

    @property
    def drawn(self) -> int:
        return sum(r.drawn for r in self.rows)


def sample_strata(*, sample: FederalSample) -> list[WorkStrata]:
    """Per work of a sample (read through ``sample_get``): per region, the schools taking part
    and the schools drawn."""
    work_ids = [int(k) for k in sample.strata]
    works = {
        w.pk: w for w in Work.objects.filter(pk__in=work_ids).select_related("subject", "campaign")
    }
    region_ids = {int(r) for regions in sample.strata.values() for r in regions}
    regions = {r.pk: r for r in Region.objects.filter(pk__in=region_ids)}  # unscoped: federal
    reviews = dict(
        Review.objects.filter(sample=sample).values_list("work_id", "pk")  # unscoped: federal
    )
    out = []
    for work_id in sorted(work_ids, key=lambda i: (works[i].subject.name, works[i].grade, i)):
        rows = [
            StratumRow(
                region_id=int(rid),
                region_code=regions[int(rid)].code,
                region_name=regions[int(rid)].name,
                population=int(v["population"]),
                drawn=int(v["drawn"]),
            )
            for rid, v in sample.strata[str(work_id)].items()
        ]
        rows.sort(key=lambda r: r.region_code)
        out.append(WorkStrata(works[work_id], rows, reviews.get(work_id)))
    return out


def federal_cases(
    *, actor: Any, sample_id: int | None = None, action: str = OA.VIEW_REVIEWS
) -> QuerySet[ReviewCase]:
    """The cases of federal reviews the actor sees: the federal side all of them, a coordinator
    its unit's schools, a school its own cases (never the other schools of the sample)."""
    rows = ReviewCase.objects.for_actor(actor, action).filter(review__kind=Review.Kind.FEDERAL)
    if sample_id is not None:
        rows = rows.filter(review__sample_id=sample_id)
    return rows.select_related(
        "review__work__subject",
        "review__work__campaign",
        "school__municipality",
        "school__region",
    ).order_by("review__work__subject__name", "review__work__grade", "school__code")


def case_get(*, actor: Any, case_id: int, action: str = OA.VIEW_REVIEWS) -> ReviewCase:
    try:
        return federal_cases(actor=actor, action=action).get(pk=case_id)
    except ReviewCase.DoesNotExist:
        raise SampleNotFoundError("case_not_found") from None


@dataclass(frozen=True)
class SchoolNotice:
    """One work of a school in the federal sample (the school cabinet's notice)."""

    case: ReviewCase
    work: Work

    @property
    def work_title(self) -> str:
        return f"{self.work.subject.name}, {self.work.grade} класс"

    @property
    def published(self) -> bool:
        return self.case.published_at is not None


def school_notices(*, actor: Any, school_id: int) -> list[SchoolNotice]:
    """The school's works in an open federal review (what the cabinet tells the school)."""
    rows = federal_cases(actor=actor).filter(school_id=school_id)
    return [SchoolNotice(case, case.review.work) for case in rows]
