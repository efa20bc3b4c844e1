"""Writes of the registration app. Each service owns its transaction and audit row."""

from __future__ import annotations

import uuid

from django.db import transaction

from apps.core.jobs import job_send
from apps.core.models import Job
from apps.core.scoping import Level, Scope
from apps.core.services import audit_record, job_claim, job_fail, job_publish
from apps.registration import selectors
from apps.registration.access import A, Actor, actor_for_user
from apps.registration.audit import SchoolsAudit
from apps.registration.constants import SCHOOL_LIST_EXPORT
from apps.registration.models import Municipality, Region, School
from apps.registration.xlsx import SchoolRow, school_list_xlsx


def _unit_scope(
    *, actor: Actor, region_id: int | None, municipality_id: int | None
) -> tuple[Scope, str]:
    """The scope of the unit an export is about; raises DoesNotExist (404) if not visible."""
    if municipality_id is not None:
        muni = Municipality.objects.for_actor(actor, A.VIEW_MUNICIPALITY).get(pk=municipality_id)
        scope = Scope(
            level=Level.MUNICIPALITY,
            anchor_id=muni.pk,
            region_id=muni.region_id,
            municipality_id=muni.pk,
        )
        return scope, f"{muni.code} {muni.name}"
    if region_id is not None:
        region = Region.objects.for_actor(actor, A.VIEW_REGION).get(pk=region_id)
        return Scope(level=Level.REGION, anchor_id=region.pk, region_id=region.pk), region.name
    if actor.scope.level is Level.FEDERAL:
        return Scope(level=Level.FEDERAL), "Российская Федерация"
    return actor.scope, str(actor.unit)


@transaction.atomic
def school_list_export_request(
    *,
    actor: Actor,
    region_id: int | None = None,
    municipality_id: int | None = None,
) -> Job:
    """Queue an xlsx export of the schools of a unit the actor sees."""
    if not actor.can(A.EXPORT_SCHOOLS):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    scope, title = _unit_scope(actor=actor, region_id=region_id, municipality_id=municipality_id)
    job = Job.objects.create(
        kind=SCHOOL_LIST_EXPORT,
        key=f"{SCHOOL_LIST_EXPORT}:{uuid.uuid4().hex}",
        actor=actor.user,
        region_id=scope.region_id,
        municipality_id=scope.municipality_id,
        school_id=scope.school_id,
        params={
            "region_id": scope.region_id,
            "municipality_id": scope.municipality_id,
            "title": title,
        },
    )
    audit_record(
        actor=actor, action=SchoolsAudit.SCHOOL_LIST_EXPORT_REQUEST, target=job, scope=scope
    )
    from apps.registration.tasks import school_list_export_task

    transaction.on_commit(lambda: job_send(school_list_export_task, job_id=job.pk))
    return job


def school_list_export_run(*, job_id: int) -> Job | None:
    """Build the export of a queued job as the actor who asked for it (idempotent)."""
    job = job_claim(job_id=job_id)
    if job is None:
        return None
    actor = actor_for_user(job.actor) if job.actor else Actor.system(reason=f"job {job.pk}")
    schools = selectors.school_list(
        actor=actor,
        region_id=job.params.get("region_id"),
        municipality_id=job.params.get("municipality_id"),
    )
    rows = (
        SchoolRow(
            code=s.code,
            full_name=s.full_name,
            short_name=s.short_name,
            address=s.address,
            school_type=s.get_school_type_display(),
            status=s.get_status_display(),
            municipality_code=s.municipality.code,
            municipality_name=s.municipality.name,
            time_zone=s.time_zone,
        )
        for s in schools.iterator(chunk_size=2000)
    )
    try:
        content = school_list_xlsx(unit_title=job.params.get("title", ""), rows=rows)
    except Exception as exc:  # recorded on the job; the task does not retry a broken build
        job_fail(job=job, error=str(exc))
        raise
    return job_publish(job=job, path=f"exports/school_lists/job-{job.pk}.xlsx", content=content)


def job_download_record(*, actor: Actor, job: Job) -> None:
    scope = Scope.of_row(job)
    audit_record(actor=actor, action=SchoolsAudit.EXPORT_DOWNLOAD, target=job, scope=scope)


def school_unit_scope(school: School) -> Scope:
    """The scope of one school (the org unit audit rows and jobs about it carry)."""
    return Scope.of_school(school.pk, school.municipality_id, school.region_id)
