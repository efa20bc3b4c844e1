"""Who may see and do what: the only code that decides visibility.

* ``Actor`` — a user with its role and scope, built once per request (or per job).
* ``A`` and ``ROLE_ACTIONS`` — the action names and the role → action table, as the apps
  declare them (``apps/<app>/actions.py``, collected in ``core.registry``).
* ``ScopedViewMixin`` / ``ScopedAPIMixin`` — base classes for every HTML view and API endpoint
  that touches tenant data; their querysets always go through ``for_actor``.
* ``ActorViewMixin`` / ``ActorAPIView`` — views that show only the actor's own data (no object ids).

Out-of-scope objects answer 404 (as if missing); a missing action answers 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject
from rest_framework import permissions
from rest_framework.request import Request

from apps.core import registry
from apps.core.client_ip import Client
from apps.core.parity import ApiParity
from apps.core.precompiled import Precompiled, get_by_pk
from apps.core.scoping import Level, Scope
from apps.registration import constants as c
from apps.registration.actions import RegistrationActions
from apps.registration.constants import Role

if TYPE_CHECKING:
    from apps.registration.models import Municipality, Region, School, User


class _ActionNames(type):
    """``A.X`` is the action an app registered under the constant ``X`` (its ``actions.py``)."""

    def __getattr__(cls, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return registry.action_named(name)


class A(RegistrationActions, metaclass=_ActionNames):
    """Action names. A view or endpoint names the one action it needs.

    Each app declares its actions and the roles that hold them in ``apps/<app>/actions.py``
    and registers them from its ``AppConfig.ready``; ``A`` carries this app's constants and
    finds every other app's by name, so ``A.MANAGE_BANK`` is ``materials.manage_bank``.
    """


class _RoleActions(Mapping[Role, frozenset[str]]):
    """The role → actions table, read from the apps' registrations (``core.registry``)."""

    def __getitem__(self, role: Role) -> frozenset[str]:
        if role not in Role.values:
            raise KeyError(role)
        return registry.actions_of_role(role)

    def __iter__(self) -> Iterator[Role]:
        return iter(Role)

    def __len__(self) -> int:
        return len(Role)


ROLE_ACTIONS: Mapping[Role, frozenset[str]] = _RoleActions()

_NOBODY = Scope(level=Level.SCHOOL, anchor_id=None)


@dataclass(frozen=True)
class Actor:
    """A user in its role, anchored at the org unit it serves."""

    user: User | None
    role: Role | None
    scope: Scope
    unit: Region | Municipality | School | None = None
    reason: str = field(default="", compare=False)
    client: Client | None = field(default=None, compare=False)

    def can(self, action: str) -> bool:
        return self.role is not None and action in registry.actions_of_role(self.role)

    @property
    def is_federal(self) -> bool:
        return self.role in (Role.FEDERAL, Role.SYSTEM)

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else "нет роли"

    def with_client(self, client: Client | None) -> Actor:
        """The same actor acting from ``client`` (the audit trail's address and user agent)."""
        return replace(self, client=client)

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(user=None, role=None, scope=_NOBODY)

    @classmethod
    def system(cls, *, reason: str) -> Actor:
        """The actor of system jobs: sees everything; every use is audited by the caller."""
        return cls(user=None, role=Role.SYSTEM, scope=Scope(level=Level.FEDERAL), reason=reason)


