"""Sustained results uploads per second against gunicorn + PostgreSQL over loopback.

Issue 6 asks for at least 30 accepted uploads per second with p95 under 1 s (a national deadline
hour is about 10 per second). This script:

1. creates its own PostgreSQL database (``vpr_bench_results`` on 127.0.0.1, user postgres;
   dropped first if a previous run left it) and migrates it with ``vpr_portal.settings.local``
   (plain HTTP, DEBUG off, ``DATABASE_URL`` pointing at that database, media in a temporary
   directory);
2. creates N schools (default 200) with Русский язык 4 класс whose upload window is open now,
   100 participant codes, a chosen day, a school organizer and an API token per school, and
   pre-builds two different filled forms per school (so consecutive uploads of a school always
   change its results: every counted upload is a 201 with a new version and 100 replaced rows);
3. starts ``gunicorn vpr_portal.wsgi`` (sync workers, bound to 127.0.0.1 on a free port) and runs
   a bounded thread-based load generator (stdlib ``http.client``, loopback only, one new
   connection per request as gunicorn sync workers close it) at increasing concurrency for a
   fixed time per level, printing accepted uploads/s, p50/p95/max latency, error counts and CPU;
4. in ``finally``: stops gunicorn, drops the database, removes the media directory and any Redis
   keys it created.

Task modes (``--tasks``):
* ``eager`` — no REDIS_URL: the statistics and analytics tasks run in-process inside each upload
  request (the ``make run`` shape, not production);
* ``redis`` — REDIS_URL set to a Redis database on 127.0.0.1 with no worker: the request only
  enqueues the tasks (the production shape of the web tier; the worker's CPU is not counted);
* ``worker`` — REDIS_URL as above and a real Celery worker on the same machine
  (``celery -A vpr_portal worker -c 1`` on the queues of docker-compose.yml, same database): the
  production shape of the whole pipeline. Its CPU is counted too, and after each level the
  script waits until every statistics job is done, so the figures include the backlog;
* ``both`` (default) — one gunicorn per mode, eager first, then redis.

CPU per accepted upload is read from ``/proc``: gunicorn workers (with their reaped children,
the isolated parse of each file), the Celery worker (main and pool process, with children) and
the PostgreSQL backends of the bench database. The floor, measured in the same run on the same
server, is an authenticated no-op API request (``GET /api/v1/me/`` with the same token header):
each level prints its CPU per upload as a multiple of the floor's CPU per request, and the load
average.

    .venv/bin/python bench/results_load.py
    .venv/bin/python bench/results_load.py --tasks redis --workers 3 --levels 4,8,16 --duration 30
    .venv/bin/python bench/results_load.py --schools 50 --levels 4 --duration 10   # quick look
    .venv/bin/python bench/results_load.py --profile 40 --tasks redis --levels 4 --duration 10
    .venv/bin/python bench/results_load.py --tasks worker --schools 100 --levels 4,8 --duration 20

``--profile N`` first posts N uploads in-process (Django test client, same token header, tasks
not enqueued): CPU per upload without a profiler, the part in ``read_form``, SQL queries per
upload, then N more under cProfile with own CPU time per area of code.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = "vpr_bench_results"
PG = ["-h", "127.0.0.1", "-U", "postgres"]
REDIS_DB_URL = "redis://127.0.0.1:6379/13"
TARGET_RATE = 30.0
TARGET_P95 = 1.0
MAX_REQUESTS_PER_LEVEL = 20_000  # a hard bound on top of the duration
MODE_TEXT = {
    "eager": "no REDIS_URL (tasks eager in-process)",
    "redis": f"REDIS_URL={REDIS_DB_URL} (no worker)",
    "worker": f"REDIS_URL={REDIS_DB_URL} and a Celery worker (-c 1) on this machine",
}


def base_env(media_root: str, db_name: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="vpr_portal.settings.local",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{db_name}",
        DJANGO_DEBUG="0",
        DJANGO_MEDIA_ROOT=media_root,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    return env


# --- preparation (in this process) -------------------------------------------------------------


@dataclass
class Target:
    school_id: int
    token: str
    forms: list[bytes]


def prepare(schools: int, participants: int, forms_per_school: int) -> tuple[int, list[Target]]:
    import datetime as dt
    import logging

    import django

    django.setup()
    logging.getLogger().setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connections, transaction
    from django.utils import timezone

    from apps.campaigns.models import SchoolWorkDate
    from apps.campaigns.tests.factories import WorkFactory
    from apps.materials.models import ParticipantCode
    from apps.registration.access import actor_for_user
    from apps.registration.models import User
    from apps.registration.services_tokens import api_token_issue
    from apps.registration.tests.factories import (
        MunicipalityFactory,
        RegionFactory,
        SchoolFactory,
        grant,
    )
    from apps.results import selectors as sel
    from apps.results import xlsx

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate:              {time.perf_counter() - t0:6.1f} s", flush=True)

    t0 = time.perf_counter()
    today = timezone.localdate()
    with transaction.atomic():
        work = WorkFactory(
            period_start=today - dt.timedelta(days=5),
            period_end=today + dt.timedelta(days=5),
            materials_publish_date=today - dt.timedelta(days=9),
            results_upload_deadline=today + dt.timedelta(days=10),
            results_release_date=today + dt.timedelta(days=20),
        )
        region = RegionFactory(code="77", time_zone="Europe/Moscow")
        munis = [MunicipalityFactory(region=region) for _ in range(4)]
        rows = []
        for i in range(schools):
            school = SchoolFactory(municipality=munis[i % len(munis)], region=region)
            user = User.objects.create_user(username=f"{school.code}_bench", password=None)
            grant(user, "school_organizer", school)
            token, _expiry = api_token_issue(user=user)
            ParticipantCode.objects.bulk_create(
                ParticipantCode(
                    campaign=work.campaign,
                    school=school,
                    municipality_id=school.municipality_id,
                    region_id=school.region_id,
                    grade=4,
                    class_number=1 + n % 4,
                    code=f"4{n:04d}",
                )
                for n in range(1, participants + 1)
            )
            SchoolWorkDate.objects.create(
                school=school,
                work=work,
                date=today - dt.timedelta(days=1),
                municipality_id=school.municipality_id,
                region_id=school.region_id,
            )
            rows.append((school, user, token))
    print(f"seed {schools} schools:     {time.perf_counter() - t0:6.1f} s", flush=True)

    t0 = time.perf_counter()
    rng = random.Random(2026)
    targets = []
    for school, user, key in rows:
        actor = actor_for_user(user)
        spec = sel.form_spec(
            actor=actor,
            school=school,
            work=sel.work_get(actor=actor, work_id=work.pk),
            action="results.upload",
        )
        forms = []
        for _ in range(forms_per_school):
            filled = []
            for p in spec.prefill:
                if rng.random() < 0.05:
                    filled.append(xlsx.Row(p.code, True, None, (), p.class_number, None))
                    continue
                scores = tuple(
                    None if rng.random() < 0.05 else rng.randint(0, c.max_score)
                    for c in spec.columns
                )
                filled.append(
                    xlsx.Row(
                        p.code, False, rng.randint(1, 2), scores, p.class_number, rng.randint(2, 5)
                    )
                )
            forms.append(xlsx.form_workbook(spec, filled))
        targets.append(Target(school.pk, key, forms))
    built = time.perf_counter() - t0
    print(
        f"build {len(targets) * forms_per_school} filled forms: {built:6.1f} s "
        f"({len(targets[0].forms[0])} bytes each, {participants} participants × "
        f"{len(spec.columns)} task columns)",
        flush=True,
    )
    work_id = work.pk
    connections.close_all()
    return work_id, targets


# --- gunicorn ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    cmd = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "vpr_portal.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        "60",
        "--backlog",
        "256",
    ]
    return launch_listening(cmd, env, port, log)


def launch_listening(cmd: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """Start a server command and wait (30 s at most) until it listens on ``port``."""
    handle = log.open("ab")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("gunicorn did not start listening within 30 s")


def stop_gunicorn(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()  # SIGTERM: graceful shutdown of the master and its workers
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def worker_pids(master: int) -> list[int]:
    """The children of ``master`` and theirs: a worker's parse fork server (ADR 0029) reaps the
    parse children, and its own CPU with theirs counts for the worker that uses it."""
    found: list[int] = []
    parents = [master]
    for _ in range(2):
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", ",".join(map(str, parents))],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        parents = [int(x) for x in out.split()]
        if not parents:
            break
        found += parents
    return found


def cpu_seconds(pids: list[int]) -> float:
    """CPU seconds of ``pids`` with their reaped children (gunicorn's forked parse of each
    upload, ``apps.core.untrusted.isolated``, is a child of the worker that waits for it)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime + stime + cutime + cstime
        total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    return total / tick


