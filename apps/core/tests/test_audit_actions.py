"""Every audit action the code can record has a Russian name and is offered by the audit filter.

The codes are collected from the source: each ``audit_record(action=...)`` call's expression is
resolved through members of the apps' audit enums (``AccountsAudit.AUTH_LOGIN``, or
``ApplicationsAudit(f"...")`` looked up by value), literals, conditional expressions, f-strings
and parameters passed in by the callers of the enclosing function. An expression the collector
cannot resolve fails the test, so a new call site has to stay readable (an enum member, or a
parameter given members by its callers).
"""

from __future__ import annotations

import ast
import importlib
import io
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import models
from django.urls import reverse
from openpyxl import load_workbook

from apps.audit.views import AuditFilterForm
from apps.core import audit_actions
from apps.core.models import Job
from apps.core.services import audit_record
from apps.registration.access import actor_for_user

ROOT = Path(__file__).resolve().parents[3]
SOURCES = ("apps", "vpr_portal")


@dataclass
class _Module:
    path: Path
    tree: ast.Module
    parents: dict[ast.AST, ast.AST]


def _modules() -> list[_Module]:
    out = []
    for base in SOURCES:
        for path in sorted((ROOT / base).rglob("*.py")):
            parts = set(path.relative_to(ROOT).parts)
            if "tests" in parts or "migrations" in parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            parents = {
                child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)
            }
            out.append(_Module(path, tree, parents))
    return out


