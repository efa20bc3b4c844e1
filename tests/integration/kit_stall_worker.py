"""A Celery worker for tests/integration only, whose archive builds stall before publication.

``python -m tests.integration.kit_stall_worker worker <celery worker options>`` sets Django up,
patches the materials service of this process only, then runs an ordinary worker:

- moving a built archive into place (``_publish``'s rename) first creates the file named by
  ``VPR_TEST_STALL_MARKER`` and then sleeps, so the test can SIGKILL the worker while the job is
  running and the complete-but-unpublished temporary file is on disk;
- a claim takes a lease of ``VPR_TEST_LEASE_SECONDS`` instead of 30 minutes, so the sweep may
  take the dead worker's job back a moment later.

Nothing here is imported by production code.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

STALL_SECONDS = 600  # far longer than any test waits: only SIGKILL ends it


class _StallingOs:
    """The ``os`` module as the materials service sees it, with a stalling ``replace``."""

    def __init__(self, marker: Path) -> None:
        self._marker = marker

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def replace(self, src: str, dst: str) -> None:
        if str(dst).endswith((".zip", ".7z")):
            self._marker.write_text(f"{src}\n", encoding="utf-8")
            time.sleep(STALL_SECONDS)
        os.replace(src, dst)


def _install() -> None:
    import django

    django.setup()
    from apps.core import services as core_services
    from apps.materials.services import archives as materials_services

    lease = float(os.environ.get("VPR_TEST_LEASE_SECONDS", "1"))
    core_services.JOB_LEASE = dt.timedelta(seconds=lease)  # type: ignore[misc]
    marker = Path(os.environ["VPR_TEST_STALL_MARKER"])
    materials_services.os = _StallingOs(marker)  # type: ignore[assignment]


def main(argv: list[str]) -> None:
    _install()
    from vpr_portal.celery import app

    app.worker_main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
