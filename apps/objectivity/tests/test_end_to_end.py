"""Issue 17 end to end: a kit rendered, its pages turned into a scanner's file (skew, 90° and
180° turns, noise, a missing page, another school's page, a blank side, a letter), uploaded and
read; codes typed; a regional re-check marked by a commission (a share twice, discrepancies to
a third marker); the gap report against hand counts.

The story: six participants of school A1a wrote variants 1 and 2 in turn. The school's own
protocol inflated task 1 (column «1») by one point for every participant where that was
possible. The commission's first markers give the true scores; the second marker of the
double-marked works gives one more point on task 2 (within the threshold of 1: the mean rounded
up makes the final score one more) and two more on task 3 where it can (above the threshold:
a third marker gives the true score).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pytest
from PIL import Image

from apps.materials import pdf
from apps.objectivity.marking import selectors as marking_sel
from apps.objectivity.marking import services as marking
from apps.objectivity.models import Booklet, MarkTask, ReviewCase, ScanPage
from apps.objectivity.rechecks import selectors as rechecks_sel
from apps.objectivity.rechecks import services as rechecks
from apps.objectivity.scans import services as scans
from apps.objectivity.scans.tests.helpers import upload
from apps.objectivity.tests import synthetic
from apps.objectivity.tests.scene import Scene
from apps.registration.access import actor_for_user
from apps.results.xlsx import Row

WRITERS = 6  # participants of A1a with a scanned work (codes[0..5]); the other 6 only uploaded
MISSING = (2, 2)  # the third writer's (index 2) page 2 never reached the scanner


def _truth(columns: list[Any], writer: int) -> list[int]:
    """The true score of each task of a writer (deterministic, within each task's maximum)."""
    return [(writer * 7 + position * 3) % (c.max_score + 1) for position, c in enumerate(columns)]


def _inflated(columns: list[Any], writer: int) -> list[int]:
    scores = _truth(columns, writer)
    scores[0] = min(columns[0].max_score, scores[0] + 1)
    return scores


def _scanner_file(scene: Scene) -> tuple[bytes, dict[str, int]]:
    """The A1a scanner's PDF and, by kind, how many pages of each the test put in."""
    docs = {d.number: d for d in scene.variant_docs("A1a")}
    pages: list[Image.Image] = []
    kinds: Counter[str] = Counter()
    for writer in range(WRITERS):
        scanned = synthetic.scanned(pdf.variant_pdf(docs[1 + writer % 2]), seed=100 + writer)
        for number, page in enumerate(scanned, start=1):
            if (writer, number) == MISSING:
                continue
            if writer == 1 and number == 1:
                page = page.rotate(90, expand=True, fillcolor=228)  # fed sideways
            pages.append(page)
            kinds["identified"] += 1
        if writer == 0:
            pages.append(synthetic.blank_page(seed=7))  # the empty back of a sheet
            kinds["blank"] += 1
        if writer == 3:
            other = next(d for d in scene.variant_docs("B1a") if d.number == 1)
            pages.append(synthetic.scanned(pdf.variant_pdf(other), seed=9)[0])
            kinds["foreign"] += 1
    pages.append(synthetic.foreign_page("Сопроводительное письмо в комиссию", seed=5))
    kinds["unreadable"] += 1
    return synthetic.as_pdf(pages), dict(kinds)


@pytest.mark.django_db
def test_scans_marks_and_the_gap_report_of_a_recheck(
    scene: Scene, django_capture_on_commit_callbacks: Any
) -> None:
    columns = list(scene.work.columns.order_by("position"))
    codes = scene.codes["A1a"]
    regional = scene.actor("regional")
    # the school's own protocol: every participant, task 1 inflated
    own_rows = [
        Row(code, False, 1 + i % 2, tuple(_inflated(columns, i)), 1, 5)
        for i, code in enumerate(codes)
    ]
    scene.upload_own("A1a", own_rows)

    # the region opens a re-check of all three of its schools taking part (a random draw of 3)
    review = rechecks.recheck_open(
        actor=regional,
        work_id=scene.work.pk,
        school_ids=[],
        random_count=3,
        seed=17,
        double_share=50,
        threshold=1,
        title="Перепроверка: русский язык, 4 класс",
    )
    case = ReviewCase.objects.get(review=review, school=scene.school("A1a"))
    assert case.status == ReviewCase.Status.REQUESTED

    # the school uploads its scanner's file; the job reads every page or reports it
    content, put_in = _scanner_file(scene)
    batch = upload(scene, content, capture=django_capture_on_commit_callbacks)
    assert batch.status == batch.Status.DONE, batch.error
    total = sum(put_in.values())
    assert batch.pages == total
    statuses = Counter(ScanPage.objects.filter(batch=batch).values_list("status", flat=True))
    assert sum(statuses.values()) == total  # every page has a row and a status
    assert statuses[ScanPage.Status.IDENTIFIED] == put_in["identified"] == batch.identified
    assert statuses[ScanPage.Status.BLANK] == put_in["blank"] == batch.blank
    assert statuses[ScanPage.Status.FOREIGN] == put_in["foreign"] == batch.foreign
    assert statuses[ScanPage.Status.UNREADABLE] == put_in["unreadable"] == batch.unreadable
    booklets = list(Booklet.objects.filter(batch=batch).order_by("seq"))
    assert len(booklets) == WRITERS
    assert [b.variant.number for b in booklets] == [1 + w % 2 for w in range(WRITERS)]
    assert [b.missing_pages for b in booklets] == [
        [MISSING[1]] if w == MISSING[0] else [] for w in range(WRITERS)
    ]
    reported = " ".join(str(entry) for entry in batch.report)
    assert "чуж" in reported.lower()  # the other school's page is named
    # a person types each booklet's code from the code box
    organizer = scene.organizer("A1a")
    for writer, booklet in enumerate(booklets):
        scans.booklet_code_set(actor=organizer, booklet_id=booklet.pk, code=codes[writer])
    case.refresh_from_db()
    assert case.status == ReviewCase.Status.SCANNED

    # the commission: three markers; a half of the works marked twice
    marking.markers_set(actor=regional, review_id=review.pk, user_ids=[u.pk for u in scene.markers])
    created = marking.review_allocate(actor=regional, review_id=review.pk)
    doubled = math.floor(WRITERS * 50 / 100 + 0.5)
    assert created == (WRITERS + doubled) * len(columns)
    case.refresh_from_db()
    assert case.status == ReviewCase.Status.MARKING
    second = set(
        MarkTask.objects.filter(review=review, round=2).values_list("booklet_id", flat=True)
    )
    assert len(second) == doubled
    for booklet_id in second:  # the second marker is never the first
        pairs = MarkTask.objects.filter(review=review, booklet_id=booklet_id)
        for column in columns:
            r1, r2 = (pairs.get(column=column, round=n).marker_id for n in (1, 2))
            assert r1 != r2

    writer_of = {b.pk: w for w, b in enumerate(booklets)}

    def score(task: MarkTask) -> int:
        true = _truth(columns, writer_of[task.booklet_id])[task.column.position - 1]
        if task.round != 2:
            return true
        top = task.column.max_score
        if task.column.position == 2:
            return min(top, true + 1)
        if task.column.position == 3:
            return min(top, true + 2)
        return true

    actors = [actor_for_user(u) for u in scene.markers]
    for _ in range(4):  # the third markers' tasks appear as the second marks come in
        for actor in actors:
            while (task := marking_sel.next_task(actor=actor, review_id=review.pk)) is not None:
                marking.mark_enter(actor=actor, mark_task_id=task.pk, score=score(task))
    assert not MarkTask.objects.filter(review=review, entered_at__isnull=True).exists()

    # final scores by hand: the truth, except where the second marker gave more: a difference
    # of one (within the threshold) makes the mean rounded up, one more than the truth; a
    # difference of two went to a third marker, who gave the truth
    expected: dict[str, list[int]] = {}
    thirds = 0
    for booklet in booklets:
        writer = writer_of[booklet.pk]
        final = _truth(columns, writer)
        if booklet.pk in second:
            for position, extra in ((1, 1), (2, 2)):
                given = min(columns[position].max_score, final[position] + extra)
                if given - final[position] > 1:
                    thirds += 1
                else:
                    final[position] = given
        expected[codes[writer]] = final
    assert MarkTask.objects.filter(review=review, round=3).count() == thirds
    results = marking_sel.booklet_results(review=review, school_id=scene.school("A1a").pk)
    assert all(r.final for r in results)
    assert {r.code: list(r.scores) for r in results} == expected
    case.refresh_from_db()
    assert case.status == ReviewCase.Status.MARKED

    # the gap report against hand counts (means to two decimals, shares to one, as printed)
    page = rechecks_sel.gap_report(actor=regional, review_id=review.pk)
    report = page.report
    own = {code: _inflated(columns, i) for i, code in enumerate(codes)}
    assert report.compared == WRITERS
    assert sorted(u.code for u in report.school_only) == sorted(codes[WRITERS:])
    assert report.booklet_only == []
    for position, task in enumerate(report.tasks):
        school_sum = sum(own[c][position] for c in expected)
        commission_sum = sum(expected[c][position] for c in expected)
        assert task.compared == WRITERS
        assert task.school_mean == pytest.approx(school_sum / WRITERS, abs=0.005)
        assert task.commission_mean == pytest.approx(commission_sum / WRITERS, abs=0.005)
        higher = sum(own[c][position] > expected[c][position] for c in expected)
        assert task.school_higher == pytest.approx(100 * higher / WRITERS, abs=0.05)
    school_marks = Counter(scene.work.mark_for(sum(own[c])) for c in expected)
    commission_marks = Counter(scene.work.mark_for(sum(expected[c])) for c in expected)
    assert {m.mark: (m.school, m.commission) for m in report.marks} == {
        mark: (school_marks[mark], commission_marks[mark]) for mark in (2, 3, 4, 5)
    }
    lowered = sum(
        scene.work.mark_for(sum(expected[c])) < scene.work.mark_for(sum(own[c])) for c in expected
    )
    raised = sum(
        scene.work.mark_for(sum(expected[c])) > scene.work.mark_for(sum(own[c])) for c in expected
    )
    (school_gap,) = [s for s in report.schools if s.school_id == scene.school("A1a").pk]
    assert (school_gap.compared, school_gap.lowered_count, school_gap.raised_count) == (
        WRITERS,
        lowered,
        raised,
    )
    mean_difference = sum(sum(own[c]) - sum(expected[c]) for c in expected) / WRITERS
    assert school_gap.mean_difference == pytest.approx(mean_difference, abs=0.005)

    # the coordinator closes the case with its outcome
    closed = rechecks.case_close(
        actor=regional,
        case_id=case.pk,
        outcome=ReviewCase.Outcome.NOT_CONFIRMED,
        comment="Завышено",
    )
    assert closed.status == ReviewCase.Status.CLOSED
