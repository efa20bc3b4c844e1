"""Writes of the notices app: publish, add a file version, mark read, open a file.

Every input is checked before anything is written; a refused file leaves no row and no stored
file behind. Every write records its audit event in the same transaction.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.campaigns.models import Campaign
from apps.core.scoping import Level
from apps.core.services import audit_record
from apps.core.untrusted import size_text
from apps.notices.audit import NoticesAudit
from apps.notices.constants import ALLOWED_TYPES, MAX_FILE_BYTES
from apps.notices.messages import NoticeError
from apps.notices.models import AuthorLevel, Notice, NoticeFile, NoticeRead, addressed_filter
from apps.registration.access import A, Actor

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

TITLE_LIMIT = 200
NAME_LIMIT = 200
# Which audience levels each author level may address (only the levels below its own).
ALLOWED_AUDIENCE: dict[Level, tuple[str, ...]] = {
    Level.FEDERAL: ("for_regions", "for_municipalities", "for_schools"),
    Level.REGION: ("for_municipalities", "for_schools"),
    Level.MUNICIPALITY: ("for_schools",),
}
_AUDIENCE_WORDS = {
    "for_regions": "регионам",
    "for_municipalities": "муниципалитетам",
    "for_schools": "ОО",
}


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks: its clean name, size and digest."""

    upload: UploadedFile[bytes]
    name: str
    ext: str
    size: int
    sha256: str


def _clean_name(raw: str) -> str:
    # Browsers on Windows may send a full path; keep the last part, never a directory.
    name = os.path.basename(raw.replace("\\", "/")).strip()
    return "".join(ch for ch in name if ch.isprintable())


def notice_file_check(upload: UploadedFile[bytes] | None) -> CheckedFile:
    """The upload if it is an acceptable document, else ``NoticeError`` with a Russian text."""
    if upload is None:
        raise NoticeError("file_missing")
    name = _clean_name(upload.name or "")
    ext = os.path.splitext(name)[1].lower()
    allowed = ", ".join(sorted(ALLOWED_TYPES))
    if not name or ext not in ALLOWED_TYPES:
        raise NoticeError("file_type", name=name or "без имени", allowed=allowed)
    if len(name) > NAME_LIMIT:
        raise NoticeError("file_name_too_long", name=name[:40] + "…", limit=NAME_LIMIT)
    size = upload.size or 0
    if size > MAX_FILE_BYTES:
        raise NoticeError(
            "file_too_big", name=name, size=size_text(size), limit=size_text(MAX_FILE_BYTES)
        )
    if size == 0:
        raise NoticeError("file_empty", name=name)
    upload.seek(0)
    head = upload.read(8192)
    signatures = ALLOWED_TYPES[ext]
    if signatures == (b"",):
        ok = b"\x00" not in head  # text: no binary zeros
    else:
        ok = any(head.startswith(sig) for sig in signatures)
    if not ok:
        raise NoticeError("file_content", name=name, ext=ext)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(upload=upload, name=name, ext=ext, size=size, sha256=digest.hexdigest())


def _store(notice: Notice, version: int, checked: CheckedFile) -> str:
    # Deterministic ASCII path; the Russian name lives in the row and the download header.
    return default_storage.save(f"notices/{notice.pk}/v{version}{checked.ext}", checked.upload)


def notice_publish(
    *,
    actor: Actor,
    title: str,
    body: str = "",
    for_regions: bool = False,
    for_municipalities: bool = False,
    for_schools: bool = False,
    campaign_id: int | None = None,
    upload: UploadedFile[bytes] | None = None,
) -> Notice:
    """Publish a notice from the actor's unit to the levels below it, with an optional first
    version of its document."""
    if not actor.can(A.PUBLISH_NOTICES) or actor.user is None:
        raise PermissionError("notices.publish")
    scope = actor.scope
    title = (title or "").strip()
    if not title:
        raise NoticeError("title_missing")
    if len(title) > TITLE_LIMIT:
        raise NoticeError("title_too_long", limit=TITLE_LIMIT)
    flags = {
        "for_regions": bool(for_regions),
        "for_municipalities": bool(for_municipalities),
        "for_schools": bool(for_schools),
    }
    if not any(flags.values()):
        raise NoticeError("audience_missing")
    allowed = ALLOWED_AUDIENCE.get(scope.level, ())
    if any(on and name not in allowed for name, on in flags.items()):
        raise NoticeError(
            "audience_not_below",
            level=actor.role_label,
            allowed=", ".join(_AUDIENCE_WORDS[n] for n in allowed),
        )
    campaign = None
    if campaign_id is not None:
        campaign = Campaign.objects.for_actor(actor, A.VIEW_NOTICES).filter(pk=campaign_id).first()
        if campaign is None:
            raise NoticeError("campaign_unknown")
    checked = notice_file_check(upload) if upload is not None else None

    stored: list[str] = []
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                author_level=AuthorLevel(int(scope.level)),
                region_id=scope.region_id,
                municipality_id=scope.municipality_id,
                title=title,
                body=(body or "").strip(),
                published_at=timezone.now(),
                campaign=campaign,
                author=actor.user,
                **flags,
            )
            audit_record(
                actor=actor,
                action=NoticesAudit.NOTICE_PUBLISH,
                target=notice,
                details={"title": title, "audience": notice.audience_label},
            )
            if checked is not None:
                nf = _create_version(actor=actor, notice=notice, version=1, checked=checked)
                stored.append(nf.path)
                _audit_version(actor, nf)
            # Visible to its author's side, or the scoping is broken: refuse, roll back.
            if not Notice.objects.for_actor(actor, A.PUBLISH_NOTICES).filter(pk=notice.pk).exists():
                raise PermissionError("notice outside the author's scope")
    except BaseException:
        _discard(stored)
        raise
    return notice


