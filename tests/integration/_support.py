"""Helpers of the fault-injection integration tests: a throwaway Redis server, a Celery worker
process on the test database, polling with a deadline.

Each test that needs a broker starts its own ``redis-server`` on a free loopback port, so the
shared Redis is never stopped and two xdist workers never consume each other's messages.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 30.0


def wait_for(
    predicate: Callable[[], Any], what: str, log: Path | None = None, timeout: float = WAIT_SECONDS
) -> None:
    """Poll ``predicate`` until it is true; fail with the worker log's tail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    tail = ""
    if log is not None and log.exists():
        tail = "\nlog:\n" + log.read_text(encoding="utf-8", errors="replace")[-4000:]
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}{tail}")


def worker_database_url() -> str:
    """The URL of the database pytest-django created for this session (test_<name>)."""
    db = connection.settings_dict
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _redis_answers(port: int) -> bool:
    import redis

    try:
        client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
        return bool(client.ping())
    except redis.RedisError:
        return False


def _real_clock_env() -> dict[str, str]:
    """This environment without libfaketime: Redis keeps the real clock, as the shared one does
    in CI's second run (and redis-server cannot start with libfaketime preloaded)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAKETIME")}
    preload = [p for p in env.get("LD_PRELOAD", "").split(":") if p and "faketime" not in p]
    if preload:
        env["LD_PRELOAD"] = ":".join(preload)
    else:
        env.pop("LD_PRELOAD", None)
    return env


class RedisServer:
    """A ``redis-server`` of this test only (no persistence), which the test may kill and
    start again on the same port."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "redis-server"
        log = self.directory / f"redis-{self.port}.log"
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
                "--logfile",
                str(log),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_real_clock_env(),
        )
        proc = self.proc
        wait_for(
            lambda: proc.poll() is not None or _redis_answers(self.port), "redis-server", log, 15
        )
        if proc.poll() is not None:
            pytest.fail(f"redis-server exited with {proc.returncode}: {log.read_text()[-2000:]}")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None


@contextlib.contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    from conftest import need_service

    need_service("redis-server", shutil.which("redis-server") is not None, "install redis-server")
    server = RedisServer(directory)
    for _attempt in range(3):  # another process may take the free port before redis binds it
        try:
            server.start()
            break
        except pytest.fail.Exception:
            server.kill()
            server.port = _free_port()
    else:
        pytest.fail("could not start a throwaway redis-server")
    try:
        yield server
    finally:
        server.kill()


class Worker:
    """A ``celery worker`` process (solo pool) on the test database and the given broker."""

    def __init__(self, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.proc = proc
        self.log = log

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def sigkill(self) -> None:
        """Kill it as the OOM killer or a lost VM would: no shutdown code runs."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


@contextlib.contextmanager
def celery_worker(
    broker_url: str,
    log: Path,
    *,
    queues: str,
    module: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Worker]:
    """Start a worker (``python -m <module> worker …`` when a test wrapper is given, else the
    ``celery`` command), wait until it is ready, and always stop it afterwards."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vpr_portal.settings.test",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": broker_url,
        "VPR_CELERY_EAGER": "0",
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    if module is not None:
        head = [sys.executable, "-m", module]
    else:
        head = [sys.executable, "-m", "celery", "-A", "vpr_portal"]
    command = [
        *head,
        "worker",
        "-P",
        "solo",
        "-Q",
        queues,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"vpr-faults-{os.getpid()}-{log.stem}@%h",
        "-l",
        "info",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    worker = Worker(proc, log)
    try:
        wait_for(
            lambda: proc.poll() is not None or " ready." in worker.text(),
            "the worker to start",
            log,
        )
        if proc.poll() is not None:
            pytest.fail(f"the worker exited with {proc.returncode}:\n{worker.text()[-4000:]}")
        yield worker
    finally:
        worker.stop()
