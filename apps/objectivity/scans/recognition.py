"""Reading scans of printed variants: rasterize an upload into page images, find each page's
mark (the QR beside the code box), stand the page upright and register it to the printed layout.
Pure: bytes and images in, images and readings out; no ORM, no storage (docs/objectivity/
page-marks.md, ADR 0023).

* ``rasterize(data, filename)`` — the pages of a PDF (pypdfium2, greyscale, A4 ≈ 150 dpi) or of
  an image (PNG, JPEG, multi-page TIFF; Pillow), one greyscale image at a time. A file that is
  neither, a broken one, too many pages or too many pixels: ``ScanFormatError`` in Russian.
* ``read_page(image)`` — the page mark (zxing-cpp), the turn of the scan, and the page as the
  print lays it out: greyscale, upright, deskewed and scaled so the QR lands where it was
  printed (``NORMAL_WIDTH`` × ``NORMAL_HEIGHT``, A4 at 150 dpi). A page without a readable mark
  is only scaled, and is told blank or not by its share of dark pixels.
"""

from __future__ import annotations

import io
import itertools
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import pypdfium2 as pdfium
import zxingcpp
from PIL import Image, ImageFilter, ImageOps

from apps.materials import pagemark
from apps.materials.pdf import PAGE_H, PAGE_W, QR_BOX_FRACTIONS

NORMAL_WIDTH = 1240  # A4 at 150 dpi
NORMAL_HEIGHT = round(NORMAL_WIDTH * PAGE_H / PAGE_W)  # 1754
MAX_PAGES = 2000
MAX_PAGE_PIXELS = 60_000_000  # an A4 page at 600 dpi is 35 MP
IMAGE_FORMATS = {"PNG", "JPEG", "MPO", "TIFF"}
# Blank pages: a pixel is dark when it is this much darker than the paper; a page with fewer
# than BLANK_SHARE dark pixels (inside EDGE of each side, where scanner shadows lie) is blank.
DARK_DELTA = 70
BLANK_SHARE = 0.00015
EDGE = 0.04
# Grey levels under the paper's that still count as paper (scanner noise) in the stored page.
PAPER_NOISE = 40
# A scan within this share of A4's proportions is a whole page: its size gives the scale.
A4_TOLERANCE = 0.04


_QR = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


class ScanFormatError(ValueError):
    """The upload cannot be read as scans; the message (Russian) says why and where."""


@dataclass(frozen=True)
class PageReading:
    """What was read from one scanned page.

    ``mark`` — the page mark, or None (no QR, an unreadable one, or a QR of another text:
    then ``text`` holds that text); ``blank`` — no mark and (almost) nothing printed or written;
    ``rotation`` — the quarter turn the page had in the scan, counter-clockwise in degrees like
    PIL's ``Image.rotate`` (0, 90, 180, 270), undone in ``image``; ``skew`` — the small angle
    left over (degrees, counter-clockwise), undone too; ``image`` — the normalised page."""

    mark: pagemark.PageMark | None
    text: str
    blank: bool
    rotation: int
    image: Image.Image
    skew: float = 0.0


# --- rasterizing -----------------------------------------------------------------------------


def _not_scans(filename: str) -> ScanFormatError:
    return ScanFormatError(
        f"Файл «{filename}» не является PDF или изображением (PNG, JPEG, TIFF) либо повреждён. "
        "Загрузите сканы работ одним PDF-файлом или изображениями."
    )


def _too_many_pages(filename: str, count: int) -> ScanFormatError:
    return ScanFormatError(
        f"В файле «{filename}» {count} страниц, допускается не более {MAX_PAGES}. "
        "Разделите сканы на несколько файлов."
    )


def rasterize(data: bytes, filename: str) -> Iterator[Image.Image]:
    """The pages of an upload as greyscale images, in file order. Checks the format, the page
    count and the page sizes before the first page is produced; a page broken further on raises
    ``ScanFormatError`` naming it."""
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return _pdf_pages(data, filename)
    return _image_pages(data, filename)


