"""Synthetic scans for tests and benchmarks: printed variant pages as an office scanner returns
them — a small skew, a page fed upside down or sideways, grey paper, noise and dust, JPEG
blur — plus blank pages, foreign pages, and the multi-page PDF/TIFF files a scanner writes.

Everything is deterministic: the noise comes from ``random.Random(seed)`` (no global state),
so a test that fails fails the same way again.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from functools import lru_cache

import pypdfium2 as pdfium
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont
from reportlab.graphics.barcode.qr import QrCodeWidget

from apps.core.pdf import font_dir

A4_MM = (210.0, 297.0)


def page_size(dpi: int) -> tuple[int, int]:
    """An A4 page in pixels at ``dpi``."""
    return round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi)


def render_pages(pdf_bytes: bytes, dpi: int = 100) -> list[Image.Image]:
    """The pages of a PDF as a scanner sees the paper: greyscale at ``dpi``."""
    document = pdfium.PdfDocument(pdf_bytes)
    try:
        pages = []
        for index in range(len(document)):
            page = document[index]
            try:
                pages.append(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
            finally:
                page.close()
        return pages
    finally:
        document.close()


def _uniform(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    return Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))


def _noise(image: Image.Image, sigma: float, rng: random.Random) -> Image.Image:
    """``image`` plus zero-mean noise of about ``sigma`` grey levels (the sum of two uniform
    images: a triangular distribution of σ ≈ 52 levels, scaled down)."""
    tri = Image.blend(_uniform(rng, image.size), _uniform(rng, image.size), 0.5)
    k = sigma / 52.0
    tri = tri.point([max(0, min(255, round(128 + (v - 128) * k))) for v in range(256)])
    return ImageChops.add(image, tri, scale=1.0, offset=-128)


def _dust(image: Image.Image, share: float, rng: random.Random) -> Image.Image:
    """Salt-and-pepper: about ``share`` of the pixels turned black and as many white."""
    if share <= 0:
        return image
    cut = max(1, round(share * 256))
    mask = _uniform(rng, image.size)
    black = mask.point([255 if v < cut else 0 for v in range(256)])
    white = mask.point([255 if v >= 256 - cut else 0 for v in range(256)])
    out = Image.composite(Image.new("L", image.size, 20), image, black)
    return Image.composite(Image.new("L", image.size, 250), out, white)


def distort(
    image: Image.Image,
    *,
    angle: float,
    noise: float,
    seed: int,
    paper: int = 228,
    ink: int = 40,
    dust: float = 0.001,
    blur: float = 0.5,
    jpeg: int | None = 70,
) -> Image.Image:
    """A page as a scanner returns it: turned by ``angle`` degrees counter-clockwise (quarter
    turns exactly, with the page's shape; the rest as a skew inside the same frame), grey
    paper (``paper``) and ink (``ink``), gaussian-like noise of ``noise`` grey levels, ``dust``
    (share of salt-and-pepper pixels), a slight blur and a JPEG round trip of quality ``jpeg``."""
    rng = random.Random(seed)
    out = image.convert("L")
    quarter = round(angle / 90) % 4
    if quarter:
        out = out.transpose(
            {
                1: Image.Transpose.ROTATE_90,
                2: Image.Transpose.ROTATE_180,
                3: Image.Transpose.ROTATE_270,
            }[quarter]
        )
    skew = angle - round(angle / 90) * 90
    if skew:
        out = out.rotate(skew, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    out = out.point([round(ink + v * (paper - ink) / 255) for v in range(256)])
    if blur:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        out = _noise(out, noise, rng)
    out = _dust(out, dust, rng)
    if jpeg:
        buffer = io.BytesIO()
        out.save(buffer, "JPEG", quality=jpeg)
        out = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    return out


def blank_page(*, dpi: int = 100, seed: int = 0, noise: float = 8) -> Image.Image:
    """An empty sheet as scanned: grey paper, noise, dust and a shadow along one edge."""
    width, height = page_size(dpi)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, width, max(2, height // 150)), fill=90)  # the lid's shadow
    return distort(page, angle=0, noise=noise, seed=seed)


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_dir() / "DejaVuSans.ttf"), size)


def qr_image(text: str, module: int) -> Image.Image:
    """A QR of ``text`` (reportlab's encoder) with a 4-module quiet zone, ``module`` px each."""
    widget = QrCodeWidget(text, barLevel="M", barBorder=0)
    widget.qr.make()
    count = widget.qr.getModuleCount()
    side = (count + 8) * module
    image = Image.new("L", (side, side), 255)
    draw = ImageDraw.Draw(image)
    for r, row in enumerate(widget.qr.modules):
        for c, dark in enumerate(row):
            if dark:
                x, y = (c + 4) * module, (r + 4) * module
                draw.rectangle((x, y, x + module - 1, y + module - 1), fill=0)
    return image


def foreign_page(
    text: str, *, qr: str | None = None, dpi: int = 100, seed: int = 0, noise: float = 6
) -> Image.Image:
    """A page that is not a page of a variant: ``text`` in lines (a letter, a cover sheet), and
    with ``qr`` a QR code of that text in the top-right corner (another document's code)."""
    width, height = page_size(dpi)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    font = _font(max(8, round(dpi * 0.16)))
    line_h = round(dpi * 0.25)
    margin = round(dpi * 0.8)
    words = text.split()
    y = margin + line_h * 3
    line = ""
    for word in words * max(1, 400 // max(1, len(words))):  # fill a good part of the page
        probe = f"{line} {word}".strip()
        if draw.textlength(probe, font=font) > width - 2 * margin:
            draw.text((margin, y), line, fill=0, font=font)
            y += line_h
            line = word
            if y > height - margin - line_h:
                break
        else:
            line = probe
    if line and y <= height - margin - line_h:
        draw.text((margin, y), line, fill=0, font=font)
    if qr is not None:
        code = qr_image(qr, max(3, round(dpi / 30)))
        page.paste(code, (width - margin - code.width, round(dpi * 0.3)))
    return distort(page, angle=0, noise=noise, seed=seed)


def as_pdf(images: Sequence[Image.Image], *, dpi: int = 100) -> bytes:
    """One multi-page PDF of the images, as a scanner's «scan to PDF» writes it (each page an
    embedded JPEG at ``dpi``)."""
    first, *rest = [image.convert("L") for image in images]
    buffer = io.BytesIO()
    first.save(buffer, "PDF", save_all=True, append_images=rest, resolution=float(dpi))
    return buffer.getvalue()


def as_tiff(images: Sequence[Image.Image], *, dpi: int = 100) -> bytes:
    """One multi-page TIFF of the images (deflate-compressed greyscale)."""
    first, *rest = [image.convert("L") for image in images]
    buffer = io.BytesIO()
    first.save(
        buffer,
        "TIFF",
        save_all=True,
        append_images=rest,
        compression="tiff_deflate",
        dpi=(dpi, dpi),
    )
    return buffer.getvalue()


def scanned(pdf_bytes: bytes, *, seed: int, dpi: int = 100, noise: float = 10) -> list[Image.Image]:
    """Every page of a printed PDF as scanned: a skew within ±3° each, noise, dust; page
    ``seed``-chosen ones fed upside down (every fifth on average)."""
    rng = random.Random(seed)
    out = []
    for n, page in enumerate(render_pages(pdf_bytes, dpi)):
        turn = 180 if rng.random() < 0.2 else 0
        out.append(
            distort(page, angle=turn + rng.uniform(-3, 3), noise=noise, seed=seed * 1000 + n)
        )
    return out
