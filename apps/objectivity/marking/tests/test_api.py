"""The marking API: a marker's reviews, next task and marks; the managers' markers,
allocation, allocations list, progress, third marker and closing."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.objectivity.marking.tests.factories import ready_booklets, recheck
from apps.objectivity.models import MarkTask, Review
from apps.objectivity.tests.scene import Scene

pytestmark = pytest.mark.django_db


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_manager_sets_markers_allocates_and_reads_progress(scene: Scene) -> None:
    ready_booklets(scene, "A1a", 4)
    review = recheck(scene, double_share=50, markers=[])
    coordinator = _api(scene.world.users["regional"])
    # a federal marker is refused for a regional review, with a Russian message
    bad = coordinator.put(
        reverse("api-objectivity-marking-markers", args=[review.pk]),
        {"users": [scene.federal_markers[0].pk]},
        format="json",
    )
    assert bad.status_code == 400
    assert "не эксперт комиссии" in bad.json()["detail"]
    ok = coordinator.put(
        reverse("api-objectivity-marking-markers", args=[review.pk]),
        {"users": [u.pk for u in scene.markers]},
        format="json",
    )
    assert ok.status_code == 200
    assert {m["user"] for m in ok.json()["markers"]} == {u.pk for u in scene.markers}
    # allocate: 4×15 + 2×15 tasks
    done = coordinator.post(reverse("api-objectivity-marking-allocate", args=[review.pk]))
    assert done.status_code == 200
    assert done.json()["created"] == 90
    assert done.json()["progress"]["double"] == 2
    # the allocations list, filtered by round
    listed = coordinator.get(
        reverse("api-objectivity-marking-allocations", args=[review.pk]), {"round": 2}
    )
    assert listed.status_code == 200
    assert listed.json()["count"] == 30
    # progress
    progress = coordinator.get(reverse("api-objectivity-marking-progress", args=[review.pk]))
    assert progress.json()["tasks"] == 90
    assert len(progress.json()["columns"]) == 15
    # a marker may not manage
    marker = _api(scene.markers[0])
    assert (
        marker.post(reverse("api-objectivity-marking-allocate", args=[review.pk])).status_code
        == 403
    )


def test_marker_next_task_and_blind_marks(scene: Scene) -> None:
    ready_booklets(scene, "A1a", 1, images=True)
    review = recheck(scene, double_share=100, threshold=0)
    from apps.objectivity.marking import services

    services.review_allocate(actor=scene.actor("regional"), review_id=review.pk)
    one = MarkTask.objects.filter(review=review, round=1).order_by("column__position").first()
    assert one is not None
    two = MarkTask.objects.get(review=review, booklet=one.booklet, column=one.column, round=2)
    first = _api(next(u for u in scene.markers if u.pk == one.marker_id))
    second = _api(next(u for u in scene.markers if u.pk == two.marker_id))
    # the marker's reviews: counts only, no school
    reviews = first.get(reverse("api-objectivity-marking-reviews")).json()
    assert [r["id"] for r in reviews] == [review.pk]
    assert scene.school("A1a").short_name not in str(reviews)
    # next task of the column: crops and criteria, no other marks
    got = first.get(
        reverse("api-objectivity-marking-next", args=[review.pk]), {"column": one.column_id}
    ).json()["task"]
    assert got["id"] == one.pk
    assert got["crops"]
    assert got["criteria_html"]
    assert got["others"] == []
    # the second marker marks «X»; the first still sees nothing of it before its own mark
    url_two = reverse("api-objectivity-marking-task", args=[two.pk])
    assert second.post(url_two, {"score": None}, format="json").status_code == 200
    url_one = reverse("api-objectivity-marking-task", args=[one.pk])
    assert first.get(url_one).json()["others"] == []
    # a score above the maximum is refused
    too_big = first.post(url_one, {"score": one.column.max_score + 1}, format="json")
    assert too_big.status_code == 400
    # after its own mark, the other's «X» is there
    after = first.post(url_one, {"score": 0, "comment": "почерк неразборчив"}, format="json")
    assert after.status_code == 200
    assert after.json()["others"] == [{"round": 2, "score": None, "comment": ""}]
    # and another marker's task is as good as missing
    assert second.get(url_one).status_code == 404
    assert second.post(url_one, {"score": 0}, format="json").status_code == 404


def test_close_refused_until_final(scene: Scene) -> None:
    ready_booklets(scene, "A1a", 1)
    review = recheck(scene)
    coordinator = _api(scene.world.users["regional"])
    coordinator.post(reverse("api-objectivity-marking-allocate", args=[review.pk]))
    refused = coordinator.post(reverse("api-objectivity-marking-close", args=[review.pk]))
    assert refused.status_code == 409
    assert "осталось заданий — 15" in refused.json()["detail"]
    assert Review.objects.get(pk=review.pk).status == Review.Status.OPEN
