"""Reading scans: every scanner fault of ``tests/synthetic.py`` is read or reported right —
quarter turns and skews undone and the page registered to the print, noise and dust, blank
pages, foreign pages, another kit's pages — and bad files give a Russian error naming them."""

from __future__ import annotations

import io
from functools import lru_cache

import pytest
import zxingcpp
from PIL import Image, ImageChops, ImageDraw, ImageOps, ImageStat
from reportlab.pdfgen import canvas as rl_canvas

from apps.materials import pagemark, pdf
from apps.materials.tests.test_pdf import _doc
from apps.objectivity.scans import recognition
from apps.objectivity.scans.recognition import NORMAL_HEIGHT, NORMAL_WIDTH, ScanFormatError
from apps.objectivity.tests import synthetic

DOC = _doc()
# Boxes of the normal page (150 dpi) with print in them on page 2 of DOC: the footer, the
# header's title, a task's text on the left and the answer field on the right.
CONTENT_BOXES = [
    (60, 1660, 700, 1720),
    (60, 80, 700, 200),
    (60, 800, 600, 900),
    (600, 1000, 1180, 1300),
]


@lru_cache(maxsize=1)
def _variant() -> bytes:
    return pdf.variant_pdf(DOC)


@lru_cache(maxsize=4)
def _pages(dpi: int) -> tuple[Image.Image, ...]:
    return tuple(synthetic.render_pages(_variant(), dpi))


def _offset(normal: Image.Image, reference: Image.Image, box: tuple[int, int, int, int]) -> int:
    """How far (px, the larger of x and y) ``box`` of ``reference`` is from where it best
    matches in ``normal`` (searched ±14 px)."""
    page = ImageOps.autocontrast(normal, cutoff=1)
    patch = reference.crop(box)
    best: tuple[float, int] | None = None
    for dy in range(-14, 15, 1):
        for dx in range(-14, 15, 1):
            moved = page.crop((box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy))
            diff = ImageStat.Stat(ImageChops.difference(patch, moved)).mean[0]
            if best is None or diff < best[0]:
                best = (diff, max(abs(dx), abs(dy)))
    assert best is not None
    return best[1]


@pytest.mark.parametrize(
    ("dpi", "angle", "rotation"),
    [
        (150, 0, 0),
        (150, 2.5, 0),
        (100, -3, 0),
        (150, 90, 90),
        (100, 180, 180),
        (150, 270, 270),
        (100, 181.5, 180),
        (150, 88, 90),
    ],
)
def test_a_turned_and_skewed_page_is_read_upright_and_registered(
    dpi: int, angle: float, rotation: int
) -> None:
    # given page 2 of a variant scanned turned by ``angle`` degrees, grey, noisy, JPEG-blurred
    scan = synthetic.distort(_pages(dpi)[1], angle=angle, noise=12, seed=dpi + int(angle))
    # when it is read
    reading = recognition.read_page(scan)
    # then the mark is page 2 of the variant, the quarter turn and the skew are found
    assert reading.mark == pagemark.PageMark(DOC.uid, 1, 2, len(_pages(150)))
    assert reading.text == pagemark.encode(reading.mark)
    assert reading.rotation == rotation
    assert abs(reading.skew - (angle - rotation)) <= 0.3
    assert not reading.blank
    # and the normalised page lies on the printed one within 1 mm (6 px at 150 dpi) everywhere
    assert reading.image.size == (NORMAL_WIDTH, NORMAL_HEIGHT)
    assert reading.image.mode == "L"
    clean = _pages(150)[1]
    assert [_offset(reading.image, clean, box) <= 6 for box in CONTENT_BOXES] == [True] * 4


