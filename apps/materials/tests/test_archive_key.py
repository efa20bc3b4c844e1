"""The 7-Zip key derivation of grade-8 archives (archive.sevenzip_key) gives exactly the key of
py7zr's own helpers.calculate_key, for any password, salt and cycle count."""

from __future__ import annotations

import io
from pathlib import Path

import py7zr
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py7zr import compressor, helpers

from apps.materials import archive as arch
from apps.materials import generation

# What py7zr writes into every archive it encrypts (2^19 SHA-256 rounds).
PY7ZR_CYCLES = 19


@settings(max_examples=150, deadline=None)
@given(
    password=st.text(max_size=40),
    salt=st.binary(max_size=16),
    # up to 2^18 rounds: py7zr's reference is slow; the 2^16-record block boundary is crossed
    cycles=st.integers(min_value=0, max_value=18),
)
def test_key_equals_py7zr_for_any_password_salt_and_cycles(
    password: str, salt: bytes, cycles: int
) -> None:
    raw = password.encode("utf-16LE")
    assert arch.sevenzip_key(raw, cycles, salt, "sha256") == helpers.calculate_key(
        raw, cycles, salt, "sha256"
    )


@settings(max_examples=8, deadline=None)
@given(password=st.text(min_size=1, max_size=20))
def test_key_equals_py7zr_at_the_cycles_py7zr_writes(password: str) -> None:
    raw = password.encode("utf-16LE")
    assert arch.sevenzip_key(raw, PY7ZR_CYCLES, b"", "sha256") == helpers.calculate_key(
        raw, PY7ZR_CYCLES, b"", "sha256"
    )


@pytest.mark.parametrize("cycles", [20, 0x3F])
def test_key_equals_py7zr_past_the_written_cycles_and_for_no_hashing(cycles: int) -> None:
    # given a portal password; 0x3F is 7-Zip's "no hashing" case
    raw = generation.new_password().encode("utf-16LE")
    # then the keys are the same
    assert arch.sevenzip_key(raw, cycles, b"salt", "sha256") == helpers.calculate_key(
        raw, cycles, b"salt", "sha256"
    )


def test_an_archive_written_with_the_fast_key_opens_with_py7zrs_own_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # given a grade-8 archive written with the portal's key derivation
    password = generation.new_password()
    files = [arch.ArchiveFile("Вариант 1.pdf", b"%PDF-1.4 demo"), arch.ArchiveFile("b.txt", b"2")]
    data = arch.sevenzip_bytes(files, password=password)
    assert compressor.calculate_key is arch._aes_key  # type: ignore[attr-defined]
    # when py7zr reads it deriving the key with its own helper
    monkeypatch.setattr(compressor, "calculate_key", helpers.calculate_key)
    with py7zr.SevenZipFile(io.BytesIO(data), "r", password=password) as archive:
        archive.extractall(path=tmp_path)
    # then every file comes back
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {
        f.name: f.content for f in files
    }
