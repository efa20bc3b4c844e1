"""Zip bombs and image bombs sent to the materials pages are refused before they
inflate."""

from __future__ import annotations

import struct
import time
import zlib
from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.campaigns.tests.factories import WorkFactory
from apps.core.models import ImportBatch
from apps.core.tests.bad_files import zeros, zip_bytes
from apps.materials.models import BankItem
from apps.materials.tests.bank_data import bank_json

pytestmark = pytest.mark.django_db


def test_the_archive_check_page_refuses_a_zip_bomb(world) -> None:
    # given a 200 KB zip whose one file inflates to 200 MiB
    bomb = zip_bytes([zeros("Вариант 1.pdf", 200)])
    assert len(bomb) < 250 * 1024
    # when it is sent to the archive check page
    started = time.monotonic()
    response = world.client_for("school_organizer").post(
        reverse("materials-verify"), {"archive": SimpleUploadedFile("архив.zip", bomb)}
    )
    # then the page refuses it at once, naming the limit
    html = response.content.decode()
    assert response.status_code == 400
    assert "Файл слишком велик после распаковки" in html
    assert "допускается не более" in html
    assert time.monotonic() - started < 5


def test_the_bank_refuses_an_images_zip_that_inflates_past_the_limit(world) -> None:
    # given a valid bank file and an images zip of 60 files of 4 MiB each (240 MiB, 250 KB)
    work = WorkFactory()
    four_mib = zeros("рисунок.png", 4)
    images = zip_bytes([replace(four_mib, name=f"рисунок{i}.png") for i in range(60)])
    assert len(images) < 300 * 1024
    # when the operator uploads them
    started = time.monotonic()
    response = world.client_for("federal").post(
        reverse("materials-bank"),
        {
            "work": work.pk,
            "file": SimpleUploadedFile("bank.json", bank_json(work)),
            "images": SimpleUploadedFile("рисунки.zip", images),
        },
    )
    # then the upload is refused before a byte is inflated, and nothing is stored
    html = response.content.decode()
    assert response.status_code == 400
    assert "Файл слишком велик после распаковки" in html
    assert "допускается не более" in html
    assert time.monotonic() - started < 5
    assert not ImportBatch.objects.filter(kind="bank").exists()
    assert not BankItem.objects.filter(work=work).exists()


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` pixels (its pixel data is a few bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


def test_an_image_claiming_400_million_pixels_is_refused_in_russian(world) -> None:
    # given a 60-byte PNG whose header claims 20,000 × 20,000 pixels
    work = WorkFactory()
    image = _png_header(20_000, 20_000)
    # when the operator attaches it to the bank
    response = world.client_for("federal").post(
        reverse("materials-bank"),
        {"op": "attach", "work": work.pk, "attachment": SimpleUploadedFile("схема.png", image)},
    )
    # then the page says the image is too big, naming the limit
    assert response.status_code == 400
    assert "изображение слишком велико, допускается до 4000 пикс. по стороне" in (
        response.content.decode()
    )
