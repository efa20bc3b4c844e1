"""Faults a deadline day brings, with a real Celery worker on Redis and PostgreSQL:

- a worker killed (SIGKILL) in the middle of an archive build: no half archive is ever served,
  and the job finishes once a worker runs again and the sweep re-sends it;
- Redis down while a school uploads results: the upload is accepted and stored, and the
  statistics catch up when Redis is back and the sweep re-sends their job.

Each test runs its own throwaway ``redis-server`` (the shared one is never stopped, and parallel
test processes never take each other's messages) and its own worker processes, which share the
test database and media directory with this process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.analytics.models import WorkAggregate
from apps.core.jobs import QUEUED_GRACE, job_sweep
from apps.core.models import Job
from apps.core.tasks import job_sweep_task
from apps.materials import archive as arch
from apps.materials import services as materials
from apps.materials.constants import KIT_BUILD
from apps.materials.models import Kit
from apps.materials.tests.factories import SYSTEM, apply, generate, russian4
from apps.results.constants import RESULTS_STATS
from apps.results.models import ParticipantResult, ResultVersion, SchoolWorkStats
from apps.results.tests.conftest import Env
from conftest import World, need_service
from tests.integration._support import RedisServer, celery_worker, redis_server, wait_for
from vpr_portal.celery import app as celery_app

pytestmark = pytest.mark.integration

WORKER_QUEUES = "default,heavy,imports,analytics"


def _point_celery_at(url: str) -> None:
    """Send this process's messages to ``url`` (dropping connections pooled for another one)."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker(transactional_db: None, settings: Any, tmp_path: Path) -> Iterator[RedisServer]:
    """A throwaway Redis that this process publishes to (tasks no longer run in-process)."""
    need_service(
        "PostgreSQL",
        connection.vendor == "postgresql",
        "set DATABASE_URL=postgres://... (the worker must share the test database)",
    )
    # Read Celery's values before touching Django's settings (see test_celery_worker.py).
    before = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)
    with redis_server(tmp_path) as server:
        settings.CELERY_TASK_ALWAYS_EAGER = False
        celery_app.conf.task_always_eager = False
        _point_celery_at(server.url)
        try:
            yield server
        finally:
            celery_app.conf.task_always_eager = before[0]
            _point_celery_at(before[1])


# --- a worker killed in the middle of an archive build ---------------------------------------


def _archive_response(world: World, kit: Kit) -> tuple[int, bytes]:
    """The school's archive download, asked on the first day of the work's period."""
    noon = dt.datetime.combine(kit.work.period_start, dt.time(12, 0), tzinfo=dt.UTC)
    with time_machine.travel(noon, tick=False):
        client = Client()
        client.force_login(world.users["school_organizer"])
        response = client.get(reverse("kit-archive", args=[kit.pk]))
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


def _parts(directory: str) -> list[str]:
    try:
        _dirs, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return []
    return [name for name in files if ".part-" in name]


def test_a_killed_archive_build_serves_nothing_and_the_sweep_finishes_it(
    world: World, broker: RedisServer, tmp_path: Path
) -> None:
    # given a generated kit of school A1a and a worker whose builds stall right before the
    # finished archive is moved to its final path
    work = russian4()
    apply(world.schools["A1a"], work, participants=30, classes=2)
    generate(work)
    kit = Kit.objects.get(work=work)
    final = f"{materials.kit_storage_dir(kit)}/kit-{kit.pk}.zip"
    marker = tmp_path / "stalled"
    stalling = celery_worker(
        broker.url,
        tmp_path / "stalling.log",
        queues=WORKER_QUEUES,
        module="tests.integration.kit_stall_worker",
        extra_env={"VPR_TEST_STALL_MARKER": str(marker), "VPR_TEST_LEASE_SECONDS": "1"},
    )
    with stalling as worker:
        # when the build is requested (sent on commit) and the worker is killed mid-build
        assert materials.kit_build_request(actor=SYSTEM, work_id=work.pk) == 1
        job = Job.objects.get(key=f"{KIT_BUILD}:{kit.pk}")
        wait_for(marker.exists, "the build to reach publication", worker.log)
        assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING
        worker.sigkill()

    # then nothing is published: the kit is not ready, no file is at the final path (only the
    # temporary part), and the school's download answers «not built yet»
    kit.refresh_from_db()
    assert kit.status == Kit.Status.GENERATED
    assert kit.archive_path == ""
    assert not default_storage.exists(final)
    assert _parts(materials.kit_storage_dir(kit))
    status, body = _archive_response(world, kit)
    assert status == 409
    assert "Архив ещё не собран" in body.decode()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.RUNNING, 1)

    # when a worker runs again and, once the dead worker's lease has expired, beat's sweep runs
    wait_for(
        lambda: Job.objects.filter(pk=job.pk, lease_until__lt=timezone.now()).exists(),
        "the dead worker's lease to expire",
    )
    with celery_worker(broker.url, tmp_path / "restarted.log", queues=WORKER_QUEUES) as worker:
        job_sweep_task.delay()
        wait_for(
            lambda: Job.objects.get(pk=job.pk).status in {Job.Status.DONE, Job.Status.FAILED},
            "the re-sent build to finish",
            worker.log,
        )

    # then the build completed once more and the complete archive is published and served
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.DONE, 2), job.error
    kit.refresh_from_db()
    assert kit.status == Kit.Status.READY
    assert kit.archive_path == final
    with default_storage.open(final, "rb") as fh:
        content = fh.read()
    assert hashlib.sha256(content).hexdigest() == kit.archive_sha256 == job.output_sha256
    files = {f.name: f.content for f in arch.read_zip(content)}
    assert arch.manifest_check(files[arch.MANIFEST], files[arch.SIGNATURE]).ok
    assert not _parts(materials.kit_storage_dir(kit))
    status, body = _archive_response(world, kit)
    assert status == 200
    assert body == content