def _pdf_pages(data: bytes, filename: str) -> Iterator[Image.Image]:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise ScanFormatError(
                f"PDF-файл «{filename}» защищён паролем. Загрузите файл без пароля."
            ) from error
        raise _not_scans(filename) from error
    count = len(document)
    if count == 0:
        document.close()
        raise ScanFormatError(f"В PDF-файле «{filename}» нет ни одной страницы.")
    if count > MAX_PAGES:
        document.close()
        raise _too_many_pages(filename, count)
    return _pdf_iter(document, filename, count)


def _pdf_iter(document: pdfium.PdfDocument, filename: str, count: int) -> Iterator[Image.Image]:
    try:
        for index in range(count):
            page = document[index]
            try:
                width, height = page.get_size()
                if min(width, height) < 1:
                    raise ScanFormatError(
                        f"Страница {index + 1} файла «{filename}» имеет нулевой размер."
                    )
                # The short side becomes NORMAL_WIDTH: A4 at 150 dpi, whatever the page unit.
                scale = NORMAL_WIDTH / min(width, height)
                if width * height * scale * scale > MAX_PAGE_PIXELS:
                    raise ScanFormatError(
                        f"Страница {index + 1} файла «{filename}» слишком вытянута "
                        f"({width:.0f}×{height:.0f} pt): это не скан страницы А4."
                    )
                bitmap = page.render(scale=scale, grayscale=True)
                image = bitmap.to_pil().convert("L")
            except pdfium.PdfiumError as error:
                raise ScanFormatError(
                    f"Страница {index + 1} файла «{filename}» повреждена и не читается."
                ) from error
            finally:
                page.close()
            yield image
    finally:
        document.close()


def _image_pages(data: bytes, filename: str) -> Iterator[Image.Image]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ScanFormatError(
            f"Изображение «{filename}» слишком велико (более {MAX_PAGE_PIXELS // 1_000_000} "
            "млн точек на страницу). Сканируйте с разрешением 150–300 dpi."
        ) from error
    except (OSError, ValueError, SyntaxError) as error:
        raise _not_scans(filename) from error
    if image.format not in IMAGE_FORMATS:
        raise _not_scans(filename)
    count = getattr(image, "n_frames", 1)
    if count > MAX_PAGES:
        raise _too_many_pages(filename, count)
    _check_size(image, filename, 1)
    return _image_iter(image, filename, count)


def _check_size(image: Image.Image, filename: str, number: int) -> None:
    width, height = image.size
    if width * height > MAX_PAGE_PIXELS:
        raise ScanFormatError(
            f"Страница {number} файла «{filename}» слишком велика ({width}×{height} точек, "
            f"допускается до {MAX_PAGE_PIXELS // 1_000_000} млн). Сканируйте с разрешением "
            "150–300 dpi."
        )
    if min(width, height) < 1:
        raise _not_scans(filename)


def _image_iter(image: Image.Image, filename: str, count: int) -> Iterator[Image.Image]:
    for index in range(count):
        try:
            image.seek(index)
            _check_size(image, filename, index + 1)
            width, height = image.size
            # Far above 150 dpi: decode a JPEG at a reduced scale (much faster), shrink others.
            target = _working_size(width, height)
            if image.format in ("JPEG", "MPO") and target != (width, height):
                image.draft("L", target)
            frame = _greyscale(image)
            if frame.size != target and min(frame.size) > min(target):
                frame = frame.resize(target, Image.Resampling.BOX)
        except ScanFormatError:
            raise
        except (OSError, ValueError, SyntaxError, EOFError) as error:
            raise ScanFormatError(
                f"Страница {index + 1} файла «{filename}» повреждена и не читается."
            ) from error
        yield frame


def _working_size(width: int, height: int) -> tuple[int, int]:
    """At most twice the normal resolution: the short side shrunk to 2 × NORMAL_WIDTH."""
    short = min(width, height)
    limit = 2 * NORMAL_WIDTH
    if short <= limit:
        return width, height
    return round(width * limit / short), round(height * limit / short)


