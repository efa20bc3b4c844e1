"""Archive containers and the signed manifest. Pure: files in, bytes out.

* plain works: a deterministic .zip (fixed timestamps, sorted names, UTF-8 names), so the same
  files always give the same archive bytes;
* encrypted (grade 8) works: a .7z with AES-256 and encrypted headers (py7zr), so without the
  password not even the file names show; standard 7-Zip opens it with the password.

``manifest.json`` lists every other file with its SHA-256 and size, the work, the school and the
variant identifiers; ``manifest.sig`` is its Ed25519 signature (apps.materials.signing).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from apps.core import jsonsafe
from apps.core.untrusted import MIB, ZipLimits, open_zip
from apps.materials import signing

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MANIFEST_FORMAT = "vpr-manifest/1"
ZIP_DATE = (2000, 1, 1, 0, 0, 0)
# What an archive sent to the check page may inflate to: a school's kit is PDFs (which do not
# compress further) and a manifest, well under the page's 50 MB upload limit.
CHECK_ZIP_LIMITS = ZipLimits(members=5_000, member_bytes=64 * MIB, total_bytes=128 * MIB, ratio=100)


@dataclass(frozen=True)
class ArchiveFile:
    name: str
    content: bytes


def manifest_bytes(
    *,
    files: Sequence[ArchiveFile],
    work: dict[str, Any],
    school: dict[str, Any],
    variants: Sequence[dict[str, Any]],
) -> bytes:
    """Canonical JSON (sorted keys, no timestamps): the same inputs give the same bytes."""
    data = {
        "format": MANIFEST_FORMAT,
        "work": work,
        "school": school,
        "variants": list(variants),
        "files": [
            {
                "name": f.name,
                "sha256": hashlib.sha256(f.content).hexdigest(),
                "size": len(f.content),
            }
            for f in sorted(files, key=lambda f: f.name)
        ],
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def signed_files(files: Sequence[ArchiveFile], manifest: bytes) -> list[ArchiveFile]:
    return [
        *files,
        ArchiveFile(MANIFEST, manifest),
        ArchiveFile(SIGNATURE, signing.sign(manifest).encode("ascii") + b"\n"),
    ]


def zip_bytes(files: Sequence[ArchiveFile], *, compresslevel: int = 6) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for f in sorted(files, key=lambda f: f.name):
            info = zipfile.ZipInfo(f.name, date_time=ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, f.content, compresslevel=compresslevel)
    return buffer.getvalue()


# The 7-Zip key derivation hashes 2^cycles records «salt + password + 8-byte little-endian
# counter». A block of 2^16 consecutive records differs from the next block only in the counter
# bytes above the low two, so one buffer is built with slice assignments (no per-record Python
# loop) and fed to the hash whole, block after block: the same bytes in the same order as
# py7zr's helpers.calculate_key (apps/materials/tests/test_archive_key.py), ~10x faster.
_KEY_BLOCK_BITS = 16


@lru_cache(maxsize=4)
def _low_counter_bytes(bits: int) -> tuple[bytes, bytes]:
    """The lowest and the second counter byte of 2^bits consecutive records from 0."""
    n = 1 << bits
    byte0 = bytes(range(256)) * (n // 256) if n >= 256 else bytes(range(n))
    byte1 = b"".join(bytes((i,)) * 256 for i in range(n >> 8)) if n > 256 else b""
    return byte0, byte1


def sevenzip_key(password: bytes, cycles: int, salt: bytes, digest: str) -> bytes:
    """The AES-256 key of a 7-Zip archive: identical output to py7zr's
    ``helpers.calculate_key`` (same signature), which it replaces in py7zr's compressor."""
    if not 0 <= cycles < 0x3F:  # 0x3F means "no hashing" in 7-Zip; py7zr handles it
        from py7zr import helpers

        return helpers.calculate_key(password, cycles, salt, digest)
    prefix = salt + password
    width = len(prefix) + 8
    bits = min(cycles, _KEY_BLOCK_BITS)
    count = 1 << bits
    block = bytearray((prefix + bytes(8)) * count)
    byte0, byte1 = _low_counter_bytes(bits)
    block[len(prefix) :: width] = byte0
    if byte1:
        block[len(prefix) + 1 :: width] = byte1
    hasher = hashlib.new(digest)
    high = bytes(6)  # counter bytes 2..7 of the block now in the buffer
    for number in range(1 << (cycles - bits)):
        wanted = number.to_bytes(6, "little")
        for k in range(6):
            if wanted[k] != high[k]:
                block[len(prefix) + 2 + k :: width] = wanted[k : k + 1] * count
        high = wanted
        hasher.update(block)
    return hasher.digest()[:32]


