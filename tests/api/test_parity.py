"""API parity, generated from the URLconf: every cabinet action and list has an API twin.

The test walks the HTML URLconf (everything outside ``/api/``, ``/admin/`` and static files) and
sorts each route's view class:

* it **changes state** when the route accepts POST, PUT, PATCH or DELETE;
* it **lists objects** when it answers GET and
  - its route takes no object id (an index page or an export over the caller's whole scope: a
    page without an id can only show a collection, a search over one, or a form), or
  - it is a Django ``MultipleObjectMixin`` (``ListView``), or
  - one of its own classes (``apps.*``) builds a ``core.listing.Listing`` (sorted, filtered,
    paged rows) or calls ``apps.<app>.listings``.

Such a view declares ``api_routes`` (URL names in ``/api/v1/``) or ``browser_only`` (a reason),
see ``apps/core/parity.py``. The test fails, naming the route, unless:

* a state-changing view names an API route that accepts a write (POST/PUT/PATCH/DELETE),
* a listing view names an API route that accepts GET (a page doing both needs both),
* or the view is ``browser_only`` with a non-empty reason, and never both at once;
* and every name in ``api_routes`` (of any view) exists in the API URLconf.

Detail pages behind an id that do not paginate are not forced by the rule (their data come with
the API detail routes the lists lead to); they may still declare their twin.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from django.views.generic.list import MultipleObjectMixin

from tests.scoping.test_contract import Route, routes

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_BUILDS_LISTING = re.compile(r"\bListing\(|\blistings\.\w+\(")


def _is_api(route: Route) -> bool:
    return bool(re.match(r"\^?api/", route.regex))


def _is_static(route: Route) -> bool:
    return route.name.startswith("django-static") or route.regex.startswith("static/")


def api_methods(all_routes: Iterable[Route]) -> dict[str, frozenset[str]]:
    """API route name → the HTTP methods it accepts."""
    found: dict[str, frozenset[str]] = {}
    for route in all_routes:
        if _is_api(route) and route.name:
            found[route.name] = found.get(route.name, frozenset()) | frozenset(route.methods)
    return found


def html_routes(all_routes: Iterable[Route]) -> list[Route]:
    return [r for r in all_routes if not _is_api(r) and not _is_static(r)]


_LISTING_SEEN: dict[type[Any], bool] = {}


def _builds_listing(view: type[Any]) -> bool:
    if view not in _LISTING_SEEN:
        _LISTING_SEEN[view] = _source_builds_listing(view)
    return _LISTING_SEEN[view]


def _source_builds_listing(view: type[Any]) -> bool:
    for cls in inspect.getmro(view):
        if not cls.__module__.startswith("apps."):
            continue
        try:
            source = inspect.getsource(cls)
        except (OSError, TypeError):
            continue
        if _BUILDS_LISTING.search(source):
            return True
    return False


def _has_object_ids(route: Route) -> bool:
    return bool(route.kwargs) and route.kwargs != ("path",)


@dataclass(frozen=True)
class Need:
    write: bool
    listing: bool


def need_of(route: Route) -> Need:
    """What the rule (module docstring) asks of the route's view."""
    methods = set(route.methods)
    write = bool(methods & WRITE_METHODS)
    listing = "GET" in methods and (
        not _has_object_ids(route)
        or issubclass(route.view, MultipleObjectMixin)
        or _builds_listing(route.view)
    )
    return Need(write=write, listing=listing)


def parity_problems(route: Route, api: dict[str, frozenset[str]]) -> list[str]:
    """Why the route breaks the parity rule; empty when it keeps it."""
    names: tuple[str, ...] = tuple(getattr(route.view, "api_routes", ()) or ())
    reason: str = getattr(route.view, "browser_only", "") or ""
    where = f"{route.name} ({route.view.__module__}.{route.view.__qualname__})"
    problems = [
        f"{where}: api_routes names {name!r}, which is not an API route"
        for name in names
        if name not in api
    ]
    need = need_of(route)
    if names and reason.strip():
        problems.append(f"{where}: declares both api_routes and browser_only; choose one")
    if reason.strip() or not (need.write or need.listing):
        return problems
    accepted = frozenset().union(*(api.get(n, frozenset()) for n in names))
    if not names:
        what = " and ".join(
            w for w, on in (("changes state", need.write), ("lists objects", need.listing)) if on
        )
        problems.append(
            f"{where} {what} but has no API twin: declare api_routes "
            "(apps/core/parity.py) or browser_only with a reason"
        )
        return problems
    if need.write and not accepted & WRITE_METHODS:
        problems.append(f"{where} changes state but none of {names} accepts POST/PUT/PATCH/DELETE")
    if need.listing and "GET" not in accepted:
        problems.append(f"{where} lists objects but none of {names} accepts GET")
    return problems


ALL_ROUTES = routes()
API = api_methods(ALL_ROUTES)
HTML_ROUTES = html_routes(ALL_ROUTES)


@pytest.mark.parametrize("route", HTML_ROUTES, ids=lambda r: r.name or r.regex)
def test_every_action_and_list_has_an_api_twin(route: Route) -> None:
    # given an HTML route of the URLconf
    # then it has an API route doing the same, or a reason why it has none
    problems = parity_problems(route, API)
    assert not problems, "\n".join(problems)


def test_the_walk_finds_writes_and_lists() -> None:
    # the generated list is not empty: the walk really classified the routes
    needs = {r.name: need_of(r) for r in HTML_ROUTES}
    assert needs["results-reopen"] == Need(write=True, listing=False)
    assert needs["analytics-index"] == Need(write=False, listing=True)
    assert needs["results-monitoring-region"].listing  # takes an id, but builds a Listing
    assert needs["subject-list"] == Need(write=True, listing=True)
    assert not any(needs[n].write or needs[n].listing for n in ("results-version", "kit-codes"))
    assert {"api-school-results", "api-application-submit"} <= API.keys()


# --- the test catches a page without its route ---------------------------------------------------


def _route(view: type[Any], *, name: str = "x-page", kwargs: tuple[str, ...] = ()) -> Route:
    return Route(name=name, regex=f"{name}/", view=view, kwargs=kwargs, actions=None)


class _Post:
    def post(self) -> None: ...


class _Get:
    def get(self) -> None: ...


def test_an_undeclared_form_or_index_page_fails() -> None:
    # given a new page that posts, and a new index page without ids, neither declared
    api = {"api-x": frozenset({"GET"})}
    # then both are named
    assert "changes state but has no API twin" in parity_problems(_route(_Post), api)[0]
    assert "lists objects but has no API twin" in parity_problems(_route(_Get), api)[0]
    # and a detail page behind an id is not forced
    assert parity_problems(_route(_Get, kwargs=("pk",)), api) == []


def test_a_twin_must_exist_and_accept_the_method() -> None:
    api = {"api-read": frozenset({"GET"}), "api-write": frozenset({"POST"})}

    class ReadOnlyTwin(_Post):
        api_routes = ("api-read",)

    class Missing(_Get):
        api_routes = ("api-gone",)

    class Both(_Post):
        api_routes = ("api-write",)
        browser_only = "why"

    class Fine(_Get, _Post):
        api_routes = ("api-read", "api-write")

    class Browser(_Post):
        browser_only = "The login form."

    assert "none of ('api-read',) accepts POST" in parity_problems(_route(ReadOnlyTwin), api)[0]
    assert "'api-gone', which is not an API route" in parity_problems(_route(Missing), api)[0]
    assert "both api_routes and browser_only" in parity_problems(_route(Both), api)[0]
    assert parity_problems(_route(Fine), api) == []
    assert parity_problems(_route(Browser), api) == []
