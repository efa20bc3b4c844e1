"""The machine-readable mark printed on every page of a variant (a QR code beside the
«Код участника» box): which variant of which kit, and which page of how many.

Text form: ``VPR1:<uid>:<variant>:<page>:<pages>``, e.g. ``VPR1:7KQ2M-9XA3B:2:3:4`` — the
variant's identifier (unique per kit and variant, printed on the page in plain text too), the
variant number, the page and the page count. ``VPR1`` names the format version, so a later format
can be told apart. Pure: no ORM (docs/objectivity/page-marks.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "VPR1"
# A variant identifier: letters, digits and dashes (``generation.variant_uid`` makes
# «XXXXX-XXXXX»); never a colon, the separator of the mark.
_UID = r"[A-Za-z0-9-]{1,32}"
_MARK = re.compile(
    rf"^{PREFIX}:(?P<uid>{_UID}):(?P<variant>\d{{1,3}}):(?P<page>\d{{1,3}}):"
    rf"(?P<pages>\d{{1,3}})$"
)


@dataclass(frozen=True)
class PageMark:
    """One printed page: page ``page`` (1-based) of ``pages`` of variant ``variant`` ``uid``."""

    uid: str
    variant: int
    page: int
    pages: int

    def __post_init__(self) -> None:
        if not re.fullmatch(_UID, self.uid):
            raise ValueError(f"invalid variant uid for a page mark: {self.uid!r}")
        if self.variant < 1 or not 1 <= self.page <= self.pages or self.pages > 999:
            raise ValueError(f"invalid page mark numbers: {self.variant}, {self.page}/{self.pages}")


def encode(mark: PageMark) -> str:
    """The text the QR code carries."""
    return f"{PREFIX}:{mark.uid}:{mark.variant}:{mark.page}:{mark.pages}"


def decode(text: str) -> PageMark | None:
    """The mark of a QR text, or None when the text is not a page mark of this format (another
    QR on a foreign page, a damaged read, page numbers out of range)."""
    found = _MARK.match(text.strip())
    if found is None:
        return None
    try:
        return PageMark(
            uid=found["uid"],
            variant=int(found["variant"]),
            page=int(found["page"]),
            pages=int(found["pages"]),
        )
    except ValueError:
        return None
