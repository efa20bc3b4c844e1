"""Celery tasks of the core app."""

from __future__ import annotations

from apps.core.task_typing import shared_task


@shared_task(name="core.job_sweep", acks_late=True, time_limit=5 * 60)
def job_sweep_task(**_: object) -> int:
    """Re-send lost or orphaned background jobs (run periodically by beat)."""
    from apps.core.jobs import job_sweep

    return job_sweep()
