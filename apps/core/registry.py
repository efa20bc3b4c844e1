"""What each app declares at start-up: its actions (and the roles that hold them), its menu items.

Like ``core.jobs`` for job kinds, core keeps only the mechanism: each app declares its own in
small modules (``apps/<app>/actions.py``, ``apps/<app>/menu.py``) and registers them from its
``AppConfig.ready``, so core never imports the apps above it. The audit actions' Russian names
are registered the same way, in ``core.audit_actions``.

A second registration of the same action code, action name or menu item fails at start-up
(``ImproperlyConfigured``): two apps must never silently share one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

# --- actions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionDecl:
    code: str
    name: str
    app_label: str
    roles: frozenset[str]


_ACTIONS: dict[str, ActionDecl] = {}  # code → declaration
_NAMES: dict[str, str] = {}  # constant name (``MANAGE_BANK``) → code
_BY_ROLE: dict[str, frozenset[str]] = {}  # role → codes, rebuilt after each registration
_EMPTY: frozenset[str] = frozenset()


def _constants(names: type) -> dict[str, str]:
    return {
        name: value
        for name, value in vars(names).items()
        if name.isupper() and not name.startswith("_") and isinstance(value, str)
    }


def register_actions(app_label: str, holders: Mapping[str, Iterable[str]], *, names: type) -> None:
    """Declare an app's actions: ``names`` is the class of its constants (``MANAGE_BANK =
    "materials.manage_bank"``), ``holders`` maps each code to the roles that hold it.

    Every constant needs holders and every code a constant; a code or constant name already
    registered, or a code nobody holds, is refused before anything is stored.
    """
    constants = _constants(names)
    named = set(constants.values())
    problems = []
    if missing := sorted(named - set(holders)):
        problems.append(f"no roles declared for {missing}")
    if unnamed := sorted(set(holders) - named):
        problems.append(f"no constant in {names.__name__} for {unnamed}")
    if nobody := sorted(code for code, roles in holders.items() if not set(roles)):
        problems.append(f"no role holds {nobody}")
    for name, code in constants.items():
        if code in _ACTIONS:
            problems.append(f"action {code!r} already registered by {_ACTIONS[code].app_label}")
        elif name in _NAMES:
            problems.append(f"action name {name} already registered for {_NAMES[name]!r}")
    if len(named) != len(constants):
        problems.append(f"two constants of {names.__name__} share one code")
    if problems:
        raise ImproperlyConfigured(f"actions of {app_label}: " + "; ".join(problems))
    for name, code in constants.items():
        _ACTIONS[code] = ActionDecl(code, name, app_label, frozenset(holders[code]))
        _NAMES[name] = code
    by_role: dict[str, set[str]] = {}
    for decl in _ACTIONS.values():
        for role in decl.roles:
            by_role.setdefault(role, set()).add(decl.code)
    _BY_ROLE.clear()
    _BY_ROLE.update({role: frozenset(codes) for role, codes in by_role.items()})


def actions_of_role(role: str) -> frozenset[str]:
    """Every action the role holds (empty for a role nobody gave an action)."""
    return _BY_ROLE.get(role, _EMPTY)


def action_named(name: str) -> str:
    """The code of the action an app registered under the constant ``name``."""
    try:
        return _NAMES[name]
    except KeyError:
        raise AttributeError(f"no app registered an action named {name}") from None


def declared_actions() -> dict[str, ActionDecl]:
    return dict(_ACTIONS)


# --- menu -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MenuSection:
    """A titled group of the sidebar; sections show in ``order``."""

    label: str
    order: int


@dataclass(frozen=True)
class MenuItem:
    """One sidebar link: shown to an actor when ``visible(actor)`` holds and ``url`` (a URL name,
    or a function of the actor giving the link or None) gives a link; ordered inside its
    section by ``order``."""

    section: MenuSection
    order: int
    label: str
    url: str | Callable[[Any], str | None]
    visible: Callable[[Any], bool]

    def href(self, actor: Any) -> str | None:
        if not self.visible(actor):
            return None
        return reverse(self.url) if isinstance(self.url, str) else self.url(actor)


_MENU: list[MenuItem] = []


def register_menu(items: Iterable[MenuItem]) -> None:
    """Add an app's menu items; a label or a place (section, order) already taken is refused."""
    new = list(items)
    taken_labels = {(i.section.label, i.label) for i in _MENU}
    taken_places = {(i.section.label, i.order): i.label for i in _MENU}
    problems = []
    for item in new:
        if (item.section.label, item.label) in taken_labels:
            problems.append(f"menu item «{item.label}» already registered")
        place = (item.section.label, item.order)
        if place in taken_places:
            problems.append(
                f"menu item «{item.label}» takes the place of «{taken_places[place]}» "
                f"({item.section.label}, {item.order})"
            )
        taken_labels.add((item.section.label, item.label))
        taken_places[place] = item.label
    if problems:
        raise ImproperlyConfigured("; ".join(problems))
    _MENU.extend(new)
    _MENU.sort(key=lambda i: (i.section.order, i.order))


