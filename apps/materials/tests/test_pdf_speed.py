"""The speed-ups of the kit's PDFs change no byte: paragraphs from the per-process cache of parsed
fragments (``pdf.para``, their lines broken once per width), the page-mark QR from the fast mask
search (``qrmask.make``) and font subsets from the per-process cache give the same PDFs as
parsing every paragraph, reportlab's own ``QRCode.make()`` and reportlab's own subsets."""

from __future__ import annotations

from typing import Any

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph

from apps.core.pdf import FONT_FILES
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


def _reportlab_subsets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every font subset made and compressed by reportlab itself (no per-process cache)."""
    pdf.register_fonts()
    for name in FONT_FILES:
        face = pdfmetrics.getFont(name).face
        monkeypatch.delattr(face, "makeSubset")
        monkeypatch.delattr(face, "addSubsetObjects")


# Long enough to be split over pages: a paragraph, a list and a table row never fit on one.
_LONG = " ".join(f"Слово{n} **полужирное{n}** и *курсив{n}*, ещё текст." for n in range(400))
_PLAIN = " ".join(f"Слово{n} и ещё немного текста." for n in range(600))
_LONG_TASKS = (
    pdf.TaskSpec("1", 1, _LONG, "Ответ: " + _PLAIN[:3000]),
    pdf.TaskSpec(
        "2",
        2,
        "\n".join(f"{n}. Пункт {n}: " + _PLAIN[: 40 * n] for n in range(1, 9)),
        "| A | B |\n|---|---|\n| " + _PLAIN[:1500] + " | б |\n| в | г |",
    ),
    pdf.TaskSpec("3", 3, "Короткий текст задания.\n\nВторой абзац, *курсив*.", "4"),
)


def _long_pdfs() -> list[bytes]:
    info = pdf.WorkInfo(2030, "Русский язык", 4, 45, encrypted=False, session="весна")
    docs = [pdf.VariantDoc(info, n, f"ABCD-EF0{n}", _LONG_TASKS) for n in (1, 2)]
    pdf._qr_runs.cache_clear()
    codes = [pdf.CodeEntry(f"{5000 + n}", 1 + n % 2, n > 40, f"4{'АБ'[n % 2]}") for n in range(45)]
    return [
        *(pdf.variant_pdf(d) for d in docs),
        pdf.criteria_pdf(info, docs, "edu1"),
        pdf.code_sheet_pdf(year=2030, grade=4, school_code="edu1", codes=codes),
        pdf.protocol_pdf(work=info, school_code="edu1", school_name="Школа", codes=codes),
    ]


def test_remembered_subsets_and_line_breaks_change_no_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    # given documents whose paragraphs, lists and tables are split over pages, rendered twice
    # (the second time every font subset comes from the per-process cache)
    pdf.font_subsets_clear()
    first = _long_pdfs()
    again = _long_pdfs()
    # when they are rendered with reportlab's own subsets and Paragraph (every wrap breaking
    # its lines again)
    _reportlab_subsets(monkeypatch)
    monkeypatch.setattr(pdf, "para", _parsed_every_time)
    reference = _long_pdfs()
    # then the bytes are the same, and the variants did run over several pages
    assert first == reference
    assert again == reference
    assert all(p.count(b"/Type /Page\n") > 2 for p in reference[:3])


def test_the_subset_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    def sheet(n: int) -> bytes:
        return pdf.code_sheet_pdf(
            year=2030,
            grade=4,
            school_code=f"Школа {'абвгд'[n:]}",
            codes=[pdf.CodeEntry("1", 1, False)],
        )

    pdf.font_subsets_clear()
    cached = [sheet(n) for n in range(4)]
    # given a cache of two subsets
    monkeypatch.setattr(pdf, "FONT_SUBSET_CACHE_SIZE", 2)
    pdf.font_subsets_clear()
    # when documents with more distinct subsets are rendered
    bounded = [sheet(n) for n in range(4)]
    # then only the two most recent are kept
    assert len(pdf._subsets) == 2
    # and with no room at all nothing is kept, and every document is the same bytes
    monkeypatch.setattr(pdf, "FONT_SUBSET_CACHE_SIZE", 0)
    assert [sheet(n) for n in range(4)] == bounded == cached
    assert not pdf._subsets
