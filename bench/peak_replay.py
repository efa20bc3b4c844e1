"""Replays one time zone's 07:30 peak at a fraction of its size: per kind of request its rate,
p95 and CPU, the numbers behind docs/capacity.md.

The peak (docs/capacity.md, «Load model»): at 07:30 school-local on a grade-8 day every school of
the zone that writes that day asks for its archive password, mostly within the first minutes.
The Moscow zone (UTC+3: Moscow, Volgograd, Kirov, Simferopol) holds ~23,000 of the ~40,000
schools. Per school, within the peak window, the national mix assumed here:

* ``cabinet``  1.0  the school cabinet page (HTML, session);
* ``materials`` 1.0 the school's materials page (HTML, session: statuses, opening instants);
* ``password`` 1.0  the password: half through the page (HTML, session), half through the API
  (the school's information system, token);
* ``archive``  0.3  the grade-8 archive, for the schools that had not fetched it on the days
  before (API, token; a file of ``--archive-kb``, streamed from storage).

The script seeds ``--schools`` schools as bench/password_rush.py does (its own PostgreSQL
database ``vpr_bench_peak``), gives each a session and a token and a built archive, starts
gunicorn with vpr_portal/gunicorn_conf.py, then:

1. each kind alone at its share of ``--rate`` schools per second for ``--duration`` seconds:
   the CPU per request of that kind (gunicorn workers, PostgreSQL backends) and its p95;
2. the whole mix at ``--rate`` schools per second (open loop, keep-alive connections, the kinds
   interleaved at random with a fixed seed): per kind the rate, p50/p95 and errors, the total
   CPU, and the predicted CPU from step 1 (the mix should cost their sum);
3. prints the fraction of the real peak that was replayed (``--rate`` vs the zone's schools per
   second at ``--peak-minutes``), the machine's busy share and the load average, and checks one
   audit row per password and per archive answered.

    .venv/bin/python bench/peak_replay.py                          # 1,000 schools, 20/s
    .venv/bin/python bench/peak_replay.py --rate 40 --duration 20 --schools 1500
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import password_rush as rush  # noqa: E402 - bench helpers, after the path is set
from results_load import (  # noqa: E402
    PG,
    CpuSampler,
    base_env,
    dropdb,
    free_port,
    machine_busy,
    pct,
    postgres_pids,
    stop_gunicorn,
    uptime,
    worker_pids,
)

DB_NAME = "vpr_bench_peak"
ZONE_SCHOOLS = 23_000  # the Moscow zone's schools (apps/demo/data/regions.json: 22,970)
MIX = {"cabinet": 1.0, "materials": 1.0, "password": 1.0, "archive": 0.3}


@dataclass(frozen=True)
class School:
    target: rush.Target
    session: str


def prepare(count: int, archive_kb: int) -> list[School]:
    """The password rush's schools, each with a built archive and a browser session."""
    import hashlib
    import logging

    import django

    django.setup()
    logging.getLogger().setLevel(logging.WARNING)
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.db import connections, transaction
    from django.utils import timezone

    from apps.materials.models import Kit
    from apps.registration.models import User

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate:              {time.perf_counter() - t0:6.1f} s", flush=True)
    t0 = time.perf_counter()
    zone = rush.rush_zone()
    _work, targets = rush.seed_schools(count, zone, prefix="peak")
    content = random.Random(7).randbytes(archive_kb * 1024)  # incompressible, like a .7z
    path = default_storage.save("bench/peak/archive.7z", ContentFile(content))
    digest = hashlib.sha256(content).hexdigest()
    schools = []
    with transaction.atomic():
        Kit.objects.filter(pk__in=[t.kit_id for t in targets]).update(
            status=Kit.Status.READY,
            archive_path=path,
            archive_name="archive.7z",
            archive_sha256=digest,
            archive_size=len(content),
            archive_built_at=timezone.now(),
        )
        from apps.registration.models import SchoolGrant

        users = {u.pk: u for u in User.objects.filter(username__endswith="_peak")}
        owner = dict(SchoolGrant.objects.values_list("content_object_id", "user_id"))
        for t in targets:
            user = users[owner[t.school_id]]
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.create()
            schools.append(School(t, store.session_key or ""))
    print(f"seed {count} schools ({zone}): {time.perf_counter() - t0:6.1f} s", flush=True)
    connections.close_all()
    return schools