def _greyscale(image: Image.Image) -> Image.Image:
    """Any mode to 8-bit grey; transparent parts as white paper."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("L")
    if image.mode == "L":
        return image.copy()
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        return ImageOps.autocontrast(image.convert("I").point(lambda v: v / 256).convert("L"))
    return image.convert("L")


# --- reading a page --------------------------------------------------------------------------


@dataclass(frozen=True)
class QrHit:
    """A QR found on a scan: its text and its corners in the scan's pixels."""

    text: str
    corners: tuple[tuple[float, float], ...]  # top-left, top-right, bottom-right, bottom-left


def _windows(width: int, height: int) -> list[tuple[int, tuple[int, int, int, int]]]:
    """Where the printed QR would be in a scan turned by 0/90/180/270° (counter-clockwise), as
    crop boxes with a generous margin; the likelier turns for the scan's shape first."""
    left, top, right, bottom = QR_BOX_FRACTIONS
    pad = 0.1

    def turned(x: float, y: float, turn: int) -> tuple[float, float]:
        # a point of the upright page (fractions) in a scan turned counter-clockwise
        return {0: (x, y), 90: (y, 1 - x), 180: (1 - x, 1 - y), 270: (1 - y, x)}[turn]

    turns = (90, 270, 0, 180) if width > height else (0, 180, 90, 270)
    out = []
    for turn in turns:
        points = [turned(x, y, turn) for x in (left, right) for y in (top, bottom)]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        # the margin is in page widths (the QR sits in the header: skew and scan offsets
        # move it by a few percent of the page)
        box = (
            max(0, int((min(xs) - pad) * width)),
            max(0, int((min(ys) - pad * 0.75) * height)),
            min(width, math.ceil((max(xs) + pad) * width)),
            min(height, math.ceil((max(ys) + pad * 0.75) * height)),
        )
        out.append((turn, box))
    return out


def _decode(
    image: Image.Image, offset: tuple[int, int] = (0, 0), factor: float = 1.0
) -> list[QrHit]:
    found = []
    for result in zxingcpp.read_barcodes(image, formats=_QR):
        p = result.position
        corners = tuple(
            (offset[0] + point.x * factor, offset[1] + point.y * factor)
            for point in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
        )
        found.append(QrHit(result.text, corners))
    return found


def _pick(found: list[QrHit]) -> QrHit | None:
    """The first QR that is a page mark, else the first QR at all (a foreign one)."""
    for item in found:
        if pagemark.decode(item.text) is not None:
            return item
    return found[0] if found else None


def find_qr(image: Image.Image) -> QrHit | None:
    """The page mark's QR: first in the four places the printed QR can be (cheap crops), then
    in the whole page, then those places again cleaned of dust, sharpened, enlarged (a
    low-resolution or very noisy scan: the modules are a couple of noisy pixels)."""
    width, height = image.size
    windows = _windows(width, height)
    for _turn, box in windows:
        hit = _pick(_decode(image.crop(box), (box[0], box[1])))
        if hit is not None and pagemark.decode(hit.text) is not None:
            return hit
    anywhere = _pick(_decode(image))
    if anywhere is not None and pagemark.decode(anywhere.text) is not None:
        return anywhere
    for clean in (_dust_free, _dust_free_threshold, _enlarged_thrice):
        for _turn, box in windows:
            part, factor = clean(image.crop(box))
            hit = _pick(_decode(part, (box[0], box[1]), factor))
            if hit is not None and pagemark.decode(hit.text) is not None:
                return hit
    return anywhere


def _dust_free(part: Image.Image) -> tuple[Image.Image, float]:
    """A 3×3 median: scanner dust (single black or white pixels) inside the 2–4 px modules of a
    low-resolution scan breaks the finder patterns; the median removes it."""
    return part.filter(ImageFilter.MedianFilter(3)), 1.0


def _dust_free_threshold(part: Image.Image) -> tuple[Image.Image, float]:
    """The median, then twice the size (bicubic) and black and white at the middle between
    paper and ink: a skewed QR blurred by JPEG reads again once its edges are sharp."""
    part = part.filter(ImageFilter.MedianFilter(3))
    histogram = part.histogram()
    total = sum(histogram)
    ink = _percentile(histogram, total * 0.02)
    paper = _percentile(histogram, total * 0.7)
    middle = (ink + paper) // 2
    big = part.resize((part.width * 2, part.height * 2), Image.Resampling.BICUBIC)
    return big.point([0 if v < middle else 255 for v in range(256)]), 0.5


