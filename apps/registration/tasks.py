"""Celery tasks of the registration app: load by id, call a service."""

from __future__ import annotations

from typing import Any

from django.db import OperationalError

from apps.core.jobs import job_kind_register
from apps.core.models import Job
from apps.core.task_typing import shared_task
from apps.registration.constants import SCHOOL_LIST_EXPORT


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
    from apps.registration.accounts.services import credentials_purge_expired

    return credentials_purge_expired()


@shared_task(
    name="registration.accounts_apply",
    queue="imports",
    acks_late=True,
    max_retries=5,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    time_limit=30 * 60,
    soft_time_limit=25 * 60,
)
def account_import_apply_task(*, job_id: int, **_: object) -> None:
    """Apply a previewed accounts upload as the person who asked (idempotent by its job).

    Registered for both coordinator-file kinds (``accounts/imports.py``) in ``AppConfig.ready``.
    """
    from apps.core.imports import import_apply_run

    import_apply_run(job_id=job_id, actor_of=import_job_actor)


def import_job_actor(job: Job) -> Any:
    """The person who asked for the job, with the address and browser it asked from."""
    from apps.core.client_ip import Client
    from apps.registration.access import actor_for_user

    return actor_for_user(job.actor).with_client(Client.from_params(job.params.get("client")))


job_kind_register(SCHOOL_LIST_EXPORT, school_list_export_task)
