"""The demo's announcements and documents: a federal instruction in two versions, a regional
memo and a municipal invitation, each dated some days before the demo's today, partly read; and
the demo coordinators' phone numbers and e-mails shown in the cabinets below them.

Published through the notices services (the checks, the stored files, the audit), then dated
back to the day the data file gives, as the service would have stored it on that day.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.demo.data import as_int, as_list, as_object, as_str, load
from apps.notices import services
from apps.notices.models import Notice, NoticeFile, NoticeRead
from apps.registration.access import A, Actor, actor_for_user
from apps.registration.models import User

MOSCOW = ZoneInfo("Europe/Moscow")


@dataclass(frozen=True)
class DemoNotices:
    created: int
    existing: int


def _system() -> Actor:
    return Actor.system(reason="seed_demo")


def _at(today: dt.date, days_ago: int, hour: int = 9) -> dt.datetime:
    """An instant ``days_ago`` days before the demo's today, at ``hour`` Moscow time (UTC)."""
    day = today - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=MOSCOW).astimezone(dt.UTC)


def _pdf(lines: list[str]) -> bytes:
    """A one-page A4 PDF with the lines (the first as the title), Cyrillic via DejaVu."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    from apps.materials.pdf import para

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=lines[0], author="ВПР-портал (демо)")
    doc.build([para(lines[0], "title"), *(para(line) for line in lines[1:])])
    return buffer.getvalue()


def _file(raw: object, where: str) -> tuple[SimpleUploadedFile, int]:
    spec = as_object(raw, where)
    name = as_str(spec["name"], f"{where}.name")
    lines = [as_str(x, f"{where}.lines") for x in as_list(spec["lines"], f"{where}.lines")]
    content = _pdf(lines) if name.endswith(".pdf") else "\n".join(lines).encode("utf-8")
    return SimpleUploadedFile(name, content), as_int(spec["days_ago"], f"{where}.days_ago")


def _user(username: str) -> User:
    return User.objects.get(username=username)


def demo_contacts_ensure() -> None:
    """Give the demo coordinators a phone and an e-mail (kept if someone changed them)."""
    data = as_object(as_object(load("notices.json"), "notices.json")["contacts"], "contacts")
    for username, raw in data.items():
        spec = as_object(raw, f"contacts.{username}")
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        if not user.phone and not user.email:
            user.phone = as_str(spec["phone"], f"contacts.{username}.phone")
            user.email = as_str(spec["email"], f"contacts.{username}.email")
            user.save(update_fields=["phone", "email"])


def demo_notices_seed(*, today: dt.date) -> DemoNotices:
    """Publish the demo notices (once: a notice with the same title from the same unit is kept)."""
    demo_contacts_ensure()
    root = as_object(load("notices.json"), "notices.json")
    created = existing = 0
    system = _system()
    for i, raw in enumerate(as_list(root["notices"], "notices")):
        where = f"notices.json notices[{i}]"
        spec = as_object(raw, where)
        author = actor_for_user(_user(as_str(spec["author"], f"{where}.author")))
        title = as_str(spec["title"], f"{where}.title")
        if Notice.objects.for_actor(author, A.PUBLISH_NOTICES).filter(title=title).exists():
            existing += 1
            continue
        audience = {as_str(a, f"{where}.audience") for a in as_list(spec["audience"], where)}
        files = [_file(f, f"{where}.files") for f in as_list(spec["files"], f"{where}.files")]
        notice = services.notice_publish(
            actor=author,
            title=title,
            body=as_str(spec["body"], f"{where}.body"),
            for_regions="regions" in audience,
            for_municipalities="municipalities" in audience,
            for_schools="schools" in audience,
            upload=files[0][0] if files else None,
        )
        for upload, _days in files[1:]:
            services.notice_file_add(actor=author, notice_id=notice.pk, upload=upload)
        # Dated back as the service would have stored it on those days.
        published = _at(today, as_int(spec["days_ago"], f"{where}.days_ago"))
        Notice.objects.for_actor(system, A.PUBLISH_NOTICES).filter(pk=notice.pk).update(
            published_at=published
        )
        for version, (_upload, days) in enumerate(files, start=1):
            NoticeFile.objects.for_actor(system, A.PUBLISH_NOTICES).filter(
                notice=notice, version=version
            ).update(uploaded_at=_at(today, days))
        for hours, username in enumerate(as_list(spec["read_by"], f"{where}.read_by"), start=1):
            reader = actor_for_user(_user(as_str(username, f"{where}.read_by")))
            read = services.notice_mark_read(actor=reader, notice_id=notice.pk)
            if read is not None:
                NoticeRead.objects.for_actor(system, A.VIEW_NOTICES).filter(pk=read.pk).update(
                    read_at=published + dt.timedelta(hours=hours)
                )
        created += 1
    return DemoNotices(created=created, existing=existing)
