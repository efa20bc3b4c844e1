"""The import-linter contracts of pyproject.toml hold, and really catch an upward import.

`make test` runs `lint-imports` on the tree; this test proves the contract is not a no-op: a
copy of the sources with one planted upward import (core → analytics) must be reported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy_sources(target: Path) -> None:
    """The Python files of ``apps`` and ``vpr_portal`` plus pyproject.toml, into ``target``."""
    for package in ("apps", "vpr_portal"):
        shutil.copytree(
            ROOT / package,
            target / package,
            ignore=lambda _dir, names: [
                n for n in names if n == "__pycache__" or ("." in n and not n.endswith(".py"))
            ],
        )
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(cwd)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_planted_upward_import_breaks_the_layers_contract(tmp_path: Path) -> None:
    # given a copy of the sources that keeps the contracts
    _copy_sources(tmp_path)
    clean = _lint_imports(tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    # when core imports an app above it
    (tmp_path / "apps" / "core" / "planted_upward.py").write_text(
        "from apps.analytics import selectors  # noqa: F401\n"
    )
    broken = _lint_imports(tmp_path)
    # then lint-imports fails and names the import
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "apps.core is not allowed to import apps.analytics" in broken.stdout
    assert "apps.core.planted_upward -> apps.analytics.selectors" in broken.stdout


def test_a_production_module_importing_the_demo_breaks_the_demo_contract(tmp_path: Path) -> None:
    # given a copy of the sources
    _copy_sources(tmp_path)
    # when the project's URLconf imports the demo app
    urls = tmp_path / "vpr_portal" / "urls.py"
    urls.write_text(urls.read_text() + "\nfrom apps.demo import calendar  # noqa: E402\n")
    result = _lint_imports(tmp_path)
    # then the demo contract is broken by that very import
    assert result.returncode == 1, result.stdout + result.stderr
    assert "No production module imports the demo app BROKEN" in " ".join(result.stdout.split())
    assert "vpr_portal.urls -> apps.demo.calendar" in result.stdout


def test_higher_apps_hand_their_readers_down_at_start_up() -> None:
    # given Django started (the apps' AppConfig.ready ran)
    from apps.analytics.services import analytics_schools_refresh
    from apps.applications.selectors import applied_work_ids
    from apps.campaigns import selectors as campaigns
    from apps.results import services as results

    # then campaigns read a school's applied works through the applications' selector, and
    # every statistics job of results refreshes the analytics aggregates
    assert campaigns._applied_works_source is applied_work_ids
    assert analytics_schools_refresh in results._REFRESH_LISTENERS
