"""The periodic job sweep re-sends lost or orphaned background jobs, and only those."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from apps.core.jobs import QUEUED_GRACE, job_sweep
from apps.core.models import Job
from apps.registration.constants import SCHOOL_LIST_EXPORT
from conftest import World
from vpr_portal.celery import app


def _export_job(world: World, key: str, **fields: object) -> Job:
    region = world.regions["A"]
    return Job.objects.create(
        kind=SCHOOL_LIST_EXPORT,
        key=f"{SCHOOL_LIST_EXPORT}:{key}",
        actor=world.users["regional"],
        region_id=region.pk,
        params={"region_id": region.pk, "municipality_id": None, "title": region.name},
        **fields,
    )


@pytest.mark.django_db
def test_sweep_resends_lost_and_orphaned_jobs_only(world: World) -> None:
    # given the task modules as the worker loads them (they register their job kinds)
    app.loader.import_default_modules()
    # and four school-list exports: a queued one whose message was lost, one whose worker died
    # (running, lease expired), one just queued, one running with a live lease; and a job of a
    # kind nobody registered
    long_ago = timezone.now() - QUEUED_GRACE - dt.timedelta(minutes=1)
    with time_machine.travel(long_ago):
        lost = _export_job(world, "lost")
    dead = _export_job(
        world,
        "dead",
        status=Job.Status.RUNNING,
        lease_until=timezone.now() - dt.timedelta(minutes=1),
        attempts=1,
    )
    fresh = _export_job(world, "fresh")
    busy = _export_job(
        world,
        "busy",
        status=Job.Status.RUNNING,
        lease_until=timezone.now() + dt.timedelta(minutes=20),
        attempts=1,
    )
    with time_machine.travel(long_ago):
        other = Job.objects.create(kind="unknown.kind", key="unknown:1")
    # when the sweep runs (tasks run eagerly in tests)
    sent = job_sweep()
    # then the lost and the dead jobs were re-sent and are now built; the others are untouched
    assert sent == 2
    for job, status in (
        (lost, Job.Status.DONE),
        (dead, Job.Status.DONE),
        (fresh, Job.Status.QUEUED),
        (busy, Job.Status.RUNNING),
        (other, Job.Status.QUEUED),
    ):
        job.refresh_from_db()
        assert job.status == status, job.key
    assert lost.output
    assert dead.output
    assert dead.attempts == 2
    # and a second sweep finds nothing to re-send
    assert job_sweep() == 0
