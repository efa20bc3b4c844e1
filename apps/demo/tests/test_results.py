"""Demo results: the finished spring's results of every active school, aggregated, idempotent."""

from __future__ import annotations

import pytest

from apps.analytics.models import WorkAggregate
from apps.applications.models import Application, ApplicationDecision, ApplicationLine
from apps.core.models import AuditEvent
from apps.core.scoping import Level
from apps.demo.calendar import DemoCalendar
from apps.demo.campaigns import demo_campaigns_seed
from apps.demo.results import WORKS, demo_results_seed
from apps.materials.models import ParticipantCode
from apps.registration.constants import SchoolStatus
from apps.registration.models import School
from apps.results.models import (
    ContextSheet,
    ContextUpload,
    ParticipantContext,
    ParticipantResult,
    ResultReopen,
    ResultSheet,
    ResultVersion,
)
from conftest import World

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "codes": ParticipantCode.objects.count(),
        "sheets": ResultSheet.objects.count(),
        "versions": ResultVersion.objects.count(),
        "results": ParticipantResult.objects.count(),
        "aggregates": WorkAggregate.objects.count(),
        "reopens": ResultReopen.objects.count(),
        "applications": Application.objects.count(),
        "lines": ApplicationLine.objects.count(),
        "decisions": ApplicationDecision.objects.count(),
        "contexts": ContextSheet.objects.count(),
        "context_uploads": ContextUpload.objects.count(),
        "participant_contexts": ParticipantContext.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def _russia_matches_rows(work_id: int) -> WorkAggregate:
    russia = WorkAggregate.objects.get(work_id=work_id, level=Level.FEDERAL, unit_id=0)
    rows = list(ParticipantResult.objects.filter(work_id=work_id))
    present = [r for r in rows if not r.absent]
    assert russia.participants == len(present)
    assert russia.absent == len(rows) - len(present)
    for mark in (2, 3, 4, 5):
        assert russia.mark_count(mark) == sum(1 for r in present if r.mark == mark)
    width = len(russia.column_sums)
    assert russia.column_sums == [sum(r.scores[j] or 0 for r in present) for j in range(width)]
    return russia


def test_demo_results_fill_every_active_school_and_the_russia_aggregate(
    world: World, pinned: DemoCalendar
) -> None:
    # given the demo campaigns and one closed school among the world's schools
    finished = demo_campaigns_seed(pinned).finished
    closed = School.objects.order_by("code").last()
    assert closed is not None
    closed.status = SchoolStatus.CLOSED
    closed.save(update_fields=["status"])
    active = School.objects.filter(status=SchoolStatus.ACTIVE).count()

    # when
    seed = demo_results_seed(campaign=finished)

    # then every active school has one current version per seeded work (but the few works the
    # monitoring mix leaves missing), none for the closed one
    assert len(seed.works) == len(WORKS)
    assert seed.sheets_created == active * len(WORKS) - seed.withheld
    sheets = ResultSheet.objects.filter(work_id__in=seed.works)
    assert sheets.count() == seed.sheets_created
    assert not sheets.filter(school=closed).exists()
    assert not sheets.filter(current_version__isnull=True).exists()
    assert ResultVersion.objects.filter(number=1).count() == seed.sheets_created
    for work_id in seed.works:
        russia = _russia_matches_rows(work_id)
        assert russia.participants > 0
        assert russia.schools == sheets.filter(work_id=work_id).count()
    # codes only: five digits of grade 4, issued for the spring campaign
    codes = set(ParticipantResult.objects.values_list("code", flat=True))
    assert all(len(code) == 5 and code.startswith("4") for code in codes)
    issued = set(ParticipantCode.objects.filter(grade=4).values_list("code", flat=True))
    assert codes <= issued
    # plausible: most wrote the work, a few were absent, marks «3» and «4» dominate
    results = ParticipantResult.objects.all()
    absent = results.filter(absent=True).count()
    assert 0 < absent < results.count() // 5
    middle = results.filter(mark__in=(3, 4)).count()
    assert middle > results.filter(absent=False).count() // 2


def test_demo_results_second_run_creates_nothing(world: World, pinned: DemoCalendar) -> None:
    # given the demo results seeded once
    finished = demo_campaigns_seed(pinned).finished
    demo_results_seed(campaign=finished)
    before = _counts()
    aggregates = sorted(WorkAggregate.objects.values_list("pk", "participants", "column_sums"))

    # when
    again = demo_results_seed(campaign=finished)

    # then nothing new, and the aggregates are the very same rows
    assert (again.sheets_created, again.codes_created, again.participants) == (0, 0, 0)
    assert (again.applications_created, again.late_created, again.contexts_created) == (0, 0, 0)
    assert _counts() == before
    assert sorted(WorkAggregate.objects.values_list("pk", "participants", "column_sums")) == (
        aggregates
    )
