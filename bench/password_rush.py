"""The 07:30 password rush: grade-8 archive passwords per second against gunicorn + PostgreSQL.

Issue 18 target: at least 300 password requests per second on this 2-core machine with p95 under
300 ms, and a burst of 2,000 requests at once answered within 10 s. This script:

1. creates its own PostgreSQL database (``vpr_bench_rush`` on 127.0.0.1, user postgres; dropped
   first if a previous run left it) and migrates it with ``vpr_portal.settings.local`` (plain
   HTTP, DEBUG off);
2. creates N schools (default 2,000) in a zone whose 07:30 has passed today, each with a grade-8
   kit of one encrypted work held today (a Fernet-encrypted password the script knows), a school
   organizer and an API token per school;
3. starts ``gunicorn vpr_portal.wsgi`` with the settings of ``vpr_portal/gunicorn_conf.py``
   (threaded workers, keep-alive) on a free loopback port;
4. runs a low-CPU load generator (asyncio, raw HTTP/1.1 over keep-alive connections; its own CPU
   is measured and reported, nothing is subtracted) in these modes, each against the password
   route and, in the same run, against the floor (``GET /api/v1/me/``: the same token
   authentication, actor build and DRF response, no kit, no gate, no decryption, no audit row):
   * steady rates (``--rates``, default 100,200,300,400 per second, open loop: latency counts
     from the scheduled instant, so a server falling behind shows in p95);
   * a burst (``--burst``, default 2,000): that many schools connect and ask at the same instant,
     one new connection each; the time to the last answer;
5. checks every answer (200 and that school's password) and, after the run, that the database
   holds one audit row per password answered;
6. in ``finally``: stops gunicorn and drops the database.

    .venv/bin/python bench/password_rush.py
    .venv/bin/python bench/password_rush.py --rates 300 --duration 10 --burst 2000
    .venv/bin/python bench/password_rush.py --profile 300 --rates "" --burst 0   # one request

``--profile N``: N password requests in-process (Django test client with the token header):
CPU per request, SQL queries per request (printed once), then the same under cProfile.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from results_load import (  # noqa: E402 - bench helpers, after the path is set
    PG,
    CpuSampler,
    base_env,
    dropdb,
    free_port,
    launch_listening,
    machine_busy,
    pct,
    postgres_pids,
    stop_gunicorn,
    uptime,
    worker_pids,
)

DB_NAME = "vpr_bench_rush"
WARMUP_RATE, WARMUP_SECONDS = 100, 2
TARGET_RATE = 300.0
TARGET_P95 = 0.300
TARGET_BURST = 10.0
PASSWORD_PATH = "/api/v1/materials/kits/{kit}/password/"  # noqa: S105 - a URL
FLOOR_PATH = "/api/v1/me/"


@dataclass(frozen=True)
class Target:
    school_id: int
    kit_id: int
    token: str
    password: str


# --- preparation (in this process) -------------------------------------------------------------


def rush_zone() -> str:
    """A Russian zone whose 07:30 of its local today has passed by at least 15 minutes (and
    that stays in the same local day for the next hour)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    now = dt.datetime.now(dt.UTC)
    for zone in ("Europe/Moscow", "Asia/Yekaterinburg", "Asia/Krasnoyarsk", "Asia/Vladivostok",
                 "Asia/Kamchatka", "Europe/Kaliningrad", "Europe/Samara", "Asia/Omsk",
                 "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Magadan"):  # fmt: skip
        local = now.astimezone(ZoneInfo(zone))
        if dt.time(7, 45) <= local.time() <= dt.time(22, 30):
            return zone
    raise SystemExit("no Russian zone is between 07:45 and 22:30 now")  # cannot happen