def _enlarged_thrice(part: Image.Image) -> tuple[Image.Image, float]:
    big = part.resize((part.width * 3, part.height * 3), Image.Resampling.BICUBIC)
    return big, 1 / 3


def _percentile(histogram: list[int], count: float) -> int:
    """The grey level below which ``count`` pixels lie."""
    seen = 0
    for level, n in enumerate(histogram):
        seen += n
        if seen >= count:
            return level
    return 255


def read_page(image: Image.Image) -> PageReading:
    """Read one scanned page (any size, any mode): its mark, and the normalised page."""
    grey = _greyscale(image) if image.mode != "L" else image
    found = find_qr(grey)
    mark = pagemark.decode(found.text) if found is not None else None
    text = found.text if found is not None else ""
    if found is None or mark is None:
        normal = _scaled(grey)
        blank = found is None and is_blank(normal)
        return PageReading(mark=None, text=text, blank=blank, rotation=0, image=_levels(normal))
    rotation = round(_angle(found.corners) / 90) % 4 * 90
    angle = _deskew(grey, rotation, _angle(found.corners))
    normal = _levels(_register(grey, found.corners, angle, rotation))
    skew = round((angle - rotation + 180) % 360 - 180, 2)
    return PageReading(
        mark=mark, text=text, blank=False, rotation=rotation, image=normal, skew=skew
    )


def _angle(corners: tuple[tuple[float, float], ...]) -> float:
    """How far the symbol is turned counter-clockwise in the scan (degrees, 0–360): the mean
    direction of its top and bottom edges (image y grows downwards)."""
    (tlx, tly), (trx, try_), (brx, bry), (blx, bly) = corners
    dx = (trx - tlx) + (brx - blx)
    dy = (try_ - tly) + (bry - bly)
    return math.degrees(math.atan2(-dy, dx)) % 360


def _profile_sharpness(image: Image.Image) -> float:
    """How sharp the page's row profile is: text lines and rules give tall, narrow peaks when
    the page is level, smeared ones when it is skewed."""
    rows = list(image.resize((1, image.height), Image.Resampling.BOX).tobytes())
    return float(sum((a - b) ** 2 for a, b in itertools.pairwise(rows)))


