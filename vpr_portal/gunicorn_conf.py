"""gunicorn settings of the web tier: docker-compose.yml and the Dockerfile start gunicorn with
``--config vpr_portal/gunicorn_conf.py``; bench/password_rush.py and bench/peak_replay.py use
the same file. Each setting can be overridden from the environment (``GUNICORN_<NAME>``).

Why threaded workers (docs/capacity.md): a request of the portal spends a good part of its time
waiting for PostgreSQL; with ``gthread`` another thread of the same worker runs meanwhile, and
connections are kept alive between requests (the 07:30 rush: a school's client asks for the
page, the password and the archive over one connection; TLS is terminated by the proxy in
front). ``sync`` workers close every connection and answer one request at a time each.
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(f"GUNICORN_{name.upper()}", default))


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# One process per core (PostgreSQL runs on its own machines in production); threads overlap
# the database round trips of one process.
workers = _int("workers", multiprocessing.cpu_count())
worker_class = "gthread"
threads = _int("threads", 4)
# Connections a worker keeps open (idle keep-alive ones included): a burst of a whole time zone
# queues here and in the listen backlog instead of being refused.
worker_connections = _int("worker_connections", 1000)
backlog = _int("backlog", 2048)
keepalive = _int("keepalive", 5)  # seconds an idle connection stays open
timeout = _int("timeout", 120)  # archive downloads stream for a while on slow links
graceful_timeout = 30
# A worker is replaced after this many requests (with jitter), so that no slow leak grows
# through a whole campaign.
max_requests = _int("max_requests", 20000)
max_requests_jitter = _int("max_requests_jitter", 2000)
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