def _holds(perm: str) -> Any:
    """Whether the outer user holds the model-level ``perm``, directly or through a group: what
    ``user.has_perm`` answers for it (model-level grants come from ModelBackend only)."""
    from django.contrib.auth.models import Permission
    from django.db.models import Exists, OuterRef, Q

    app_label, codename = perm.split(".", 1)
    held = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return Exists(held.filter(Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk"))))


def _grants(*, user_id: int) -> QuerySet[Any]:
    """One row per user: its two federal permissions, and the codename and unit of its first
    school grant, of its first municipal grant and of its first regional grant (by id)."""
    from django.db.models import OuterRef, Subquery

    from apps.registration.models import MunicipalityGrant, RegionGrant, SchoolGrant, User

    def first(model: type[Model], codenames: tuple[str, ...] = ()) -> list[Subquery]:
        grants = model.objects.filter(user=OuterRef("pk")).order_by("pk")  # type: ignore[attr-defined]
        if codenames:
            grants = grants.filter(permission__codename__in=codenames)
        return [
            Subquery(grants.values("permission__codename")[:1]),
            Subquery(grants.values("content_object_id")[:1]),
        ]

    columns = [
        _holds(c.PERM_FEDERAL),
        _holds(c.PERM_MARK_FEDERAL),
        *first(SchoolGrant),
        *first(MunicipalityGrant, (c.PERM_MUNICIPALITY, c.PERM_MARK_MUNICIPALITY)),
        *first(RegionGrant, (c.PERM_REGION, c.PERM_MARK_REGION)),
    ]
    named = {f"g{k}": column for k, column in enumerate(columns)}
    return User.objects.filter(pk=user_id).order_by().annotate(**named).values_list(*named)


_GRANTS = Precompiled(_grants)


def actor_for_user(user: Any) -> Actor:
    """Build the actor of ``user`` from its grants: two queries whatever its role (the grants,
    then its unit), each compiled once per process (``core.precompiled``, issue 18)."""
    from apps.registration.models import Municipality, Region, School

    if user is None or not user.is_authenticated or not user.is_active:
        return Actor.anonymous()
    if user.is_superuser:
        return Actor(user=user, role=Role.FEDERAL, scope=Scope(level=Level.FEDERAL))
    rows = _GRANTS.rows(user_id=user.pk)
    if not rows:  # deleted meanwhile
        return Actor(user=user, role=None, scope=_NOBODY)
    federal, mark_federal, s_code, s_id, m_code, m_id, r_code, r_id = rows[0]
    if federal:
        return Actor(user=user, role=Role.FEDERAL, scope=Scope(level=Level.FEDERAL))
    if mark_federal:
        # a federal commission's marker: the whole country, but only the works allocated to it
        return Actor(user=user, role=Role.MARKER, scope=Scope(level=Level.FEDERAL, user_id=user.pk))
    if s_id is not None and (school := get_by_pk(School, s_id)) is not None:
        scope = Scope.of_school(school.pk, school.municipality_id, school.region_id)
        if s_code == c.PERM_SCHOOL_EXPERT:
            # an expert sees its school's pages it has actions for, and only its own codes
            scope = replace(scope, user_id=user.pk)
            return Actor(user=user, role=Role.EXPERT, scope=scope, unit=school)
        role = Role.SCHOOL_ORGANIZER if s_code == c.PERM_SCHOOL_ORGANIZER else Role.SCHOOL_TECH
        return Actor(user=user, role=role, scope=scope, unit=school)
    if m_id is not None and (muni := get_by_pk(Municipality, m_id)) is not None:
        scope = Scope(
            level=Level.MUNICIPALITY,
            anchor_id=muni.pk,
            region_id=muni.region_id,
            municipality_id=muni.pk,
        )
        if m_code == c.PERM_MARK_MUNICIPALITY:
            scope = replace(scope, user_id=user.pk)
            return Actor(user=user, role=Role.MARKER, scope=scope, unit=muni)
        return Actor(user=user, role=Role.MUNICIPAL, scope=scope, unit=muni)
    if r_id is not None and (region := get_by_pk(Region, r_id)) is not None:
        scope = Scope(level=Level.REGION, anchor_id=region.pk, region_id=region.pk)
        if r_code == c.PERM_MARK_REGION:
            scope = replace(scope, user_id=user.pk)
            return Actor(user=user, role=Role.MARKER, scope=scope, unit=region)
        return Actor(user=user, role=Role.REGIONAL, scope=scope, unit=region)
    return Actor(user=user, role=None, scope=_NOBODY)


_CACHE_ATTR = "_vpr_actor"


def get_actor(request: HttpRequest | Request) -> Actor:
    """The actor of a request, built once (DRF token users included)."""
    http_request: HttpRequest = getattr(request, "_request", request)
    user = request.user
    cached: Actor | None = getattr(http_request, _CACHE_ATTR, None)
    user_pk = getattr(user, "pk", None)
    if cached is not None and getattr(cached.user, "pk", None) == user_pk:
        return cached
    actor = actor_for_user(user).with_client(Client.of_request(http_request))
    setattr(http_request, _CACHE_ATTR, actor)
    return actor


class ActorMiddleware:
    """Puts a lazy ``request.actor`` on every request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = SimpleLazyObject(lambda: get_actor(request))  # type: ignore[attr-defined]
        return self.get_response(request)


# --- HTML views -------------------------------------------------------------------------------


class ActorViewMixin(ApiParity, LoginRequiredMixin):
    """A logged-in page about the actor itself; it takes no object ids from the URL."""

    actor: Actor

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.actor = get_actor(request)
        return super().dispatch(request, *args, **kwargs)


class ScopedViewMixin(ActorViewMixin):
    """Base of every HTML view over tenant data: checks the action, scopes the queryset."""

    scoped_model: ClassVar[type[Model]]
    action: ClassVar[str]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.actor = get_actor(request)
        if not self.actor.can(self.action):
            raise PermissionDenied
        return super(ActorViewMixin, self).dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        return self.scoped_model.objects.for_actor(self.actor, self.action)  # type: ignore[attr-defined, no-any-return]

    def scoped(self, model: type[Model], action: str | None = None) -> QuerySet[Any]:
        """Another model's rows as this actor sees them (for related lookups in a view)."""
        return model.objects.for_actor(self.actor, action or self.action)  # type: ignore[attr-defined, no-any-return]


# --- API --------------------------------------------------------------------------------------


class HasAction(permissions.BasePermission):
    """403 unless the actor has the action the view maps to the request's method."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if getattr(request.user, "must_change_password", False):
            # A token user holding a one-time password must set its own in the browser first.
            self.message = "Смените одноразовый пароль: откройте портал в браузере и войдите."
            return False
        return get_actor(request).can(view.action_for(request))


class ScopedAPIMixin:
    """Base of every API endpoint over tenant data (an action per HTTP method, as Sentry)."""

    scoped_model: ClassVar[type[Model]]
    method_actions: ClassVar[Mapping[str, str]]
    permission_classes: Sequence[Any] = (permissions.IsAuthenticated, HasAction)
    request: Any

    def action_for(self, request: Request) -> str:
        method = request.method or "GET"
        if method in ("HEAD", "OPTIONS"):
            method = "GET"
        return self.method_actions.get(method, "__none__")

    @property
    def actor(self) -> Actor:
        return get_actor(self.request)

    def get_queryset(self) -> QuerySet[Any]:
        return self.scoped_model.objects.for_actor(  # type: ignore[attr-defined, no-any-return]
            self.actor, self.action_for(self.request)
        )