def postgres_pids(db_name: str) -> list[int]:
    """The server backends connected to the bench database (gunicorn keeps them: CONN_MAX_AGE)."""
    query = f"select pid from pg_stat_activity where datname = '{db_name}'"  # noqa: S608 - checked name
    out = subprocess.run(
        ["psql", *PG, "-Atc", query], capture_output=True, text=True, check=False
    ).stdout
    return [int(x) for x in out.split()]


class CpuSampler(threading.Thread):
    """CPU seconds used by a changing set of processes (gunicorn workers, PostgreSQL backends,
    which Django closes and reopens every CONN_MAX_AGE): read every 0.5 s, a process first seen
    mid-run counts from zero, one that exits keeps its last reading."""

    def __init__(self, pids) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.pids = pids
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.stop = threading.Event()
        self.sample(initial=True)

    def sample(self, initial: bool = False) -> None:
        for pid in self.pids():
            used = cpu_seconds([pid])
            self.first.setdefault(pid, used if initial else 0.0)
            self.last[pid] = used

    def run(self) -> None:
        while not self.stop.wait(0.5):
            self.sample()

    def finish(self) -> float:
        self.stop.set()
        self.join()
        self.sample()
        return sum(self.last[pid] - self.first[pid] for pid in self.last)


def machine_busy() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


