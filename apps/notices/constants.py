"""Limits and vocabularies of the notices app."""

from __future__ import annotations

# A notice's document: an instruction, a form, a letter. Big enough for a scanned order.
MAX_FILE_BYTES = 20 * 1024 * 1024
# Extensions accepted, each with the leading bytes its content must start with (b"" = text).
ALLOWED_TYPES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
    ".zip": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".rtf": (b"{\\rtf",),
    ".txt": (b"",),
    ".csv": (b"",),
}
# How many units without a read the receipt page lists by name (the rest are counted).
UNREAD_LIST_LIMIT = 300
