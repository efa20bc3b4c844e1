"""The rules every work satisfies, whatever channel it arrives through."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from apps.campaigns import rules
from apps.campaigns.rules import ColumnSpec, WorkSpec

GOOD = WorkSpec(
    subject_code="math",
    subject_name="Математика",
    grade=8,
    max_score=10,
    mark3_from=3,
    mark4_from=5,
    mark5_from=8,
    duration_minutes=90,
    encrypted_archive=True,
    variants_per_school=2,
    period_start=dt.date(2026, 4, 13),
    period_end=dt.date(2026, 4, 24),
    recommended_dates=(dt.date(2026, 4, 14),),
    materials_publish_date=dt.date(2026, 4, 10),  # exactly 3 days before: allowed
    results_upload_deadline=dt.date(2026, 5, 1),
    results_release_date=dt.date(2026, 5, 15),
    columns=(ColumnSpec("1", 4), ColumnSpec("4К1", 3, "П"), ColumnSpec("4К2", 3, "В")),
)
DEADLINE = dt.date(2026, 2, 20)


def fields(spec: WorkSpec) -> set[str]:
    return {p.field for p in rules.work_problems(spec, DEADLINE)}


def test_a_good_work_has_no_problems() -> None:
    assert rules.work_problems(GOOD, DEADLINE) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"grade": 3}, "grade"),
        ({"grade": 12}, "grade"),
        ({"mark4_from": 3}, "mark4_from"),
        ({"mark5_from": 11}, "mark5_from"),
        ({"mark3_from": 0}, "mark3_from"),
        ({"max_score": 11}, "max_score"),  # columns sum to 10
        ({"materials_publish_date": dt.date(2026, 4, 11)}, "materials_publish_date"),
        ({"encrypted_archive": False}, "encrypted_archive"),  # grade 8 is encrypted
        ({"period_end": dt.date(2026, 4, 12)}, "period_end"),
        ({"recommended_dates": (dt.date(2026, 5, 1),)}, "recommended_dates"),
        ({"results_upload_deadline": dt.date(2026, 4, 20)}, "results_upload_deadline"),
        ({"results_release_date": dt.date(2026, 4, 30)}, "results_release_date"),
        ({"period_start": dt.date(2026, 2, 20)}, "period_start"),  # not after the deadline
        ({"subject_code": "Матем"}, "subject_code"),
        ({"columns": ()}, "columns"),
        ({"columns": (ColumnSpec("1", 5), ColumnSpec("1", 5))}, "label"),
        ({"columns": (ColumnSpec("1a", 10),)}, "label"),
        ({"columns": (ColumnSpec("1", 10, "Q"),)}, "difficulty"),
        ({"columns": (ColumnSpec("1", 0), ColumnSpec("2", 10))}, "column_max"),
    ],
)
def test_each_broken_rule_is_named_by_its_field(change: dict[str, object], field: str) -> None:
    # given a good work with one thing broken / then that field is named
    assert field in fields(dataclasses.replace(GOOD, **change))  # type: ignore[arg-type]


def test_a_plain_work_may_publish_up_to_four_days_before() -> None:
    # given grade 7 (plain): 4 days before is the latest
    plain = dataclasses.replace(GOOD, grade=7, encrypted_archive=False)
    assert "materials_publish_date" in fields(plain)  # 3 days before is too late
    ok = dataclasses.replace(plain, materials_publish_date=dt.date(2026, 4, 9))
    assert rules.work_problems(ok, DEADLINE) == []


def test_labels_are_normalised_and_headers_follow_fis_oko() -> None:
    assert rules.normalize_label(" 4k1 ") == "4К1"
    assert rules.normalize_label("9,1") == "9.1"
    assert rules.column_header("9.1", 1) == "9.1 (1б)"