def seed_schools(count: int, zone: str, prefix: str = "rush") -> tuple[Any, list[Target]]:
    """``count`` schools of one region in ``zone``, each with a grade-8 kit of one encrypted
    work held on its local today, a school organizer and an API token."""
    import datetime as dt
    import secrets
    from zoneinfo import ZoneInfo

    from django.db import transaction

    from apps.campaigns.models import SchoolWorkDate
    from apps.campaigns.tests.factories import WorkFactory
    from apps.core import crypto
    from apps.materials.models import Kit
    from apps.registration.models import User
    from apps.registration.services_tokens import api_token_issue
    from apps.registration.tests.factories import (
        MunicipalityFactory,
        RegionFactory,
        SchoolFactory,
        grant,
    )

    today = dt.datetime.now(ZoneInfo(zone)).date()
    targets: list[Target] = []
    with transaction.atomic():
        work = WorkFactory(
            grade=8,
            encrypted_archive=True,
            period_start=today - dt.timedelta(days=2),
            period_end=today + dt.timedelta(days=5),
            materials_publish_date=today - dt.timedelta(days=7),
            results_upload_deadline=today + dt.timedelta(days=10),
            results_release_date=today + dt.timedelta(days=20),
        )
        region = RegionFactory(time_zone=zone)
        munis = [MunicipalityFactory(region=region) for _ in range(max(1, count // 100))]
        for i in range(count):
            school = SchoolFactory(
                municipality=munis[i % len(munis)], region=region, time_zone=zone
            )
            user = User.objects.create_user(username=f"{school.code}_{prefix}", password=None)
            grant(user, "school_organizer", school)
            token, _expiry = api_token_issue(user=user)
            password = secrets.token_urlsafe(12)
            kit = Kit.objects.create(
                school=school,
                work=work,
                municipality_id=school.municipality_id,
                region_id=school.region_id,
                seed=i,
                bank_revision=1,
                participants=25,
                password_token=crypto.encrypt(password.encode()),
            )
            SchoolWorkDate.objects.create(
                school=school,
                work=work,
                date=today,
                municipality_id=school.municipality_id,
                region_id=school.region_id,
            )
            targets.append(Target(school.pk, kit.pk, token, password))
    return work, targets


def prepare(schools: int) -> list[Target]:
    import logging

    import django

    django.setup()
    logging.getLogger().setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connections

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate:              {time.perf_counter() - t0:6.1f} s", flush=True)
    zone = rush_zone()
    t0 = time.perf_counter()
    _work, targets = seed_schools(schools, zone)
    print(f"seed {schools} schools ({zone}): {time.perf_counter() - t0:6.1f} s", flush=True)
    connections.close_all()
    return targets


def audit_rows() -> int:
    from apps.core.models import AuditEvent

    return AuditEvent.objects.filter(action="materials.password_view").count()


# --- gunicorn ----------------------------------------------------------------------------------


def start_gunicorn(env: dict[str, str], port: int, log: Path, extra: list[str]) -> subprocess.Popen:
    """gunicorn with the production config file (vpr_portal/gunicorn_conf.py), bound to loopback."""
    cmd = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "vpr_portal.wsgi",
        "--config",
        str(ROOT / "vpr_portal" / "gunicorn_conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        *extra,
    ]
    return launch_listening(cmd, env, port, log)


# --- the load generator (asyncio, raw HTTP/1.1) ------------------------------------------------


@dataclass
class Request:
    kind: str
    raw: bytes
    expect: bytes | None  # bytes the body must contain (the password), None: any 200


@dataclass
class Outcome:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)
    answered: dict[str, int] = field(default_factory=dict)  # 200 with the right body

    def fail(self, key: str, detail: str) -> None:
        self.errors[key] = self.errors.get(key, 0) + 1
        if len(self.samples) < 3:
            self.samples.append(f"{key}: {detail[:200]}")


def request_bytes(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Accept: application/json"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def password_request(t: Target) -> Request:
    raw = request_bytes(PASSWORD_PATH.format(kit=t.kit_id), {"Authorization": f"Token {t.token}"})
    return Request("password", raw, f'"password":"{t.password}"'.encode())


def floor_request(t: Target) -> Request:
    return Request("floor", request_bytes(FLOOR_PATH, {"Authorization": f"Token {t.token}"}), None)


class Conn:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Conn:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
        return cls(reader, writer)

    async def exchange(self, raw: bytes) -> tuple[int, bytes, bool]:
        """Send one request, read one response: (status, body, server keeps the connection)."""
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        at = lower.find(b"content-length:")
        length = int(lower[at + 15 : lower.find(b"\r\n", at)]) if at >= 0 else 0
        body = await self.reader.readexactly(length) if length else b""
        return status, body, b"connection: close" not in lower

    def close(self) -> None:
        self.writer.close()


async def _send(port: int, pool: list[Conn], req: Request, started: float, out: Outcome) -> None:
    conn = pool.pop() if pool else None
    for attempt in (1, 2):
        reused = conn is not None
        try:
            if conn is None:
                conn = await Conn.open(port)
            status, body, keep = await conn.exchange(req.raw)
            break
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            if conn is not None:
                conn.close()
            conn = None
            # a kept-alive connection the server closed meanwhile (its keep-alive timeout):
            # retried once on a new one, as HTTP clients do for an idempotent GET
            if reused and attempt == 1:
                continue
            out.fail(type(exc).__name__, str(exc))
            return
    assert conn is not None
    took = time.perf_counter() - started
    if status != 200 or (req.expect is not None and req.expect not in body):
        out.fail(str(status), body.decode(errors="replace"))
    else:
        out.latencies.setdefault(req.kind, []).append(took)
        out.answered[req.kind] = out.answered.get(req.kind, 0) + 1
    if keep:
        pool.append(conn)
    else:
        conn.close()


async def steady(
    port: int, requests: list[Request], rate: float, duration: float
) -> tuple[Outcome, float]:
    """Open loop: request k is due at t0 + k/rate over a pool of keep-alive connections (a new
    one only when every open one is busy)."""
    out, pool, tasks = Outcome(), [], []
    total = int(rate * duration)
    t0 = time.perf_counter()
    for k in range(total):
        due = t0 + k / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_send(port, pool, requests[k % len(requests)], due, out)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t0
    for conn in pool:
        conn.close()
    return out, elapsed


async def burst(port: int, requests: list[Request]) -> tuple[Outcome, float]:
    """Every request at the same instant, each on a new connection of its own."""
    out: Outcome = Outcome()
    t0 = time.perf_counter()
    pools: list[list[Conn]] = [[] for _ in requests]
    await asyncio.gather(
        *(_send(port, p, r, t0, out) for p, r in zip(pools, requests, strict=True))
    )
    elapsed = time.perf_counter() - t0
    for p in pools:
        for conn in p:
            conn.close()
    return out, elapsed


@dataclass
class Measured:
    label: str
    kind: str
    sent: int
    out: Outcome
    elapsed: float
    server_cpu: float
    db_cpu: float
    gen_cpu: float
    busy: float
    load: tuple[float, float, float]

    @property
    def ok(self) -> int:
        return self.out.answered.get(self.kind, 0)

    def per_request(self, cpu: float) -> float:
        return cpu / self.ok * 1000 if self.ok else 0.0


def measure(label: str, kind: str, run, port: int, master: int, sent: int) -> Measured:  # type: ignore[no-untyped-def]
    web = CpuSampler(lambda: worker_pids(master))
    db = CpuSampler(lambda: postgres_pids(DB_NAME_USED))
    web.start()
    db.start()
    busy0, all0 = machine_busy()
    cpu0 = time.process_time()
    out, elapsed = asyncio.run(run)
    gen_cpu = time.process_time() - cpu0
    busy1, all1 = machine_busy()
    m = Measured(label, kind, sent, out, elapsed, web.finish(), db.finish(), gen_cpu,
                 (busy1 - busy0) / max(1, all1 - all0), os.getloadavg())  # fmt: skip
    lat = out.latencies.get(kind, [])
    print(
        f"  {label:18s} {m.ok:5d}/{sent:<5d} ok in {elapsed:5.2f} s = {m.ok / elapsed:6.1f}/s  "
        f"p50 {pct(lat, 0.5) * 1000:6.1f}  p95 {pct(lat, 0.95) * 1000:7.1f}  "
        f"max {max(lat, default=0) * 1000:7.1f} ms | "
        f"CPU/req web {m.per_request(m.server_cpu):5.2f} "
        f"db {m.per_request(m.db_cpu):5.2f} gen {m.per_request(m.gen_cpu):5.2f} ms | "
        f"machine {m.busy * 100:3.0f}% busy, load {m.load[0]:.2f}",
        flush=True,
    )
    if out.errors:
        print(f"      errors {out.errors}; e.g. {out.samples}", flush=True)
    return m


DB_NAME_USED = DB_NAME


def run_http(
    args: argparse.Namespace, env: dict[str, str], targets: list[Target], log: Path
) -> list[tuple[Measured, Measured]]:
    port = free_port()
    extra = ["--workers", str(args.workers)] if args.workers else []
    if args.threads:
        extra += ["--threads", str(args.threads)]
    proc = start_gunicorn(env, port, log, extra)
    pairs: list[tuple[Measured, Measured]] = []
    try:
        master = proc.pid
        print(f"gunicorn pid {master}, workers {worker_pids(master)} on 127.0.0.1:{port}")
        passwords = [password_request(t) for t in targets]
        floors = [floor_request(t) for t in targets]
        # warm-up: every worker thread connects to PostgreSQL and imports its views
        asyncio.run(steady(port, floors[:200], WARMUP_RATE, WARMUP_SECONDS))
        asyncio.run(
            steady(port, passwords[: min(200, len(passwords))], WARMUP_RATE, WARMUP_SECONDS)
        )
        print("steady rate (open loop, keep-alive), latency from the scheduled instant:")
        for rate in args.rates:
            n = int(rate * args.duration)
            f = measure(f"floor {rate:.0f}/s", "floor", steady(port, floors, rate, args.duration),
                        port, master, n)  # fmt: skip
            p = measure(f"password {rate:.0f}/s", "password",
                        steady(port, passwords, rate, args.duration), port, master, n)  # fmt: skip
            pairs.append((p, f))
        if args.burst:
            n = args.burst
            print(f"burst: {n} schools at once, one new connection each (time to the last answer):")
            reqs = [floors[k % len(floors)] for k in range(n)]
            f = measure(f"floor burst {n}", "floor", burst(port, reqs), port, master, n)
            reqs = [passwords[k % len(passwords)] for k in range(n)]
            p = measure(f"password burst {n}", "password", burst(port, reqs), port, master, n)
            pairs.append((p, f))
    finally:
        stop_gunicorn(proc)
    return pairs


# --- in-process profile ------------------------------------------------------------------------


def profile_requests(targets: list[Target], count: int) -> None:
    import cProfile
    import pstats

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")

    def ask(t: Target) -> None:
        response = client.get(
            PASSWORD_PATH.format(kit=t.kit_id), HTTP_AUTHORIZATION=f"Token {t.token}"
        )
        assert response.status_code == 200, response.content
        assert response.json()["password"] == t.password

    ask(targets[0])
    with CaptureQueriesContext(connection) as queries:
        ask(targets[1 % len(targets)])
    print(f"SQL queries per password request: {len(queries)}")
    for q in queries.captured_queries:
        print(f"   {q['sql'][:160]}")
    reset_queries()
    batch = [targets[k % len(targets)] for k in range(count)]
    cpu0 = time.process_time()
    for t in batch:
        ask(t)
    per = (time.process_time() - cpu0) / count * 1000
    print(f"in-process CPU per password request (test client, no profiler): {per:.2f} ms")
    cpu0 = time.process_time()
    for t in batch:
        client.get(FLOOR_PATH, HTTP_AUTHORIZATION=f"Token {t.token}")
    floor = (time.process_time() - cpu0) / count * 1000
    print(f"in-process CPU per floor request (GET /api/v1/me/):               {floor:.2f} ms "
          f"(ratio {per / floor:.2f})")  # fmt: skip
    profiler = cProfile.Profile()
    profiler.enable()
    for t in batch:
        ask(t)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(20)


# --- main --------------------------------------------------------------------------------------


def summary(pairs: list[tuple[Measured, Measured]]) -> None:
    print(f"\nsummary (targets: ≥{TARGET_RATE:.0f}/s with p95 < {TARGET_P95 * 1000:.0f} ms; "
          f"a burst of 2,000 answered within {TARGET_BURST:.0f} s):")  # fmt: skip
    for p, f in pairs:
        lat = p.out.latencies.get("password", [])
        web_cpu = p.per_request(p.server_cpu + p.db_cpu)
        floor_cpu = f.per_request(f.server_cpu + f.db_cpu)
        ratio = web_cpu / floor_cpu if floor_cpu else 0.0
        rate = p.ok / p.elapsed if p.elapsed else 0.0
        if "burst" in p.label:
            met = p.ok == p.sent and p.elapsed < TARGET_BURST
            what = f"last answer {p.elapsed:5.2f} s (floor {f.elapsed:5.2f} s)"
        else:
            met = p.ok == p.sent and rate >= TARGET_RATE * 0.98 and pct(lat, 0.95) < TARGET_P95
            what = f"{rate:6.1f}/s p95 {pct(lat, 0.95) * 1000:6.1f} ms"
        print(
            f"  {p.label:20s} {what}; CPU/req web+db {web_cpu:5.2f} ms vs floor "
            f"{floor_cpu:5.2f} ms (×{ratio:.2f}); generator {p.per_request(p.gen_cpu):4.2f} ms/req;"
            f" load {p.load[0]:.2f} — {'meets' if met else 'misses'}"
        )


def main() -> None:
    global DB_NAME_USED
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--rates", default="100,200,300,400", help="requests/s, comma-separated")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per rate (≤60)")
    parser.add_argument("--burst", type=int, default=2000, help="requests at once (0: none)")
    parser.add_argument("--workers", type=int, default=0, help="override the config's workers")
    parser.add_argument("--threads", type=int, default=0, help="override the config's threads")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--db", default=DB_NAME, help="name of the throw-away database")
    args = parser.parse_args()
    args.rates = [float(x) for x in args.rates.split(",") if x.strip()]
    args.duration = max(1.0, min(60.0, args.duration))
    args.burst = max(0, min(5000, args.burst))
    if not re.fullmatch(r"vpr_bench_[a-z0-9_]+", args.db):
        raise SystemExit("--db must look like vpr_bench_<letters, digits, _>")
    DB_NAME_USED = args.db

    media = tempfile.mkdtemp(prefix="vpr-bench-rush-")
    log = Path(media).parent / f"{Path(media).name}-gunicorn.log"
    env = base_env(media, args.db)
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)
    print(f"started {time.strftime('%H:%M:%S', time.gmtime())} UTC   [{uptime()}]", flush=True)
    try:
        if not dropdb(args.db, timeout=60):
            raise SystemExit(f"could not drop a leftover {args.db} within 60 s; use --db")
        subprocess.run(["createdb", *PG, args.db], check=True, capture_output=True, timeout=60)
        targets = prepare(args.schools)
        before = audit_rows()
        if args.profile:
            from django.db import connections

            profile_requests(targets, args.profile)
            connections.close_all()
            before = audit_rows()
        pairs = run_http(args, env, targets, log) if args.rates or args.burst else []
        answered = sum(p.ok for p, _ in pairs)
        rows = audit_rows() - before
        # the warm-up asks WARMUP_RATE × WARMUP_SECONDS passwords, cycling over the schools
        warmup = int(WARMUP_RATE * WARMUP_SECONDS) if (args.rates or args.burst) else 0
        verdict = "match" if rows == answered + warmup else "MISMATCH"
        print(
            f"\naudit rows: {rows} new password views for {answered} passwords answered "
            f"(+{warmup} warm-up) — {verdict}"
        )
        summary(pairs)
        print(f"finished [{uptime()}]; gunicorn log: {log}")
    finally:
        from django.db import connections

        with contextlib.suppress(Exception):
            connections.close_all()
        if not dropdb(args.db, timeout=120):
            print(f"DROP DATABASE {args.db} still waiting after 120 s")
        shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
