"""Which Celery task runs each kind of background ``Job``, and the sweep that re-sends lost ones.

A job's message can be lost (a broker restart) or its worker can die mid-way (the job stays
RUNNING until its lease expires). Every app registers its job kinds here, next to the task that
runs them (in its ``tasks.py``); the periodic ``core.job_sweep`` re-sends the message of every
job that waits too long or whose lease expired. Re-sending is harmless: the task claims the job
with a conditional UPDATE, so a job runs once however many messages arrive.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any, Protocol

from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from apps.core.models import Job

# A queued job younger than this still has its first message in flight: not re-sent yet.
QUEUED_GRACE = dt.timedelta(minutes=2)


class JobTask(Protocol):
    name: str

    def delay(self, *args: Any, **kwargs: Any) -> Any: ...


_TASKS: dict[str, JobTask] = {}

logger = logging.getLogger(__name__)


def job_kind_register(kind: str, task: JobTask) -> None:
    """Declare the task (taking ``job_id=``) that runs jobs of ``kind``."""
    _TASKS[kind] = task


def job_task(kind: str) -> JobTask:
    """The task registered for ``kind`` (KeyError if none)."""
    return _TASKS[kind]


def job_kinds() -> frozenset[str]:
    return frozenset(_TASKS)


def job_send(task: JobTask, *, job_id: int) -> bool:
    """Send the message of a committed job; False (logged) if the broker cannot take it now.

    Meant for ``transaction.on_commit``: the job row is already stored as queued, so a broker
    outage must not turn the request that created it into an error. ``job_sweep`` re-sends the
    job once the broker is back.
    """
    try:
        task.delay(job_id=job_id)
    except BrokerError:
        logger.warning(
            "broker unavailable: job %s stays queued for the sweep", job_id, exc_info=True
        )
        return False
    return True


# How long a drain's "run pending" mark lives at most: if its message is lost, later jobs ask for
# a new run after this (the sweep re-sends what waits longer than QUEUED_GRACE meanwhile).
DRAIN_MARK_TTL = dt.timedelta(seconds=30)

_flag_clients: dict[str, Any] = {}


def _drain_store(task: Any) -> tuple[Any, str] | None:
    """The Redis of ``task``'s broker and this deployment's prefix for drain marks; None when
    tasks run in-process (no broker) or the broker is not Redis: jobs are then sent one by one."""
    from django.db import connections

    conf = task.app.conf  # what this process sends the task through (the tests repoint it)
    url = str(conf.broker_url or "")
    if conf.task_always_eager or not url.startswith(("redis://", "rediss://")):
        return None
    client = _flag_clients.get(url)
    if client is None:
        import redis

        client = _flag_clients[url] = redis.Redis.from_url(
            url, socket_timeout=2, socket_connect_timeout=2
        )
    # Deployments (and test runs) may share a Redis database: the mark names the portal's own.
    return client, f"vpr:drain:{connections['default'].settings_dict['NAME']}:"


def job_drain_available(task: Any) -> bool:
    """Whether jobs can be coalesced into runs of the drain ``task`` (``job_send_drain``)."""
    return _drain_store(task) is not None


def job_send_drain(task: Any, *, name: str, countdown: float) -> bool:
    """Ask for one run of ``task`` (no arguments), ``countdown`` seconds from now, that takes
    every queued job of its kind (ADR 0032). Sent only if no run of ``name`` is pending: a
    Redis key set with NX marks one, and the run clears it (``job_drain_started``) before it
    claims, so a job committed before that is taken by it and one committed after asks for
    the next. False (logged) when the broker cannot take it now: the job stays queued for the
    sweep, as with ``job_send``."""
    from redis import RedisError

    store = _drain_store(task)
    if store is None:
        raise RuntimeError("job_send_drain needs a Redis broker (job_drain_available)")
    client, prefix = store
    key = prefix + name
    try:
        if not client.set(key, b"1", nx=True, px=int(DRAIN_MARK_TTL.total_seconds() * 1000)):
            return True  # a run is pending: it will take this job
    except RedisError:
        logger.warning("broker unavailable: %s jobs stay queued for the sweep", name, exc_info=True)
        return False
    try:
        task.apply_async(countdown=countdown)
    except BrokerError:
        with contextlib.suppress(RedisError):
            client.delete(key)
        logger.warning("broker unavailable: %s jobs stay queued for the sweep", name, exc_info=True)
        return False
    return True


def job_drain_started(task: Any, *, name: str) -> None:
    """Called by a run of the drain ``task`` before it claims: jobs committed from now on ask
    for a new run."""
    from redis import RedisError

    store = _drain_store(task)
    if store is None:
        return
    client, prefix = store
    try:
        client.delete(prefix + name)
    except RedisError:  # the mark expires by itself (DRAIN_MARK_TTL)
        logger.warning("broker unavailable: the %s drain mark stays until it expires", name)


def job_sweep(
    *, kinds: Iterable[str] | None = None, limit: int = 500, now: dt.datetime | None = None
) -> int:
    """Re-send the task of every job of the registered kinds (or of ``kinds``) that is queued
    for longer than ``QUEUED_GRACE`` or running with an expired lease; returns how many."""
    moment = now or timezone.now()
    wanted = set(kinds) if kinds is not None else set(_TASKS)
    stale = (
        Job.objects.filter(kind__in=wanted & set(_TASKS))  # unscoped: system sweep by state
        .filter(
            Q(status=Job.Status.QUEUED, created_at__lt=moment - QUEUED_GRACE)
            | Q(status=Job.Status.RUNNING, lease_until__lt=moment)
        )
        .order_by("pk")
        .values_list("pk", "kind")[:limit]
    )
    sent = 0
    for job_id, kind in list(stale):
        _TASKS[kind].delay(job_id=job_id)
        sent += 1
    return sent
