"""Celery task of the scans: load the job by id, call the service. Registered as the job kind
``objectivity.scans_process`` from the app's ``ready`` (``core.jobs``)."""

from __future__ import annotations

from django.db import OperationalError

from apps.core.task_typing import shared_task


@shared_task(
    name="objectivity.scans_process",
    queue="heavy",
    acks_late=True,
    max_retries=5,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    time_limit=60 * 60,
    soft_time_limit=55 * 60,
)
def scans_process_task(*, job_id: int, **_: object) -> None:
    from apps.objectivity.scans.services import scans_process_run

    scans_process_run(job_id=job_id)