_TURN = {
    90: Image.Transpose.ROTATE_270,  # the scan is turned counter-clockwise: turn it back
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


def _deskew(grey: Image.Image, rotation: int, angle: float) -> float:
    """The page's angle, refined: the QR's own angle is only good to about a degree (its
    corners are a few pixels apart at 100–150 dpi), so the page is levelled by the sharpest row
    profile near it — in quarter-degree steps on a quarter-size copy, then in 0.05° steps on a
    half-size one."""
    skew = (angle - rotation + 180) % 360 - 180
    best = skew
    for factor, step, span in ((4, 0.25, 1.5), (2, 0.05, 0.2)):
        small = grey.reduce(factor)
        if rotation:
            small = small.transpose(_TURN[rotation])
        histogram = small.histogram()
        paper = max(range(256), key=lambda level: histogram[level])
        centre = best
        candidates = [centre + step * k for k in range(-round(span / step), round(span / step) + 1)]
        scores = {
            c: _profile_sharpness(
                small.rotate(-c, resample=Image.Resampling.NEAREST, fillcolor=paper)
            )
            for c in candidates
        }
        best = max(candidates, key=lambda c: (scores[c], -abs(c - skew)))
    return (rotation + best) % 360


def _register(
    grey: Image.Image, corners: tuple[tuple[float, float], ...], angle: float, rotation: int
) -> Image.Image:
    """The page as printed: one affine resample mapping the normal page onto the scan, by the
    QR's centre and angle; the scale from the scan's size when it is a whole A4 page, else from
    the QR's size."""
    width, height = grey.size
    short, long_ = (height, width) if rotation in (90, 270) else (width, height)
    left, top, right, bottom = QR_BOX_FRACTIONS
    qr_side = (right - left) * NORMAL_WIDTH
    if (
        abs(long_ / short - NORMAL_HEIGHT / NORMAL_WIDTH)
        <= A4_TOLERANCE * NORMAL_HEIGHT / NORMAL_WIDTH
    ):
        scale = short / NORMAL_WIDTH
    else:
        sides = [math.dist(corners[i], corners[(i + 1) % 4]) for i in range(4)]
        scale = sum(sides) / 4 / qr_side
    # the QR's centre on the normal page and in the scan
    cu, cv = (left + right) / 2 * NORMAL_WIDTH, (top + bottom) / 2 * NORMAL_HEIGHT
    cx = sum(c[0] for c in corners) / 4
    cy = sum(c[1] for c in corners) / 4
    theta = math.radians(angle)
    cos, sin = math.cos(theta) * scale, math.sin(theta) * scale
    # normal (u, v) → scan (x, y): turn counter-clockwise by theta (y down), scale, move
    a, b = cos, sin
    d, e = -sin, cos
    c = cx - a * cu - b * cv
    f = cy - d * cu - e * cv
    return grey.transform(
        (NORMAL_WIDTH, NORMAL_HEIGHT),
        Image.Transform.AFFINE,
        (a, b, c, d, e, f),
        resample=Image.Resampling.BILINEAR,
        fillcolor=255,
    )


def _scaled(grey: Image.Image) -> Image.Image:
    """A page without a mark: only scaled to ``NORMAL_WIDTH`` wide (its turn is unknown)."""
    width, height = grey.size
    if width == NORMAL_WIDTH:
        return grey.copy()
    size = (NORMAL_WIDTH, max(1, round(height * NORMAL_WIDTH / width)))
    return grey.resize(size, Image.Resampling.BILINEAR)


def _levels(image: Image.Image) -> Image.Image:
    """Paper white and ink black, as a scanner's background suppression does: the paper level
    (the median: most of a page is paper) less ``PAPER_NOISE`` becomes white, the darkest 1 %
    black, linear between. Grey noise on the paper goes, so the stored PNG is several times
    smaller and faster to write, and the markers see a clean page; handwriting (far darker than
    the paper) keeps its shades."""
    histogram = image.histogram()
    total = sum(histogram)
    paper = _percentile(histogram, total * 0.5)
    ink = min(_percentile(histogram, total * 0.01), max(0, paper - 120))
    white = max(ink + 1, paper - PAPER_NOISE)
    lut = [
        0 if v <= ink else 255 if v >= white else round((v - ink) * 255 / (white - ink))
        for v in range(256)
    ]
    return image.point(lut)


def is_blank(image: Image.Image) -> bool:
    """Almost no dark pixels inside the page's edges, after shrinking by two (which averages
    gaussian scanner noise) and a 3×3 median (which removes dust): paper is what most pixels
    are, ink is ``DARK_DELTA`` levels darker."""
    small = image.reduce(2) if min(image.size) >= 200 else image
    width, height = small.size
    inner = small.crop(
        (int(width * EDGE), int(height * EDGE), int(width * (1 - EDGE)), int(height * (1 - EDGE)))
    ).filter(ImageFilter.MedianFilter(3))
    histogram = inner.histogram()
    total = sum(histogram)
    paper, seen = 0, 0
    for level in range(255, -1, -1):  # the paper level: the 70th percentile from the light side
        seen += histogram[level]
        if seen >= total * 0.3:
            paper = level
            break
    dark = sum(histogram[: max(0, paper - DARK_DELTA)])
    return dark < total * BLANK_SHARE


def crop(image: Image.Image, box: tuple[float, float, float, float]) -> Image.Image:
    """A part of a normalised page given as fractions (left, top, right, bottom), e.g.
    ``pdf.CODE_BOX_FRACTIONS`` or a task region's band."""
    width, height = image.size
    left, top, right, bottom = box
    return image.crop(
        (round(left * width), round(top * height), round(right * width), round(bottom * height))
    )


def png_bytes(image: Image.Image) -> bytes:
    """A normalised page as PNG (greyscale; a fast compression level: pages are stored once)."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=3)
    return buffer.getvalue()
