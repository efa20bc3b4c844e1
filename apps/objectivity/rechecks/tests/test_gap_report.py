"""A re-check end to end through the marking: open, scans, markers, allocation, marks, the gap
report against hand counts (page, xlsx, API), closing the case."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.objectivity.marking import services as marking
from apps.objectivity.models import MarkTask, ReviewCase
from apps.objectivity.rechecks import selectors, services
from apps.objectivity.rechecks.tests.helpers import after_release, results_in, scanned_booklets
from apps.objectivity.tests.scene import Scene
from apps.registration.access import actor_for_user

UNKNOWN = "49999"  # a booklet whose code has no row in the school's results


def _commission_score(code_index: int, column: Any) -> int:
    # the first participant: everything but task 1 (22 points, «5»); the second: 1 point per
    # basic task (11, «3»); the unknown booklet: nothing
    if code_index == 0:
        return 0 if column.position == min_position(column) else column.max_score
    if code_index == 1:
        return 1 if column.difficulty == "Б" else 0
    return 0


def min_position(column: Any) -> int:
    return int(column.work.columns.order_by("position").first().position)


@pytest.fixture
def marked(scene: Scene, time_machine: Any) -> tuple[Scene, Any]:
    results_in(scene)  # A1a: every task at its maximum (24 points, «5») for all 12 codes
    after_release(scene, time_machine)
    regional = scene.actor("regional")
    review = services.recheck_open(
        actor=regional,
        work_id=scene.work.pk,
        school_ids=[scene.school("A1a").pk],
        double_share=0,
    )
    codes = [*scene.codes["A1a"][:2], UNKNOWN]
    booklets = scanned_booklets(scene, "A1a", codes)
    index = {b.pk: codes.index(b.code) for b in booklets}
    marking.markers_set(actor=regional, review_id=review.pk, user_ids=[scene.markers[0].pk])
    created = marking.review_allocate(actor=regional, review_id=review.pk)
    assert created == 3 * scene.work.columns.count()
    for task in MarkTask.objects.filter(review=review).select_related("column__work", "marker"):
        marking.mark_enter(
            actor=actor_for_user(task.marker),
            mark_task_id=task.pk,
            score=_commission_score(index[task.booklet_id], task.column),
        )
    return scene, review


@pytest.mark.django_db
def test_gap_report_of_a_marked_recheck_equals_hand_counts(marked: tuple[Scene, Any]) -> None:
    scene, review = marked
    case = ReviewCase.objects.get(review=review)
    assert case.status == ReviewCase.Status.MARKED
    page = selectors.gap_report(actor=scene.actor("regional"), review_id=review.pk)
    r = page.report
    # two codes are on both sides; ten rows have no booklet; one booklet has no row
    assert r.compared == 2
    assert [u.code for u in r.booklet_only] == [UNKNOWN]
    assert [u.code for u in r.school_only] == sorted(scene.codes["A1a"][2:])
    # task 1 (max 2): the school 2 and 2, the commission 0 and 1
    first = r.tasks[0]
    assert (first.school_mean, first.commission_mean, first.difference, first.school_higher) == (
        2.0,
        0.5,
        1.5,
        100.0,
    )
    # marks: the school's «5», «5» against the commission's «5», «3»
    assert [(m.mark, m.school, m.commission) for m in r.marks] == [
        (2, 0, 0),
        (3, 0, 1),
        (4, 0, 0),
        (5, 2, 1),
    ]
    assert (r.matrix[5][5], r.matrix[5][3]) == (1, 1)
    # by school: (24 − 22 + 24 − 11) / 2 = 7.5 points; one mark of two lowered
    school = r.schools[0]
    assert (school.compared, school.mean_difference, school.lowered, school.raised) == (
        2,
        7.5,
        50.0,
        0.0,
    )


@pytest.mark.django_db
def test_report_page_xlsx_and_api(marked: tuple[Scene, Any]) -> None:
    scene, review = marked
    client = scene.world.client_for("regional")
    page = client.get(reverse("objectivity-recheck-report", args=[review.pk]))
    assert page.status_code == 200
    assert "Расхождения баллов ОО и комиссии" in page.content.decode()
    download = client.get(reverse("objectivity-recheck-report-xlsx", args=[review.pk]))
    assert download.status_code == 200
    assert "no-store" in download["Cache-Control"]
    name = unquote(download["Content-Disposition"].split("''", 1)[1])
    assert name.startswith("Перепроверка_")
    assert name.endswith("_расхождения.xlsx")
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))  # type: ignore[attr-defined]
    assert wb.sheetnames == ["По заданиям", "По отметкам", "По ОО", "Без пары"]
    assert [c.value for c in wb["По ОО"][4]][1:5] == [2, 7.5, 50, 0]
    api = client.get(reverse("api-objectivity-recheck-report", args=[review.pk]))
    assert api.status_code == 200
    body = api.json()
    assert body["compared"] == 2
    assert body["marks"][3] == {
        "mark": 5,
        "school": 2,
        "commission": 1,
        "to_commission": [0, 1, 0, 1],
    }
    # a school has no access to the report
    school = scene.world.client_for("school_organizer")
    assert (
        school.get(reverse("api-objectivity-recheck-report", args=[review.pk])).status_code == 403
    )


@pytest.mark.django_db
def test_close_the_marked_case_from_its_page(marked: tuple[Scene, Any]) -> None:
    scene, review = marked
    case = ReviewCase.objects.get(review=review)
    client = scene.world.client_for("regional")
    url = reverse("objectivity-recheck-case", args=[case.pk])
    assert "Закрыть дело" in client.get(url).content.decode()
    response = client.post(
        reverse("objectivity-recheck-case-close", args=[case.pk]),
        {"outcome": "not_confirmed", "comment": "Баллы по заданию 1 завышены."},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("closed", "not_confirmed")
    # the school sees the outcome and the comment on its own case page
    seen = scene.world.client_for("school_organizer").get(url).content.decode()
    assert "результаты не подтверждены" in seen
    assert "Баллы по заданию 1 завышены." in seen
