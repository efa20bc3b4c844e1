"""Celery tasks of the materials app: load by id, call a service. Archive builds go to the
``heavy`` queue; they are idempotent (a claimed Job runs once) and publish atomically."""

from __future__ import annotations

from django.db import OperationalError

from apps.core.jobs import job_kind_register
from apps.core.task_typing import shared_task
from apps.materials.constants import KIT_BUILD


@shared_task(
    name="materials.kit_build",
    queue="heavy",
    acks_late=True,
    max_retries=5,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    time_limit=10 * 60,
    soft_time_limit=9 * 60,
)
def kit_build_task(*, job_id: int, **_: object) -> None:
    from apps.materials.services import kit_build_run

    kit_build_run(job_id=job_id)


job_kind_register(KIT_BUILD, kit_build_task)


@shared_task(name="materials.builds_auto_start", acks_late=True, time_limit=30 * 60)
def builds_auto_start_task(**_: object) -> None:
    """Beat: start the builds of works whose publication date is near (idempotent)."""
    from apps.materials.services import builds_auto_start

    builds_auto_start()
