"""The Celery beat schedule (``app.conf.beat_schedule``): every periodic task, in one place.

Periodic tasks take no arguments (``**_`` only) and are idempotent, so a missed or doubled
beat tick does no harm.

* ``materials.kit_build_sweep`` — every 5 minutes: re-queue archive builds whose worker died
  mid-way (an expired job lease), so a killed build completes without an operator.

* ``registration.credentials_purge`` — hourly: wipe the encrypted payload of credentials files
  past ``expires_at`` that nobody downloaded (the download refuses them already; this makes sure
  no password, even encrypted, outlives its file).

Not scheduled, because nothing needs it: release instants are checked on the server at read
time (apps.materials.release), so nothing has to run at 07:30.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

KIT_BUILD_SWEEP_EVERY = timedelta(minutes=5)
CREDENTIALS_PURGE_EVERY = timedelta(hours=1)

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "materials.kit_build_sweep": {
        "task": "materials.kit_build_sweep",
        "schedule": KIT_BUILD_SWEEP_EVERY,
        # a sweep older than its period is pointless: the next tick does the same work
        "options": {"expires": KIT_BUILD_SWEEP_EVERY.total_seconds()},
    },
    "registration.credentials_purge": {
        "task": "registration.credentials_purge",
        "schedule": CREDENTIALS_PURGE_EVERY,
        "options": {"expires": CREDENTIALS_PURGE_EVERY.total_seconds()},
    },
}