def _callee(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")


def _enclosing_function(mod: _Module, node: ast.AST) -> ast.FunctionDef | None:
    while node in mod.parents:
        node = mod.parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node  # type: ignore[return-value]
    return None


def _enum_classes() -> dict[str, type[models.TextChoices]]:
    """The apps' audit enums by class name (``AccountsAudit`` → the class)."""
    out: dict[str, type[models.TextChoices]] = {}
    for path in sorted((ROOT / "apps").glob("*/audit.py")):
        module = importlib.import_module(f"apps.{path.parent.name}.audit")
        for name, value in vars(module).items():
            is_enum = isinstance(value, type) and issubclass(value, models.TextChoices)
            if is_enum and value is not models.TextChoices and value.__module__ == module.__name__:
                assert name not in out, f"two audit enums named {name}"
                out[name] = value
    return out


class Collector:
    def __init__(self) -> None:
        self.enums = _enum_classes()
        self.modules = _modules()
        self.calls: dict[str, list[tuple[_Module, ast.Call]]] = {}
        for mod in self.modules:
            for node in ast.walk(mod.tree):
                if isinstance(node, ast.Call):
                    self.calls.setdefault(_callee(node), []).append((mod, node))
        self.unresolved: list[str] = []

    def _where(self, mod: _Module, node: ast.AST) -> str:
        return f"{mod.path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"

    def _param(self, mod: _Module, node: ast.Name, depth: int) -> list[str]:
        """The values callers pass for the parameter ``node.id`` of the enclosing function."""
        func = _enclosing_function(mod, node)
        params = {a.arg for a in [*func.args.args, *func.args.kwonlyargs]} if func else set()
        if func is None or node.id not in params or depth > 5:
            self.unresolved.append(f"{self._where(mod, node)}: {ast.unparse(node)}")
            return []
        values: list[str] = []
        callers = 0
        for cmod, call in self.calls.get(func.name, []):
            for kw in call.keywords:
                if kw.arg == node.id:
                    callers += 1
                    values += self.resolve(cmod, kw.value, depth + 1)
        if not callers:
            self.unresolved.append(f"{self._where(mod, node)}: no caller passes {node.id}=")
        return values

    def resolve(self, mod: _Module, expr: ast.expr, depth: int = 0) -> list[str]:
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return [expr.value]
        if isinstance(expr, ast.IfExp):
            return self.resolve(mod, expr.body, depth) + self.resolve(mod, expr.orelse, depth)
        enum = self._enum_of(expr)
        if isinstance(expr, ast.Attribute) and enum is not None and expr.attr in enum.__members__:
            return [enum[expr.attr].value]  # ``AccountsAudit.AUTH_LOGIN``: the member's code
        if isinstance(expr, ast.Call) and enum is not None and len(expr.args) == 1:
            # ``ApplicationsAudit(f"application.{verb}")``: a member looked up by its code
            return self.resolve(mod, expr.args[0], depth)
        if (
            isinstance(expr, ast.Attribute)
            and isinstance(expr.value, ast.Attribute)
            and expr.value.attr == "audit"
        ):
            # ``kind.audit.apply`` in the import framework: that step's code of every kind
            from apps.core.imports import import_kinds

            kinds = [k for k in import_kinds() if not k.code.startswith("test.")]
            return [getattr(k.audit, expr.attr) for k in kinds]
        if isinstance(expr, ast.Name):
            return self._param(mod, expr, depth)
        if isinstance(expr, ast.JoinedStr):
            pieces: list[list[str]] = []
            for part in expr.values:
                if isinstance(part, ast.Constant):
                    pieces.append([str(part.value)])
                elif isinstance(part, ast.FormattedValue) and not part.format_spec:
                    pieces.append(self.resolve(mod, part.value, depth))
                else:
                    self.unresolved.append(f"{self._where(mod, expr)}: {ast.unparse(expr)}")
                    return []
            return ["".join(p) for p in itertools.product(*pieces)]
        self.unresolved.append(f"{self._where(mod, expr)}: {ast.unparse(expr)}")
        return []

    def _enum_of(self, expr: ast.expr) -> type[models.TextChoices] | None:
        """The audit enum named by ``Enum.MEMBER`` or ``Enum(...)``, if ``expr`` is either."""
        named = expr.value if isinstance(expr, ast.Attribute) else getattr(expr, "func", None)
        return self.enums.get(named.id) if isinstance(named, ast.Name) else None

    def audit_codes(self) -> dict[str, list[str]]:
        """Every code ``audit_record`` can be called with → where it comes from."""
        found: dict[str, list[str]] = {}
        for mod, call in self.calls.get("audit_record", []):
            action = next((kw.value for kw in call.keywords if kw.arg == "action"), None)
            if action is None:
                self.unresolved.append(f"{self._where(mod, call)}: audit_record without action=")
                continue
            for code in self.resolve(mod, action):
                found.setdefault(code, []).append(self._where(mod, call))
        return found


Collected = tuple[dict[str, list[str]], list[str]]


@pytest.fixture(scope="module")
def collected() -> Collected:
    collector = Collector()
    codes = collector.audit_codes()
    return codes, collector.unresolved


def test_the_collector_finds_the_known_call_sites(collected: Collected) -> None:
    codes, unresolved = collected
    # then every call site resolved to literal codes, including those built from parameters
    assert unresolved == []
    assert len(codes) >= 70
    assert {
        "results.upload",  # a literal
        "account.replace",  # one branch of a conditional
        "schedule.date_move",  # a parameter given by the callers
        "application.submit",  # an f-string over a parameter passed through two functions
        "materials.protocol_download",  # an f-string over a parameter given by the views
    } <= set(codes)


def test_every_audit_action_has_a_russian_label(collected: Collected) -> None:
    codes, _ = collected
    known = audit_actions.ACTION_LABELS  # every app's enum, registered at start-up
    missing = {code: where for code, where in codes.items() if code not in known}
    assert missing == {}
    for code in codes:
        label = audit_actions.action_label(code)
        assert label != code
        assert any("а" <= ch.lower() <= "я" for ch in label), (code, label)


@pytest.mark.django_db
def test_every_audit_action_is_offered_by_the_filter(collected: Collected, world: Any) -> None:
    codes, _ = collected
    # the form's options
    field: Any = AuditFilterForm().fields["action"]
    offered = {
        value
        for _group, options in field.choices
        if isinstance(options, list | tuple)
        for value, _label in options
    }
    assert set(codes) <= offered
    # and the page renders them as a <select>, grouped by section, with the Russian names
    client = world.client_for("federal")
    html = client.get(reverse("audit-list")).content.decode()
    assert '<select name="action"' in html
    assert '<optgroup label="Результаты">' in html
    assert '<option value="results.upload">Загрузка результатов</option>' in html
    assert 'name="action" value=' not in html  # no free-text code box any more


def _app_enums() -> dict[str, set[str]]:
    """App → the codes of the ``TextChoices`` enums in its ``audit.py``."""
    out: dict[str, set[str]] = {}
    for path in sorted((ROOT / "apps").glob("*/audit.py")):
        module = importlib.import_module(f"apps.{path.parent.name}.audit")
        for value in vars(module).values():
            is_enum = isinstance(value, type) and issubclass(value, models.TextChoices)
            if is_enum and value is not models.TextChoices:
                out.setdefault(path.parent.name, set()).update(value.values)
    return out


def test_each_app_labels_the_actions_it_records_in_its_own_enum(collected: Collected) -> None:
    codes, _ = collected
    enums = _app_enums()
    # the registered labels are exactly the apps' enums (core keeps none of its own)
    assert set(audit_actions.ACTION_LABELS) == set().union(*enums.values())
    assert "core" not in enums
    # and each code is declared by the app that records it (the demo writes a results action;
    # the import framework in core records each kind's codes for the kind's app)
    from apps.core.imports import import_kinds

    kind_apps = {
        code: type(k).__module__.split(".")[1]
        for k in import_kinds()
        for code in (k.audit.upload, k.audit.rejected, k.audit.apply, k.audit.discard)
    }
    for code, where in codes.items():
        recorders = {w.split("/")[1] for w in where} - {"demo"} or {"results"}
        if "core" in recorders and code in kind_apps:
            recorders = recorders - {"core"} | {kind_apps[code]}
        assert all(code in enums.get(app, set()) for app in recorders), (code, where)


@pytest.mark.django_db
def test_the_log_names_actions_objects_and_users_in_russian(world: Any) -> None:
    # given events about a user, a school, and an object with no richer description
    actor = actor_for_user(world.users["federal"])
    user = world.users["municipal"]
    school = world.schools["A1a"]
    audit_record(actor=actor, action="account.reissue", target=user)
    audit_record(actor=actor, action="school_profile.save", target=school)
    audit_record(actor=actor, action="audit.export", target=Job(pk=168))  # kind and number only
    # when the federal operator opens the log
    client = world.client_for("federal")
    html = client.get(reverse("audit-list")).content.decode()
    # then actions, objects and users read in Russian, not as codes
    assert "Выдан новый пароль" in html
    assert f"Пользователь {user.username}" in html
    assert f"ОО {school.code}" in html
    assert "Фоновое задание № 168" in html
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    assert "account.reissue" not in table  # the code is only an option's value in the filter
    assert "registration.user" not in table
    # and the filter by a whole section keeps that section's actions only
    page = client.get(reverse("audit-list"), {"action": "section:accounts"})
    shown = {row[0].action for row in page.context["rows"]}
    assert shown == {"account.reissue"} | (shown & {"auth.login"})
    # and the xlsx export carries the same Russian names
    export = client.get(reverse("audit-export"), {"action": "section:accounts"})
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    values = {str(c.value) for row in sheet.iter_rows() for c in row if c.value}
    assert "Выдан новый пароль" in values
    assert f"Пользователь {user.username}" in values
