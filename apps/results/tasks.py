"""Celery tasks of the results app: load by id, call a service."""

from __future__ import annotations

from django.db import OperationalError

from apps.core.jobs import job_kind_register
from apps.core.task_typing import shared_task
from apps.results.constants import RESULTS_REMIND, RESULTS_STATS


@shared_task(
    name="results.stats_refresh",
    queue="analytics",
    acks_late=True,
    max_retries=5,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    time_limit=5 * 60,
    soft_time_limit=4 * 60,
)
def results_stats_refresh_task(*, school_id: int, work_id: int, **_: object) -> None:
    """Recompute a school's statistics of a work (idempotent). Uploads now send
    ``results.stats_run``; this name still serves messages queued before that change."""
    from apps.results.services import results_stats_refresh

    results_stats_refresh(school_id=school_id, work_id=work_id)


@shared_task(
    name="results.stats_run",
    queue="analytics",
    acks_late=True,
    max_retries=5,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    time_limit=10 * 60,
    soft_time_limit=9 * 60,
)
def results_stats_run_task(*, job_id: int, **_: object) -> None:
    """An accepted upload's statistics job: the school's statistics, then analytics."""
    from apps.results.services import results_stats_run

    results_stats_run(job_id=job_id)


@shared_task(
    name="results.stats_drain",
    queue="analytics",
    acks_late=True,
    max_retries=5,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    time_limit=10 * 60,
    soft_time_limit=9 * 60,
)
def results_stats_drain_task(**_: object) -> int:
    """Every queued statistics job at once (ADR 0032): the schools' statistics, then analytics
    once per work."""
    from apps.results.services import results_stats_drain

    return results_stats_drain()


@shared_task(
    name="results.remind_send",
    acks_late=True,
    max_retries=5,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    time_limit=30 * 60,
    soft_time_limit=25 * 60,
)
def results_remind_send_task(*, job_id: int, **_: object) -> int | None:
    """Send a queued reminder to the schools that have not uploaded (idempotent by its job)."""
    from apps.results.services import results_remind_send

    return results_remind_send(job_id=job_id)


job_kind_register(RESULTS_REMIND, results_remind_send_task)
job_kind_register(RESULTS_STATS, results_stats_run_task)
