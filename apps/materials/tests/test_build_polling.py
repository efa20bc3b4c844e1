"""The builds page marks its progress block for polling (static/js/poll.js) only while archive
builds are queued or running; «Мои выгрузки» does the same for exports."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from apps.core.models import Job
from apps.materials import services
from apps.materials.constants import KIT_BUILD
from apps.materials.tests.factories import SYSTEM, apply, generate, russian4
from apps.materials.tests.test_auto_build import _dates
from apps.registration.constants import SCHOOL_LIST_EXPORT

pytestmark = pytest.mark.django_db

RUNNING = 'id="build-progress" data-poll="5" data-running'


def test_builds_page_polls_while_builds_wait(world: Any) -> None:
    # given a work with a composed kit whose archive build is queued (the worker has not run)
    work = russian4(**_dates(5))
    apply(world.schools["A1a"], work)
    generate(work)
    assert services.kit_build_request(actor=SYSTEM, work_id=work.pk) == 1
    client = world.client_for("federal")
    # then the progress block is marked running, and the polling script is loaded
    page = client.get(reverse("materials-builds")).content.decode()
    assert RUNNING in page
    assert "js/poll.js" in page
    # when the build finished, the block is no longer marked: polling stops
    Job.objects.filter(kind=KIT_BUILD).update(status=Job.Status.DONE)
    page = client.get(reverse("materials-builds")).content.decode()
    assert 'id="build-progress" data-poll="5">' in page
    assert RUNNING not in page


def test_my_exports_poll_only_while_an_export_is_prepared(world: Any) -> None:
    user = world.users["regional"]
    region = world.regions["A"]
    job = Job.objects.create(
        kind=SCHOOL_LIST_EXPORT,
        key=f"{SCHOOL_LIST_EXPORT}:poll",
        actor=user,
        status=Job.Status.RUNNING,
        params={"title": region.name},
        region_id=region.pk,
    )
    client = world.client_for("regional")
    page = client.get(reverse("job-list")).content.decode()
    assert 'id="job-table" data-poll="3" data-running' in page
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED)
    page = client.get(reverse("job-list")).content.decode()
    assert 'id="job-table" data-poll="3">' in page
