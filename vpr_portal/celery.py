"""The Celery application. Tasks are named, take ids only, and are idempotent."""

import gc
import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init

from vpr_portal.celery_schedule import BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpr_portal.settings.local")

app = Celery("vpr_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = BEAT_SCHEDULE
app.autodiscover_tasks()

# Celery's Django fix-up closes every database connection before and after each task unless
# DB_REUSE_MAX is set: each task opened a new PostgreSQL connection and prepared its statements
# again (ADR 0028), ~8 ms of CPU in the worker around a ~7 ms statistics job (issue 18). Tasks
# follow the rule of Django's requests instead (`connections_like_requests` below): a
# connection lives CONN_MAX_AGE and is dropped when unusable or left mid-transaction.
app.conf["CELERY_DB_REUSE_MAX"] = 1_000_000_000


def gc_freeze_startup(**_: Any) -> None:
    """Move everything alive once a worker process is initialised (Django's apps, models,
    URL and template machinery, the tasks' modules) into the collector's permanent generation.

    Those objects live as long as the process; without this, every full collection walks them
    again: an archive build allocates enough (reportlab's flowables) for the collector to take
    ~5.8 ms CPU a build, ~2.0–2.4 ms once frozen (issue 18, ADR 0025 point 8). Frozen objects
    are still freed by reference counting, only not scanned for cycles; what a task allocates
    later is collected as before, and collections no longer touch the pages a forked child
    shares with its parent. The thresholds stay Python's: a gen-0 threshold of 10,000 made 7
    collections instead of 89 in 30 builds for the same CPU (2.1 against 2.0 ms a build)."""
    gc.collect()
    gc.freeze()


worker_process_init.connect(gc_freeze_startup, weak=False, dispatch_uid="vpr-gc-freeze")


def connections_like_requests(*, task: Any = None, **_: Any) -> None:
    """Before and after each task in a worker, what Django does around each request: close the
    connections past CONN_MAX_AGE, broken, or not back in autocommit. Eager tasks run inside
    their caller's request or transaction and are left alone, as the fix-up leaves them."""
    if getattr(getattr(task, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


task_prerun.connect(connections_like_requests, weak=False, dispatch_uid="vpr-db-prerun")
task_postrun.connect(connections_like_requests, weak=False, dispatch_uid="vpr-db-postrun")
