"""The page mark of a variant: its text form, the QR on every page of a variant (and on no other
document), and where each task lands on the pages (``variant_task_regions``)."""

from __future__ import annotations

import itertools

import pypdfium2 as pdfium
import pytest
import zxingcpp

from apps.materials import pagemark, pdf
from apps.materials.tests.test_pdf import _doc


def _qr_texts(content: bytes, dpi: int = 150) -> list[list[str]]:
    """The QR texts found on each page of a PDF."""
    document = pdfium.PdfDocument(content)
    try:
        out = []
        for index in range(len(document)):
            page = document[index]
            image = page.render(scale=dpi / 72, grayscale=True).to_pil()
            page.close()
            found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
            out.append([r.text for r in found])
        return out
    finally:
        document.close()


def test_a_mark_reads_back_from_its_text() -> None:
    # given a page mark
    mark = pagemark.PageMark("7KQ2M-9XA3B", 2, 3, 4)
    # when it is written and read back
    text = pagemark.encode(mark)
    # then the text is the documented one and decodes to the same mark
    assert text == "VPR1:7KQ2M-9XA3B:2:3:4"
    assert pagemark.decode(text) == mark
    assert pagemark.decode(f"  {text}\n") == mark


@pytest.mark.parametrize(
    "text",
    [
        "",
        "https://example.org/VPR1:7KQ2M-9XA3B:2:3:4",
        "VPR2:7KQ2M-9XA3B:2:3:4",  # a later format
        "VPR1:7KQ2M-9XA3B:2:5:4",  # page beyond the count
        "VPR1:7KQ2M-9XA3B:2:0:4",
        "VPR1:7KQ2M-9XA3B:0:1:4",
        "VPR1:7KQ2M-9XA3B:2:3",
        "VPR1:7KQ2M-9XA3B:2:3:4:5",
        "VPR1:7KQ2M 9XA3B:2:3:4",
        "VPR1::2:3:4",
    ],
)
def test_texts_that_are_not_page_marks_decode_to_none(text: str) -> None:
    # given a QR text that is not a page mark of this format
    # when it is decoded
    # then there is no mark
    assert pagemark.decode(text) is None


def test_an_impossible_mark_cannot_be_made() -> None:
    # given numbers that no page can have, or a colon in the identifier
    # when a mark is made of them
    # then it is refused
    with pytest.raises(ValueError):
        pagemark.PageMark("7KQ2M-9XA3B", 1, 5, 4)
    with pytest.raises(ValueError):
        pagemark.PageMark("7KQ2M:9XA3B", 1, 1, 4)


def test_every_page_of_a_variant_carries_its_mark_in_order() -> None:
    # given a variant rendered to PDF
    doc = _doc(2)
    content = pdf.variant_pdf(doc)
    # when its pages are rasterized at 150 dpi and their QR codes read
    texts = _qr_texts(content)
    # then every page has exactly one QR, the mark of page n of M of this variant
    pages = len(texts)
    assert pages >= 3
    assert [t for t in texts] == [
        [pagemark.encode(pagemark.PageMark(doc.uid, 2, n, pages))] for n in range(1, pages + 1)
    ]


