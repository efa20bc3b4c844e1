"""The web tier's gunicorn settings (issue 18, docs/capacity.md): one file, used by the
Dockerfile, docker-compose.yml and the benches; threaded workers keeping connections alive and
a backlog deep enough for a time zone's 07:30 burst."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONF = "vpr_portal/gunicorn_conf.py"


def test_the_config_keeps_connections_alive_and_queues_a_burst(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given no override in the environment
    for name in ("WORKERS", "THREADS", "BACKLOG", "KEEPALIVE", "WORKER_CONNECTIONS"):
        monkeypatch.delenv(f"GUNICORN_{name}", raising=False)
    # when gunicorn reads the file
    conf = runpy.run_path(str(ROOT / CONF))
    # then workers are threaded, keep connections alive and queue 2,000 connections
    assert conf["worker_class"] == "gthread"
    assert conf["threads"] >= 2
    assert conf["keepalive"] > 0
    assert conf["backlog"] >= 2000
    assert conf["workers"] * conf["worker_connections"] >= 2000
    assert conf["bind"] == "0.0.0.0:8000"


def test_an_override_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUNICORN_THREADS", "8")
    assert runpy.run_path(str(ROOT / CONF))["threads"] == 8


def test_the_image_and_compose_start_gunicorn_with_it() -> None:
    assert CONF in (ROOT / "Dockerfile").read_text()
    assert f"--config {CONF}" in (ROOT / "docker-compose.yml").read_text()
