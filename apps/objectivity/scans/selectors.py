"""Reads of the scans: a school's works with kits, its uploads, the booklets waiting for their
codes, one upload with its pages and report, a page's image (and the code box cut out of it)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Count, Q, QuerySet

from apps.campaigns.models import Work
from apps.materials.models import Kit
from apps.objectivity.actions import ObjectivityActions as A
from apps.objectivity.models import Booklet, ScanBatch, ScanPage
from apps.registration.access import Actor
from apps.registration.models import School
from apps.schoolday import selectors as schoolday_selectors


def school_get(*, actor: Actor, school_id: int, action: str = A.VIEW_SCANS) -> School:
    """A school the actor may see with ``action`` (``School.DoesNotExist`` → 404 otherwise)."""
    return schoolday_selectors.school_get(actor=actor, school_id=school_id, action=action)


def work_get(*, actor: Actor, work_id: int, action: str = A.VIEW_SCANS) -> Work:
    """A work (reference data; ``Work.DoesNotExist`` → 404 for an unknown id)."""
    return schoolday_selectors.work_get(actor=actor, work_id=work_id, action=action)


def work_title(work: Work) -> str:
    return f"{work.subject.name}, {work.grade} класс ({work.campaign.year})"


def has_kit(*, actor: Actor, school: School, work: Work) -> bool:
    return Kit.objects.for_actor(actor, A.VIEW_SCANS).filter(school=school, work=work).exists()


def batches(*, actor: Actor, school_id: int, work_id: int) -> QuerySet[ScanBatch]:
    """The uploads of a school × work, newest first."""
    return (
        ScanBatch.objects.for_actor(actor, A.VIEW_SCANS)
        .filter(school_id=school_id, work_id=work_id)
        .select_related("uploaded_by")
        .annotate(
            booklets_total=Count("booklets", distinct=True),
            booklets_coded=Count(
                "booklets", filter=~Q(booklets__code="") & ~Q(booklets__status="superseded")
            ),
        )
        .order_by("-created_at", "-id")
    )


def batch_get(*, actor: Actor, scan_batch_id: int, action: str = A.VIEW_SCANS) -> ScanBatch:
    """One upload (``ScanBatch.DoesNotExist`` → 404 outside the actor's scope)."""
    batch: ScanBatch = (
        ScanBatch.objects.for_actor(actor, action)
        .select_related("work__subject", "work__campaign", "school", "uploaded_by")
        .get(pk=scan_batch_id)
    )
    return batch


def pages_of(*, actor: Actor, batch: ScanBatch) -> list[ScanPage]:
    return list(ScanPage.objects.for_actor(actor, A.VIEW_SCANS).filter(batch=batch))


def booklets_of(*, actor: Actor, batch: ScanBatch) -> list[Booklet]:
    return list(
        Booklet.objects.for_actor(actor, A.VIEW_SCANS)
        .filter(batch=batch)
        .select_related("variant")
        .order_by("seq")
    )


def booklet_get(*, actor: Actor, booklet_id: int, action: str = A.VIEW_SCANS) -> Booklet:
    booklet: Booklet = (
        Booklet.objects.for_actor(actor, action)
        .select_related("batch", "variant")
        .get(pk=booklet_id)
    )
    return booklet


def first_page(*, actor: Actor, booklet: Booklet) -> ScanPage | None:
    """The booklet's page with the lowest page number (page 1 carries the code box)."""
    return (
        ScanPage.objects.for_actor(actor, A.VIEW_SCANS)
        .filter(booklet=booklet)
        .order_by("page_number", "index")
        .first()
    )


@dataclass
class Identification:
    """The booklets of a school × work's uploads still waiting for a person to type the code."""

    waiting: list[Booklet] = field(default_factory=list)
    first_pages: dict[int, ScanPage] = field(default_factory=dict)  # booklet id → page

    @property
    def current(self) -> Booklet | None:
        return self.waiting[0] if self.waiting else None


def identification(*, actor: Actor, school_id: int, work_id: int) -> Identification:
    waiting = list(
        Booklet.objects.for_actor(actor, A.VIEW_SCANS)
        .filter(
            school_id=school_id,
            work_id=work_id,
            status=Booklet.Status.NEEDS_CODE,
            batch__status=ScanBatch.Status.DONE,
        )
        .select_related("variant", "batch")
        .order_by("batch__created_at", "batch_id", "seq")
    )
    pages: dict[int, ScanPage] = {}
    for page in (
        ScanPage.objects.for_actor(actor, A.VIEW_SCANS)
        .filter(booklet__in=[b.pk for b in waiting])
        .order_by("-page_number", "-index")
    ):
        if page.booklet_id is not None:
            pages[page.booklet_id] = page  # the last written wins: the lowest page number
    return Identification(waiting=waiting, first_pages=pages)


def codes_waiting(*, actor: Actor, school_id: int) -> dict[int, int]:
    """Per work, how many booklets of the school's processed scans wait for their code (one
    grouped query: the school's cabinet)."""
    rows = (
        Booklet.objects.for_actor(actor, A.VIEW_SCANS)
        .filter(
            school_id=school_id,
            status=Booklet.Status.NEEDS_CODE,
            batch__status=ScanBatch.Status.DONE,
        )
        .values("work_id")
        .annotate(n=Count("id"))
    )
    return {row["work_id"]: row["n"] for row in rows}


def page_get(*, actor: Actor, scan_page_id: int, action: str = A.VIEW_SCANS) -> ScanPage:
    """One page of an upload (``ScanPage.DoesNotExist`` → 404 outside the actor's scope)."""
    page: ScanPage = ScanPage.objects.for_actor(actor, action).get(pk=scan_page_id)
    return page


THUMB_WIDTH = 240


def page_png(page: ScanPage, *, crop: str = "") -> bytes:
    """The page's normalised image as PNG. ``crop="code"`` cuts out the participant-code box
    (where ``apps.materials.pdf`` draws it, in fractions of the page), enlarged for reading;
    ``crop="thumb"`` is the whole page ``THUMB_WIDTH`` px wide (lists of pages)."""
    with default_storage.open(page.image_path, "rb") as handle:
        content: bytes = handle.read()
    if crop not in ("code", "thumb"):
        return content
    from PIL import Image

    from apps.materials.pdf import CODE_BOX_FRACTIONS

    with Image.open(io.BytesIO(content)) as image:
        w, h = image.size
        if crop == "code":
            left, top, right, bottom = CODE_BOX_FRACTIONS
            part = image.crop((int(left * w), int(top * h), int(right * w), int(bottom * h)))
            part = part.resize((part.width * 2, part.height * 2))
        else:
            part = image.resize((THUMB_WIDTH, max(1, round(h * THUMB_WIDTH / w))))
        out = io.BytesIO()
        part.save(out, format="PNG")
    return out.getvalue()


def problems(batch: ScanBatch) -> list[dict[str, Any]]:
    """The report's entries a person must act on (blank sides are only counted)."""
    return [r for r in batch.report or [] if r.get("kind") != "blank"]


@dataclass(frozen=True)
class SchoolScansRow:
    work: Work
    title: str
    batches: int
    latest: ScanBatch | None
    waiting: int


def school_works(*, actor: Actor, school: School) -> list[SchoolScansRow]:
    """The works the school has kits for, with its uploads of each (newest first by campaign)."""
    works = (
        Work.objects.for_actor(actor, A.VIEW_SCANS)
        .filter(
            pk__in=Kit.objects.for_actor(actor, A.VIEW_SCANS).filter(school=school).values("work")
        )
        .select_related("subject", "campaign")
        .order_by("-campaign__year", "subject__name", "grade")
    )
    rows = []
    for work in works:
        uploads = list(batches(actor=actor, school_id=school.pk, work_id=work.pk)[:1])
        count = (
            ScanBatch.objects.for_actor(actor, A.VIEW_SCANS)
            .filter(school_id=school.pk, work_id=work.pk)
            .count()
        )
        waiting = (
            Booklet.objects.for_actor(actor, A.VIEW_SCANS)
            .filter(school_id=school.pk, work_id=work.pk, status=Booklet.Status.NEEDS_CODE)
            .count()
        )
        rows.append(
            SchoolScansRow(work, work_title(work), count, uploads[0] if uploads else None, waiting)
        )
    return rows


def unit_batches(*, actor: Actor, limit: int = 200) -> list[ScanBatch]:
    """The latest uploads in the actor's unit (a coordinator's list), newest first."""
    return list(
        ScanBatch.objects.for_actor(actor, A.VIEW_SCANS)
        .select_related("school", "work__subject", "work__campaign")
        .order_by("-created_at", "-id")[:limit]
    )