def test_the_code_box_and_the_qr_are_where_the_print_put_them_after_normalising() -> None:
    # given a page scanned upside down with a skew
    scan = synthetic.distort(_pages(150)[0], angle=178, noise=10, seed=7)
    # when it is read and the QR's place of the normal page is cropped
    reading = recognition.read_page(scan)
    left, top, right, bottom = pdf.QR_BOX_FRACTIONS
    margin = 0.01
    qr = recognition.crop(
        reading.image, (left - margin, top - margin, right + margin, bottom + margin)
    )
    found = zxingcpp.read_barcodes(qr, formats=zxingcpp.BarcodeFormat.QRCode)
    # then the QR is there and reads as the page's mark
    assert [r.text for r in found] == [pagemark.encode(pagemark.PageMark(DOC.uid, 1, 1, 4))]
    # and the code box crop holds the five empty cells: dark grid lines on paper
    box = recognition.crop(reading.image, pdf.CODE_BOX_FRACTIONS)
    assert box.width > 200
    assert box.height > 80
    dark = sum(box.histogram()[:100]) / (box.width * box.height)
    assert 0.03 < dark < 0.4


def test_heavy_noise_dust_and_a_low_resolution_are_still_read() -> None:
    # given a page at 100 dpi with strong noise, 0.5 % dust and a poor JPEG
    scan = synthetic.distort(
        _pages(100)[2], angle=180.8, noise=25, seed=3, dust=0.005, jpeg=40, blur=0.7
    )
    # when it is read
    reading = recognition.read_page(scan)
    # then the mark is still found and the page turned upright
    assert reading.mark == pagemark.PageMark(DOC.uid, 1, 3, 4)
    assert reading.rotation == 180


@pytest.mark.parametrize(("seed", "noise"), [(1, 0), (2, 10), (3, 30)])
def test_a_blank_sheet_is_blank_whatever_the_scanner_noise(seed: int, noise: float) -> None:
    # given an empty sheet as scanned: grey paper, noise, dust and the lid's shadow
    scan = synthetic.distort(
        synthetic.blank_page(seed=seed, noise=noise), angle=0, noise=noise, seed=seed, dust=0.005
    )
    # when it is read
    reading = recognition.read_page(scan)
    # then it has no mark and is blank
    assert (reading.mark, reading.text, reading.blank) == (None, "", True)
    assert reading.image.width == NORMAL_WIDTH


def test_a_page_with_writing_but_no_mark_is_not_blank() -> None:
    # given a cover letter (text, no QR) and an empty sheet with one handwritten-size word
    letter = synthetic.foreign_page("Сопроводительное письмо в комиссию по перепроверке")
    word = synthetic.blank_page(seed=9).copy()
    ImageDraw.Draw(word).text((300, 500), "Иванов", fill=40, font=synthetic._font(16))
    # when they are read
    readings = [recognition.read_page(letter), recognition.read_page(word)]
    # then neither has a mark and neither is blank
    assert [(r.mark, r.text, r.blank) for r in readings] == [(None, "", False)] * 2


def test_a_foreign_qr_is_reported_with_its_text_and_no_mark() -> None:
    # given a questionnaire with a QR of a web address
    scan = synthetic.foreign_page("Анкета участника", qr="https://example.org/anketa")
    # when it is read
    reading = recognition.read_page(scan)
    # then its text is kept for the report, but there is no mark and it is not blank
    assert (reading.mark, reading.text, reading.blank) == (
        None,
        "https://example.org/anketa",
        False,
    )
    assert reading.rotation == 0


@pytest.mark.django_db
def test_a_whole_kit_scanned_to_one_pdf_reads_page_by_page(scene) -> None:
    # given both variants of A1a's kit printed, scanned (skews, some pages upside down) into
    # one PDF with a page of B1a's kit slipped in
    docs = scene.variant_docs("A1a")
    other = scene.variant_docs("B1a")[0]
    pdfs = [pdf.variant_pdf(doc) for doc in docs]
    images = [img for n, content in enumerate(pdfs) for img in synthetic.scanned(content, seed=n)]
    stranger = synthetic.scanned(pdf.variant_pdf(other), seed=9)[0]
    content = synthetic.as_pdf([*images, stranger])
    # when the file is rasterized and every page read
    readings = [recognition.read_page(page) for page in recognition.rasterize(content, "скан.pdf")]
    # then every page of the kit reads as its mark, in order
    expected = [
        pagemark.PageMark(doc.uid, doc.number, n, total)
        for doc, total in zip(docs, [len(synthetic.render_pages(c, 30)) for c in pdfs], strict=True)
        for n in range(1, total + 1)
    ]
    assert [r.mark for r in readings[:-1]] == expected
    # and the stranger reads as a valid mark of another kit's variant
    last = readings[-1].mark
    assert last is not None
    assert last.uid == other.uid
    assert last.uid not in {d.uid for d in docs}
    assert last.page == 1


