"""Materials configuration: the beat schedule sweeps builds; production needs a signing key."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet

from apps.materials import signing
from vpr_portal.celery import app

ROOT = Path(__file__).resolve().parents[3]


def test_beat_sweeps_background_jobs_every_five_minutes() -> None:
    # given the Celery app as the worker and beat load it
    schedule = app.conf.beat_schedule
    # then the job sweep runs every 5 minutes, and the task it names is registered
    entry = schedule["core.job_sweep"]
    assert entry["schedule"] == timedelta(minutes=5)
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    # and it knows how to re-send a kit build (and the other background jobs)
    from apps.core.jobs import job_kinds

    assert {
        "materials.kit_build",
        "import_apply:accounts.school_organizers",
        "school_list_export",
        "results_remind",
    } <= job_kinds()


def _check_production(key: str | None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vpr_portal.settings.production",
        "DJANGO_SECRET_KEY": "prod-check-" + "k3Y!x9#Qz" * 8,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "DJANGO_ALLOWED_HOSTS": "vpr.example.org",
        "VPR_FERNET_KEYS": Fernet.generate_key().decode(),
    }
    env.pop("VPR_MANIFEST_SIGNING_KEY", None)
    if key is not None:
        env["VPR_MANIFEST_SIGNING_KEY"] = key
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_valid_signing_key() -> None:
    # when production settings load without the key, and with a value that is not a key
    missing = _check_production(None)
    broken = _check_production("c2hvcnQ=")  # base64 of 5 bytes
    # then both fail with a clear message that never repeats the value
    assert missing.returncode != 0
    assert "VPR_MANIFEST_SIGNING_KEY must be set in production" in missing.stderr
    assert broken.returncode != 0
    assert "is not an Ed25519 private key" in broken.stderr
    assert "c2hvcnQ=" not in broken.stderr
    # and with a real key they load
    assert _check_production(base64.b64encode(os.urandom(32)).decode()).returncode == 0


def test_a_pem_key_and_a_raw_key_sign_alike() -> None:
    # given one key written as PEM and as base64 of its raw bytes
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    raw = base64.b64encode(
        key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
    ).decode()
    # when both are parsed
    # then they sign identically
    assert signing.parse_private_key(pem).sign(b"x") == signing.parse_private_key(raw).sign(b"x")
