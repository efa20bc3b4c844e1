"""File downloads that must never be cached: slips, timetables, packets, kit files, forms.

One helper for HTML views and API views alike: the file goes out as an attachment under its
(often Russian) name — Django writes ``filename*=UTF-8''…`` (RFC 6266) for a non-ASCII name and
an ASCII fallback — with ``Cache-Control: private, no-store`` so no shared or browser cache
keeps a copy of a school's data.
"""

from __future__ import annotations

import io
from typing import IO

from django.http import FileResponse

NO_STORE = "private, no-store"


def private_download(
    content: bytes | IO[bytes], filename: str, content_type: str | None = None
) -> FileResponse:
    """Stream ``content`` (bytes or an open binary file, closed by the response) as an
    attachment named ``filename``; never cached. ``content_type`` is guessed from the name
    when not given."""
    handle = io.BytesIO(content) if isinstance(content, bytes | bytearray) else content
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = NO_STORE
    return response
