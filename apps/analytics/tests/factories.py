"""A small hand-built data set: one work (3 columns, maximum 6), results of three schools."""

from __future__ import annotations

from typing import Any

from apps.campaigns.models import Work
from apps.campaigns.tests.factories import CampaignFactory, SubjectFactory, WorkFactory
from apps.results.models import ParticipantResult, ResultSheet, ResultVersion

# label, maximum, level; topics: columns 1 and 2 share «Орфография», column 3 «Текст».
COLUMNS = [("1", 2, "Б"), ("2", 2, "Б"), ("3", 2, "П")]
TOPICS = {"1": "Орфография", "2": "Орфография", "3": "Текст"}
ABSENT = "отсутствовал"


def small_work() -> Work:
    """Scale: «2» 0–1, «3» 2–3, «4» 4–5, «5» 6."""
    work = WorkFactory(
        campaign=CampaignFactory(year=2026),
        subject=SubjectFactory(code="russian", name="Русский язык"),
        grade=4,
        max_score=6,
        mark3_from=2,
        mark4_from=4,
        mark5_from=6,
        columns=COLUMNS,
    )
    for column in work.columns.all():
        column.topic = TOPICS[column.label]
        column.save(update_fields=["topic"])
    return work


def put_results(school: Any, work: Work, rows: list[tuple[Any, ...]]) -> None:
    """Replace a school's results: rows of (code, scores or ABSENT, journal mark; 0 = нет)."""
    sheet, _ = ResultSheet.objects.get_or_create(
        school=school,
        work=work,
        defaults={"municipality_id": school.municipality_id, "region_id": school.region_id},
    )
    ParticipantResult.objects.filter(sheet=sheet).delete()
    number = ResultVersion.objects.filter(sheet=sheet).count() + 1
    ids = {
        "school_id": school.pk,
        "municipality_id": school.municipality_id,
        "region_id": school.region_id,
    }
    version = ResultVersion.objects.create(
        sheet=sheet, number=number, source="api", participants=0, absent=0, **ids
    )
    for code, scores, journal in rows:
        if scores == ABSENT:
            ParticipantResult.objects.create(
                sheet=sheet, version=version, work=work, code=code, absent=True, **ids
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
            journal_mark=journal,
            class_number=1,
            **ids,
        )


X = None  # «X»: not attempted, counts 0

# School A1a (municipality A1): 6 participants and 1 absent.
A1A = [
    ("40001", [2, 2, 2], 5),  # 6 → «5», journal 5: equal
    ("40002", [2, 2, 0], 5),  # 4 → «4», journal 5: lower
    ("40003", [2, 1, X], 0),  # 3 → «3», no journal mark
    ("40004", [1, 1, 1], 2),  # 3 → «3», journal 2: higher
    ("40005", [1, 0, X], 4),  # 1 → «2», journal 4: lower by 2
    ("40006", [2, 2, 1], 4),  # 5 → «4», journal 4: equal
    ("40007", ABSENT, None),
]
# School A2a (municipality A2): 6 participants and 1 absent; scores on the scale's boundaries.
A2A = [
    ("40001", [0, 0, 0], 3),  # 0 → «2», journal 3: lower
    ("40002", [1, 1, 0], 3),  # 2 → «3» (boundary), journal 3: equal
    ("40003", [2, 1, 1], 3),  # 4 → «4» (boundary), journal 3: higher
    ("40004", [2, 2, 2], 3),  # 6 → «5», journal 3: higher by 2
    ("40005", [1, 0, 0], 0),  # 1 → «2», no journal mark
    ("40006", [2, 2, X], 4),  # 4 → «4», journal 4: equal
    ("40007", ABSENT, None),
]
# School B1a (region B): 2 participants.
B1A = [
    ("40001", [2, 2, 2], 5),  # 6 → «5», equal
    ("40002", [0, 0, 0], 2),  # 0 → «2», equal
]
