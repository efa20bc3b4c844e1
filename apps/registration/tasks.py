"""Celery tasks of the registration app: load by id, call a service."""

from __future__ import annotations

from django.db import OperationalError

from apps.core.task_typing import shared_task


@shared_task(
    name="registration.school_list_export",
    acks_late=True,
    max_retries=5,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
)
def school_list_export_task(*, job_id: int, **_: object) -> None:
    from apps.registration.services import school_list_export_run

    school_list_export_run(job_id=job_id)


@shared_task(name="registration.credentials_purge", acks_late=True)
def credentials_purge_task(**_: object) -> int:
    """Periodic: wipe the payloads of expired, never-downloaded credentials files."""
    from apps.registration.services_accounts import credentials_purge_expired

    return credentials_purge_expired()
