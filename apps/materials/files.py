"""Bank files: accompanying files and item images. Pure: bytes in, checked files or Russian errors.

* an accompanying file (dictation audio, a PDF) has an allowed extension, is not empty and not
  larger than ``MAX_ATTACHMENT_BYTES``;
* images come in a zip next to the bank file; each must be a PNG or JPEG that Pillow decodes
  completely, no larger than ``MAX_IMAGE_SIDE`` pixels a side. Item markup names them as
  ``[img:<name>]`` on a line of its own.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from apps.core.untrusted import ZipLimits, open_zip
from apps.core.uploads import CellError, UploadError, file_error

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
ATTACHMENT_EXTENSIONS = (".mp3", ".ogg", ".wav", ".pdf", ".png", ".jpg", ".jpeg")
MAX_IMAGES_ZIP_BYTES = 50 * 1024 * 1024
# What an images zip may inflate to, checked before anything is (PNG and JPEG do not compress:
# a member that shrank a hundredfold is not an image). One member may be as big as the whole
# zip, so that an oversized image gets its own message below.
IMAGES_ZIP_LIMITS = ZipLimits(
    members=5_000,
    member_bytes=MAX_IMAGES_ZIP_BYTES,
    total_bytes=2 * MAX_IMAGES_ZIP_BYTES,
    ratio=100,
)
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 4000
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg")
MAX_NAME = 200


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def extension(self) -> str:
        return PurePosixPath(self.name).suffix.lower()


def size_text(n: int) -> str:
    """A byte count for a Russian message: «50 МБ», «512 КБ», «100 байт»."""
    if n >= 1 << 20:
        return f"{n >> 20} МБ"
    if n >= 1 << 10:
        return f"{n >> 10} КБ"
    return f"{n} байт"


def clean_name(name: str) -> str:
    """The bare file name (no folders), or UploadError if it is empty, too long or hidden."""
    bare = PurePosixPath(name.replace("\\", "/")).name.strip()
    if not bare or bare.startswith("."):
        raise file_error(f"Недопустимое имя файла «{name}».")
    if len(bare) > MAX_NAME:
        raise file_error(f"Имя файла «{bare[:40]}…» длиннее {MAX_NAME} символов.")
    return bare


def check_attachment(name: str, content: bytes) -> CheckedFile:
    """An accompanying file, or UploadError in Russian (extension, size)."""
    bare = clean_name(name)
    checked = CheckedFile(bare, content)
    if checked.extension not in ATTACHMENT_EXTENSIONS:
        raise file_error(
            f"Файл «{bare}»: недопустимый тип. Разрешены: {', '.join(ATTACHMENT_EXTENSIONS)}."
        )
    if not content:
        raise file_error(f"Файл «{bare}» пустой.")
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise file_error(
            f"Файл «{bare}» слишком большой: допускается не более "
            f"{size_text(MAX_ATTACHMENT_BYTES)}."
        )
    if checked.extension in IMAGE_EXTENSIONS:
        if (why := image_problem(content)) is not None:
            raise file_error(f"Файл «{bare}»: {why}.")
    elif not _looks_like(checked.extension, content):
        raise file_error(
            f"Файл «{bare}»: содержимое не соответствует расширению {checked.extension} "
            "(файл повреждён или переименован)."
        )
    return checked


def _looks_like(extension: str, content: bytes) -> bool:
    """A cheap check of the file's signature against its extension (audio and PDF)."""
    if extension == ".pdf":
        return content.startswith(b"%PDF-")
    if extension == ".ogg":
        return content.startswith(b"OggS")
    if extension == ".wav":
        return content[:4] == b"RIFF" and content[8:12] == b"WAVE"
    if extension == ".mp3":  # an ID3 tag, or an MPEG audio frame sync (11 set bits)
        return content.startswith(b"ID3") or (
            len(content) > 1 and content[0] == 0xFF and content[1] & 0xE0 == 0xE0
        )
    return False


def image_problem(content: bytes) -> str | None:
    """Why ``content`` is not a usable PNG/JPEG image (Russian), or None if it is."""
    from PIL import Image, UnidentifiedImageError

    if len(content) > MAX_IMAGE_BYTES:
        return f"изображение больше {MAX_IMAGE_BYTES >> 20} МБ"
    try:
        with Image.open(io.BytesIO(content)) as probe:
            kind = probe.format
            probe.verify()
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            if max(width, height) > MAX_IMAGE_SIDE:
                return f"изображение {width}×{height} пикс., допускается до {MAX_IMAGE_SIDE}"
            image.load()  # decodes every pixel: a truncated file fails here
    except Image.DecompressionBombError:  # a header claiming ~180 million pixels or more
        return f"изображение слишком велико, допускается до {MAX_IMAGE_SIDE} пикс. по стороне"
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return "файл повреждён или не является изображением PNG/JPEG"
    if kind not in ("PNG", "JPEG"):
        return f"формат {kind} не поддерживается, нужен PNG или JPEG"
    return None


def read_images_zip(content: bytes) -> dict[str, bytes]:
    """The images of a zip (name → bytes, folders dropped); UploadError on a broken archive,
    a duplicate name or a file that is not an image (the image's name in the message)."""
    if len(content) > MAX_IMAGES_ZIP_BYTES:
        raise file_error(
            f"Архив изображений больше {MAX_IMAGES_ZIP_BYTES >> 20} МБ: разделите его."
        )
    try:
        archive = open_zip(content, IMAGES_ZIP_LIMITS)
    except zipfile.BadZipFile as exc:
        raise file_error("Архив изображений повреждён или не является файлом .zip.") from exc
    images: dict[str, bytes] = {}
    errors: list[CellError] = []
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = clean_name(info.filename)
            if name.startswith("__MACOSX") or info.filename.startswith("__MACOSX/"):
                continue
            if PurePosixPath(name).suffix.lower() not in IMAGE_EXTENSIONS:
                errors.append(
                    CellError(0, 0, f"Архив изображений: «{name}» — не PNG/JPEG (.png, .jpg).")
                )
                continue
            if name in images:
                errors.append(
                    CellError(0, 0, f"Архив изображений: имя «{name}» встречается дважды.")
                )
                continue
            if info.file_size > MAX_IMAGE_BYTES:
                errors.append(
                    CellError(
                        0, 0, f"Архив изображений: «{name}» больше {MAX_IMAGE_BYTES >> 20} МБ."
                    )
                )
                continue
            try:
                images[name] = archive.read(info)
            except (zipfile.BadZipFile, OSError, ValueError):
                errors.append(CellError(0, 0, f"Архив изображений: «{name}» не читается."))
    if errors:
        raise UploadError(errors)
    return images