def menu_for(actor: Any) -> list[tuple[MenuSection, list[tuple[str, str]]]]:
    """The sidebar of ``actor``: its sections in order, each with its (label, href) links."""
    sections: dict[MenuSection, list[tuple[str, str]]] = {}
    for item in _MENU:
        href = item.href(actor)
        if href is not None:
            sections.setdefault(item.section, []).append((item.label, href))
    return list(sections.items())


def menu_items() -> list[MenuItem]:
    return list(_MENU)


# --- the grades of the current campaign ---------------------------------------------------------

# The campaigns app provides them (from its ``ready``); apps below it (the school questionnaire)
# ask here instead of importing campaigns.
_GRADES_PROVIDER: list[Callable[[], Iterable[int]]] = []


def register_current_grades(provider: Callable[[], Iterable[int]]) -> None:
    """Set the provider of "the grades of the current campaign"; a second one is refused."""
    if _GRADES_PROVIDER:
        raise ImproperlyConfigured("a provider of the current campaign's grades is already set")
    _GRADES_PROVIDER.append(provider)


def current_grades() -> tuple[int, ...]:
    """The grades of the current campaign, ascending; empty when nothing provides them."""
    if not _GRADES_PROVIDER:
        return ()
    return tuple(sorted(set(_GRADES_PROVIDER[0]())))


# --- reserve days of schools whose days are kept per class ---------------------------------------

# The classes app provides it (from its ``ready``); campaigns, below it, asks here whether a
# school's days of a work are kept per class, and hands it every decided reserve-day request.


@dataclass(frozen=True)
class ReserveDayHandler:
    """``by_class(actor, school_id, work_id)``: the school's days of the work are kept per class
    (a reserve day is asked for classes, not for the school). ``decided(actor, request)``: after
    the regional coordinator's decision; True if the handler took it (the request names classes:
    it moved them on approval, or unlinked them on rejection, and kept the school's day)."""

    by_class: Callable[[Any, int, int], bool]
    decided: Callable[[Any, Any], bool]


_RESERVE_DAY_HANDLER: list[ReserveDayHandler] = []


def register_reserve_day_handler(handler: ReserveDayHandler) -> None:
    """Set the handler of reserve days per class; a second one is refused."""
    if _RESERVE_DAY_HANDLER:
        raise ImproperlyConfigured("a handler of reserve days per class is already set")
    _RESERVE_DAY_HANDLER.append(handler)


def reserve_day_by_class(actor: Any, school_id: int, work_id: int) -> bool:
    """Whether the school's days of the work are kept per class (False with no handler)."""
    return bool(_RESERVE_DAY_HANDLER) and _RESERVE_DAY_HANDLER[0].by_class(
        actor, school_id, work_id
    )


def reserve_day_decided(actor: Any, request: Any) -> bool:
    """Hand a decided request to the handler; True if it took it (False with no handler)."""
    return bool(_RESERVE_DAY_HANDLER) and _RESERVE_DAY_HANDLER[0].decided(actor, request)