def test_a_multi_page_tiff_a_png_and_a_300_dpi_jpeg_are_read() -> None:
    # given the variant's pages as a TIFF, the first as a PNG and as a 300 dpi JPEG
    scans = [
        synthetic.distort(page, angle=0.7 * n, noise=8, seed=n)
        for n, page in enumerate(_pages(100))
    ]
    tiff = synthetic.as_tiff(scans)
    png = io.BytesIO()
    scans[0].save(png, "PNG")
    big = synthetic.render_pages(_variant(), 300)[0]
    jpeg = io.BytesIO()
    big.save(jpeg, "JPEG", quality=85)
    # when each is rasterized and read
    from_tiff = [recognition.read_page(p).mark for p in recognition.rasterize(tiff, "a.tif")]
    from_png = [
        recognition.read_page(p).mark for p in recognition.rasterize(png.getvalue(), "a.png")
    ]
    jpeg_pages = list(recognition.rasterize(jpeg.getvalue(), "a.jpg"))
    # then every page is there with its mark; the 300 dpi page is decoded at a reduced size
    assert [m.page if m else None for m in from_tiff] == [1, 2, 3, 4]
    assert [m.page if m else None for m in from_png] == [1]
    assert len(jpeg_pages) == 1
    assert jpeg_pages[0].width <= 2 * NORMAL_WIDTH + 2
    assert recognition.read_page(jpeg_pages[0]).mark == pagemark.PageMark(DOC.uid, 1, 1, 4)


def test_a_pdf_renders_at_150_dpi_whatever_its_page_unit() -> None:
    # given a scanner PDF written at 100 dpi (a page of 827 × 1169 px)
    content = synthetic.as_pdf(list(_pages(100))[:2], dpi=100)
    # when it is rasterized
    pages = list(recognition.rasterize(content, "скан.pdf"))
    # then each page is A4 at 150 dpi, greyscale
    assert [(p.mode, p.width, abs(p.height - NORMAL_HEIGHT) <= 2) for p in pages] == [
        ("L", NORMAL_WIDTH, True)
    ] * 2


def _encrypted_pdf() -> bytes:
    buffer = io.BytesIO()
    canvas = rl_canvas.Canvas(buffer, encrypt="секрет")
    canvas.drawString(100, 100, "scan")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (20, 20), 255).save(buffer, "GIF")
    return buffer.getvalue()


def _bomb() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000), 1).save(buffer, "PNG")  # 81 MP, a few kilobytes
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "filename", "words"),
    [
        (lambda: b"just some text\n" * 20, "список.txt", ["«список.txt»", "не является PDF"]),
        (lambda: b"", "пусто.pdf", ["«пусто.pdf»", "не является PDF"]),
        (lambda: _variant()[:2000], "обрыв.pdf", ["«обрыв.pdf»"]),
        (_encrypted_pdf, "пароль.pdf", ["«пароль.pdf»", "паролем"]),
        (_gif, "картинка.gif", ["«картинка.gif»", "PNG, JPEG, TIFF"]),
        (_bomb, "огромный.png", ["огромный.png", "слишком велик"]),
    ],
)
def test_a_bad_file_gives_a_russian_error_naming_it(make, filename: str, words: list[str]) -> None:
    # given a file that is not a readable scan
    data = make()
    # when it is rasterized
    with pytest.raises(ScanFormatError) as error:
        list(recognition.rasterize(data, filename))
    # then the message says what is wrong with which file
    for word in words:
        assert word in str(error.value)


