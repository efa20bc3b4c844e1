"""The production configuration, the API schema and the linters stay clean."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_check_deploy_with_production_settings_is_clean() -> None:
    # given production settings with the environment production needs
    env = {
        "DJANGO_SETTINGS_MODULE": "vpr_portal.settings.production",
        "DJANGO_SECRET_KEY": "prod-check-" + "k3Y!x9#Qz" * 8,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "DJANGO_ALLOWED_HOSTS": "vpr.example.org",
        "VPR_FERNET_KEYS": Fernet.generate_key().decode(),
        "VPR_MANIFEST_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),
    }
    # when Django's deployment checks run, failing on warnings
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    # then there is nothing to report
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_openapi_schema_validates_without_warnings(tmp_path: Path) -> None:
    # when the schema is generated and validated, failing on warnings
    out = tmp_path / "schema.yml"
    result = _manage(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(out),
        env={"DJANGO_SETTINGS_MODULE": "vpr_portal.settings.test"},
    )
    # then it passes and documents the scoped endpoints
    assert result.returncode == 0, result.stdout + result.stderr
    schema = out.read_text(encoding="utf-8")
    for path in ("/api/v1/me/", "/api/v1/schools/{id}/", "/api/v1/auth/token/"):
        assert path in schema


def test_ruff_passes() -> None:
    # when ruff checks and format-checks the tree
    check = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True
    )
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    # then both are clean
    assert check.returncode == 0, check.stdout
    assert fmt.returncode == 0, fmt.stdout


@pytest.mark.django_db
def test_swagger_ui_and_schema_are_served(client) -> None:
    # the documentation pages answer (they carry no tenant data)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    # and Swagger UI comes from the portal itself: no external URL, no CDN (closed networks)
    html = docs.content.decode()
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE), html
    # and every script and stylesheet it names is served here, the init script included
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in a for a in assets), assets
    for asset in assets:
        response = client.get(asset.replace("&amp;", "&"))
        assert response.status_code == 200, asset
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"cdn.jsdelivr.net" not in body, asset
    # and no inline script or style: the page works under the portal's CSP
    assert "<script>" not in html
    assert "<style" not in html
    assert "style-src 'self'" in docs["Content-Security-Policy"]