# --- the load generator ------------------------------------------------------------------------


def multipart(content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="forma.xlsx"\r\n'
        "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), boundary


@dataclass
class Level:
    concurrency: int
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)  # of accepted (201) uploads
    statuses: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)


def post(port: int, work_id: int, target: Target, form: bytes | None) -> tuple[int, bytes]:
    """An upload, or (``form`` None) the floor: an authenticated no-op ``GET /api/v1/me/``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        if form is None:
            conn.request(
                "GET",
                "/api/v1/me/",
                headers={"Authorization": f"Token {target.token}", "Accept": "application/json"},
            )
        else:
            body, boundary = multipart(form)
            conn.request(
                "POST",
                f"/api/v1/schools/{target.school_id}/results/{work_id}/",
                body=body,
                headers={
                    "Authorization": f"Token {target.token}",
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Accept": "application/json",
                },
            )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def run_level(port: int, work_id: int, targets: list[Target], sequence, concurrency: int,
              duration: float, floor: bool = False) -> Level:  # fmt: skip
    ok = 200 if floor else 201
    level = Level(concurrency)
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration
    issued = itertools.count()

    def worker() -> None:
        while time.perf_counter() < stop_at:
            if next(issued) >= MAX_REQUESTS_PER_LEVEL:
                return
            with lock:
                k = next(sequence)
            target = targets[k % len(targets)]
            form = target.forms[(k // len(targets)) % len(target.forms)]
            t0 = time.perf_counter()
            try:
                status, body = post(port, work_id, target, None if floor else form)
                key = str(status)
            except OSError as exc:
                status, body, key = 0, str(exc).encode(), type(exc).__name__
            took = time.perf_counter() - t0
            with lock:
                level.statuses[key] = level.statuses.get(key, 0) + 1
                if status == ok:
                    level.latencies.append(took)
                elif len(level.samples) < 3:
                    level.samples.append(f"{key}: {body[:300]!r}")

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + 120)
    level.elapsed = time.perf_counter() - t0
    return level


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def uptime() -> str:
    return subprocess.run(
        ["uptime"], capture_output=True, text=True, check=False, env={**os.environ, "TZ": "UTC"}
    ).stdout.strip()


def run_mode(mode: str, args: argparse.Namespace, env: dict[str, str], work_id: int,
             targets: list[Target], sequence, log: Path) -> list[tuple[Level, dict]]:  # fmt: skip
    env = dict(env)
    if mode in ("redis", "worker"):
        env["REDIS_URL"] = REDIS_DB_URL
    port = free_port()
    proc = None
    celery = None
    results = []
    try:
        proc = start_gunicorn(env, port, args.workers, log)
        if mode == "worker":
            celery = start_celery(env, log)
        print(
            f"\n== tasks {mode}: gunicorn pid {proc.pid}, {args.workers} sync workers, "
            f"127.0.0.1:{port}, {MODE_TEXT[mode]}",
            flush=True,
        )
        warm = run_level(port, work_id, targets, sequence, args.workers * 2, 3.0)
        print(f"warm-up: {sum(warm.statuses.values())} requests {warm.statuses}", flush=True)
        if warm.samples:
            print("  e.g. " + "\n  e.g. ".join(warm.samples))
        if celery is not None:
            drained = drain(args.drain_timeout)
            print(f"warm-up statistics jobs done after {drained:.1f} s", flush=True)
        # its own counter: the uploads' sequence keeps alternating each school's two forms
        floor = measure_floor(port, work_id, targets, itertools.count(), args, proc)
        for concurrency in args.levels:
            gunicorn_cpu = CpuSampler(lambda: worker_pids(proc.pid))
            postgres_cpu = CpuSampler(lambda: postgres_pids(args.db))
            worker_cpu = (
                CpuSampler(lambda: [celery.pid, *worker_pids(celery.pid)])
                if celery is not None
                else None
            )
            consumer_cpu = CpuSampler(lambda: [celery.pid]) if celery is not None else None
            cpu_me0 = time.process_time()
            busy0, total0 = machine_busy()
            gunicorn_cpu.start()
            postgres_cpu.start()
            if worker_cpu is not None and consumer_cpu is not None:
                worker_cpu.start()
                consumer_cpu.start()
            level = run_level(port, work_id, targets, sequence, concurrency, args.duration)
            backlog = drain(args.drain_timeout) if celery is not None else 0.0
            busy1, total1 = machine_busy()
            cpu = {
                "gunicorn": gunicorn_cpu.finish(),
                "postgres": postgres_cpu.finish(),
                "worker": worker_cpu.finish() if worker_cpu is not None else None,
                "consumer": consumer_cpu.finish() if consumer_cpu is not None else None,
                "backlog": backlog,
                "loadgen": time.process_time() - cpu_me0,
                "busy": (busy1 - busy0) / max(1, total1 - total0),
                "floor": floor,
            }
            report(level, cpu)
            results.append((level, cpu))
    finally:
        stop_gunicorn(celery)
        stop_gunicorn(proc)
    return results


def start_celery(env: dict[str, str], log: Path) -> subprocess.Popen:
    """A Celery worker like docker-compose.yml's (its queues), one pool process, on this
    machine, against the bench database and Redis database."""
    cmd = [
        str(ROOT / ".venv" / "bin" / "celery"),
        "-A",
        "vpr_portal",
        "worker",
        "-Q",
        "default,heavy,imports,analytics",
        "--concurrency",
        "1",
        "-l",
        "warning",
        "-n",
        f"bench-results-{os.getpid()}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    handle = log.open("ab")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    time.sleep(3)
    if proc.poll() is not None:
        raise RuntimeError(f"celery exited with {proc.returncode}; see {log}")
    print(f"celery worker pid {proc.pid} (-c 1, queues of docker-compose.yml)", flush=True)
    return proc


def drain(timeout: float) -> float:
    """Wait until no statistics job is queued or running; the seconds it took."""
    from django.db import connections

    from apps.core.models import Job
    from apps.results.constants import RESULTS_STATS

    t0 = time.perf_counter()
    pending = Job.objects.filter(  # unscoped: the bench's own database
        kind=RESULTS_STATS, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
    )
    try:
        while pending.exists() and time.perf_counter() - t0 < timeout:
            time.sleep(0.25)
        if pending.exists():
            print(f"        {pending.count()} statistics jobs still pending after {timeout:.0f} s")
    finally:
        connections.close_all()
    return time.perf_counter() - t0


def measure_floor(port: int, work_id: int, targets: list[Target], sequence,  # type: ignore[no-untyped-def]
                  args: argparse.Namespace, proc: subprocess.Popen) -> dict[str, float]:  # fmt: skip  # noqa: E501
    """The floor of this server: CPU per authenticated no-op API request (GET /api/v1/me/)."""
    concurrency = args.levels[0]
    gunicorn_cpu = CpuSampler(lambda: worker_pids(proc.pid))
    postgres_cpu = CpuSampler(lambda: postgres_pids(args.db))
    gunicorn_cpu.start()
    postgres_cpu.start()
    level = run_level(port, work_id, targets, sequence, concurrency, min(args.duration, 10.0),
                      floor=True)  # fmt: skip
    web, db = gunicorn_cpu.finish(), postgres_cpu.finish()
    done = max(1, len(level.latencies))
    floor = {"web": web / done, "postgres": db / done, "rate": done / level.elapsed}
    others = {k: v for k, v in level.statuses.items() if k != "200"}
    print(
        f"floor: GET /api/v1/me/ (token) c={concurrency}: {done} in {level.elapsed:.1f} s = "
        f"{floor['rate']:.0f}/s, CPU gunicorn {floor['web'] * 1000:.1f} ms + postgres "
        f"{floor['postgres'] * 1000:.1f} ms per request, "
        f"p95 {pct(level.latencies, 0.95) * 1000:.0f} ms, other {others or 0}   "
        f"[load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}]",
        flush=True,
    )
    return floor


def report(level: Level, cpu: dict) -> None:
    accepted = len(level.latencies)
    rate = accepted / level.elapsed if level.elapsed else 0.0
    errors = {k: v for k, v in level.statuses.items() if k != "201"}
    lat = level.latencies
    per = (cpu["gunicorn"] / accepted * 1000) if accepted else 0.0
    pg_per = (cpu["postgres"] / accepted * 1000) if accepted else 0.0
    worker_per = (cpu["worker"] / accepted * 1000) if accepted and cpu["worker"] else 0.0
    floor = cpu["floor"]
    floor_ms = (floor["web"] + floor["postgres"]) * 1000
    whole = per + pg_per + worker_per
    print(
        f"c={level.concurrency:3d}  accepted {accepted:5d} in {level.elapsed:5.1f} s = "
        f"{rate:6.1f}/s   p50 {pct(lat, 0.5) * 1000:6.0f} ms  p95 {pct(lat, 0.95) * 1000:6.0f} ms"
        f"  max {max(lat, default=0) * 1000:6.0f} ms   other {errors or 0}",
        flush=True,
    )
    print(
        f"        CPU: gunicorn {per:5.0f} ms/upload, postgres {pg_per:4.0f} ms/upload, "
        f"load generator {cpu['loadgen']:5.1f} s; machine busy {cpu['busy'] * 100:3.0f}%   "
        f"[{uptime()}]",
        flush=True,
    )
    if cpu["worker"] is not None:
        sustained = accepted / (level.elapsed + cpu["backlog"]) if accepted else 0.0
        print(
            f"        celery worker {worker_per:5.1f} ms/upload (statistics + analytics; of it "
            f"{cpu['consumer'] * 1000 / max(1, accepted):4.1f} ms its main process); "
            f"backlog drained {cpu['backlog']:4.1f} s after the level → sustained "
            f"{sustained:5.1f}/s",
            flush=True,
        )
    print(
        f"        whole pipeline {whole:5.1f} ms CPU/upload = {whole / floor_ms:4.1f}× the floor "
        f"({floor_ms:4.1f} ms CPU per no-op API request)   "
        f"[load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}]",
        flush=True,
    )
    for sample in level.samples:
        print(f"        e.g. {sample}")


# --- where a request's CPU goes (in-process) ---------------------------------------------------


def profile_requests(work_id: int, targets: list[Target], count: int, sequence) -> None:  # type: ignore[no-untyped-def]
    """Post ``count`` uploads through Django's WSGI handler in this process (test client, the
    same token header; no network, tasks not enqueued) under cProfile, and print own-time per
    area of code: where the gunicorn worker's CPU per upload goes."""
    import cProfile
    import pstats
    from unittest import mock

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.results import services, xlsx

    client = Client()
    profiler = cProfile.Profile(time.process_time)  # CPU, not waits on PostgreSQL
    real_read_form = xlsx.read_form
    parse: list[float] = []

    def timed_read_form(*a, **kw):  # type: ignore[no-untyped-def]
        t0 = time.process_time()
        try:
            return real_read_form(*a, **kw)
        finally:
            parse.append(time.process_time() - t0)

    def upload(k: int) -> None:
        target = targets[k % len(targets)]
        form = target.forms[(k // len(targets)) % len(target.forms)]
        body, boundary = multipart(form)
        response = client.generic(
            "POST",
            f"/api/v1/schools/{target.school_id}/results/{work_id}/",
            data=body,
            content_type=f"multipart/form-data; boundary={boundary}",
            HTTP_AUTHORIZATION=f"Token {target.token}",
            HTTP_HOST="127.0.0.1",
        )
        assert response.status_code == 201, response.content[:300]

    seconds: list[float] = []
    queries: list[int] = []
    with (
        mock.patch.object(services, "_enqueue_stats", return_value=None),
        mock.patch.object(xlsx, "read_form", timed_read_form),
    ):
        # without the profiler: CPU per request, of it the form parse+validate, and queries
        for k in itertools.islice(sequence, count):
            with CaptureQueriesContext(connection) as captured:
                t0 = time.process_time()
                upload(k)
                seconds.append(time.process_time() - t0)
            queries.append(len(captured.captured_queries))
        # under the profiler: which code
        for k in itertools.islice(sequence, count):
            profiler.enable()
            upload(k)
            profiler.disable()
    cpu = statistics.median(seconds) * 1000
    parsed = statistics.median(parse[:count]) * 1000
    print(
        f"\nin-process, {count} API uploads (Django test client, token header, tasks not "
        f"enqueued; DEBUG off so CaptureQueriesContext forces query logging only here):\n"
        f"  CPU per upload (this process, no profiler): median {cpu:.1f} ms\n"
        f"  of it read_form (calamine + every cell rule): median {parsed:.1f} ms\n"
        f"  SQL queries per upload: {statistics.median(queries):.0f}"
    )
    areas: dict[str, float] = {}
    rules = [
        ("apps/results/xlsx.py", "form parse+validate (apps.results.xlsx)"),
        ("calamine", "form parse+validate (python-calamine)"),
        ("/apps/", "portal code (services, selectors, scoping, audit)"),
        ("django/db/models", "Django ORM (query building, model instances)"),
        ("django/db/backends", "database driver layer (Django backend + psycopg)"),
        ("psycopg", "database driver layer (Django backend + psycopg)"),
        ("Cursor", "database driver layer (Django backend + psycopg)"),
        ("multipartparser", "multipart parsing"),
        ("django/core/files", "file storage"),
        ("rest_framework", "DRF (views, auth, parsers, renderers)"),
        ("guardian", "django-guardian"),
        ("django/", "Django other (handler, middleware, templates, signals)"),
    ]
    stats = pstats.Stats(profiler)
    for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        where = name if filename == "~" else filename  # C functions: "{method 'x' of 'y'}"
        area = next((label for key, label in rules if key in where), "Python stdlib / builtins")
        areas[area] = areas.get(area, 0.0) + row[2]  # own time
    total = sum(areas.values())
    print("own CPU time by area under cProfile (its overhead inflates Python-heavy code):")
    for area, spent in sorted(areas.items(), key=lambda kv: -kv[1]):
        print(f"  {spent / count * 1000:6.1f} ms  {spent / total * 100:4.0f}%  {area}")
    print("top functions by own CPU time:")
    stats.sort_stats("tottime").print_stats(15)


# --- main --------------------------------------------------------------------------------------


def dropdb(name: str, timeout: float) -> bool:
    """DROP DATABASE … WITH (FORCE); False if it did not finish in time (PostgreSQL 15 waits for
    every backend of the cluster to absorb a barrier, so one stuck session elsewhere stalls it;
    the server finishes the drop on its own once that session moves)."""
    try:
        subprocess.run(
            ["dropdb", *PG, "--if-exists", "--force", name],
            check=False,
            capture_output=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--participants", type=int, default=100)
    parser.add_argument("--forms-per-school", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (2–4)")
    parser.add_argument("--levels", default="4,8,16", help="concurrency levels, comma-separated")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per level (≤120)")
    parser.add_argument("--tasks", choices=["eager", "redis", "worker", "both"], default="both")
    parser.add_argument(
        "--drain-timeout", type=float, default=120.0, help="seconds to wait for the worker"
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="N in-process uploads under cProfile"
    )
    parser.add_argument("--db", default=DB_NAME, help="name of the throw-away database")
    args = parser.parse_args()
    args.levels = [max(1, min(64, int(x))) for x in args.levels.split(",")]
    args.duration = max(1.0, min(120.0, args.duration))
    args.workers = max(1, min(8, args.workers))
    args.forms_per_school = max(2, args.forms_per_school)
    if not re.fullmatch(r"vpr_bench_[a-z0-9_]+", args.db):
        raise SystemExit("--db must look like vpr_bench_<letters, digits, _>")

    media = tempfile.mkdtemp(prefix="vpr-bench-media-")
    log = Path(media).parent / f"{Path(media).name}-gunicorn.log"
    env = base_env(media, args.db)
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)
    redis_before: set[bytes] | None = None
    print(f"started {time.strftime('%H:%M:%S', time.gmtime())} UTC   [{uptime()}]", flush=True)
    try:
        if not dropdb(args.db, timeout=60):
            raise SystemExit(f"could not drop a leftover {args.db} within 60 s; use --db")
        subprocess.run(["createdb", *PG, args.db], check=True, capture_output=True, timeout=60)
        work_id, targets = prepare(args.schools, args.participants, args.forms_per_school)
        sequence = itertools.count()
        if args.profile:
            from django.db import connections

            profile_requests(work_id, targets, min(args.profile, 500), sequence)
            connections.close_all()
        all_results = []
        modes = ["eager", "redis"] if args.tasks == "both" else [args.tasks]
        for mode in modes:
            if mode in ("redis", "worker"):
                import redis

                client = redis.Redis.from_url(REDIS_DB_URL)
                if redis_before is None:
                    redis_before = set(client.keys("*"))
            for level, cpu in run_mode(mode, args, env, work_id, targets, sequence, log):
                all_results.append((mode, level, cpu))
            if mode == "redis":
                queued = {
                    q: client.llen(q) for q in ("analytics", "default") if client.type(q) == b"list"
                }
                print(f"tasks left queued in Redis (no worker): {queued}")
        print("\nsummary (target ≥30 accepted/s with p95 < 1 s):")
        for mode, level, cpu in all_results:
            accepted = len(level.latencies)
            rate = accepted / (level.elapsed + cpu["backlog"]) if level.elapsed else 0.0
            p95 = pct(level.latencies, 0.95)
            ok = rate >= TARGET_RATE and p95 < TARGET_P95
            whole = (cpu["gunicorn"] + cpu["postgres"] + (cpu["worker"] or 0.0)) / max(1, accepted)
            floor = cpu["floor"]["web"] + cpu["floor"]["postgres"]
            print(
                f"  tasks {mode:6s} c={level.concurrency:3d}: {rate:6.1f}/s "
                f"p95 {p95 * 1000:5.0f} ms, {whole * 1000:5.1f} ms CPU/upload "
                f"({whole / floor:4.1f}× floor) — {'meets' if ok else 'misses'}"
            )
        print(f"finished [{uptime()}]; gunicorn log: {log}")
    finally:
        if redis_before is not None:
            import redis

            client = redis.Redis.from_url(REDIS_DB_URL)
            created = [k for k in client.keys("*") if k not in redis_before]
            if created:
                client.delete(*created)
        from django.db import connections

        with contextlib.suppress(Exception):  # Django is not set up if createdb failed
            connections.close_all()
        if not dropdb(args.db, timeout=120):
            print(f"DROP DATABASE {args.db} still waiting after 120 s (see dropdb docstring)")
        shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
