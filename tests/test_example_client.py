"""The example client of docs/examples/regional_client.py, run as a regional centre would run
it: a separate process speaking HTTP to a live server over the `make run` demo (seed_demo into
the test database, the demo regional coordinator of accounts.json, the demo password).

It must print the region's schools late with the work's results (the same schools the
monitoring page lists) and write the region's Ф3 report as a valid xlsx.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from apps.campaigns.models import Work
from apps.registration.models import User

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "docs" / "examples" / "regional_client.py"
# A day in the autumn half-year: the spring campaign is finished, its results released, some
# of the demo region's schools never uploaded (apps/demo/monitoring.py).
PINNED_DAY = dt.date(2031, 10, 15)
PINNED_NOON = dt.datetime(2031, 10, 15, 9, 0, tzinfo=dt.UTC)


def _regional_login() -> str:
    accounts = json.loads((ROOT / "apps" / "demo" / "data" / "accounts.json").read_text("utf-8"))
    return next(a["username"] for a in accounts if a["role"] == "regional")


@pytest.fixture
def demo(transactional_db: Any, time_machine: Any) -> None:
    time_machine.move_to(PINNED_NOON, tick=True)
    call_command("seed_demo", verbosity=0, today=PINNED_DAY)


def test_the_example_client_lists_late_schools_and_saves_the_regional_f3(
    demo: None, live_server: Any, tmp_path: Path
) -> None:
    # given the demo and its regional coordinator
    username = _regional_login()
    out = tmp_path / "f3.xlsx"
    # when the example client runs against the live server
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--base",
            live_server.url,
            "--username",
            username,
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "VPR_PASSWORD": settings.DEMO_PASSWORD},
        check=False,
    )
    # then it succeeded and printed the region's late schools of a work
    assert done.returncode == 0, done.stderr + done.stdout
    printed = done.stdout
    work_id = int(re.search(r"Работа: .*, id (\d+)", printed).group(1))  # type: ignore[union-attr]
    count = int(re.search(r"не загрузившие результаты в срок: (\d+)", printed).group(1))  # type: ignore[union-attr]
    listed = re.findall(r"^  (\S+)\t", printed, re.M)
    assert count > 0, printed
    assert len(listed) == count
    # the same schools the monitoring page lists for that work and state (HTML and API alike)
    client = Client()
    client.force_login(User.objects.get(username=username))
    campaign_id = Work.objects.get(pk=work_id).campaign_id
    page = client.get(
        "/results/monitoring/", {"campaign": campaign_id, "work": work_id, "state": "overdue"}
    )
    assert page.status_code == 200, printed
    on_page = re.findall(r'href="/schools/\d+/results/\d+/">(\S+) ', page.content.decode())
    assert sorted(on_page) == sorted(listed)
    # and it wrote the regional Ф3 report as a valid xlsx
    workbook = load_workbook(io.BytesIO(out.read_bytes()), read_only=True)
    text = " ".join(
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )
    assert "Статистика по отметкам" in text
    assert "Ф3 «Статистика по отметкам» региона" in printed
