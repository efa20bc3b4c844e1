"""A school with two classes and accepted results of one work, dated from today.

The work (4 tasks, maximum 8; «2» 0–2, «3» 3–4, «4» 5–6, «5» 7–8) was written three weeks ago
and its results are released in five days. School A1a: «4А» (class 1) and «4Б» (class 2), each
with one absent participant and one «X»; school A2a (same region) has other scores, so the
region's percentages differ from each class's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from apps.analytics.services import analytics_school_refresh
from apps.campaigns.models import Work
from apps.campaigns.tests.factories import CampaignFactory, SubjectFactory, WorkFactory
from apps.classes.tests.factories import SchoolClassFactory
from apps.results.models import ParticipantResult, ResultSheet, ResultVersion

COLUMNS = [("1", 2, "Б"), ("2", 1, "Б"), ("3К1", 2, "П"), ("4", 3, "В")]
ABSENT = "absent"
X = None

# code, class number, scores (or ABSENT)
A1A: list[tuple[str, int, Any]] = [
    ("40001", 1, [2, 1, 2, 3]),  # 8 → «5»
    ("40002", 1, [1, 0, X, 2]),  # 3 → «3»
    ("40003", 1, [2, 1, 1, 1]),  # 5 → «4»
    ("40004", 1, ABSENT),
    ("40005", 2, [0, 0, 1, 0]),  # 1 → «2»
    ("40006", 2, [2, 1, 2, 1]),  # 6 → «4»
    ("40007", 2, ABSENT),
]
A2A: list[tuple[str, int, Any]] = [
    ("40001", 1, [2, 1, 2, 3]),  # 8 → «5»
    ("40002", 1, [2, 1, 2, 2]),  # 7 → «5»
]


@dataclass(frozen=True)
class Dates:
    today: dt.date
    release: dt.date

    @property
    def after_release(self) -> dt.datetime:
        """Noon UTC the day after the release date (released in every Russian zone)."""
        return dt.datetime.combine(self.release + dt.timedelta(days=1), dt.time(12), dt.UTC)


def work_written(today: dt.date | None = None) -> tuple[Work, Dates]:
    """A grade-4 work written three weeks before ``today``, released five days after it."""
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=25)
    release = today + dt.timedelta(days=5)
    work = WorkFactory(
        campaign=CampaignFactory(year=start.year),
        subject=SubjectFactory(code="russian", name="Русский язык"),
        grade=4,
        max_score=8,
        mark3_from=3,
        mark4_from=5,
        mark5_from=7,
        period_start=start,
        period_end=start + dt.timedelta(days=5),
        recommended_dates=[(start + dt.timedelta(days=1)).isoformat()],
        materials_publish_date=start - dt.timedelta(days=4),
        results_upload_deadline=today - dt.timedelta(days=3),
        results_release_date=release,
        columns=COLUMNS,
    )
    return work, Dates(today=today, release=release)


def put_results(school: Any, work: Work, rows: list[tuple[str, int, Any]]) -> ResultSheet:
    """Accepted results of the school (a current version), as an upload stores them."""
    ids = {
        "school_id": school.pk,
        "municipality_id": school.municipality_id,
        "region_id": school.region_id,
    }
    sheet, _ = ResultSheet.objects.get_or_create(
        school=school,
        work=work,
        defaults={"municipality_id": school.municipality_id, "region_id": school.region_id},
    )
    version = ResultVersion.objects.create(
        sheet=sheet, number=sheet.version_count + 1, source="api", participants=0, absent=0, **ids
    )
    ParticipantResult.objects.filter(sheet=sheet).delete()
    for code, number, scores in rows:
        if scores == ABSENT:
            ParticipantResult.objects.create(
                sheet=sheet,
                version=version,
                work=work,
                code=code,
                absent=True,
                class_number=number,
                **ids,
            )
            continue
        primary = sum(s or 0 for s in scores)
        ParticipantResult.objects.create(
            sheet=sheet,
            version=version,
            work=work,
            code=code,
            variant=1,
            scores=list(scores),
            primary_score=primary,
            mark=work.mark_for(primary),
            journal_mark=0,
            class_number=number,
            **ids,
        )
    sheet.current_version = version
    sheet.version_count = version.number
    sheet.save(update_fields=["current_version", "version_count"])
    return sheet


def two_classes(world: Any) -> tuple[Work, Dates, ResultSheet]:
    """A1a's register («4А», «4Б»), the accepted results of A1a and A2a, the aggregates."""
    work, dates = work_written()
    school = world.schools["A1a"]
    for number, letter in ((1, "А"), (2, "Б")):
        SchoolClassFactory(
            campaign=work.campaign, school=school, grade=4, number=number, letter=letter
        )
    sheet = put_results(school, work, A1A)
    put_results(world.schools["A2a"], work, A2A)
    for key in ("A1a", "A2a"):
        analytics_school_refresh(school_id=world.schools[key].pk, work_id=work.pk)
    return work, dates, sheet
