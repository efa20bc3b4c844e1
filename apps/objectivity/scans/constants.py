"""Constants of the scans: the job kind, the upload cap and the accepted formats."""

from __future__ import annotations

from django.conf import settings

# The background job kind (apps.core.jobs) that rasterizes an upload and reads its pages.
SCANS_PROCESS = "objectivity.scans_process"

# The largest upload accepted (settings.SCANS_MAX_UPLOAD_BYTES; 200 MB by default): a class of
# 30 participants × 4 pages at 300 dpi greyscale is about 60 MB as a scanner's PDF.
DEFAULT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "SCANS_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


# Accepted formats by their first bytes (never by the file's name): extension in storage,
# content type, signatures.
FORMATS: tuple[tuple[str, str, tuple[bytes, ...]], ...] = (
    ("pdf", "application/pdf", (b"%PDF-",)),
    ("png", "image/png", (b"\x89PNG\r\n\x1a\n",)),
    ("jpg", "image/jpeg", (b"\xff\xd8\xff",)),
    ("tif", "image/tiff", (b"II*\x00", b"MM\x00*")),
)
SNIFF_BYTES = 8
ACCEPT = ".pdf,.png,.jpg,.jpeg,.tif,.tiff,application/pdf,image/png,image/jpeg,image/tiff"


def sniff(head: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a file starting with ``head``; None for another format."""
    for ext, content_type, signatures in FORMATS:
        if any(head.startswith(s) for s in signatures):
            return ext, content_type
    return None