def test_too_many_pages_are_refused_before_any_is_read(monkeypatch) -> None:
    # given a limit of 3 pages and a 4-page TIFF and PDF
    monkeypatch.setattr(recognition, "MAX_PAGES", 3)
    images = list(_pages(100))
    # when they are rasterized
    # then both are refused at once, with the count and the limit
    for data, name in ((synthetic.as_tiff(images), "a.tif"), (synthetic.as_pdf(images), "a.pdf")):
        with pytest.raises(ScanFormatError) as error:
            recognition.rasterize(data, name)
        assert f"«{name}» 4 страниц" in str(error.value)
        assert "не более 3" in str(error.value)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
def test_a_file_cut_short_is_reported_with_its_page() -> None:
    # given a JPEG scan cut in the middle (its header whole) and a TIFF cut short
    jpeg = io.BytesIO()
    _pages(100)[0].save(jpeg, "JPEG", quality=80)
    cut_jpeg = jpeg.getvalue()[: len(jpeg.getvalue()) // 2]
    tiff = synthetic.as_tiff(list(_pages(100))[:2])
    cut_tiff = tiff[: len(tiff) // 3]
    # when they are rasterized
    with pytest.raises(ScanFormatError) as jpeg_error:
        list(recognition.rasterize(cut_jpeg, "обрыв.jpg"))
    with pytest.raises(ScanFormatError) as tiff_error:
        list(recognition.rasterize(cut_tiff, "обрыв.tif"))
    # then the JPEG's error names the file and its broken page, the TIFF's the file
    assert "Страница 1 файла «обрыв.jpg» повреждена" in str(jpeg_error.value)
    assert "«обрыв.tif»" in str(tiff_error.value)


def test_png_bytes_round_trip_a_normal_page() -> None:
    # given a normalised page
    reading = recognition.read_page(synthetic.distort(_pages(100)[0], angle=1, noise=8, seed=1))
    # when it is stored as PNG and read back
    content = recognition.png_bytes(reading.image)
    again = Image.open(io.BytesIO(content))
    # then it is the same greyscale image
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    assert again.mode == "L"
    assert again.size == (NORMAL_WIDTH, NORMAL_HEIGHT)
    assert ImageChops.difference(again, reading.image).getbbox() is None


def test_the_same_scan_gives_the_same_reading_and_the_same_stored_page() -> None:
    # given the same printed pages scanned twice with the same seed
    first = synthetic.scanned(_variant(), seed=5)
    second = synthetic.scanned(_variant(), seed=5)
    # when both are read
    a = [recognition.read_page(page) for page in first]
    b = [recognition.read_page(page) for page in second]
    # then the synthetic scans, the readings and the stored PNGs are identical
    assert [p.tobytes() for p in first] == [p.tobytes() for p in second]
    assert [(r.mark, r.rotation, r.skew) for r in a] == [(r.mark, r.rotation, r.skew) for r in b]
    assert [recognition.png_bytes(r.image) for r in a] == [
        recognition.png_bytes(r.image) for r in b
    ]
    assert [r.mark.page if r.mark else None for r in a] == [1, 2, 3, 4]


def test_a_black_and_white_300_dpi_tiff_is_read() -> None:
    # given two pages scanned in an office scanner's «black and white» mode: 300 dpi, one bit
    # per pixel, CCITT group 4, one skewed, one upside down
    pages = synthetic.render_pages(_variant(), 300)[:2]
    bilevel = [
        synthetic.distort(page, angle=angle, noise=10, seed=1, jpeg=None)
        .point(lambda v: 255 if v > 130 else 0)
        .convert("1")
        for page, angle in zip(pages, (1.2, 180.5), strict=True)
    ]
    buffer = io.BytesIO()
    bilevel[0].save(buffer, "TIFF", save_all=True, append_images=bilevel[1:], compression="group4")
    # when it is rasterized and read
    readings = [
        recognition.read_page(p) for p in recognition.rasterize(buffer.getvalue(), "чб.tif")
    ]
    # then both pages are found, turned upright and levelled
    assert [(r.mark.page if r.mark else None, r.rotation) for r in readings] == [(1, 0), (2, 180)]
    assert [abs(r.skew - s) <= 0.3 for r, s in zip(readings, (1.2, 0.5), strict=True)] == [True] * 2
