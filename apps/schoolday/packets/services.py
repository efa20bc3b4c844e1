"""Writes of the delivery packets: the build request, the build job, the gated download.

A packet is built by a background job like a kit (``apps/core/jobs.py``): one ``Job`` per packet
and inputs digest (its natural key), claimed once, the PDF stored through ``default_storage``
at a path named by the digest, and only then the ``Packet`` row flips to READY in one
transaction with the job. A packet whose stored digest equals the current one is never built
again. Downloads follow the materials' release rule for the code sheet and the protocol.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import uuid
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.utils import timezone

from apps.core.jobs import job_send
from apps.core.models import Job
from apps.core.scoping import Scope
from apps.core.services import audit_record, job_claim, job_fail, job_mark_done
from apps.materials.services import Download
from apps.registration.access import Actor
from apps.registration.models import School
from apps.schoolday import selectors as day_selectors
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.audit import SchoolDayAudit
from apps.schoolday.messages import PacketNotReleasedError, SchoolDayError
from apps.schoolday.models import Packet
from apps.schoolday.packets import pdf, selectors
from apps.schoolday.packets.constants import PACKET_BUILD

logger = logging.getLogger(__name__)

PACKET_LABEL = "Доставочный пакет"


def _require(actor: Actor, action: str) -> None:
    if not actor.can(action):
        raise PermissionDenied


def _scope(school: School) -> Scope:
    return Scope.of_school(school.pk, school.municipality_id, school.region_id)


def job_key(packet_id: int, digest: str) -> str:
    """The natural key of a packet's build: the packet and what it is built from."""
    return f"{PACKET_BUILD}:{packet_id}:{digest[:16]}"


def packet_path(school: School, packet: Packet, digest: str, year: int) -> str:
    """The packet's deterministic place in storage (new inputs → a new name)."""
    return f"schoolday/packets/{year}/{school.code}/sitting-{packet.sitting_id}-{digest[:16]}.pdf"


@dataclass(frozen=True)
class BuildRequest:
    """What a build request did: packets queued, packets already up to date."""

    queued: int
    up_to_date: int


def packets_build_request(
    *, actor: Actor, school_id: int, work_id: int, day: dt.date
) -> BuildRequest:
    """Queue the packets of a school's work day: one per room with participants.

    Refused whole (nothing queued) when nobody is placed in a room that day, or when a placed
    class lacks participant codes. A packet built from the current inputs is left alone; the
    others are (re)queued, each through its job (the claim runs each once). Enqueued after
    commit; audited.
    """
    _require(actor, A.PRINT_PACKETS)
    school = day_selectors.school_get(actor=actor, school_id=school_id, action=A.PRINT_PACKETS)
    work = day_selectors.work_get(actor=actor, work_id=work_id, action=A.PRINT_PACKETS)
    sittings = selectors.sittings_of_day(
        actor=actor, action=A.PRINT_PACKETS, school=school, work=work, day=day
    )
    inputs = selectors.packet_inputs(
        actor=actor, action=A.PRINT_PACKETS, school=school, sittings=sittings
    )
    wanted = [i for i in inputs.values() if i.participants > 0]
    if not wanted:
        raise SchoolDayError(
            "packet_no_rooms", date=day.strftime("%d.%m.%Y"), work=day_selectors.work_title(work)
        )
    missing = sorted({label for i in wanted for label in i.missing})
    if missing:
        raise SchoolDayError("packet_codes_missing", classes=", ".join(missing))
    queued: list[int] = []
    up_to_date = 0
    with transaction.atomic():
        for current in wanted:
            packet, _created = (
                Packet.objects.for_actor(actor, A.PRINT_PACKETS)
                .select_for_update()
                .get_or_create(
                    sitting=current.sitting,
                    defaults={
                        "school_id": school.pk,
                        "municipality_id": school.municipality_id,
                        "region_id": school.region_id,
                    },
                )
            )
            if packet.status == Packet.Status.READY and packet.inputs == current.digest:
                up_to_date += 1
                continue
            job, created = Job.objects.get_or_create(  # unscoped: natural key of a packet build
                key=job_key(packet.pk, current.digest),
                defaults={
                    "kind": PACKET_BUILD,
                    "actor": actor.user,
                    "params": {"packet_id": packet.pk, "inputs": current.digest},
                    "region_id": school.region_id,
                    "municipality_id": school.municipality_id,
                    "school_id": school.pk,
                },
            )
            if not created and job.status in (Job.Status.DONE, Job.Status.FAILED):
                job.status = Job.Status.QUEUED
                job.error = ""
                job.save(update_fields=["status", "error", "updated_at"])
            if job.status == Job.Status.QUEUED:
                queued.append(job.pk)
            packet.status = Packet.Status.QUEUED
            packet.error = ""
            packet.save(update_fields=["status", "error", "updated_at"])
        audit_record(
            actor=actor,
            action=SchoolDayAudit.PACKETS_BUILD,
            scope=_scope(school),
            details={
                "work_id": work.pk,
                "date": day.isoformat(),
                "queued": len(queued),
                "up_to_date": up_to_date,
            },
        )
    from apps.schoolday.packets.tasks import packet_build_task

    transaction.on_commit(lambda: [job_send(packet_build_task, job_id=j) for j in queued])
    return BuildRequest(queued=len(queued), up_to_date=up_to_date)


