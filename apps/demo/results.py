"""Demo results: the finished spring campaign's results of every active demo school in three
works of 4th grade, so the analytics pages have something to show.

For each school the participants get 5-digit codes of the spring campaign (``grade * 10000 + n``,
issued as ``ParticipantCode`` rows like the materials stage does), then each school × work gets
one accepted version (``ResultVersion`` number 1, its snapshot as an upload would store it) and
its ``ParticipantResult`` rows, built by the same helper the upload service uses. Scores are
synthetic but plausible (mostly «3»/«4», a few absent, a few «X», journal marks mostly equal or
±1). Codes only — never names. Idempotent: a school × work that already has results is left
alone, so a second run creates nothing; the analytics aggregates are rebuilt only for works
that received new results.

For the coordinators' monitoring (``apps.demo.monitoring``): each such school also gets a confirmed
application for the three works, and the spring looks lived-in — about one school in eight left
one work without results (the deadline has passed), about one upload in ten came late through a
recorded reopening, about two schools in three uploaded context data; upload instants are set
in spring, before the deadline (or after the reopening, for a late one).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from apps.analytics.services import analytics_rebuild
from apps.campaigns.models import Campaign, Work
from apps.core.services import audit_record
from apps.demo import monitoring as mon
from apps.materials.models import ParticipantCode
from apps.registration.access import A, Actor
from apps.registration.constants import SchoolStatus
from apps.registration.models import School
from apps.results import selectors as sel
from apps.results import xlsx
from apps.results.audit import ResultsAudit
from apps.results.models import ResultReopen, ResultSheet, ResultVersion, Source
from apps.results.services import _rows, results_stats_refresh

WORKS = (("russian", 4), ("math", 4), ("world", 4))
GRADE = 4
MAX_SCHOOLS = 200  # the small demo set has ~60; a national database gets results for the first
PARTICIPANTS = (15, 30)
ABSENT_SHARE = 0.05
X_SHARE = 0.03
NO_JOURNAL_SHARE = 0.02


@dataclass
class ResultsSeed:
    codes_created: int = 0
    sheets_created: int = 0
    participants: int = 0
    works: list[int] = field(default_factory=list)
    applications_created: int = 0
    late_created: int = 0
    contexts_created: int = 0
    withheld: int = 0  # expected school × work uploads the demo leaves missing


def _system() -> Actor:
    return Actor.system(reason="demo_results_seed")


def _spring_works(actor: Actor, campaign: Campaign) -> list[Work]:
    works = (
        Work.objects.for_actor(actor, A.VIEW_CAMPAIGNS)
        .filter(campaign=campaign)
        .select_related("subject", "campaign")
    )
    found = {(w.subject.code, w.grade): w for w in works}
    return [found[key] for key in WORKS if key in found and found[key].columns.exists()]


def _codes(actor: Actor, school: School, campaign_id: int, seed: ResultsSeed) -> list[Any]:
    """The school's spring 4th-grade codes; issued once (15–30 participants, two classes)."""
    existing = ParticipantCode.objects.for_actor(actor, A.GENERATE_MATERIALS).filter(
        school=school, campaign_id=campaign_id, grade=GRADE, reserve=False
    )
    codes = list(existing.order_by("code").values_list("code", "class_number"))
    if codes:
        return codes
    rng = random.Random(f"codes:{school.code}")
    count = rng.randint(*PARTICIPANTS)
    new = [
        ParticipantCode(
            campaign_id=campaign_id,
            school=school,
            municipality_id=school.municipality_id,
            region_id=school.region_id,
            grade=GRADE,
            class_number=1 if n <= (count + 1) // 2 else 2,
            code=str(GRADE * 10000 + n),
        )
        for n in range(1, count + 1)
    ]
    ParticipantCode.objects.bulk_create(new)
    seed.codes_created += len(new)
    return [(c.code, c.class_number) for c in new]


def _journal(mark: int, rng: random.Random) -> int:
    """The previous-term mark: mostly the same, often ±1, rarely ±2, seldom none."""
    draw = rng.random()
    if draw < NO_JOURNAL_SHARE:
        return 0
    if draw < 0.65:
        return mark
    step = 2 if draw > 0.96 else 1
    journal = mark + step * rng.choice((-1, 1))
    return min(5, max(2, journal))


def _participant_rows(
    work: Work, columns: list[int], codes: list[Any], rng: random.Random
) -> list[xlsx.Row]:
    rows = []
    for code, class_number in codes:
        if rng.random() < ABSENT_SHARE:
            rows.append(xlsx.Row(code, True, None, (), class_number, None))
            continue
        ability = rng.betavariate(5, 3)
        scores: list[int | None] = []
        for maximum in columns:
            if rng.random() < X_SHARE:
                scores.append(None)
            else:
                scores.append(sum(rng.random() < ability for _ in range(maximum)))
        primary = sum(s or 0 for s in scores)
        journal = _journal(work.mark_for(primary), rng)
        variant = rng.randint(1, max(1, work.variants_per_school))
        rows.append(xlsx.Row(code, False, variant, tuple(scores), class_number, journal))
    return rows


