"""The marking pages: a marker's list, the blind marking screen, the crops, the coordinator's
progress page and its forms."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from apps.objectivity.marking import services
from apps.objectivity.marking.tests.factories import ready_booklets, recheck
from apps.objectivity.models import MarkTask, Review
from apps.objectivity.tests.scene import Scene

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _allocated(scene: Scene, **kwargs: Any) -> Review:
    ready_booklets(scene, "A1a", 2, images=True)
    review = recheck(scene, **kwargs)
    services.review_allocate(actor=scene.actor("regional"), review_id=review.pk)
    return review


def test_marker_home_lists_review_without_school(scene: Scene) -> None:
    review = _allocated(scene)
    # when a marker opens «Проверка работ на экране»
    response = _client(scene.markers[0]).get(reverse("objectivity-marking"))
    text = response.content.decode()
    # then it sees its review and pending counts per task, never the school
    assert response.status_code == 200
    assert review.title in text
    assert "Проверять задание" in text
    school = scene.school("A1a")
    assert school.short_name not in text
    assert school.code not in text


def test_screen_is_blind_and_shows_crop_and_criteria(scene: Scene) -> None:
    review = _allocated(scene, double_share=100, threshold=0)
    task = MarkTask.objects.filter(review=review, round=1).order_by("column__position").first()
    assert task is not None
    owner = next(u for u in scene.markers if u.pk == task.marker_id)
    second = MarkTask.objects.get(review=review, booklet=task.booklet, column=task.column, round=2)
    other = next(u for u in scene.markers if u.pk == second.marker_id)
    client = _client(owner)
    url = reverse("objectivity-marking-screen", args=[review.pk])
    # when the first marker opens the task's column
    response = client.get(url, {"column": task.column_id})
    text = response.content.decode()
    # then the anonymous work, a crop of its page and the criteria are there; no school
    assert response.status_code == 200
    assert f"Работа №{task.booklet_id}" in text
    assert reverse("objectivity-marking-crop", args=[task.pk]) in text
    assert "Ответ и критерии оценивания" in text
    school = scene.school("A1a")
    assert school.short_name not in text
    assert school.full_name not in text
    assert task.booklet.code not in text
    # and the crop is a PNG of a part of the page (narrower in height than the page)
    crop = client.get(reverse("objectivity-marking-crop", args=[task.pk]), {"part": 0})
    assert crop.status_code == 200
    image = Image.open(io.BytesIO(crop.content))
    assert image.format == "PNG"
    assert image.height < image.width * 1.4
    # when the second marker enters its score first and the first marker looks again
    client_other = _client(other)
    saved = client_other.post(
        reverse("objectivity-marking-enter", args=[second.pk]), {"score": "X", "comment": ""}
    )
    assert saved.status_code == 302
    text = client.get(url, {"column": task.column_id}).content.decode()
    # then the first marker still sees no other score before its own
    assert "Оценки других экспертов" not in text
    # and after its own score, the other's «X» is shown beside
    client.post(reverse("objectivity-marking-enter", args=[task.pk]), {"score": "0"})
    text = client.get(url, {"task": task.pk}).content.decode()
    assert "Оценки других экспертов (после вашей оценки)" in text
    assert "<strong>X</strong>" in text


def test_enter_moves_on_and_refuses_bad_score(scene: Scene) -> None:
    review = _allocated(scene)
    task = MarkTask.objects.filter(review=review).order_by("column__position", "booklet").first()
    assert task is not None
    owner = next(u for u in scene.markers if u.pk == task.marker_id)
    client = _client(owner)
    # a score above the maximum: refused with a Russian message, nothing saved
    response = client.post(
        reverse("objectivity-marking-enter", args=[task.pk]),
        {"score": str(task.column.max_score + 1)},
        follow=True,
    )
    assert f"Задание {task.column.label}: балл от 0 до {task.column.max_score}" in (
        response.content.decode()
    )
    task.refresh_from_db()
    assert task.entered_at is None
    # a valid score: saved, and the screen goes on to the next work of the column
    response = client.post(reverse("objectivity-marking-enter", args=[task.pk]), {"score": "0"})
    assert response.status_code == 302
    assert f"column={task.column_id}" in response["Location"]
    task.refresh_from_db()
    assert task.score == 0


def test_another_markers_task_is_404(scene: Scene) -> None:
    review = _allocated(scene)
    task = MarkTask.objects.filter(review=review).first()
    assert task is not None
    stranger = next(u for u in scene.markers if u.pk != task.marker_id)
    client = _client(stranger)
    # neither the crop, nor the screen with its id, nor entering a score reach it
    assert client.get(reverse("objectivity-marking-crop", args=[task.pk])).status_code == 404
    screen = reverse("objectivity-marking-screen", args=[review.pk])
    assert client.get(screen, {"task": task.pk}).status_code == 404
    post = client.post(reverse("objectivity-marking-enter", args=[task.pk]), {"score": "0"})
    assert post.status_code == 404
    task.refresh_from_db()
    assert task.entered_at is None
    # and a federal marker, not in the review, does not find the review
    federal = _client(scene.federal_markers[0])
    assert federal.get(screen).status_code == 404


def test_progress_page_and_forms(scene: Scene) -> None:
    ready_booklets(scene, "A1a", 3)
    review = recheck(scene, double_share=34, markers=[])
    client = scene.world.client_for("regional")
    url = reverse("objectivity-marking-progress", args=[review.pk])
    page = client.get(url).content.decode()
    # the region's commission is offered as candidates
    for user in scene.markers:
        assert user.full_name in page
    # when the coordinator sets the markers and allocates
    client.post(
        reverse("objectivity-marking-markers", args=[review.pk]),
        {"markers": [u.pk for u in scene.markers]},
    )
    response = client.post(reverse("objectivity-marking-allocate", args=[review.pk]), follow=True)
    text = response.content.decode()
    # then 3×15 + 1×15 tasks are made and shown
    assert "заданий на проверку — 60" in text
    assert MarkTask.objects.filter(review=review).count() == 60
    # and a marker may not open the coordinator's page
    assert _client(scene.markers[0]).get(url).status_code == 403


def test_school_organizer_opens_own_review_for_its_experts(scene: Scene) -> None:
    from apps.core.models import AuditEvent
    from apps.objectivity.audit import ObjectivityAudit
    from apps.objectivity.models import ReviewCase

    ready_booklets(scene, "A1a", 2)
    school = scene.school("A1a")
    organizer = scene.world.client_for("school_organizer")
    page = organizer.get(reverse("objectivity-marking-school", args=[school.pk]))
    assert "Открыть проверку" in page.content.decode()
    # a bad threshold is refused with a Russian message, nothing opened
    bad = organizer.post(
        reverse("objectivity-marking-school-open", args=[school.pk]),
        {"work": scene.work.pk, "double_share": "0", "threshold": "100"},
        follow=True,
    )
    assert "Порог расхождения — от 0 до 99 баллов, указано 100." in bad.content.decode()
    assert not Review.objects.filter(kind=Review.Kind.SCHOOL).exists()
    # when the organizer opens the on-screen checking of the work
    response = organizer.post(
        reverse("objectivity-marking-school-open", args=[school.pk]),
        {"work": scene.work.pk, "double_share": "50", "threshold": "1"},
    )
    review = Review.objects.get(kind=Review.Kind.SCHOOL, school_id=school.pk)
    assert response["Location"] == reverse("objectivity-marking-progress", args=[review.pk])
    assert ReviewCase.objects.get(review=review).reason == ReviewCase.Reason.SCHOOL
    assert AuditEvent.objects.filter(action=ObjectivityAudit.REVIEW_OPEN).count() == 1
    # then its experts are the candidates; a region's marker is refused
    progress = organizer.get(response["Location"]).content.decode()
    assert scene.world.users["expert"].full_name in progress
    refused = organizer.post(
        reverse("objectivity-marking-markers", args=[review.pk]),
        {"markers": [scene.markers[0].pk]},
        follow=True,
    )
    assert "не эксперт по проверке работ этой ОО" in refused.content.decode()
    # and a coordinator may look but not open one for the school
    regional = scene.world.client_for("regional")
    other = regional.post(
        reverse("objectivity-marking-school-open", args=[school.pk]),
        {"work": scene.work.pk},
        follow=True,
    )
    assert "открывает ответственный организатор ОО" in other.content.decode()
    assert Review.objects.filter(kind=Review.Kind.SCHOOL).count() == 1
