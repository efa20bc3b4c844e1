"""Which Celery task runs each kind of background ``Job``, and the sweep that re-sends lost ones.

A job's message can be lost (a broker restart) or its worker can die mid-way (the job stays
RUNNING until its lease expires). Every app registers its job kinds here, next to the task that
runs them (in its ``tasks.py``); the periodic ``core.job_sweep`` re-sends the message of every
job that waits too long or whose lease expired. Re-sending is harmless: the task claims the job
with a conditional UPDATE, so a job runs once however many messages arrive.
"""

from __future__ import annotations

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
