"""Celery tasks of the core app."""

from __future__ import annotations

from apps.core.task_typing import shared_task


# The soft limit is explicit: the settings' default (25 min) above this hard limit makes Celery
# refuse to send the task at all (ValueError in apply_async), so beat could never run the sweep.
@shared_task(name="core.job_sweep", acks_late=True, time_limit=5 * 60, soft_time_limit=4 * 60)
def job_sweep_task(**_: object) -> int:
    """Re-send lost or orphaned background jobs (run periodically by beat)."""
    from apps.core.jobs import job_sweep

    return job_sweep()