def _seed_sheet(
    actor: Actor, school: School, work: Work, codes: list[Any], *, late: bool
) -> tuple[ResultSheet, ResultVersion]:
    """One accepted version of a school × work and its result rows."""
    from apps.results.models import ParticipantResult

    spec = sel.form_spec(actor=actor, school=school, work=work, action=A.VIEW_RESULTS)
    columns = [c.max_score for c in spec.columns]
    key = f"results:{school.code}:{sel.work_key(work)}"
    rng = random.Random(key)
    rows = _participant_rows(work, columns, codes, rng)
    snapshot = xlsx.snapshot(spec, rows)
    present = sum(1 for r in rows if not r.absent)
    sheet = ResultSheet.objects.create(
        school=school,
        work=work,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )
    version = ResultVersion.objects.create(
        sheet=sheet,
        school_id=school.pk,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
        number=1,
        uploaded_by=None,
        source=Source.API,
        participants=present,
        absent=len(rows) - present,
        snapshot=snapshot,
        changes=xlsx.diff(None, snapshot).counts,
        late=late,
    )
    ParticipantResult.objects.bulk_create(_rows(work, sheet, version, rows))
    sheet.current_version = version
    sheet.version_count = 1
    sheet.save(update_fields=["current_version", "version_count", "updated_at"])
    return sheet, version


def _classes(codes: list[Any]) -> int:
    return len({class_number for _code, class_number in codes}) or 1


@transaction.atomic
def demo_results_seed(*, campaign: Campaign) -> ResultsSeed:
    """Give every active demo school results of the finished ``campaign`` in three 4th-grade
    works, a confirmed application, and the monitoring mix of missing, late and context data
    (idempotent)."""
    actor = _system()
    seed = ResultsSeed()
    works = _spring_works(actor, campaign)
    if not works:
        return seed
    schools = list(
        School.objects.for_actor(actor, A.VIEW_SCHOOL)
        .filter(status=SchoolStatus.ACTIVE)
        .order_by("code")[:MAX_SCHOOLS]
    )
    seeded = set(
        ResultSheet.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(work__in=works)
        .values_list("school_id", "work_id")
    )
    applied = mon.applied_school_ids(actor, campaign)
    with_context = mon.context_school_ids(actor, campaign)
    coordinators = mon.region_coordinators({s.region_id for s in schools})
    touched: set[int] = set()
    stamps: list[tuple[ResultVersion, mon.Timing, ResultReopen | None]] = []
    for school in schools:
        coordinator = coordinators.get(school.region_id)
        mix = mon.school_mix(school, works, can_reopen=coordinator is not None)
        # A sheet without results (reopened, never uploaded) counts as seeded: left alone.
        missing = [w for w in works if (school.pk, w.pk) not in seeded]
        seed.withheld += sum(1 for w in missing if w.pk == mix.missing)
        missing = [w for w in missing if w.pk != mix.missing]
        wants_app = school.pk not in applied
        wants_context = mix.context and school.pk not in with_context
        if not (missing or wants_app or wants_context):
            continue
        codes = _codes(actor, school, campaign.pk, seed)
        for work in missing:
            late = work.pk in mix.late and coordinator is not None
            sheet, version = _seed_sheet(actor, school, work, codes, late=late)
            window = sel.upload_window(actor=actor, school=school, work=work, sheet=None)
            timing = mon.upload_timing(window, f"{school.code}:{sel.work_key(work)}", late=late)
            reopen = None
            if late and coordinator is not None:
                reopen = mon.reopen_record(
                    coordinator=coordinator, school=school, sheet=sheet, timing=timing
                )
                seed.late_created += 1
            stamps.append((version, timing, reopen))
            seed.participants += version.participants
            seed.sheets_created += 1
            touched.add(work.pk)
            results_stats_refresh(school_id=school.pk, work_id=work.pk)
        if wants_app:
            mon.application_confirmed(
                school=school,
                campaign=campaign,
                works=works,
                participants=len(codes),
                classes=_classes(codes),
                coordinator=coordinator,
            )
            seed.applications_created += 1
        if wants_context:
            mon.context_seed(
                actor=actor,
                school=school,
                campaign=campaign,
                uploaded_at=mon.context_instant(school, works),
            )
            seed.contexts_created += 1
    mon.backdate(actor, stamps)
    for work in works:
        if work.pk in touched:
            analytics_rebuild(work_id=work.pk)
    seed.works = sorted(touched)
    if seed.sheets_created or seed.applications_created or seed.contexts_created:
        audit_record(
            actor=actor,
            action=ResultsAudit.RESULTS_DEMO_SEED,
            details={
                "works": seed.works,
                "sheets": seed.sheets_created,
                "participants": seed.participants,
                "codes": seed.codes_created,
                "late": seed.late_created,
                "applications": seed.applications_created,
                "contexts": seed.contexts_created,
            },
        )
    return seed
