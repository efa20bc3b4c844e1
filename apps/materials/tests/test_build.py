"""Archive builds: idempotent Celery tasks, atomic publication, recovery after a killed worker."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.utils import timezone

from apps.core.jobs import job_sweep
from apps.core.models import AuditEvent, Job
from apps.materials import archive as arch
from apps.materials import pdf, services
from apps.materials.constants import KIT_BUILD
from apps.materials.models import Kit
from apps.materials.tasks import kit_build_task
from apps.materials.tests.factories import SYSTEM, apply, generate, russian4

pytestmark = pytest.mark.django_db


def _kit(world, key: str = "A1a") -> Kit:
    work = russian4()
    apply(world.schools[key], work, participants=30, classes=2)
    generate(work)
    return Kit.objects.get(work=work)


def _job(kit: Kit) -> Job:
    services.kit_build_request(actor=SYSTEM, work_id=kit.work_id)  # on_commit not run here
    return Job.objects.get(key=f"{services.KIT_BUILD}:{kit.pk}")


def test_running_the_task_twice_builds_once(world) -> None:
    # given a queued build
    kit = _kit(world)
    job = _job(kit)
    # when the task runs twice
    kit_build_task(job_id=job.pk)
    first = Kit.objects.get(pk=kit.pk)
    kit_build_task(job_id=job.pk)
    # then the second run found nothing to do: same archive, one attempt
    again = Kit.objects.get(pk=kit.pk)
    assert again.status == Kit.Status.READY
    assert (again.archive_sha256, again.archive_built_at) == (
        first.archive_sha256,
        first.archive_built_at,
    )
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.DONE, 1)
    # and the published zip holds the files, its manifest signed
    with default_storage.open(again.archive_path, "rb") as f:
        files = arch.read_zip(f.read())
    names = {f.name for f in files}
    assert {"Вариант 1.pdf", "Вариант 2.pdf", "Протокол проведения.pdf"} <= names
    assert "Коды участников 4 класс.pdf" in names
    by_name = {f.name: f.content for f in files}
    assert arch.manifest_check(by_name[arch.MANIFEST], by_name[arch.SIGNATURE], files).ok
    # and a forced rebuild of the same kit publishes the same bytes at the same path
    services.kit_build_request(actor=SYSTEM, work_id=kit.work_id, force=True)
    kit_build_task(job_id=job.pk)
    rebuilt = Kit.objects.get(pk=kit.pk)
    assert (rebuilt.archive_path, rebuilt.archive_sha256) == (
        again.archive_path,
        again.archive_sha256,
    )


def test_a_worker_killed_mid_build_publishes_nothing_and_the_retry_completes(
    world, monkeypatch
) -> None:
    # given a queued build whose worker dies right before the archive is moved into place
    kit = _kit(world)
    job = _job(kit)
    real_replace = os.replace

    def killed(*_args: object) -> None:
        raise SystemExit("worker killed")  # not an Exception: nothing in the task catches it

    monkeypatch.setattr(os, "replace", killed)
    # when the task runs and dies
    with pytest.raises(SystemExit):
        kit_build_task(job_id=job.pk)
    # then no archive is published: the kit is not ready, the final path does not exist,
    # only a temporary part file was left behind
    kit.refresh_from_db()
    assert kit.status == Kit.Status.GENERATED
    directory = services.kit_storage_dir(kit)
    final = f"{directory}/kit-{kit.pk}.zip"
    assert not default_storage.exists(final)
    _dirs, files = default_storage.listdir(directory)
    assert any(".part-" in name for name in files)
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    # and a redelivered message does nothing while the dead worker's lease holds
    monkeypatch.setattr(os, "replace", real_replace)
    kit_build_task(job_id=job.pk)
    assert Kit.objects.get(pk=kit.pk).status == Kit.Status.GENERATED
    # when the lease has expired and the sweep re-queues it (tasks run eagerly in tests)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1)):
        assert job_sweep(kinds=[KIT_BUILD]) == 1
    # then the retry completes: published, verified, and the part files are gone
    kit.refresh_from_db()
    assert kit.status == Kit.Status.READY
    assert kit.archive_path == final
    with default_storage.open(final, "rb") as f:
        content = f.read()
    by_name = {f.name: f.content for f in arch.read_zip(content)}
    assert arch.manifest_check(by_name[arch.MANIFEST], by_name[arch.SIGNATURE]).ok
    _dirs, files = default_storage.listdir(directory)
    assert not [name for name in files if ".part-" in name]
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.DONE, 2)


def test_a_broken_build_is_recorded_and_can_be_retried(world, monkeypatch) -> None:
    # given a build that fails with a bug
    kit = _kit(world)
    job = _job(kit)

    def broken(**_kwargs: object) -> bytes:
        raise ValueError("сломано")

    monkeypatch.setattr(pdf, "protocol_pdf", broken)
    with pytest.raises(ValueError):
        kit_build_task(job_id=job.pk)
    # then the job and the kit say so
    job.refresh_from_db()
    kit.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "сломано" in job.error
    assert kit.status == Kit.Status.FAILED
    # when the operator retries failures after the fix
    monkeypatch.undo()
    assert services.kit_build_request(actor=SYSTEM, work_id=kit.work_id, retry_failed=True) == 1
    kit_build_task(job_id=job.pk)
    # then it is built
    kit.refresh_from_db()
    assert kit.status == Kit.Status.READY


def test_a_built_kit_is_not_queued_again_and_requests_are_audited(world) -> None:
    # given a kit
    kit = _kit(world)
    # when a build is requested and run, then requested again
    first = services.kit_build_request(actor=SYSTEM, work_id=kit.work_id)
    kit_build_task(job_id=Job.objects.get(kind=services.KIT_BUILD).pk)
    queued_again = services.kit_build_request(actor=SYSTEM, work_id=kit.work_id)
    # then the second queues nothing and each request left one audit row
    assert (first, queued_again) == (1, 0)
    assert AuditEvent.objects.filter(action="materials.build_request").count() == 2


def test_waiting_builds_can_be_cancelled_and_retried(world) -> None:
    # given a queued build
    kit = _kit(world)
    job = _job(kit)
    # when the operator cancels the waiting builds
    assert services.kit_build_cancel(actor=SYSTEM, work_id=kit.work_id) == 1
    # then a delivered message does nothing, and the job says it was cancelled
    kit_build_task(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (Job.Status.FAILED, "Отменено оператором.")
    assert Kit.objects.get(pk=kit.pk).status == Kit.Status.GENERATED
    # and retrying failures builds it
    services.kit_build_request(actor=SYSTEM, work_id=kit.work_id, retry_failed=True)
    kit_build_task(job_id=job.pk)
    assert Kit.objects.get(pk=kit.pk).status == Kit.Status.READY