# --- Redis down while schools upload results ------------------------------------------------


def test_uploads_are_accepted_while_redis_is_down_and_statistics_catch_up(
    env: Env,
    broker: RedisServer,
    tmp_path: Path,
) -> None:
    # given a school with a filled results form, and the broker down
    content = env.filled()
    broker.kill()
    client = Client(raise_request_exception=False)
    client.force_login(env.world.users["school_organizer"])
    url = reverse("results-upload", args=[env.school.pk, env.work.pk])

    # when the school uploads it
    response = client.post(url, {"file": SimpleUploadedFile("форма.xlsx", content)})

    # then the upload is accepted and stored, its statistics job waits in the database
    assert response.status_code == 302, response.content.decode()[:2000]
    version = ResultVersion.objects.get(sheet__school=env.school, sheet__work=env.work)
    assert version.number == 1
    assert ParticipantResult.objects.filter(version=version).count() == len(env.rows())
    job = Job.objects.get(kind=RESULTS_STATS)
    assert job.status == Job.Status.QUEUED
    assert not SchoolWorkStats.objects.filter(work=env.work).exists()

    # when Redis is back, a worker runs and the sweep finds the job waiting
    broker.start()
    with celery_worker(broker.url, tmp_path / "worker.log", queues=WORKER_QUEUES) as worker:
        later = timezone.now() + QUEUED_GRACE + dt.timedelta(seconds=1)
        assert job_sweep(kinds=[RESULTS_STATS], now=later) == 1
        wait_for(
            lambda: Job.objects.get(pk=job.pk).status in {Job.Status.DONE, Job.Status.FAILED},
            "the statistics job to finish",
            worker.log,
        )

    # then the school's statistics and the analytics aggregate reflect the upload
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.DONE, 1), job.error
    stats = SchoolWorkStats.objects.get(school_id=env.school.pk, work=env.work)
    assert stats.version_number == 1
    assert stats.participants == version.participants
    assert stats.absent == version.absent
    assert WorkAggregate.objects.filter(work_id=env.work.pk, school_id=env.school.pk).exists()


# --- uploads while the worker is busy: one drain run takes their statistics jobs -------------


def test_uploads_waiting_for_a_worker_are_drained_by_one_run(
    env: Env, broker: RedisServer, tmp_path: Path
) -> None:
    # given three uploads of a school accepted while no worker runs yet (each a new version)
    client = Client(raise_request_exception=False)
    client.force_login(env.world.users["school_organizer"])
    url = reverse("results-upload", args=[env.school.pk, env.work.pk])
    for seed in (1, 2, 3):
        content = env.filled(env.rows(seed=seed))
        response = client.post(url, {"file": SimpleUploadedFile("форма.xlsx", content)})
        assert response.status_code == 302, response.content.decode()[:2000]
    jobs = list(Job.objects.filter(kind=RESULTS_STATS).order_by("pk"))
    assert [job.status for job in jobs] == [Job.Status.QUEUED] * 3

    # when a worker runs
    with celery_worker(broker.url, tmp_path / "worker.log", queues=WORKER_QUEUES) as worker:
        wait_for(
            lambda: (
                not Job.objects.filter(
                    kind=RESULTS_STATS, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
                ).exists()
            ),
            "the statistics jobs to finish",
            worker.log,
        )
        log = worker.text()

    # then one drain run did the three jobs (the later uploads found it asked for), and the
    # statistics and the aggregate are those of the third version
    assert log.count("Task results.stats_drain[") == 2, log[-4000:]  # received, succeeded
    assert "Task results.stats_run[" not in log
    assert [(j.status, j.attempts) for j in Job.objects.filter(kind=RESULTS_STATS)] == [
        (Job.Status.DONE, 1)
    ] * 3
    stats = SchoolWorkStats.objects.get(school_id=env.school.pk, work=env.work)
    version = ResultVersion.objects.get(sheet__school=env.school, sheet__work=env.work, number=3)
    assert stats.version_number == 3
    assert (stats.participants, stats.absent) == (version.participants, version.absent)
    aggregate = WorkAggregate.objects.get(work_id=env.work.pk, school_id=env.school.pk)
    assert aggregate.participants == version.participants
