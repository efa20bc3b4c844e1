"""Publishing federal scores as the official results: the scores equal the federal marks, the
school's own scores are kept beside them, absentees stay absent, refusals name the codes, and
the school's later uploads only change its own scores."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from apps.core.models import AuditEvent
from apps.objectivity.audit import ObjectivityAudit
from apps.objectivity.models import ReviewCase
from apps.objectivity.sample import services
from apps.objectivity.sample.messages import SampleError
from apps.objectivity.sample.tests.helpers import case_of, draw_all, federal_scores, mark_booklets
from apps.objectivity.tests.scene import Scene
from apps.results import xlsx
from apps.results.messages import ResultsInvalidError
from apps.results.models import ParticipantResult, ResultSheet, SchoolWorkStats, Source

PRESENT = 10  # of the school's 12 codes, the last two were absent


def _own(scene: Scene, seed: int = 1) -> list[xlsx.Row]:
    rows = scene.own_rows("A1a", seed=seed)
    return [
        row if i < PRESENT else xlsx.Row(row.code, True, None, (), row.class_number, None)
        for i, row in enumerate(rows)
    ]


def _results(scene: Scene) -> dict[str, ParticipantResult]:
    return {
        r.code: r
        for r in ParticipantResult.objects.filter(work=scene.work, school_id=scene.school("A1a").pk)
    }


@pytest.mark.django_db
def test_federal_scores_become_official_and_own_scores_stay_beside(
    scene: Scene, django_capture_on_commit_callbacks: Any
) -> None:
    # given a sampled school that uploaded its own scores (10 present, 2 absent)
    review = draw_all(scene)
    own = _own(scene)
    scene.upload_own("A1a", own)
    # and its 10 booklets marked federally
    mark_booklets(scene, review, "A1a", PRESENT)
    case = case_of(review, scene, "A1a")
    # when the federal operator publishes
    with django_capture_on_commit_callbacks(execute=True):
        published = services.federal_publish(actor=scene.actor("federal"), case_id=case.pk)
    # then the official scores are the federal marks, the school's own kept beside
    results = _results(scene)
    assert len(results) == 12
    columns = list(scene.work.columns.order_by("position"))
    for n, row in enumerate(own):
        result = results[row.code]
        if n >= PRESENT:
            assert result.absent
            assert result.own_scores is None
            continue
        expected = federal_scores(scene, n)
        assert tuple(result.scores) == expected
        assert result.primary_score == sum(s or 0 for s in expected)
        assert result.mark == scene.work.mark_for(result.primary_score)
        assert result.own_scores == list(row.scores)
        assert result.own_primary_score == sum(s or 0 for s in row.scores)
        assert result.class_number == row.class_number
        assert result.journal_mark == row.journal_mark
    # by hand: booklet 0 scores j mod (max+1) with the last column «X»
    first = results[own[0].code]
    assert first.scores[-1] is None
    assert first.primary_score == sum(j % (c.max_score + 1) for j, c in enumerate(columns[:-1]))
    sheet = ResultSheet.objects.get(school=scene.school("A1a"), work=scene.work)
    assert sheet.federal_since is not None
    assert sheet.current_version is not None
    assert sheet.current_version.source == Source.FEDERAL
    assert sheet.current_version.number == published.version_number == 2
    assert (published.participants, published.absent) == (PRESENT, 2)
    case.refresh_from_db()
    assert case.status == ReviewCase.Status.CLOSED
    assert case.published_at is not None
    assert AuditEvent.objects.filter(action=ObjectivityAudit.FEDERAL_PUBLISH).count() == 1
    # and the statistics follow the official (federal) results
    stats = SchoolWorkStats.objects.get(school_id=scene.school("A1a").pk, work=scene.work)
    assert stats.version_number == 2
    assert stats.participants == PRESENT
    assert sum(stats.histogram) == PRESENT


@pytest.mark.django_db
def test_a_present_code_without_a_checked_booklet_refuses_naming_it(scene: Scene) -> None:
    review = draw_all(scene)
    own = _own(scene)
    scene.upload_own("A1a", own)
    mark_booklets(scene, review, "A1a", PRESENT - 1)  # the 10th participant's work is missing
    case = case_of(review, scene, "A1a")
    with pytest.raises(ResultsInvalidError) as refused:
        services.federal_publish(actor=scene.actor("federal"), case_id=case.pk)
    assert own[PRESENT - 1].code in refused.value.message
    assert "нет проверенных работ" in refused.value.message
    # nothing changed
    sheet = ResultSheet.objects.get(school=scene.school("A1a"), work=scene.work)
    assert sheet.federal_since is None
    assert sheet.current_version is not None
    assert sheet.current_version.source != Source.FEDERAL
    case.refresh_from_db()
    assert case.status != ReviewCase.Status.CLOSED
    assert case.published_at is None


@pytest.mark.django_db
def test_a_booklet_without_final_scores_refuses_naming_its_code(scene: Scene) -> None:
    review = draw_all(scene)
    scene.upload_own("A1a", _own(scene))
    booklets = mark_booklets(scene, review, "A1a", PRESENT, leave_open=1)
    case = case_of(review, scene, "A1a")
    with pytest.raises(SampleError) as refused:
        services.federal_publish(actor=scene.actor("federal"), case_id=case.pk)
    assert booklets[-1].code in refused.value.message
    assert "Не все работы" in refused.value.message
    assert not ResultSheet.objects.filter(federal_since__isnull=False).exists()


@pytest.mark.django_db
def test_a_second_publication_is_refused(scene: Scene) -> None:
    review = draw_all(scene)
    scene.upload_own("A1a", _own(scene))
    mark_booklets(scene, review, "A1a", PRESENT)
    case = case_of(review, scene, "A1a")
    services.federal_publish(actor=scene.actor("federal"), case_id=case.pk)
    with pytest.raises(SampleError) as refused:
        services.federal_publish(actor=scene.actor("federal"), case_id=case.pk)
    assert "уже опубликованы" in refused.value.message


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["regional", "school_organizer", "marker"])
def test_only_the_federal_side_publishes(scene: Scene, role: str) -> None:
    review = draw_all(scene)
    case = case_of(review, scene, "A1a")
    with pytest.raises(PermissionDenied):
        services.federal_publish(actor=scene.actor(role), case_id=case.pk)


@pytest.mark.django_db
def test_a_later_upload_only_changes_the_schools_own_scores(scene: Scene) -> None:
    # given published federal results
    review = draw_all(scene)
    scene.upload_own("A1a", _own(scene))
    mark_booklets(scene, review, "A1a", PRESENT)
    case = case_of(review, scene, "A1a")
    services.federal_publish(actor=scene.actor("federal"), case_id=case.pk)
    official = {code: list(r.scores) for code, r in _results(scene).items() if not r.absent}
    # when the school uploads other scores of its own (the first code now absent)
    later = _own(scene, seed=5)
    later[0] = xlsx.Row(later[0].code, True, None, (), later[0].class_number, None)
    accepted = scene.upload_own("A1a", later)
    # then the upload is kept as a version and as the own scores, the official stay federal
    assert accepted.own_only
    assert accepted.version.number == 3
    sheet = ResultSheet.objects.get(school=scene.school("A1a"), work=scene.work)
    assert sheet.current_version is not None
    assert sheet.current_version.source == Source.FEDERAL
    assert sheet.current_version.number == 2
    assert sheet.version_count == 3
    results = _results(scene)
    assert {code: list(r.scores) for code, r in results.items() if not r.absent} == official
    assert results[later[0].code].own_scores is None
    for row in later[1:PRESENT]:
        assert results[row.code].own_scores == list(row.scores)
        assert results[row.code].own_primary_score == sum(s or 0 for s in row.scores)


def _filled_form(scene: Scene, rows: list[xlsx.Row]) -> bytes:
    import io

    from openpyxl import load_workbook

    from apps.results import services as results_services

    blank = results_services.results_form_download(
        actor=scene.organizer("A1a"), school_id=scene.school("A1a").pk, work_id=scene.work.pk
    ).content
    book = load_workbook(io.BytesIO(blank))
    sheet = book["Протокол"]
    width = scene.work.columns.count()
    for i, row in enumerate(rows):
        for col, value in enumerate(row.values(width), start=1):
            sheet.cell(row=i + 2, column=col).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_results_api_tells_the_work_is_federal_and_a_later_upload_is_own_only(
    scene: Scene,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    review = draw_all(scene)
    scene.upload_own("A1a", _own(scene))
    mark_booklets(scene, review, "A1a", PRESENT)
    services.federal_publish(actor=scene.actor("federal"), case_id=case_of(review, scene, "A1a").pk)
    client = scene.world.client_for("school_organizer")
    url = f"/api/v1/schools/{scene.school('A1a').pk}/results/{scene.work.pk}/"
    state = client.get(url).json()
    assert state["federal_since"] is not None
    assert state["current_version"]["source"] == "federal"
    content = _filled_form(scene, _own(scene, seed=9))
    upload = SimpleUploadedFile("форма.xlsx", content)
    response = client.post(url, {"file": upload})
    assert response.status_code == 201
    body = response.json()
    assert body["own_only"] is True
    assert "баллы федеральной проверки" in body["detail"]
    assert client.get(url).json()["current_version"]["source"] == "federal"