def requests_of(school: School) -> dict[str, list[rush.Request]]:
    t = school.target
    cookie = {"Cookie": f"sessionid={school.session}"}
    token = {"Authorization": f"Token {t.token}"}
    expect = f'"password":"{t.password}"'.encode()
    return {
        "cabinet": [rush.Request("cabinet", rush.request_bytes("/cabinet/", cookie), None)],
        "materials": [
            rush.Request(
                "materials", rush.request_bytes(f"/schools/{t.school_id}/materials/", cookie), None
            )
        ],
        "password": [
            rush.Request(
                "password",
                rush.request_bytes(f"/materials/kits/{t.kit_id}/password/", cookie),
                t.password.encode(),
            ),
            rush.Request(
                "password",
                rush.request_bytes(rush.PASSWORD_PATH.format(kit=t.kit_id), token),
                expect,
            ),
        ],
        "archive": [
            rush.Request(
                "archive",
                rush.request_bytes(f"/api/v1/materials/kits/{t.kit_id}/archive/", token),
                None,
            )
        ],
    }


async def mixed(port: int, plan: list[tuple[float, rush.Request]]) -> tuple[rush.Outcome, float]:
    """Open loop: each request at its planned offset, over a pool of keep-alive connections."""
    out, pool, tasks = rush.Outcome(), [], []
    t0 = time.perf_counter()
    for offset, req in plan:
        due = t0 + offset
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(rush._send(port, pool, req, due, out)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t0
    for conn in pool:
        conn.close()
    return out, elapsed


def measured(port: int, master: int, db: str, plan):  # type: ignore[no-untyped-def]
    web = CpuSampler(lambda: worker_pids(master))
    pg = CpuSampler(lambda: postgres_pids(db))
    web.start()
    pg.start()
    busy0, all0 = machine_busy()
    cpu0 = time.process_time()
    out, elapsed = asyncio.run(mixed(port, plan))
    gen = time.process_time() - cpu0
    busy1, all1 = machine_busy()
    return out, elapsed, web.finish(), pg.finish(), gen, (busy1 - busy0) / max(1, all1 - all0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20.0, help="schools per second")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per phase (≤60)")
    parser.add_argument(
        "--peak-minutes", type=float, default=5.0, help="the real peak: the zone in N minutes"
    )
    parser.add_argument("--archive-kb", type=int, default=1500)
    parser.add_argument("--db", default=DB_NAME)
    args = parser.parse_args()
    args.duration = max(2.0, min(60.0, args.duration))
    if not re.fullmatch(r"vpr_bench_[a-z0-9_]+", args.db):
        raise SystemExit("--db must look like vpr_bench_<letters, digits, _>")

    media = tempfile.mkdtemp(prefix="vpr-bench-peak-")
    log = Path(media).parent / f"{Path(media).name}-gunicorn.log"
    env = base_env(media, args.db)
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)
    print(f"started {time.strftime('%H:%M:%S', time.gmtime())} UTC   [{uptime()}]", flush=True)
    proc = None
    try:
        if not dropdb(args.db, timeout=60):
            raise SystemExit(f"could not drop a leftover {args.db} within 60 s; use --db")
        subprocess.run(["createdb", *PG, args.db], check=True, capture_output=True, timeout=60)
        schools = prepare(args.schools, args.archive_kb)
        audits_before = audit_counts()
        port = free_port()
        proc = rush.start_gunicorn(env, port, log, [])
        master = proc.pid
        rng = random.Random(2026)
        per_school = [requests_of(s) for s in schools]
        # warm-up: every kind once per worker thread
        warm = [(k * 0.01, rng.choice(per_school[k][kind])) for k in range(40) for kind in MIX]
        asyncio.run(mixed(port, warm))
        answered = {kind: 0 for kind in MIX}
        answered["password"] += sum(1 for _, r in warm if r.kind == "password")
        answered["archive"] += sum(1 for _, r in warm if r.kind == "archive")

        print(f"1. each kind alone at its share of {args.rate:.0f} schools/s:")
        alone: dict[str, float] = {}
        for kind, share in MIX.items():
            rate = args.rate * share
            n = max(1, int(rate * args.duration))
            plan = [(k / rate, rng.choice(per_school[k % len(schools)][kind])) for k in range(n)]
            out, elapsed, web, pg, gen, busy = measured(port, master, args.db, plan)
            ok = out.answered.get(kind, 0)
            answered[kind] += ok
            alone[kind] = (web + pg) / ok * 1000 if ok else 0.0
            lat = out.latencies.get(kind, [])
            print(
                f"  {kind:9s} {ok:5d}/{n:<5d} {ok / elapsed:6.1f}/s p50 "
                f"{pct(lat, 0.5) * 1000:6.1f} p95 {pct(lat, 0.95) * 1000:7.1f} ms | CPU/req web "
                f"{web / max(ok, 1) * 1000:5.2f} db {pg / max(ok, 1) * 1000:5.2f} gen "
                f"{gen / max(ok, 1) * 1000:4.2f} ms | machine {busy * 100:3.0f}% load "
                f"{os.getloadavg()[0]:.2f}"
                + (f" errors {out.errors} {out.samples}" if out.errors else ""),
                flush=True,
            )

        print(f"2. the mix at {args.rate:.0f} schools/s for {args.duration:.0f} s:")
        plan = []
        n_schools = int(args.rate * args.duration)
        for k in range(n_schools):
            reqs = per_school[k % len(schools)]
            start = k / args.rate
            for kind, share in MIX.items():
                if share >= 1 or rng.random() < share:
                    plan.append((start + rng.random() / args.rate, rng.choice(reqs[kind])))
        plan.sort(key=lambda p: p[0])
        out, elapsed, web, pg, gen, busy = measured(port, master, args.db, plan)
        predicted = 0.0
        for kind in MIX:
            ok = out.answered.get(kind, 0)
            answered[kind] += ok
            predicted += ok * alone[kind] / 1000
            lat = out.latencies.get(kind, [])
            print(f"  {kind:9s} {ok:5d} ok {ok / elapsed:6.1f}/s p50 {pct(lat, 0.5) * 1000:6.1f} "
                  f"p95 {pct(lat, 0.95) * 1000:7.1f} ms")  # fmt: skip
        total = sum(out.answered.values())
        print(
            f"  all       {total:5d} ok {total / elapsed:6.1f}/s; CPU web {web:5.2f} s + db "
            f"{pg:5.2f} s = {web + pg:5.2f} s (predicted from step 1: {predicted:5.2f} s, "
            f"ratio {(web + pg) / predicted if predicted else 0:.2f}); generator {gen:5.2f} s; "
            f"{(web + pg) / elapsed:4.2f} cores; machine {busy * 100:3.0f}% busy"
        )
        if out.errors:
            print(f"  errors {out.errors}; e.g. {out.samples}")
        peak_rate = ZONE_SCHOOLS / (args.peak_minutes * 60)
        per_school = (web + pg) / max(1, n_schools)  # CPU seconds of one school's requests
        cores = per_school * peak_rate
        first_minute = per_school * ZONE_SCHOOLS * 0.4 / 60
        print(
            f"3. fraction replayed: {args.rate:.0f} of {peak_rate:.0f} schools/s "
            f"({args.rate / peak_rate * 100:.1f} %; the zone's {ZONE_SCHOOLS} schools in "
            f"{args.peak_minutes:.0f} min); {per_school * 1000:.0f} ms CPU per school (web + "
            f"PostgreSQL, {web / (web + pg) * 100:.0f} % web): the whole peak needs "
            f"{cores:.1f} cores, its first minute (40 % of the zone) {first_minute:.1f}; "
            f"load {os.getloadavg()}"
        )
        after = audit_counts()
        for kind, action in (("password", "materials.password_view"),
                             ("archive", "materials.archive_download")):  # fmt: skip
            rows = after.get(action, 0) - audits_before.get(action, 0)
            print(f"   audit rows {action}: {rows} for {answered[kind]} answered — "
                  f"{'match' if rows == answered[kind] else 'MISMATCH'}")  # fmt: skip
        print(f"finished [{uptime()}]; gunicorn log: {log}")
    finally:
        stop_gunicorn(proc)
        from django.db import connections

        with contextlib.suppress(Exception):
            connections.close_all()
        if not dropdb(args.db, timeout=120):
            print(f"DROP DATABASE {args.db} still waiting after 120 s")
        shutil.rmtree(media, ignore_errors=True)


def audit_counts() -> dict[str, int]:
    from django.db.models import Count

    from apps.core.models import AuditEvent

    rows = AuditEvent.objects.values("action").annotate(n=Count("id")).values_list("action", "n")
    return dict(rows)


if __name__ == "__main__":
    main()
