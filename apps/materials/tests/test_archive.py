"""Archives: the grade-8 .7z opened by the real 7-Zip, the signed manifest."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.storage import default_storage

from apps.core import crypto
from apps.materials import archive as arch
from apps.materials import signing
from apps.materials.models import Kit
from apps.materials.services import kit_build_request
from apps.materials.tests.factories import SYSTEM, apply, generate, grade8
from conftest import need_service


def _7z(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["7z", *args], capture_output=True, stdin=subprocess.DEVNULL, timeout=60, check=False
    )


@pytest.mark.django_db
def test_grade8_package_opens_with_7zip_only_with_its_password(
    world, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:
    need_service("7z", shutil.which("7z") is not None, "install p7zip-full")
    # given a built grade-8 kit
    work = grade8()
    apply(world.schools["A1a"], work)
    generate(work)
    with django_capture_on_commit_callbacks(execute=True):
        kit_build_request(actor=SYSTEM, work_id=work.pk)
    kit = Kit.objects.get(work=work)
    assert kit.status == Kit.Status.READY
    assert kit.archive_name.endswith(".7z")
    path = tmp_path / "kit.7z"
    with default_storage.open(kit.archive_path, "rb") as stored:
        path.write_bytes(stored.read())
    password = crypto.decrypt(kit.password_token).decode()
    # when 7-Zip lists it without the password
    listing = _7z("l", "-p", str(path))
    # then not a single file name shows
    out = listing.stdout + listing.stderr
    assert "Вариант".encode() not in out
    assert b"manifest" not in out
    # when it is tested with a wrong password, 7-Zip refuses
    wrong = _7z("t", "-pWrongPassword9", str(path))
    assert wrong.returncode != 0
    # when it is extracted with the password, every file is there and the manifest verifies
    target = tmp_path / "out"
    ok = _7z("x", f"-p{password}", f"-o{target}", str(path))
    assert ok.returncode == 0, ok.stdout.decode(errors="replace")
    names = {p.name for p in target.iterdir()}
    assert {"Вариант 1.pdf", "Вариант 2.pdf", arch.MANIFEST, arch.SIGNATURE} <= names
    files = [arch.ArchiveFile(p.name, p.read_bytes()) for p in target.iterdir()]
    check = arch.manifest_check(
        (target / arch.MANIFEST).read_bytes(), (target / arch.SIGNATURE).read_bytes(), files
    )
    assert check.ok, check.problems
    uids = {v["uid"] for v in check.data["variants"]}
    assert uids == set(kit.variants.values_list("uid", flat=True))


def _manifest() -> tuple[bytes, str]:
    files = [arch.ArchiveFile("Вариант 1.pdf", b"%PDF-1.4 demo"), arch.ArchiveFile("a.xlsx", b"x")]
    manifest = arch.manifest_bytes(
        files=files,
        work={"year": 2026, "grade": 8},
        school={"code": "edu660101"},
        variants=[{"number": 1, "uid": "7KQ2M-9XA3B"}],
    )
    return manifest, signing.sign(manifest)


def test_manifest_signature_fails_after_any_byte_changes() -> None:
    # given a signed manifest
    manifest, signature = _manifest()
    assert signing.verify(manifest, signature)
    # when any single byte of it is changed
    for i in range(len(manifest)):
        changed = bytearray(manifest)
        changed[i] ^= 0x01
        # then the signature no longer verifies
        assert not signing.verify(bytes(changed), signature), f"byte {i}"
    # and a changed signature byte fails too
    raw = bytearray(base64.b64decode(signature))
    raw[0] ^= 0x80
    assert not signing.verify(manifest, base64.b64encode(bytes(raw)))


def test_manifest_check_finds_a_changed_file() -> None:
    # given a manifest and the files it lists, one of them altered
    manifest, signature = _manifest()
    files = [arch.ArchiveFile("Вариант 1.pdf", b"%PDF-1.4 DEMO"), arch.ArchiveFile("a.xlsx", b"x")]
    # when they are checked
    check = arch.manifest_check(manifest, signature, files)
    # then the signature is fine but the file is reported
    assert check.signature_ok
    assert not check.ok
    assert "«Вариант 1.pdf» изменён" in check.problems[0]


def test_the_signing_key_comes_from_settings(settings) -> None:
    # given a configured Ed25519 key
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    default_public = signing.public_key()
    settings.VPR_MANIFEST_SIGNING_KEY = base64.b64encode(raw).decode()
    manifest, signature = _manifest()
    # then manifests are signed with it, not with the development key
    assert signing.verify(manifest, signature, key.public_key())
    assert not signing.verify(manifest, signature, default_public)
    assert json.loads(manifest)["format"] == arch.MANIFEST_FORMAT


def test_zip_is_deterministic() -> None:
    # given the same files in a different order
    files = [arch.ArchiveFile("b.pdf", b"2"), arch.ArchiveFile("а.pdf", b"1")]
    # then the archives are the same bytes
    assert arch.zip_bytes(files) == arch.zip_bytes(list(reversed(files)))
