"""The one no-store download helper: attachment, Russian name, never cached."""

from __future__ import annotations

import io
from urllib.parse import quote

from apps.core.downloads import private_download


def _body(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_bytes_go_out_as_a_never_cached_attachment_under_a_russian_name() -> None:
    name = "Бланки 5А.pdf"
    response = private_download(b"%PDF-1.4 test", name, "application/pdf")

    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"
    assert _body(response) == b"%PDF-1.4 test"


def test_an_open_file_is_streamed_and_the_type_is_guessed_from_the_name() -> None:
    handle = io.BytesIO(b"PK\x03\x04 archive")
    response = private_download(handle, "Материалы.zip")

    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert _body(response) == b"PK\x03\x04 archive"
