"""The mechanism behind the audit log's Russian names: each app registers its audit actions.

Each app declares the codes it records as a ``TextChoices`` enum with Russian labels in its own
``audit.py`` and registers it from its ``AppConfig.ready`` with ``register_audit_actions`` (under
its section of the audit filter). Core records no action of its own, so it holds no labels. A
new ``audit_record(action=...)`` needs a member in its app's enum, or
``apps/core/tests/test_audit_actions.py`` fails; a code registered twice fails at start-up. The
audit filter offers exactly the registered actions.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import models


@dataclass(frozen=True)
class Section:
    """A group of the audit filter; groups show in ``order``."""

    key: str
    label: str
    order: int


# Every registered section, kept in ``order``.
SECTIONS: list[Section] = []


@dataclass(frozen=True)
class AuditAction:
    code: str
    label: str
    section: Section


# Every registered action by code, and the same names as a flat code → label mapping.
AUDIT_ACTIONS: dict[str, AuditAction] = {}
ACTION_LABELS: dict[str, str] = {}
SECTION_PREFIX = "section:"
# Russian names of kinds of objects, where the model's own verbose name does not fit.
TARGET_LABELS: dict[str, str] = {}


def register_audit_actions(
    section: Section, actions: type[models.TextChoices], *, targets: dict[str, str] | None = None
) -> None:
    """Add an app's audit actions (an enum: code → Russian name) under ``section``, and the
    Russian names of its kinds of objects (``"app.model"`` → name). Called from the app's
    ``ready``; a code, section key or section place already registered otherwise is refused."""
    problems = [
        f"audit action {code!r} already registered"
        for code in actions.values
        if code in AUDIT_ACTIONS
    ]
    for known in SECTIONS:
        if known != section and section.key == known.key:
            problems.append(f"audit section {section.key!r} already registered as {known}")
        elif known != section and section.order == known.order:
            problems.append(f"audit sections {section.key!r} and {known.key!r} share an order")
    if problems:
        raise ImproperlyConfigured("; ".join(problems))
    if section not in SECTIONS:
        SECTIONS.append(section)
        SECTIONS.sort(key=lambda s: s.order)
    for member in actions:
        AUDIT_ACTIONS[member.value] = AuditAction(member.value, str(member.label), section)
        ACTION_LABELS[member.value] = str(member.label)
    TARGET_LABELS.update(targets or {})


def all_actions() -> list[AuditAction]:
    return list(AUDIT_ACTIONS.values())


def action_label(code: str) -> str:
    """The Russian name of an action (an unknown, retired code shows as itself)."""
    known = AUDIT_ACTIONS.get(code)
    return known.label if known is not None else code


def section_codes(key: str) -> list[str]:
    return [a.code for a in all_actions() if a.section.key == key]


def filter_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The audit filter's options grouped by section: «all of the section» first, then by name."""
    groups = []
    actions_all = all_actions()
    for section in SECTIONS:
        actions = sorted(
            (a for a in actions_all if a.section.key == section.key), key=lambda a: a.label
        )
        if not actions:
            continue
        options = [(f"{SECTION_PREFIX}{section.key}", f"Все действия раздела «{section.label}»")]
        options += [(a.code, a.label) for a in actions]
        groups.append((section.label, options))
    return groups
