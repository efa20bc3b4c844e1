"""PDF building blocks shared by the apps: the embedded Cyrillic font (DejaVu Sans).

The font is looked up in ``settings.VPR_PDF_FONT_DIRS`` (if set), Debian's fonts-dejavu-core
directory, and matplotlib's bundled copy; without it ``FontsNotFoundError`` explains how to
install it. Fonts are registered once per process. Used by the materials' and the analytics'
PDFs.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "VPRSans"
FONT_FILES = {
    FONT: "DejaVuSans.ttf",
    f"{FONT}-Bold": "DejaVuSans-Bold.ttf",
    f"{FONT}-Italic": "DejaVuSans-Oblique.ttf",
    f"{FONT}-BoldItalic": "DejaVuSans-BoldOblique.ttf",
}
SYSTEM_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/local/share/fonts/dejavu",
)


class FontsNotFoundError(RuntimeError):
    """No Cyrillic TTF was found; the message says where it looked and what to install."""


def _candidate_dirs() -> list[Path]:
    dirs = [Path(d) for d in getattr(settings, "VPR_PDF_FONT_DIRS", []) or []]
    dirs += [Path(d) for d in SYSTEM_FONT_DIRS]
    try:  # matplotlib ships DejaVu; it is optional, never required
        import matplotlib

        dirs.append(Path(matplotlib.get_data_path()) / "fonts" / "ttf")
    except ImportError:
        pass
    return dirs


def font_dir(dirs: Sequence[Path] | None = None) -> Path:
    """The first directory holding all four DejaVu Sans faces, or FontsNotFoundError."""
    searched = list(dirs) if dirs is not None else _candidate_dirs()
    for d in searched:
        if all((d / name).is_file() for name in FONT_FILES.values()):
            return d
    raise FontsNotFoundError(
        "Не найден шрифт с кириллицей для PDF (DejaVu Sans: "
        + ", ".join(FONT_FILES.values())
        + "). Искали в: "
        + ", ".join(str(d) for d in searched)
        + ". Установите пакет fonts-dejavu-core (apt-get install fonts-dejavu-core) "
        "или укажите каталог со шрифтами в настройке VPR_PDF_FONT_DIRS."
    )


@lru_cache(maxsize=1)
def register_fonts() -> str:
    """Register the font family once per process; returns its name."""
    directory = font_dir()
    # Binary (Flate-only) streams: ASCII85 on top only costs time and 25 % in size.
    rl_config.useA85 = 0
    for name, filename in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(directory / filename)))
    pdfmetrics.registerFontFamily(
        FONT,
        normal=FONT,
        bold=f"{FONT}-Bold",
        italic=f"{FONT}-Italic",
        boldItalic=f"{FONT}-BoldItalic",
    )
    return FONT
