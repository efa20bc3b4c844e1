"""Celery task of the delivery packets: load the job by id, call the service. Registered as the
job kind ``schoolday.packet_build`` from the app's ``ready`` (``core.jobs``)."""

from __future__ import annotations

from django.db import OperationalError

from apps.core.task_typing import shared_task


@shared_task(
    name="schoolday.packet_build",
    queue="heavy",
    acks_late=True,
    max_retries=5,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    time_limit=5 * 60,
    soft_time_limit=4 * 60,
)
def packet_build_task(*, job_id: int, **_: object) -> None:
    from apps.schoolday.packets.services import packet_build_run

    packet_build_run(job_id=job_id)
