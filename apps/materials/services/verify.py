"""The manifest check of an archive (the «Проверка архива» page and its API route).

A kit's zip carries ``manifest.json`` (every file's SHA-256) and ``manifest.sig`` (the portal's
signature of the manifest). Anyone logged in may check an archive, or a manifest and its
signature alone. Nothing is stored and nothing is audited: the check reads only what is sent.
"""

from __future__ import annotations

from typing import IO

from apps.core.uploads import UploadError, file_error
from apps.materials import archive as arch

MAX_ARCHIVE_BYTES = 50 * 1024 * 1024
MAX_MANIFEST_BYTES = 2 * 1024 * 1024
MAX_SIGNATURE_BYTES = 4096
BROKEN = "Файл повреждён: не удаётся прочитать архив."
NOTHING = "Загрузите архив .zip или пару файлов manifest.json и manifest.sig."
NO_MANIFEST = "В архиве нет manifest.json и manifest.sig."


def manifest_verify(
    *,
    archive: IO[bytes] | None = None,
    manifest: IO[bytes] | None = None,
    signature: IO[bytes] | None = None,
) -> arch.ManifestCheck:
    """Check an archive (its manifest, signature and files), or a manifest with its
    signature. A request it cannot check raises ``UploadError`` with the Russian reason."""
    try:
        if archive is not None:
            files = arch.read_zip(archive.read(MAX_ARCHIVE_BYTES))
            by_name = {f.name: f.content for f in files}
            if arch.MANIFEST not in by_name or arch.SIGNATURE not in by_name:
                raise file_error(NO_MANIFEST)
            return arch.manifest_check(by_name[arch.MANIFEST], by_name[arch.SIGNATURE], files)
        if manifest is not None and signature is not None:
            return arch.manifest_check(
                manifest.read(MAX_MANIFEST_BYTES), signature.read(MAX_SIGNATURE_BYTES)
            )
    except UploadError:  # past the archive's limits, or no manifest in it
        raise
    except ValueError as exc:  # the archive reader's own refusal, in Russian
        raise file_error(str(exc)) from exc
    except Exception as exc:  # a broken zip: report it, never a 500
        raise file_error(BROKEN) from exc
    raise file_error(NOTHING)
