"""The speed-ups of the kit's PDFs change no byte: paragraphs from the per-process cache of parsed
fragments (``pdf.para``) and the page-mark QR from the fast mask search (``qrmask.make``) give
the same PDFs as parsing every paragraph and reportlab's own ``QRCode.make()``."""

from __future__ import annotations

from typing import Any

import pytest
from reportlab.platypus import Paragraph

from apps.materials import pdf, qrmask
from apps.materials.models import Kit
from apps.materials.services import archives
from apps.materials.tests.factories import SYSTEM, apply, generate, russian4
from apps.registration.access import A


def _kit_pdfs(kit: Kit) -> list[bytes]:
    info = archives._work_info(kit.work)
    docs = archives.kit_variant_docs(actor=SYSTEM, kit=kit)
    codes = archives.kit_code_entries(actor=SYSTEM, kit=kit, action=A.DOWNLOAD_MATERIALS)
    pdf._qr_runs.cache_clear()
    return [
        *(pdf.variant_pdf(d) for d in docs),
        pdf.criteria_pdf(info, docs, kit.school.code),
        pdf.instruction_pdf(info),
        pdf.code_sheet_pdf(
            year=info.year, grade=info.grade, school_code=kit.school.code, codes=codes
        ),
        pdf.protocol_pdf(
            work=info, school_code=kit.school.code, school_name=kit.school.short_name, codes=codes
        ),
    ]


def _parsed_every_time(xml: str, style: str = "base", bullet: str | None = None) -> Any:
    return Paragraph(xml, pdf._styles()[style], bulletText=bullet)


@pytest.mark.django_db
def test_a_kits_pdfs_are_the_same_bytes_as_without_the_speed_ups(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the kits of two schools (the second reuses the first one's cached paragraphs)
    work = russian4()
    apply(world.schools["A1a"], work, participants=40, classes=2)
    apply(world.schools["A1b"], work, participants=23)
    generate(work)
    kits = list(Kit.objects.filter(work=work).order_by("pk"))
    fast = [_kit_pdfs(kit) for kit in kits]
    again = [_kit_pdfs(kit) for kit in kits]
    # when they are rendered parsing every paragraph and with reportlab's own QR search
    monkeypatch.setattr(pdf, "para", _parsed_every_time)
    monkeypatch.setattr(qrmask, "make", lambda qr: qr.make())
    reference = [_kit_pdfs(kit) for kit in kits]
    # then every PDF is the same bytes, and the cache hits changed nothing either
    assert fast == reference
    assert again == reference
