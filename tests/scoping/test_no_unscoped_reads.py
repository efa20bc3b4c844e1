"""Lint: tenant models are read only through ``for_actor`` outside tests and migrations.

A read that must bypass scoping (the system reading a job by id, a seed command) says so on the
same line with ``# unscoped: <reason>``. Writes through ``create``/``bulk_create`` are fine:
services check scope before they write.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps

from apps.core.scoping import ScopedModel

ROOT = Path(__file__).resolve().parent.parent.parent
ALLOWED = {"for_actor", "create", "bulk_create", "bulk_update"}
MARKER = "# unscoped:"


def _scoped_model_names() -> set[str]:
    return {m.__name__ for m in apps.get_models() if issubclass(m, ScopedModel)}


def _source_files() -> list[Path]:
    files = []
    for path in (ROOT / "apps").rglob("*.py"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & {"tests", "migrations"}:
            continue
        files.append(path)
    return files


def find_unscoped_reads(names: set[str], files: list[Path]) -> list[str]:
    pattern = re.compile(r"\b(" + "|".join(sorted(names)) + r")\.objects\.(\w+)")
    found = []
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            if MARKER in line:
                continue
            found.extend(
                f"{_rel(path)}:{number}: {line.strip()}"
                for match in pattern.finditer(line)
                if match.group(2) not in ALLOWED
            )
    return found


def test_tenant_models_are_read_through_for_actor() -> None:
    # given every tenant model and the application code
    names = _scoped_model_names()
    assert {"Region", "Municipality", "School", "Job", "AuditEvent"} <= names
    # when the code is searched for reads that skip for_actor
    found = find_unscoped_reads(names, _source_files())
    # then there are none without a stated reason
    assert not found, "unscoped reads (use for_actor or add '# unscoped: why'):\n" + "\n".join(
        found
    )


def test_the_lint_catches_an_unscoped_read(tmp_path: Path) -> None:
    # given a module reading School.objects.get directly
    bad = tmp_path / "views.py"
    bad.write_text("school = School.objects.get(pk=pk)\nok = School.objects.for_actor(a, b)\n")
    # when the lint runs on it
    found = find_unscoped_reads({"School"}, [bad])
    # then the first line is reported and the scoped one is not
    assert len(found) == 1
    assert "School.objects.get" in found[0]


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def test_every_tenant_model_can_scope_itself() -> None:
    # given every ScopedModel
    models = [m for m in apps.get_models() if issubclass(m, ScopedModel)]
    # then its default manager offers for_actor (empty scope_fields = federal-only data)
    missing = [m.__name__ for m in models if not hasattr(m.objects, "for_actor")]
    assert not missing, f"declare objects = ScopedQuerySet.as_manager() on: {missing}"
