"""Booklets ready for marking without going through the scan job (the job has its own tests):
a scan batch of a school × work, with booklets whose pages are the variant's own rendered pages
(so the marking screen crops real task regions), and reviews with cases and markers."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pypdfium2 as pdfium
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from apps.core.scoping import Level, Scope
from apps.materials import pdf
from apps.objectivity import reviews
from apps.objectivity.models import Booklet, Review, ReviewCase, ReviewMarker, ScanBatch, ScanPage
from apps.objectivity.tests.scene import Scene

WIDTH = 600  # px of a stored page in these tests


def page_pngs(doc: pdf.VariantDoc) -> list[bytes]:
    document = pdfium.PdfDocument(pdf.variant_pdf(doc))
    out = []
    for page in document:
        image = page.render(scale=WIDTH / page.get_width()).to_pil().convert("L")
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        out.append(buffer.getvalue())
    return out


def ready_booklets(
    scene: Scene, key: str, count: int | None = None, *, images: bool = False
) -> list[Booklet]:
    """``count`` READY booklets of school ``key`` (default: one per code), variants 1 and 2 in
    turn; with ``images`` each booklet's pages are stored (the rendered variant pages)."""
    school = scene.school(key)
    codes = scene.codes[key]
    count = len(codes) if count is None else count
    batch = ScanBatch.objects.create(
        school=school,
        work=scene.work,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
        file_path=f"tests/scans/{key}.pdf",
        file_name="сканы.pdf",
        file_sha256=hashlib.sha256(key.encode()).hexdigest(),
        status=ScanBatch.Status.DONE,
    )
    variants = scene.variants(key)
    pages: dict[int, list[bytes]] = {}
    if images:
        docs = {d.number: d for d in scene.variant_docs(key)}
        pages = {v.pk: page_pngs(docs[v.number]) for v in variants}
    out = []
    for n in range(count):
        variant = variants[n % len(variants)]
        booklet = Booklet.objects.create(
            batch=batch,
            work=scene.work,
            variant=variant,
            seq=n + 1,
            pages_expected=len(pages.get(variant.pk, [])) or 4,
            code=codes[n % len(codes)],
            status=Booklet.Status.READY,
            school_id=school.pk,
            municipality_id=school.municipality_id,
            region_id=school.region_id,
        )
        for number, png in enumerate(pages.get(variant.pk, []), start=1):
            path = default_storage.save(
                f"tests/scans/{batch.pk}/{booklet.pk}-{number}.png", ContentFile(png)
            )
            size = Image.open(io.BytesIO(png)).size
            ScanPage.objects.create(
                batch=batch,
                index=n * 10 + number,
                booklet=booklet,
                page_number=number,
                status=ScanPage.Status.IDENTIFIED,
                image_path=path,
                width=size[0],
                height=size[1],
                school_id=school.pk,
                municipality_id=school.municipality_id,
                region_id=school.region_id,
            )
        out.append(booklet)
    return out


def recheck(
    scene: Scene,
    keys: tuple[str, ...] = ("A1a",),
    *,
    double_share: int = 0,
    threshold: int = 0,
    seed: int = 7,
    markers: list[Any] | None = None,
) -> Review:
    """Region A's re-check of the scene's work with cases of ``keys`` and its markers."""
    region = scene.world.regions["A"]
    review = reviews.review_create(
        actor=scene.actor("regional"),
        kind=Review.Kind.RECHECK,
        work=scene.work,
        title="Перепроверка: русский язык, 4 класс",
        unit_scope=Scope(level=Level.REGION, anchor_id=region.pk, region_id=region.pk),
        double_share=double_share,
        threshold=threshold,
        seed=seed,
    )
    for key in keys:
        reviews.case_add(review, scene.school(key), reason=ReviewCase.Reason.RANDOM)
    for user in scene.markers if markers is None else markers:
        ReviewMarker.objects.create(review=review, user=user)
    return review
