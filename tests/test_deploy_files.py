"""The deployment files (docker-compose.yml, Dockerfile, .ci/run) point at real code.

No Docker engine runs here, so the files are checked as data: the five services exist and every
command names a module, app or settings module that this repository really has.
"""

from __future__ import annotations

import base64
import importlib
import importlib.util
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.fernet import Fernet
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
QUEUES = {"default", "heavy", "imports", "analytics"}
APP_SERVICES = ("web", "worker", "beat")
APP_ENV = {
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_SETTINGS_MODULE",
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def _argv(command: str | list[str]) -> list[str]:
    """A compose command as argv; `sh -c "a && b"` is split into the words of a and b."""
    words = command if isinstance(command, list) else shlex.split(command)
    if words[:2] == ["sh", "-c"]:
        return shlex.split(words[2].replace("&&", " && "))
    return words


def _module_exists(dotted: str) -> bool:
    return importlib.util.find_spec(dotted) is not None


def test_compose_has_the_five_services(compose: dict[str, Any]) -> None:
    # given the compose file
    services = compose["services"]
    # when its services are listed
    # then the production shape is there, on the pinned major versions
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    assert set(services) - {"db", "redis", "web", "worker", "beat"} == {"minio", "minio-init"}
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_share_env_and_media(compose: dict[str, Any], name: str) -> None:
    # given one of the application services
    service = compose["services"][name]
    env = service["environment"]
    # when its environment and volumes are read
    # then it runs the production settings against the compose database and Redis
    assert set(env) >= APP_ENV
    assert env["DJANGO_SETTINGS_MODULE"] == "vpr_portal.settings.production"
    assert _module_exists(env["DJANGO_SETTINGS_MODULE"])
    assert env["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379/")
    # and uploads and exports land on the shared media volume
    media_root = env.get("DJANGO_MEDIA_ROOT", "/app/media")
    assert f"media:{media_root}" in service["volumes"]
    assert "media" in compose["volumes"]
    assert set(service["depends_on"]) == {"db", "redis", "minio-init"}


def test_web_migrates_then_serves_the_real_wsgi_app(compose: dict[str, Any]) -> None:
    # given the web command
    argv = _argv(compose["services"]["web"]["command"])
    # when it is split into its steps
    migrate_at = argv.index("migrate")
    gunicorn_at = argv.index("gunicorn")
    # then it migrates first and gunicorn serves a WSGI callable that exists
    assert argv[migrate_at - 1] == "manage.py"
    assert migrate_at < gunicorn_at
    module, _, attr = argv[gunicorn_at + 1].partition(":")
    assert module == settings.WSGI_APPLICATION.rsplit(".", 1)[0]
    assert callable(getattr(importlib.import_module(module), attr or "application"))


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_celery_services_use_the_real_app(compose: dict[str, Any], name: str) -> None:
    # given a Celery service
    argv = _argv(compose["services"][name]["command"])
    # when its -A argument is resolved
    app_module = argv[argv.index("-A") + 1]
    # then it names the project's Celery app and the right sub-command
    assert argv[0] == "celery"
    assert name in argv
    assert importlib.import_module(app_module).celery_app.main == "vpr_portal"


def test_worker_consumes_every_queue(compose: dict[str, Any]) -> None:
    # given the worker command
    argv = _argv(compose["services"]["worker"]["command"])
    # when its -Q list is read
    queues = set(argv[argv.index("-Q") + 1].split(","))
    # then it covers all four queues, including the default one tasks go to
    assert queues == QUEUES
    assert settings.CELERY_TASK_DEFAULT_QUEUE in queues


def test_dockerfile_shape() -> None:
    # given the Dockerfile
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    text = "\n".join(lines)
    # when its instructions are read
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    # then it builds on Python 3.11, installs the pinned requirements, collects static files
    # with production settings, drops root and serves the real WSGI app with gunicorn
    assert lines[0] == "FROM python:3.11-slim"
    assert "pip install -r requirements.txt" in text
    assert "collectstatic --no-input" in text
    assert "DJANGO_SETTINGS_MODULE=vpr_portal.settings.production" in text
    assert users
    assert users[-1] not in {"root", "0"}
    assert '"gunicorn", "vpr_portal.wsgi:application"' in text
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", ".git", "db.sqlite3", "media"} <= set(ignored)


def test_ci_script_is_valid_bash() -> None:
    # given the CI entry point
    script = ROOT / ".ci" / "run"
    # when bash parses it
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    # then it is valid, strict, and ends in `make test`
    assert result.returncode == 0, result.stderr
    text = script.read_text(encoding="utf-8")
    assert "set -euo pipefail" in text
    assert "make test" in text
    assert "chromium" in text.split("DEBIAN_PACKAGES=", 1)[1].splitlines()[0]


def test_readme_names_the_two_commands() -> None:
    # given the README
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    # when the commands are looked for
    # then both appear exactly
    assert "`make run`" in text
    assert "`make test`" in text


def test_production_can_keep_files_in_s3_compatible_storage(tmp_path: Path) -> None:
    # given production settings with an S3 bucket (MinIO in docker-compose)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vpr_portal.settings.production",
        "DJANGO_SECRET_KEY": "s3-check-" + "k3Y!x9#Qz" * 8,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "VPR_FERNET_KEYS": Fernet.generate_key().decode(),
        "VPR_MANIFEST_SIGNING_KEY": base64.b64encode(b"\x01" * 32).decode(),
        "VPR_S3_BUCKET": "vpr-files",
        "VPR_S3_ENDPOINT_URL": "http://127.0.0.1:9",
        "VPR_S3_ACCESS_KEY": "key",
        "VPR_S3_SECRET_KEY": "secret",
    }
    probe = (
        "import django; django.setup();"
        'from django.core.files.storage import storages; s = storages["default"];'
        "print(type(s).__module__, type(s).__name__, s.bucket_name, s.endpoint_url,"
        " s.default_acl, s.querystring_auth)"
    )
    # when Django starts and resolves the default storage
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # then files go to the private bucket through django-storages' S3 backend
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "storages.backends.s3",
        "S3Storage",
        "vpr-files",
        "http://127.0.0.1:9",
        "private",
        "True",
    ]
