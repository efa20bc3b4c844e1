"""Synthetic scan files of the shared scene for the scans' tests (real kits rendered, printed
pages turned into scans by ``apps/objectivity/tests/synthetic.py``)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from PIL import Image

from apps.materials import pdf
from apps.objectivity.models import ScanBatch
from apps.objectivity.scans import services
from apps.objectivity.tests import synthetic
from apps.objectivity.tests.scene import Scene


def variant_scans(scene: Scene, key: str, number: int, *, seed: int) -> list[Image.Image]:
    """Every page of variant ``number`` of school ``key``'s kit, as scanned (skew, noise, some
    pages upside down)."""
    doc = next(d for d in scene.variant_docs(key) if d.number == number)
    return synthetic.scanned(pdf.variant_pdf(doc), seed=seed)


@dataclass
class MixedFile:
    """A scanner's PDF of A1a: variant 1 complete, a blank side, variant 2 without its page 2,
    page 1 of B1a's kit, a letter without any code."""

    content: bytes
    pages: int
    uid_1: str
    uid_2: str


def mixed_file(scene: Scene) -> MixedFile:
    v1 = variant_scans(scene, "A1a", 1, seed=11)
    v2 = variant_scans(scene, "A1a", 2, seed=12)
    other = variant_scans(scene, "B1a", 1, seed=13)
    pages = [
        *v1,  # file pages 1-3: booklet 1
        synthetic.blank_page(seed=4),  # 4: blank
        v2[0],  # 5: booklet 2, page 1
        *v2[2:],  # 6: booklet 2, page 3 (page 2 missing)
        other[0],  # 7: another school's kit
        synthetic.foreign_page("Сопроводительное письмо в комиссию", seed=5),  # 8: unreadable
    ]
    docs = {d.number: d.uid for d in scene.variant_docs("A1a")}
    return MixedFile(synthetic.as_pdf(pages), len(pages), docs[1], docs[2])


def two_booklets_file(scene: Scene, *, seed: int = 21) -> bytes:
    """A clean file of A1a: variant 1 and variant 2, complete."""
    return synthetic.as_pdf(
        variant_scans(scene, "A1a", 1, seed=seed) + variant_scans(scene, "A1a", 2, seed=seed + 1)
    )


def upload(
    scene: Scene,
    content: bytes,
    *,
    key: str = "A1a",
    actor: Any = None,
    filename: str = "scan.pdf",
    capture: Any = None,
) -> ScanBatch:
    """Upload ``content`` as school ``key``'s organizer; with ``capture`` (the
    django_capture_on_commit_callbacks fixture) the job runs at commit (Celery eager)."""
    who = actor or scene.organizer(key)
    school = scene.school(key)

    def call() -> ScanBatch:
        return services.scans_upload(
            actor=who,
            school_id=school.pk,
            work_id=scene.work.pk,
            file=io.BytesIO(content),
            size=len(content),
            filename=filename,
        )

    if capture is None:
        return call()
    with capture(execute=True):
        batch = call()
    batch.refresh_from_db()
    return batch