def _store(path: str, content: bytes) -> str:
    """Store ``content`` at ``path``: written under a temporary name, then moved into place, so
    a reader never sees half a file. The path names the inputs digest and the rendering is
    deterministic, so a file already there holds these very bytes."""
    if default_storage.exists(path) and default_storage.size(path) == len(content):
        return path
    temp = default_storage.save(f"{path}.part-{uuid.uuid4().hex}", ContentFile(content))
    try:
        local_temp, local_final = default_storage.path(temp), default_storage.path(path)
    except NotImplementedError:  # object storage: one PUT of the whole object is atomic
        if default_storage.exists(path):
            default_storage.delete(path)
        saved = default_storage.save(path, ContentFile(content))
        default_storage.delete(temp)
        return saved
    os.replace(local_temp, local_final)
    return path


def _fail(*, job: Job, packet: Packet, error: str) -> None:
    with transaction.atomic():
        job_fail(job=job, error=error[:2000])
        packet.status = Packet.Status.FAILED
        packet.error = error[:2000]
        packet.save(update_fields=["status", "error", "updated_at"])


def packet_build_run(*, job_id: int) -> Packet | None:
    """Build and publish one packet (idempotent: a claimed job runs once, and a packet whose
    inputs did not change since it was built is not rendered again).

    It builds what the room holds when it runs. Missing codes or an emptied room are recorded
    on the packet and the job as final; a transient database error puts the job back in the
    queue and re-raises (the task retries); any other error is recorded and re-raised.
    """
    job = job_claim(job_id=job_id)
    if job is None:
        return None
    actor = Actor.system(reason=f"job {job.pk}")
    action = A.PRINT_PACKETS
    packet = Packet.objects.for_actor(actor, action).filter(pk=job.params.get("packet_id")).first()
    if packet is None:  # its room was removed from the day since
        job_fail(job=job, error="Аудитория убрана из рассадки: пакет не нужен.")
        return None
    try:
        school = day_selectors.school_get(actor=actor, school_id=packet.school_id, action=action)
        sitting = selectors.sittings_loaded(actor=actor, action=action).get(pk=packet.sitting_id)
        current = selectors.packet_inputs(
            actor=actor, action=action, school=school, sittings=[sitting]
        )[sitting.pk]
        if (
            packet.status == Packet.Status.READY
            and packet.inputs == current.digest
            and default_storage.exists(packet.file)
        ):
            with transaction.atomic():
                job_mark_done(job=job, output=packet.file, sha256=packet.sha256)
            return packet
        if current.participants == 0:
            _fail(job=job, packet=packet, error="В аудитории нет участников.")
            return packet
        if current.missing:
            _fail(
                job=job,
                packet=packet,
                error="Не хватает кодов участников для классов: " + ", ".join(current.missing),
            )
            return packet
        content = pdf.packet_pdf(current.doc)
        path = _store(
            packet_path(school, packet, current.digest, sitting.work.campaign.year), content
        )
    except OperationalError:
        Job.objects.filter(pk=job.pk).update(  # unscoped: the job this worker claimed
            status=Job.Status.QUEUED, lease_until=None
        )
        raise
    except Exception as exc:
        _fail(job=job, packet=packet, error=f"{type(exc).__name__}: {exc}")
        raise
    digest = hashlib.sha256(content).hexdigest()
    previous = packet.file
    with transaction.atomic():
        packet.status = Packet.Status.READY
        packet.inputs = current.digest
        packet.file = path
        packet.sha256 = digest
        packet.size = len(content)
        packet.pages = pdf.packet_pages(current.doc.participants)
        packet.built_at = timezone.now()
        packet.error = ""
        packet.save(
            update_fields=[
                "status",
                "inputs",
                "file",
                "sha256",
                "size",
                "pages",
                "built_at",
                "error",
                "updated_at",
            ]
        )
        job_mark_done(job=job, output=path, sha256=digest)
        if previous and previous != path:
            transaction.on_commit(lambda: _delete_quietly(previous))
    return packet


def _delete_quietly(path: str) -> None:
    try:
        default_storage.delete(path)
    except OSError:  # a leftover file is harmless; the row names the current one
        logger.warning("could not delete the replaced packet %s", path, exc_info=True)


def packet_download(*, actor: Actor, packet_id: int, now: dt.datetime | None = None) -> Download:
    """The packet PDF of a room, from the instant the materials open the school's code sheet
    and protocol; only a packet built from the room's current inputs; audited."""
    action = A.PRINT_PACKETS
    packet = selectors.packet_get(actor=actor, packet_id=packet_id, action=action)  # 404
    school = day_selectors.school_get(actor=actor, school_id=packet.school_id, action=action)
    sitting = selectors.sittings_loaded(actor=actor, action=action).get(pk=packet.sitting_id)
    release = selectors.packet_release(actor=actor, school=school, work=sitting.work, action=action)
    if not release.is_open(now or timezone.now()):
        raise PacketNotReleasedError(PACKET_LABEL, release.at, release.place)
    if packet.status != Packet.Status.READY or not packet.file:
        raise SchoolDayError("packet_not_built")
    current = selectors.packet_inputs(
        actor=actor, action=action, school=school, sittings=[sitting]
    )[sitting.pk]
    if current.digest != packet.inputs:
        raise SchoolDayError("packet_stale")
    audit_record(
        actor=actor,
        action=SchoolDayAudit.PACKET_DOWNLOAD,
        target=packet,
        scope=_scope(school),
        details={
            "work_id": sitting.work_id,
            "date": sitting.date.isoformat(),
            "room": sitting.room.name,
            "sha256": packet.sha256,
        },
    )
    path = packet.file

    def opener() -> IO[bytes]:
        return default_storage.open(path, "rb")

    return Download(pdf.packet_file_name(current.doc), "application/pdf", opener, packet.size)