@lru_cache(maxsize=2)
def _aes_key(password: bytes, cycles: int, salt: bytes, digest: str) -> bytes:
    """The 7-Zip key (``sevenzip_key``, 2^19 SHA-256 rounds, ~15 ms), remembered for the
    archive being written: py7zr derives the same key twice per archive (data and header,
    empty salt). Only the last two keys are kept, in the worker's memory."""
    return sevenzip_key(password, cycles, salt, digest)


def sevenzip_bytes(files: Sequence[ArchiveFile], *, password: str) -> bytes:
    """An AES-256 .7z with encrypted headers (file names hidden without the password).

    The files are stored, not recompressed: the PDFs are already Flate-compressed, and LZMA
    over them cost most of the build time for almost no gain.
    """
    import py7zr
    from py7zr import compressor

    # The name compressor looks up; py7zr imports it from helpers without re-exporting it.
    compressor.calculate_key = _aes_key  # type: ignore[attr-defined]
    filters = [{"id": py7zr.FILTER_COPY}, {"id": py7zr.FILTER_CRYPTO_AES256_SHA256}]
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(
        buffer, "w", password=password, header_encryption=True, filters=filters
    ) as archive:
        for f in sorted(files, key=lambda f: f.name):
            archive.writestr(f.content, f.name)
    return buffer.getvalue()


@dataclass(frozen=True)
class ManifestCheck:
    """The result of checking a manifest: signature valid, and the problems found."""

    signature_ok: bool
    problems: tuple[str, ...]
    data: dict[str, Any] | None

    @property
    def ok(self) -> bool:
        return self.signature_ok and not self.problems


def manifest_check(
    manifest: bytes, signature: str | bytes, files: Sequence[ArchiveFile] = ()
) -> ManifestCheck:
    """Verify the signature, and (if given) that files match the listed SHA-256 sums."""
    signature_ok = signing.verify(manifest, signature.strip() if signature else b"")
    problems: list[str] = []
    try:
        data = jsonsafe.loads(manifest.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ManifestCheck(signature_ok, ("Файл manifest.json повреждён.",), None)
    if not signature_ok:
        problems.append("Подпись не совпадает: манифест изменён или подписан не порталом.")
    listed = {f["name"]: f["sha256"] for f in data.get("files", []) if isinstance(f, dict)}
    for f in files:
        if f.name in (MANIFEST, SIGNATURE):
            continue
        expected = listed.get(f.name)
        if expected is None:
            problems.append(f"Файла «{f.name}» нет в манифесте.")
        elif hashlib.sha256(f.content).hexdigest() != expected:
            problems.append(f"Файл «{f.name}» изменён: контрольная сумма не совпадает.")
    return ManifestCheck(signature_ok, tuple(problems), data)


def read_zip(content: bytes) -> list[ArchiveFile]:
    """The files of an uploaded archive; UploadError (before inflating anything) past
    ``CHECK_ZIP_LIMITS``, zipfile.BadZipFile for a broken one."""
    with open_zip(content, CHECK_ZIP_LIMITS) as archive:
        return [ArchiveFile(n, archive.read(n)) for n in archive.namelist()]