def test_the_qr_sits_where_the_layout_says_beside_the_code_box() -> None:
    # given the first page of a variant at 150 dpi
    document = pdfium.PdfDocument(pdf.variant_pdf(_doc()))
    image = document[0].render(scale=150 / 72, grayscale=True).to_pil()
    document.close()
    width, height = image.size
    # when its QR is found
    (found,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    # then its corners are those of QR_BOX_FRACTIONS (within 2 px), left of the code box
    left, top, right, bottom = pdf.QR_BOX_FRACTIONS
    p = found.position
    assert abs(p.top_left.x - left * width) <= 2
    assert abs(p.top_left.y - top * height) <= 2
    assert abs(p.bottom_right.x - right * width) <= 2
    assert abs(p.bottom_right.y - bottom * height) <= 2
    assert right < pdf.CODE_BOX_FRACTIONS[0]
    # and the symbol is 18 mm wide (25 modules: ~2.8 px a module even at 100 dpi)
    assert round((right - left) * 210) == 18


def test_other_documents_carry_no_page_mark() -> None:
    # given the criteria, the instruction and a code sheet
    info = pdf.WorkInfo(2026, "Русский язык", 4, 45, False)
    documents = [
        pdf.criteria_pdf(info, [_doc()], "edu660101"),
        pdf.instruction_pdf(info),
        pdf.code_sheet_pdf(
            year=2026,
            grade=4,
            school_code="edu660101",
            codes=[pdf.CodeEntry("40001", 1, False)],
        ),
    ]
    # when their pages are searched for QR codes
    # then none has any
    for content in documents:
        assert all(texts == [] for texts in _qr_texts(content, dpi=100))


def _heading_fraction(content: bytes, label: str) -> list[tuple[int, float]]:
    """(page, fraction of the height from the top) of «Задание <label> (» in the PDF."""
    document = pdfium.PdfDocument(content)
    try:
        out = []
        for index in range(len(document)):
            page = document[index]
            height = page.get_height()
            text = page.get_textpage()
            searcher = text.search(f"Задание {label} (")
            hit = searcher.get_next()
            if hit is not None:
                _left, _bottom, _right, top = text.get_charbox(hit[0])
                out.append((index + 1, (height - top) / height))
            searcher.close()
            text.close()
            page.close()
        return out
    finally:
        document.close()


def test_task_regions_match_the_printed_pages() -> None:
    # given a variant and its PDF
    doc = _doc()
    content = pdf.variant_pdf(doc)
    # when the task regions are computed
    regions = pdf.variant_task_regions(doc)
    # then every task has one region, on the page and around the height where its heading is
    # printed, the regions of a page follow each other top to bottom inside the text frame
    assert list(regions) == [t.label for t in doc.tasks]
    for label, parts in regions.items():
        ((page, fraction),) = _heading_fraction(content, label)
        (region,) = parts
        assert region.page == page
        assert region.top < fraction < region.top + 0.03
        assert 0.12 < region.top < region.bottom < 0.92
    pages = [r for parts in regions.values() for r in parts]
    for a, b in itertools.pairwise(pages):
        assert (a.page, a.bottom) <= (b.page, b.top)
    # and the same document gives the same regions again (no state between renders)
    pdf.variant_task_regions.cache_clear()
    assert pdf.variant_task_regions(doc) == regions


def test_a_task_longer_than_a_page_has_a_region_on_each_page() -> None:
    # given a variant whose second task is a text longer than a page
    base = _doc()
    long_text = "\n\n".join(f"Абзац {n}: прочитай и запомни это предложение." for n in range(90))
    tasks = (base.tasks[0], pdf.TaskSpec("2", 3, long_text, "—"), base.tasks[2])
    doc = pdf.VariantDoc(base.work, 1, base.uid, tasks)
    # when its regions are computed
    regions = pdf.variant_task_regions(doc)
    # then task 2 runs from its heading to the foot of a page and goes on at the top of the
    # next ones, and task 3 starts after it
    parts = regions["2"]
    assert len(parts) >= 2
    assert [p.page for p in parts] == list(range(parts[0].page, parts[0].page + len(parts)))
    assert parts[0].bottom > 0.85
    assert parts[-1].top < 0.15
    after = regions["3"][0]
    assert (after.page, after.top) >= (parts[-1].page, parts[-1].bottom)


def test_a_long_title_is_set_smaller_and_stays_clear_of_the_mark() -> None:
    # given a work with a long subject name
    base = _doc()
    work = pdf.WorkInfo(2026, "Основы безопасности и защиты Родины", 10, 45, False, "весна")
    content = pdf.variant_pdf(pdf.VariantDoc(work, 1, base.uid, base.tasks[:3]))
    # when the first page's title is located
    document = pdfium.PdfDocument(content)
    page = document[0]
    text = page.get_textpage()
    searcher = text.search(work.title)
    index, count = searcher.get_next()
    right = max(text.get_charbox(i)[2] for i in range(index, index + count))
    searcher.close()
    text.close()
    page.close()
    document.close()
    # then it ends left of the QR, and the QR still reads
    assert right < pdf.QR_LEFT
    assert _qr_texts(content)[0] == [pagemark.encode(pagemark.PageMark(base.uid, 1, 1, 1))]
