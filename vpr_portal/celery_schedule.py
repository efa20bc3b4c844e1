"""The Celery beat schedule (``app.conf.beat_schedule``): every periodic task, in one place.

Periodic tasks take no arguments (``**_`` only) and are idempotent, so a missed or doubled
beat tick does no harm.

* ``core.job_sweep`` — every 5 minutes: re-send every background job (kit builds, accounts
  applies, school-list exports, reminders: the kinds registered in ``apps.core.jobs``) whose
  worker died mid-way (an expired lease) or whose message was lost, so it completes without
  an operator.

* ``registration.credentials_purge`` — hourly: wipe the encrypted payload of credentials files
  past ``expires_at`` that nobody downloaded (the download refuses them already; this makes sure
  no password, even encrypted, outlives its file).

* ``materials.builds_auto_start`` — every 30 minutes: compose the kits and queue the archive
  builds of every work whose first publication instant is within
  ``MATERIALS_AUTO_BUILD_LEAD_DAYS`` (or already past while its period runs) and which has
  schools without a kit or kits without a build; a work already started is left alone.

Not scheduled, because nothing needs it: release instants are checked on the server at read
time (apps.materials.release), so nothing has to run at 07:30.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

JOB_SWEEP_EVERY = timedelta(minutes=5)
CREDENTIALS_PURGE_EVERY = timedelta(hours=1)
BUILDS_AUTO_START_EVERY = timedelta(minutes=30)

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "core.job_sweep": {
        "task": "core.job_sweep",
        "schedule": JOB_SWEEP_EVERY,
        # a sweep older than its period is pointless: the next tick does the same work
        "options": {"expires": JOB_SWEEP_EVERY.total_seconds()},
    },
    "registration.credentials_purge": {
        "task": "registration.credentials_purge",
        "schedule": CREDENTIALS_PURGE_EVERY,
        "options": {"expires": CREDENTIALS_PURGE_EVERY.total_seconds()},
    },
    "materials.builds_auto_start": {
        "task": "materials.builds_auto_start",
        "schedule": BUILDS_AUTO_START_EVERY,
        "options": {"expires": BUILDS_AUTO_START_EVERY.total_seconds()},
    },
}
