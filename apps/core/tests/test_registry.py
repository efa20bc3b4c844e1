"""The start-up registries: every action the code checks is declared with its roles, and a second
registration of a code, a name or a menu item fails loudly instead of silently sharing it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from apps.core import audit_actions, registry
from apps.core.audit_actions import Section, register_audit_actions
from apps.core.registry import MenuItem, MenuSection
from apps.registration.access import ROLE_ACTIONS, A
from apps.registration.constants import Role

ROOT = Path(__file__).resolve().parents[3]


def _sources() -> list[tuple[Path, ast.Module]]:
    out = []
    for base in ("apps", "vpr_portal"):
        for path in sorted((ROOT / base).rglob("*.py")):
            parts = set(path.relative_to(ROOT).parts)
            if "tests" in parts or "migrations" in parts:
                continue
            out.append((path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))))
    return out


def _used_actions() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """``A.X`` names and the string literals given to ``.can(...)``/``for_actor(_, ...)``/
    ``action = ...``/``method_actions``, each with where it is used."""
    names: dict[str, list[str]] = {}
    literals: dict[str, list[str]] = {}
    for path, tree in _sources():
        where = str(path.relative_to(ROOT))
        # ``A`` (access.A, or an app's actions class imported as A) and any other name an
        # app's actions class is imported as (``ObjectivityActions as Obj``)
        holders = {"A"} | {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
            if alias.name.endswith("Actions")
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in holders
                and node.attr.isupper()
            ):
                names.setdefault(node.attr, []).append(f"{where}:{node.lineno}")
            strings: list[ast.expr] = []
            if isinstance(node, ast.Call):
                callee = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if callee == "can":
                    strings += node.args[:1]
                elif callee == "for_actor":
                    strings += node.args[1:2]
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in {"action", "method_actions"}
                for t in node.targets
            ):
                value = node.value
                strings += list(value.values) if isinstance(value, ast.Dict) else [value]
            for expr in strings:
                if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
                    literals.setdefault(expr.value, []).append(f"{where}:{expr.lineno}")
    return names, literals


def test_every_action_the_code_checks_is_registered_with_a_role() -> None:
    names, literals = _used_actions()
    declared = registry.declared_actions()
    # the collector sees the call sites (hundreds of A.X across the apps)
    assert len(names) >= 50
    assert {"MANAGE_BANK", "VIEW_NOTICES", "VIEW_AUDIT", "VIEW_SCHOOL"} <= set(names)
    # then every A.X names an action some app registered, held by at least one role
    unknown = {}
    for name, where in names.items():
        try:
            code = getattr(A, name)
        except AttributeError:
            unknown[name] = where
            continue
        assert declared[code].roles, (name, where)
        assert any(code in ROLE_ACTIONS[role] for role in Role), (name, where)
    assert unknown == {}
    # and so does every action written as a literal
    assert {code: where for code, where in literals.items() if code not in declared} == {}


def test_every_registered_action_is_used_and_held_by_real_roles() -> None:
    names, literals = _used_actions()
    used = {getattr(A, name) for name in names} | set(literals)
    declared = registry.declared_actions()
    assert set(declared) - used == set()  # no stale declaration
    for code, decl in declared.items():
        assert decl.roles, code
        assert decl.roles <= set(Role.values), code
        assert code.count(".") == 1, code
    # the role table is exactly the registrations, seen from each role
    for role in Role:
        assert ROLE_ACTIONS[role] == {c for c, d in declared.items() if role in d.roles}


def test_each_app_declares_its_own_actions() -> None:
    declared = registry.declared_actions()
    owner = {code: decl.app_label for code, decl in declared.items()}
    assert owner[A.MANAGE_BANK] == "materials"
    assert owner[A.VIEW_NOTICES] == "notices"
    assert owner[A.VIEW_AUDIT] == "audit"
    assert owner[A.DECIDE_RESERVE_DAY] == "campaigns"
    assert owner[A.VIEW_SCHOOL] == "registration"
    assert A.MANAGE_BANK == "materials.manage_bank"
    with pytest.raises(AttributeError, match="no app registered an action named MANAGE_BANKS"):
        _ = A.MANAGE_BANKS


class _Twice:
    VIEW_SCHOOL = "org.view_school"


class _Fresh:
    TEST_ONLY_ACTION = "tests.only_action"


class _Unheld:
    TEST_UNHELD = "tests.unheld"


def test_a_second_registration_of_an_action_fails_loudly_and_changes_nothing() -> None:
    before = registry.declared_actions()
    with pytest.raises(ImproperlyConfigured, match=r"'org\.view_school' already registered"):
        registry.register_actions("tests", {_Twice.VIEW_SCHOOL: {Role.FEDERAL}}, names=_Twice)
    # one new action under a name another app registered is refused too
    with pytest.raises(ImproperlyConfigured, match="action name VIEW_SCHOOL already registered"):
        registry.register_actions(
            "tests",
            {"tests.view_school": {Role.FEDERAL}},
            names=type("Shadow", (), {"VIEW_SCHOOL": "tests.view_school"}),
        )
    # as is an action without roles, or roles for an action without a constant
    with pytest.raises(ImproperlyConfigured, match="no role holds"):
        registry.register_actions("tests", {_Unheld.TEST_UNHELD: set()}, names=_Unheld)
    with pytest.raises(ImproperlyConfigured, match="no constant"):
        registry.register_actions(
            "tests",
            {_Fresh.TEST_ONLY_ACTION: {Role.FEDERAL}, "tests.stray": {Role.FEDERAL}},
            names=_Fresh,
        )
    assert registry.declared_actions() == before


def test_a_second_start_up_of_an_app_fails_loudly() -> None:
    # when an app's ready runs again (as if two apps registered the same codes)
    for label in ("registration", "materials", "notices", "audit"):
        with pytest.raises(ImproperlyConfigured, match="already registered"):
            apps.get_app_config(label).ready()


def test_a_second_registration_of_a_menu_item_fails_loudly() -> None:
    before = registry.menu_items()
    cabinet = MenuSection("Кабинет", 10)
    with pytest.raises(ImproperlyConfigured, match="«Кабинет» already registered"):
        registry.register_menu([MenuItem(cabinet, 99, "Кабинет", "cabinet", bool)])
    with pytest.raises(ImproperlyConfigured, match="takes the place of «Кабинет»"):
        registry.register_menu([MenuItem(cabinet, 10, "Другой кабинет", "cabinet", bool)])
    assert registry.menu_items() == before


class _DuplicateAudit(models.TextChoices):
    RESULTS_UPLOAD = "results.upload", "Загрузка результатов ещё раз"


class _NewAudit(models.TextChoices):
    TESTS_THING = "tests.thing", "Проверочное действие"


def test_a_second_registration_of_an_audit_action_fails_loudly() -> None:
    before = dict(audit_actions.AUDIT_ACTIONS)
    with pytest.raises(ImproperlyConfigured, match=r"'results\.upload' already registered"):
        register_audit_actions(Section("tests", "Проверка", order=999), _DuplicateAudit)
    # a section key another app uses, under another name, is refused too
    with pytest.raises(ImproperlyConfigured, match="audit section 'results' already registered"):
        register_audit_actions(Section("results", "Другие результаты", order=999), _NewAudit)
    assert before == audit_actions.AUDIT_ACTIONS
    assert audit_actions.action_label("results.upload") == "Загрузка результатов"
