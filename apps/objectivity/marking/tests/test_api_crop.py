"""The crops of a marking task through the API: the same PNG as the marking screen's route,
for the task's own marker only; the task's JSON points at the API route (token clients)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from apps.objectivity.marking import services
from apps.objectivity.marking.tests.factories import ready_booklets, recheck
from apps.objectivity.models import MarkTask
from apps.objectivity.tests.scene import Scene

pytestmark = pytest.mark.django_db


def _task(scene: Scene) -> MarkTask:
    ready_booklets(scene, "A1a", 1, images=True)
    review = recheck(scene)
    services.review_allocate(actor=scene.actor("regional"), review_id=review.pk)
    task = MarkTask.objects.filter(review=review).order_by("column__position").first()
    assert task is not None
    return task


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_crop_is_the_screens_crop(scene: Scene) -> None:
    # given an allocated task and its marker, through the API and in the browser
    task = _task(scene)
    owner = next(u for u in scene.markers if u.pk == task.marker_id)
    api = _api(owner)
    browser = Client()
    browser.force_login(owner)
    # when the marker reads its task and follows the first crop's address
    body = api.get(reverse("api-objectivity-marking-task", args=[task.pk])).json()
    crop_url = body["crops"][0]["url"]
    by_api = api.get(crop_url)
    by_page = browser.get(reverse("objectivity-marking-crop", args=[task.pk]), {"part": 0})
    # then the address is the API's, and it answers the screen's PNG byte for byte
    assert crop_url.startswith(reverse("api-objectivity-marking-crop", args=[task.pk]))
    assert by_api.status_code == 200
    assert by_api["Content-Type"] == "image/png"
    assert by_api.content == by_page.content
    assert Image.open(io.BytesIO(by_api.content)).format == "PNG"


def test_another_markers_task_and_a_manager_are_refused(scene: Scene) -> None:
    # given an allocated task, another marker of the commission and the regional coordinator
    task = _task(scene)
    stranger = next(u for u in scene.markers if u.pk != task.marker_id)
    url = reverse("api-objectivity-marking-crop", args=[task.pk])
    # when each asks for the task's crop
    other = _api(stranger).get(url, {"part": 0})
    manager = _api(scene.world.users["regional"]).get(url, {"part": 0})
    # then the other marker is told it does not exist, the coordinator that its role may not
    assert other.status_code == 404
    assert manager.status_code == 403
