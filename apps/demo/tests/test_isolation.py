"""The demo stays out of production: no production module imports it, production settings do
not install it, and the demo's dates all come from the calendar (no calendar date in its code or
data files)."""

from __future__ import annotations

import ast
import base64
import os
import re
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "apps" / "demo"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_no_production_module_and_no_test_factory_imports_the_demo() -> None:
    # given every Python file of the other apps and of the project package, tests included
    files = [
        p
        for p in [*(ROOT / "apps").rglob("*.py"), *(ROOT / "vpr_portal").rglob("*.py")]
        if DEMO not in p.parents and "migrations" not in p.parts
    ]
    assert len(files) > 100
    # when their imports are read / then none names the demo app
    offenders = sorted(
        str(p.relative_to(ROOT))
        for p in files
        if any(n == "apps.demo" or n.startswith("apps.demo.") for n in _imports(p))
    )
    assert offenders == []


def test_production_settings_do_not_install_the_demo() -> None:
    # given the production settings module, loaded in a fresh interpreter
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print('apps.demo' in settings.INSTALLED_APPS)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vpr_portal.settings.production",
        "DJANGO_SECRET_KEY": "isolation-" + "x" * 50,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "VPR_FERNET_KEYS": Fernet.generate_key().decode(),
        "VPR_MANIFEST_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),
    }
    # when it is asked for its installed apps
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    # then the demo app is not among them, and there is no seed_demo command
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


# A date in a year (dd.mm.yyyy, yyyy-mm-dd, or a datetime/date literal with a year).
_DATE = re.compile(
    r"\b\d{2}\.\d{2}\.(19|20)\d{2}\b|\b(19|20)\d{2}-\d{2}-\d{2}\b|date(time)?\(\s*(19|20)\d{2}\s*,"
)


def test_demo_code_and_data_hold_no_calendar_date() -> None:
    # given the demo's modules and data files (tests pin their own days)
    files = [
        p
        for p in DEMO.rglob("*")
        if p.suffix in {".py", ".json"} and "tests" not in p.relative_to(DEMO).parts
    ]
    assert any(p.suffix == ".json" for p in files)
    # when they are searched for a date with a year / then there is none
    found = [
        f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
        for p in files
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if _DATE.search(line)
    ]
    assert found == []
