"""The gap report's computation against counts made by hand."""

from __future__ import annotations

from apps.objectivity.rechecks.report import SchoolInput, build_gap_report


def _mark(score: int) -> int:
    # a 7-point scale: «3» from 3, «4» from 5, «5» from 7
    return 5 if score >= 7 else 4 if score >= 5 else 3 if score >= 3 else 2


SCHOOLS = [
    SchoolInput(
        school_id=1,
        name="Школа 1",
        outcome="результаты не подтверждены",
        own={"c1": [2, 2, 3], "c2": [2, 1, 2], "c3": [1, 1, 1], "c9": [0, 0, 0]},
        commission={"c1": [1, 2, 1], "c2": [2, 1, 2], "c3": [1, None, 2], "c8": [2, 2, 2]},
    ),
    SchoolInput(
        school_id=2,
        name="Школа 2",
        outcome="",
        own={"d1": [0, 1, 0], "d2": [2, 2, 2]},
        commission={"d1": [1, 1, 1], "d2": [2, 2, 1]},
    ),
]


def test_gap_report_equals_hand_counts() -> None:
    report = build_gap_report(
        labels=["1", "2", "3"], max_scores=[2, 2, 3], mark_for=_mark, schools=SCHOOLS
    )
    # five participants are on both sides (c1, c2, c3, d1, d2)
    assert report.compared == 5
    # by task: (school mean, commission mean, difference, % where the school scored higher)
    assert [
        (t.label, t.school_mean, t.commission_mean, t.difference, t.school_higher)
        for t in report.tasks
    ] == [
        ("1", 1.4, 1.4, 0.0, 20.0),
        ("2", 1.4, 1.2, 0.2, 20.0),
        ("3", 1.6, 1.4, 0.2, 40.0),
    ]
    # by mark: the school's 5, 4, 3, 2, 4 against the commission's 3, 4, 3, 3, 4
    assert [(m.mark, m.school, m.commission) for m in report.marks] == [
        (2, 1, 0),
        (3, 1, 3),
        (4, 2, 2),
        (5, 1, 0),
    ]
    nonzero = {(a, b): n for a, row in report.matrix.items() for b, n in row.items() if n}
    assert nonzero == {(5, 3): 1, (4, 4): 2, (3, 3): 1, (2, 3): 1}
    # by school: compared, mean primary difference, % lowered, % raised
    assert [
        (s.name, s.compared, s.mean_difference, s.lowered, s.raised, s.outcome)
        for s in report.schools
    ] == [
        ("Школа 1", 3, 1.0, 33.3, 0.0, "результаты не подтверждены"),
        ("Школа 2", 2, -0.5, 0.0, 50.0, ""),
    ]
    assert (report.lowered, report.raised) == (1, 1)
    # codes on one side only are listed, not compared
    assert [(u.school_id, u.code) for u in report.booklet_only] == [(1, "c8")]
    assert [(u.school_id, u.code) for u in report.school_only] == [(1, "c9")]


def test_a_school_without_any_match_has_no_means() -> None:
    report = build_gap_report(
        labels=["1"],
        max_scores=[2],
        mark_for=_mark,
        schools=[SchoolInput(3, "Школа 3", "", own={"x": [1]}, commission={})],
    )
    assert report.compared == 0
    assert report.schools[0].mean_difference is None
    assert report.tasks[0].school_mean is None
    assert [u.code for u in report.school_only] == ["x"]
