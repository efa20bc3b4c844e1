"""The tenant-scoping contract, generated from the URLconf rather than hand-listed.

* Every route is a Scoped* view, or an exempt one that takes no object id.
* Every route that takes an object id answers 404 for objects outside the caller's scope
  (403 when the role lacks the action altogether), for every role.
* No response a role can see (lists, details, exports) contains a unit outside its scope.
* Anonymous callers are sent to login (HTML) or get 401 (API).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.registration.access import ActorViewMixin, ScopedAPIMixin, ScopedViewMixin
from conftest import World, token
from tests.scoping.makers import CONTRACT_NOW, ISSUED_BY_ROLE, KWARG_MODELS, MAKERS

ROLES = (
    "federal",
    "regional",
    "municipal",
    "school_organizer",
    "school_tech",
    "expert",
    "marker",
)

# Routes that carry no tenant object. They may not take object ids.
EXEMPT = {
    "home",
    "login",
    "logout",
    "schema",
    "swagger-ui",
    "api-token",
}
# Actor-only routes: logged in, about the caller itself, no object ids.
ACTOR_ONLY_BASES = (ActorViewMixin,)


@dataclass(frozen=True)
class Route:
    name: str
    regex: str
    view: type[Any]
    kwargs: tuple[str, ...]
    actions: dict[str, str] | None  # DRF viewset method → handler

    @property
    def methods(self) -> list[str]:
        if self.actions is not None:
            return [m.upper() for m in self.actions if m not in ("head", "options")]
        return [
            m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(self.view, m)
        ]

    def action_for(self, method: str) -> str | None:
        if issubclass(self.view, ScopedViewMixin):
            return self.view.action
        if issubclass(self.view, ScopedAPIMixin):
            return self.view.method_actions.get(method)
        return None


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin is federal-only; see test_admin_is_federal_only
            yield from _walk(entry, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def routes(urlconf: str | None = None) -> list[Route]:
    found = []
    for regex, pattern in _walk(get_resolver(urlconf)):
        callback = pattern.callback
        view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        kwargs = tuple(pattern.pattern.regex.groupindex)
        found.append(
            Route(
                name=pattern.name or "",
                regex=regex,
                view=view if view is not None else type(callback),
                kwargs=kwargs,
                actions=getattr(callback, "actions", None),
            )
        )
    return found


ALL_ROUTES = routes()
ID_ROUTES = [r for r in ALL_ROUTES if r.kwargs and r.kwargs != ("path",)]
PLAIN_ROUTES = [r for r in ALL_ROUTES if not r.kwargs]


def _is_scoped(route: Route) -> bool:
    return issubclass(route.view, ScopedViewMixin | ScopedAPIMixin)


@pytest.mark.parametrize("route", ALL_ROUTES, ids=lambda r: r.name or r.regex)
def test_every_route_is_scoped_or_exempt(route: Route) -> None:
    # given a route of the URLconf
    # then it has a name, and it is scoped, or exempt/actor-only without object ids
    assert check_declared(route) in {"static", "scoped", "exempt"}


def check_declared(route: Route) -> str:
    """How the route is allowed to exist; fails the test if it is not."""
    assert route.name, f"route {route.regex} needs a name"
    if route.name.startswith("django-static") or route.regex.startswith("static/"):
        return "static"
    if _is_scoped(route):
        model = getattr(route.view, "scoped_model", None)
        assert model is not None, f"{route.name}: a Scoped view must declare scoped_model"
        return "scoped"
    assert not route.kwargs, (
        f"{route.name} takes object ids {route.kwargs} but is not a Scoped* view: "
        "base it on ScopedViewMixin or ScopedAPIMixin"
    )
    actor_only = issubclass(route.view, ACTOR_ONLY_BASES) or _is_api_actor_only(route)
    assert route.name in EXEMPT or actor_only, (
        f"{route.name} is neither Scoped*, actor-only, nor in the EXEMPT list"
    )
    return "exempt"


def _is_api_actor_only(route: Route) -> bool:
    # An APIView that requires authentication and takes no ids (e.g. /api/v1/me/).
    from rest_framework.permissions import IsAuthenticated
    from rest_framework.views import APIView

    if not issubclass(route.view, APIView):
        return False
    return any(issubclass(p, IsAuthenticated) for p in route.view.permission_classes)


# --- behaviour -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _contract_clock(time_machine: Any) -> None:
    """Every contract test runs at CONTRACT_NOW (before the world and its logins are made)."""
    time_machine.move_to(CONTRACT_NOW, tick=True)


def _model_for(route: Route, kwarg: str) -> type[Any]:
    if kwarg == "pk":
        return route.view.scoped_model
    assert kwarg in KWARG_MODELS, (
        f"{route.name}: URL kwarg {kwarg!r} is unknown; add it to tests/scoping/makers.py"
    )
    return KWARG_MODELS[kwarg]


def _object(world: World, model: type[Any], key: str, role: str | None = None) -> Any:
    assert model in MAKERS, f"no maker for {model.__name__}; add one in tests/scoping/makers.py"
    if role is not None and model in ISSUED_BY_ROLE:
        return ISSUED_BY_ROLE[model](world, key, role)
    maker, _levels = MAKERS[model]
    return maker(world, key)


def _keys_for(model: type[Any], keys: set[str]) -> list[str]:
    _maker, levels = MAKERS[model]
    return sorted(k for k in keys if len(k) in levels)


def _url(route: Route, values: dict[str, Any], urlconf: str | None = None) -> str:
    return reverse(route.name, kwargs={k: v.pk for k, v in values.items()}, urlconf=urlconf)


def _call(client: Any, method: str, url: str) -> Any:
    return getattr(client, method.lower())(url)


def _body_text(response: Any) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "".join(
                archive.read(n).decode("utf-8", "replace")
                for n in archive.namelist()
                if n.endswith(".xml")
            )
    return raw.decode("utf-8", "replace")


def _assert_no_foreign(world: World, role: str, text: str, where: str) -> None:
    leaked = sorted(k for k in world.foreign_keys(role) if token(k) in text)
    assert not leaked, f"{where} as {role} shows units outside its scope: {leaked}"


def _primary_model(route: Route) -> type[Any]:
    return _model_for(route, route.kwargs[0])


@pytest.mark.django_db
@pytest.mark.parametrize("route", ID_ROUTES, ids=lambda r: r.name)
def test_id_route_respects_scope_for_every_role(world: World, route: Route) -> None:
    checked = 0
    for role in ROLES:
        # given a role and a route taking object ids
        # when it asks for objects of units outside its scope
        # then each is as good as missing (or the action is refused outright)
        checked += check_foreign_404(world, route, role)
    # (every route has foreign objects for the lower roles, so requests were really made)
    assert checked > 0
    # and its own objects answer and show no other unit's data; lowest roles first, because an
    # action on an own object (re-issuing a password) may change the accounts of the roles below
    for role in reversed(ROLES):
        check_own_reachable(world, route, role)


def check_foreign_404(world: World, route: Route, role: str, urlconf: str | None = None) -> int:
    """Asks for every foreign object of the route as ``role``; returns how many calls it made."""
    calls = 0
    client = world.client_for(role)
    from apps.registration.access import actor_for_user

    actor = actor_for_user(world.users[role])
    models = {k: _model_for(route, k) for k in route.kwargs}
    foreign = _keys_for(_primary_model(route), world.foreign_keys(role))
    for key in foreign:
        values = {k: _object(world, m, key) for k, m in models.items()}
        for method in route.methods:
            response = _call(client, method, _url(route, values, urlconf))
            calls += 1
            action = route.action_for(method)
            expected = 404 if action and actor.can(action) else 403
            assert response.status_code == expected, (
                f"{method} {route.name} for unit {key} as {role}: "
                f"{response.status_code}, expected {expected}"
            )
    return calls


def check_own_reachable(world: World, route: Route, role: str) -> None:
    client = world.client_for(role)
    from apps.registration.access import actor_for_user

    actor = actor_for_user(world.users[role])
    models = {k: _model_for(route, k) for k in route.kwargs}
    own = _keys_for(_primary_model(route), world.units_of(role))
    for key in own:
        values = {k: _object(world, m, key, role) for k, m in models.items()}
        for method in route.methods:
            action = route.action_for(method)
            if not (action and actor.can(action)):
                continue
            response = _call(client, method, _url(route, values))
            where = f"{method} {route.name} for own unit {key} as {role}: {response.status_code}"
            if method == "GET":
                assert response.status_code < 400, where
            else:
                # An empty write may be refused on its content (400 missing file, 409 past the
                # deadline) but never as if the object were foreign or forbidden.
                assert response.status_code not in (401, 403, 404, 405), where
                assert response.status_code < 500, where
            if response.status_code == 200:
                _assert_no_foreign(world, role, _body_text(response), f"{method} {route.name}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route", [r for r in PLAIN_ROUTES if "GET" in r.methods], ids=lambda r: r.name
)
def test_lists_never_contain_foreign_units(world: World, route: Route) -> None:
    # given every kind of scoped object in every unit of the world
    for model, (_maker, levels) in MAKERS.items():
        for key in sorted(k for k in world.all_keys() if len(k) in levels):
            _object(world, model, key)
    for role in ROLES:
        client = world.client_for(role)
        # when each role opens a page or endpoint without ids (and its search, paged views)
        for suffix in ("", "?q=ZQX", "?page=1"):
            response = client.get(reverse(route.name) + suffix, follow=True)
            if response.status_code in (403, 405):
                continue
            # then no unit outside its scope shows up
            assert response.status_code == 200, f"{route.name}{suffix} as {role}"
            _assert_no_foreign(world, role, _body_text(response), f"{route.name}{suffix}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route",
    [r for r in ALL_ROUTES if r.name not in EXEMPT and not r.regex.startswith("static/")],
    ids=lambda r: r.name,
)
def test_anonymous_is_sent_to_login(world: World, route: Route) -> None:
    # given nobody logged in
    from django.test import Client

    client = Client()
    values = {}
    for kwarg in route.kwargs:
        model = _model_for(route, kwarg)
        values[kwarg] = _object(world, model, _keys_for(model, world.all_keys())[0])
    for method in route.methods:
        # when a protected route is called
        response = _call(client, method, _url(route, values))
        # then the HTML asks to log in and the API answers 401
        if re.match(r"\^?api/", route.regex):
            assert response.status_code == 401, f"{method} {route.name}"
        else:
            assert response.status_code == 302, f"{method} {route.name}"
            assert reverse("login") in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_admin_is_federal_only(world: World, role: str) -> None:
    # given a user of a role
    client = world.client_for(role)
    # when it opens the admin
    response = client.get("/admin/registration/school/")
    # then only the federal operator gets in
    if role == "federal":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_contract_covers_the_id_routes() -> None:
    # the generated lists are not empty: the walk really found the routes
    names = {r.name for r in ID_ROUTES}
    assert {"region-detail", "municipality-detail", "school-detail", "api-school-detail"} <= names


# --- the contract catches a route that forgets scoping -------------------------------------------


@pytest.mark.django_db
def test_contract_fails_an_unscoped_route(world: World, settings: Any) -> None:
    # given a URLconf with a new detail route that reads School.objects directly
    settings.ROOT_URLCONF = "tests.scoping.unscoped_urls"
    bad = [r for r in routes("tests.scoping.unscoped_urls") if r.name.startswith("unscoped-")]
    assert len(bad) == 2
    plain, sneaky = sorted(bad, key=lambda r: r.name)
    # when the contract checks run on them
    # then the plain view is refused for not being Scoped*
    with pytest.raises(AssertionError, match="not a Scoped"):
        check_declared(plain)
    # and the Scoped* view that still looks objects up unscoped leaks, and is caught
    check_declared(sneaky)
    with pytest.raises(AssertionError, match="expected 404"):
        check_foreign_404(world, sneaky, "municipal", urlconf="tests.scoping.unscoped_urls")
