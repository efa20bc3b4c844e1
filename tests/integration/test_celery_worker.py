"""A real Celery worker process on Redis and PostgreSQL runs the school-list export.

Unit tests run task bodies eagerly; this suite proves the production path: the service enqueues
after commit, the message crosses Redis, a separate worker process claims the job in the same
PostgreSQL database, writes the xlsx through the storage API, and a duplicate message is a no-op.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from openpyxl import load_workbook

from apps.core.models import Job
from apps.registration.access import actor_for_user
from apps.registration.services import school_list_export_request
from apps.registration.tasks import school_list_export_task
from conftest import need_service
from vpr_portal.celery import app as celery_app

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60
SUCCEEDED = re.compile(r"Task registration\.school_list_export\[[^\]]+\] succeeded")


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url.startswith(("redis://", "rediss://")):
        return ""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError:
        return ""
    return url


def _test_database_url() -> str:
    """The URL of the database pytest-django created for this session (test_<name>)."""
    db = connection.settings_dict
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


def _celery_command() -> list[str]:
    script = Path(sys.executable).with_name("celery")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "celery"]
    return [
        *head,
        "-A",
        "vpr_portal",
        "worker",
        "-P",
        "solo",
        "-Q",
        "default",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"vpr-test-{os.getpid()}@%h",
        "-l",
        "info",
    ]


def _wait_for(predicate: Any, what: str, log: Path, timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    tail = log.read_text(encoding="utf-8", errors="replace")[-4000:] if log.exists() else ""
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}; worker log:\n{tail}")


@pytest.fixture
def services_ready(transactional_db: None) -> str:
    """Skip locally without PostgreSQL and Redis; fail under CI=true, where they must be up."""
    need_service(
        "PostgreSQL",
        connection.vendor == "postgresql",
        "set DATABASE_URL=postgres://... (the worker must share the test database)",
    )
    url = _redis_url()
    need_service("Redis", bool(url), "set REDIS_URL=redis://127.0.0.1:6379/<n>")
    return url


@pytest.fixture
def through_broker(services_ready: str, settings: Any) -> Iterator[str]:
    """This process publishes to Redis instead of running task bodies in-process."""
    # Read Celery's values before touching Django's settings: if this is the first use of the
    # Celery config in this process, it is loaded lazily from the Django settings, and reading it
    # after the change would "restore" eager=False for every later test of this xdist worker.
    before = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = services_ready
    # Stale messages from an earlier, interrupted run would be consumed by our worker.
    celery_app.control.purge()
    yield services_ready
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = before


@pytest.fixture
def worker(through_broker: str, tmp_path: Path) -> Iterator[Path]:
    """A separate `celery worker` process on the test database; always stopped afterwards."""
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vpr_portal.settings.test",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": through_broker,
        "VPR_CELERY_EAGER": "0",
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            _celery_command(), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_for(
            lambda: proc.poll() is not None or " ready." in log.read_text(errors="replace"),
            "the worker to start",
            log,
        )
        if proc.poll() is not None:
            pytest.fail(f"the worker exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        yield log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _codes_in(path: str) -> list[str]:
    with default_storage.open(path, "rb") as fh:
        ws = load_workbook(io.BytesIO(fh.read()), read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row and row[0] == "Код ОО (логин)")
    return [row[0] for row in rows[header + 1 :] if row and row[0]]


def test_worker_exports_region_school_list_once(world: Any, worker: Path) -> None:
    # given a regional coordinator of region A and a worker listening on Redis
    actor = actor_for_user(world.users["regional"])
    region_a = world.regions["A"]
    expected = sorted(s.code for k, s in world.schools.items() if k.startswith("A"))
    foreign = {s.code for k, s in world.schools.items() if k.startswith("B")}

    # when the export is requested (enqueued on commit) and the same job id is enqueued again
    job = school_list_export_request(actor=actor, region_id=region_a.pk)
    school_list_export_task.delay(job_id=job.pk)

    # then the worker, not this process, builds it
    _wait_for(
        lambda: Job.objects.get(pk=job.pk).status in {Job.Status.DONE, Job.Status.FAILED},
        f"job {job.pk} to finish",
        worker,
    )
    _wait_for(
        lambda: len(SUCCEEDED.findall(worker.read_text(errors="replace"))) >= 2,
        "both messages to be processed",
        worker,
    )
    job.refresh_from_db()
    log = worker.read_text(errors="replace")
    assert job.status == Job.Status.DONE, job.error
    assert "Task registration.school_list_export[" in log
    assert len(SUCCEEDED.findall(log)) == 2
    # and the duplicate message did nothing: one claim, one output
    assert job.attempts == 1
    assert job.output == f"exports/school_lists/job-{job.pk}.xlsx"
    assert default_storage.exists(job.output)
    # and the file lists exactly region A's schools, none of region B's
    codes = _codes_in(job.output)
    assert sorted(codes) == expected
    assert not foreign & set(codes)


def test_worker_redelivery_of_finished_job_is_noop(world: Any, worker: Path) -> None:
    # given a finished export
    actor = actor_for_user(world.users["regional"])
    job = school_list_export_request(actor=actor, region_id=world.regions["A"].pk)
    _wait_for(lambda: Job.objects.get(pk=job.pk).status == Job.Status.DONE, "the first run", worker)
    job.refresh_from_db()
    first_sha, first_updated = job.output_sha256, job.updated_at

    # when the same job id is delivered twice more
    school_list_export_task.delay(job_id=job.pk)
    school_list_export_task.delay(job_id=job.pk)
    _wait_for(
        lambda: len(SUCCEEDED.findall(worker.read_text(errors="replace"))) >= 3,
        "the duplicate messages to be processed",
        worker,
    )

    # then the job ran once and its output is untouched
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.attempts == 1
    assert job.output_sha256 == first_sha
    assert job.updated_at == first_updated