def _create_version(
    *, actor: Actor, notice: Notice, version: int, checked: CheckedFile
) -> NoticeFile:
    path = _store(notice, version, checked)
    try:
        return NoticeFile.objects.create(
            notice=notice,
            version=version,
            original_name=checked.name,
            path=path,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_at=timezone.now(),
            uploaded_by=actor.user,  # type: ignore[misc]  # callers checked it is set
        )
    except BaseException:
        _discard([path])
        raise


def _discard(paths: list[str]) -> None:
    for path in paths:
        if default_storage.exists(path):
            default_storage.delete(path)


def _audit_version(actor: Actor, nf: NoticeFile) -> None:
    audit_record(
        actor=actor,
        action=NoticesAudit.NOTICE_FILE_VERSION,
        target=nf,
        details={
            "notice": nf.notice_id,
            "version": nf.version,
            "name": nf.original_name,
            "sha256": nf.sha256,
        },
    )


def notice_file_add(
    *,
    actor: Actor,
    notice_id: int,
    upload: UploadedFile[bytes] | None,
) -> NoticeFile:
    """Add the next version of a notice's document; earlier versions stay downloadable."""
    if actor.user is None:
        raise PermissionError("notices.publish")
    checked = notice_file_check(upload)
    stored: list[str] = []
    try:
        with transaction.atomic():
            notice = (
                Notice.objects.for_actor(actor, A.PUBLISH_NOTICES)
                .select_for_update()
                .get(pk=notice_id)
            )
            last = (
                NoticeFile.objects.for_actor(actor, A.PUBLISH_NOTICES)
                .filter(notice=notice)
                .aggregate(last=Max("version"))["last"]
            )
            nf = _create_version(
                actor=actor, notice=notice, version=(last or 0) + 1, checked=checked
            )
            stored.append(nf.path)
            _audit_version(actor, nf)
    except BaseException:
        _discard(stored)
        raise
    return nf


def notice_mark_read(*, actor: Actor, notice_id: int) -> NoticeRead | None:
    """Record that the actor opened a notice addressed to it (the first time only).

    A notice the actor sees but that was not addressed to it (its own, or one its subordinate
    published) records nothing and returns None.
    """
    notice = Notice.objects.for_actor(actor, A.VIEW_NOTICES).get(pk=notice_id)  # 404 outside
    scope = actor.scope
    if actor.user is None or scope.level is Level.FEDERAL:
        return None
    addressed = (
        Notice.objects.for_actor(actor, A.VIEW_NOTICES)
        .filter(addressed_filter(scope), pk=notice.pk)
        .exists()
    )
    if not addressed:
        return None
    with transaction.atomic():
        read, created = NoticeRead.objects.for_actor(actor, A.VIEW_NOTICES).get_or_create(
            notice=notice,
            user=actor.user,
            defaults={
                "level": int(scope.level),
                "read_at": timezone.now(),
                "region_id": scope.region_id,
                "municipality_id": scope.municipality_id,
                "school_id": scope.school_id,
            },
        )
        if created:
            audit_record(actor=actor, action=NoticesAudit.NOTICE_READ, target=notice)
    return read


def notice_file_open(*, actor: Actor, file_id: int) -> tuple[NoticeFile, IO[bytes]]:
    """A version of a notice's document to stream, its download audited."""
    nf = (
        NoticeFile.objects.for_actor(actor, A.VIEW_NOTICES).select_related("notice").get(pk=file_id)
    )
    handle = default_storage.open(nf.path, "rb")
    audit_record(
        actor=actor,
        action=NoticesAudit.NOTICE_FILE_DOWNLOAD,
        target=nf,
        details={"notice": nf.notice_id, "version": nf.version},
    )
    return nf, handle
