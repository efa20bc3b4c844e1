"""Who may see and do what: the only code that decides visibility.

* ``Actor`` — a user with its role and scope, built once per request (or per job).
* ``ROLE_ACTIONS`` — the role → action table.
* ``ScopedViewMixin`` / ``ScopedAPIMixin`` — base classes for every HTML view and API endpoint
  that touches tenant data; their querysets always go through ``for_actor``.
* ``ActorViewMixin`` / ``ActorAPIView`` — views that show only the actor's own data (no object ids).

Out-of-scope objects answer 404 (as if missing); a missing action answers 403.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject
from rest_framework import permissions
from rest_framework.request import Request

from apps.core.scoping import Level, Scope
from apps.registration import constants as c
from apps.registration.constants import Role

if TYPE_CHECKING:
    from apps.registration.models import Municipality, Region, School, User


class A:
    """Action names. A view or endpoint names the one action it needs."""

    VIEW_REGION = "org.view_region"
    VIEW_MUNICIPALITY = "org.view_municipality"
    VIEW_SCHOOL = "org.view_school"
    EXPORT_SCHOOLS = "org.export_schools"
    VIEW_JOB = "core.view_job"
    USE_ADMIN = "admin.use"
    # Accounts down the hierarchy (issue 3): who issues whose login and one-time password.
    MANAGE_REGIONAL_COORDINATOR = "accounts.manage_regional_coordinator"
    MANAGE_MUNICIPAL_COORDINATORS = "accounts.manage_municipal_coordinators"
    MANAGE_SCHOOL_ORGANIZERS = "accounts.manage_school_organizers"
    MANAGE_SPECIALISTS = "accounts.manage_specialists"
    IMPORT_ACCOUNTS = "accounts.import"
    DOWNLOAD_CREDENTIALS = "accounts.download_credentials"
    EXPIRE_CREDENTIALS = "accounts.expire_credentials"  # the system's expiry purge only
    USE_TOTP = "auth.use_totp"
    # School-list reconciliation, school profile, registration monitoring, audit log (issue 3).
    RECONCILE_SCHOOLS = "registration.reconcile_schools"
    VIEW_SCHOOL_CHANGES = "registration.view_school_changes"
    EDIT_PROFILE = "registration.edit_profile"
    VIEW_PROFILE = "registration.view_profile"
    VIEW_PROFILES = "registration.view_profiles"
    VIEW_MONITORING = "registration.view_monitoring"
    VIEW_AUDIT = "core.view_audit"
    # Applications and their approval chain (issue 4).
    VIEW_APPLICATION = "applications.view"
    EDIT_APPLICATION = "applications.edit"
    SUBMIT_APPLICATION = "applications.submit"
    CONFIRM_APPLICATION = "applications.confirm"
    REOPEN_APPLICATION = "applications.reopen"
    IMPORT_APPLICATIONS = "applications.import"
    APPLICATION_SUMMARY = "applications.summary"
    MONITOR_APPLICATIONS = "applications.monitor"
    # Materials (issue 5): item bank, kits, archives, passwords, participant codes.
    MANAGE_BANK = "materials.manage_bank"
    GENERATE_MATERIALS = "materials.generate"
    LOOKUP_VARIANT = "materials.lookup_variant"
    VIEW_MATERIALS = "materials.view"
    DOWNLOAD_MATERIALS = "materials.download"
    VIEW_ARCHIVE_PASSWORD = "materials.view_password"  # noqa: S105 - an action name
    # Campaigns, works, plan-graph, school schedules and reserve days (issue 4).
    VIEW_CAMPAIGNS = "campaigns.view"
    MANAGE_CAMPAIGNS = "campaigns.manage"
    VIEW_SCHEDULE = "campaigns.view_schedule"
    EDIT_SCHEDULE = "campaigns.edit_schedule"
    VIEW_RESERVE_DAYS = "campaigns.view_reserve_days"
    REQUEST_RESERVE_DAY = "campaigns.request_reserve_day"
    DECIDE_RESERVE_DAY = "campaigns.decide_reserve_day"
    # A coordinator moves a school's day after the school's own freeze (ADR 0014).
    MOVE_SCHOOL_DAY = "campaigns.move_school_day"
    # Results (issue 6): schools upload; coordinators see, compare versions and reopen uploads.
    VIEW_RESULTS = "results.view"
    UPLOAD_RESULTS = "results.upload"
    REOPEN_RESULTS = "results.reopen"
    MONITOR_RESULTS = "results.monitor"
    REMIND_RESULTS = "results.remind"
    # Analytics (issue 7): reports of a unit compared with the levels above it.
    VIEW_ANALYTICS = "analytics.view"
    VIEW_INDIVIDUAL_RESULTS = "analytics.view_individual"
    VIEW_OBJECTIVITY = "analytics.view_objectivity"
    # Announcements and documents (issue 13): everyone reads what came from above; coordinators
    # and the federal operator publish to the levels below and see who has read it.
    VIEW_NOTICES = "notices.view"
    PUBLISH_NOTICES = "notices.publish"


_COMMON = frozenset({A.VIEW_SCHOOL, A.VIEW_JOB})
_ISSUER = frozenset({A.IMPORT_ACCOUNTS, A.DOWNLOAD_CREDENTIALS, A.USE_TOTP})
ROLE_ACTIONS: Mapping[Role, frozenset[str]] = {
    Role.FEDERAL: _COMMON
    | _ISSUER
    | {A.VIEW_REGION, A.VIEW_MUNICIPALITY, A.EXPORT_SCHOOLS, A.USE_ADMIN}
    | {A.MANAGE_REGIONAL_COORDINATOR, A.MANAGE_MUNICIPAL_COORDINATORS, A.MANAGE_SCHOOL_ORGANIZERS},
    Role.REGIONAL: _COMMON
    | _ISSUER
    | {A.VIEW_REGION, A.VIEW_MUNICIPALITY, A.EXPORT_SCHOOLS}
    | {A.MANAGE_MUNICIPAL_COORDINATORS, A.MANAGE_SCHOOL_ORGANIZERS},
    Role.MUNICIPAL: _COMMON
    | _ISSUER
    | {A.VIEW_MUNICIPALITY, A.EXPORT_SCHOOLS, A.MANAGE_SCHOOL_ORGANIZERS},
    Role.SCHOOL_ORGANIZER: _COMMON | {A.MANAGE_SPECIALISTS, A.DOWNLOAD_CREDENTIALS},
    Role.SCHOOL_TECH: _COMMON,
    Role.SYSTEM: _COMMON
    | {A.VIEW_REGION, A.VIEW_MUNICIPALITY, A.EXPORT_SCHOOLS, A.EXPIRE_CREDENTIALS},
}

# Reconciliation, profile, monitoring and audit-log actions, merged into the one table above.
_COORDINATOR_VIEWS = frozenset(
    {A.VIEW_SCHOOL_CHANGES, A.VIEW_PROFILE, A.VIEW_PROFILES, A.VIEW_MONITORING, A.VIEW_AUDIT}
)
_REGISTRATION_ACTIONS: Mapping[Role, frozenset[str]] = {
    Role.FEDERAL: _COORDINATOR_VIEWS,
    Role.REGIONAL: _COORDINATOR_VIEWS | {A.RECONCILE_SCHOOLS},
    Role.MUNICIPAL: _COORDINATOR_VIEWS | {A.RECONCILE_SCHOOLS},
    Role.SCHOOL_ORGANIZER: frozenset({A.VIEW_PROFILE, A.EDIT_PROFILE}),
    Role.SCHOOL_TECH: frozenset({A.VIEW_PROFILE, A.EDIT_PROFILE}),
    Role.SYSTEM: _COORDINATOR_VIEWS,
}
ROLE_ACTIONS = {
    role: actions | _REGISTRATION_ACTIONS.get(role, frozenset())
    for role, actions in ROLE_ACTIONS.items()
}

# Materials (issue 5): the federal operator runs the bank and the builds; schools download; the
# regional coordinator may also see its schools' grade-8 passwords at release (seed 001, item 6).
_MATERIALS_FEDERAL = frozenset(
    {
        A.MANAGE_BANK,
        A.GENERATE_MATERIALS,
        A.LOOKUP_VARIANT,
        A.VIEW_MATERIALS,
        A.DOWNLOAD_MATERIALS,
        A.VIEW_ARCHIVE_PASSWORD,
    }
)
_MATERIALS_SCHOOL = frozenset({A.VIEW_MATERIALS, A.DOWNLOAD_MATERIALS, A.VIEW_ARCHIVE_PASSWORD})
_MATERIALS_ACTIONS: Mapping[Role, frozenset[str]] = {
    Role.FEDERAL: _MATERIALS_FEDERAL,
    Role.REGIONAL: frozenset({A.VIEW_MATERIALS, A.VIEW_ARCHIVE_PASSWORD}),
    Role.MUNICIPAL: frozenset({A.VIEW_MATERIALS}),
    Role.SCHOOL_ORGANIZER: _MATERIALS_SCHOOL,
    Role.SCHOOL_TECH: _MATERIALS_SCHOOL,
    Role.SYSTEM: _MATERIALS_FEDERAL,
}
ROLE_ACTIONS = {
    role: actions | _MATERIALS_ACTIONS.get(role, frozenset())
    for role, actions in ROLE_ACTIONS.items()
}

# Applications (issue 4): schools fill and submit; municipal and regional coordinators edit,
# confirm and reopen (each up to its level); the federal operator watches.
_APPLICATION_SCHOOL = frozenset(
    {A.VIEW_APPLICATION, A.EDIT_APPLICATION, A.SUBMIT_APPLICATION, A.IMPORT_APPLICATIONS}
)
_APPLICATION_COORDINATOR = frozenset(
    {
        A.VIEW_APPLICATION,
        A.EDIT_APPLICATION,
        A.CONFIRM_APPLICATION,
        A.REOPEN_APPLICATION,
        A.IMPORT_APPLICATIONS,
        A.APPLICATION_SUMMARY,
        A.MONITOR_APPLICATIONS,
    }
)
_APPLICATION_ACTIONS: Mapping[Role, frozenset[str]] = {
    Role.FEDERAL: frozenset({A.VIEW_APPLICATION, A.MONITOR_APPLICATIONS}),
    Role.REGIONAL: _APPLICATION_COORDINATOR,
    Role.MUNICIPAL: _APPLICATION_COORDINATOR,
    Role.SCHOOL_ORGANIZER: _APPLICATION_SCHOOL,
    Role.SCHOOL_TECH: _APPLICATION_SCHOOL,
    Role.SYSTEM: frozenset({A.VIEW_APPLICATION, A.MONITOR_APPLICATIONS}),
}
ROLE_ACTIONS = {
    role: actions | _APPLICATION_ACTIONS.get(role, frozenset())
    for role, actions in ROLE_ACTIONS.items()
}

# Campaigns (issue 4): everyone reads the works and the plan-graph; the federal operator edits
# them; schools pick their dates and ask for reserve days, which the regional coordinator decides;
# after a school's freeze its municipal or regional coordinator moves its day (ADR 0014).
_CAMPAIGN_READ = frozenset({A.VIEW_CAMPAIGNS, A.VIEW_SCHEDULE, A.VIEW_RESERVE_DAYS})
_CAMPAIGN_SCHOOL = _CAMPAIGN_READ | {A.EDIT_SCHEDULE, A.REQUEST_RESERVE_DAY}
_CAMPAIGN_ACTIONS: Mapping[Role, frozenset[str]] = {
    Role.FEDERAL: _CAMPAIGN_READ | {A.MANAGE_CAMPAIGNS},
    Role.REGIONAL: _CAMPAIGN_READ | {A.DECIDE_RESERVE_DAY, A.MOVE_SCHOOL_DAY},
    Role.MUNICIPAL: _CAMPAIGN_READ | {A.MOVE_SCHOOL_DAY},
    Role.SCHOOL_ORGANIZER: _CAMPAIGN_SCHOOL,
    Role.SCHOOL_TECH: _CAMPAIGN_SCHOOL,
    Role.SYSTEM: _CAMPAIGN_READ,
}
ROLE_ACTIONS = {
    role: actions | _CAMPAIGN_ACTIONS.get(role, frozenset())
    for role, actions in ROLE_ACTIONS.items()
}

# Results (issue 6): the school uploads (organizer and technical specialist alike); municipal and
# regional coordinators see their schools' results, monitor uploads, remind late schools and
# reopen uploads after the deadline; the federal operator monitors.
_RESULTS_SCHOOL = frozenset({A.VIEW_RESULTS, A.UPLOAD_RESULTS})
_RESULTS_COORDINATOR = frozenset(
    {A.VIEW_RESULTS, A.REOPEN_RESULTS, A.MONITOR_RESULTS, A.REMIND_RESULTS}
)
_RESULTS_ACTIONS: Mapping[Role, frozenset[str]] = {
    Role.FEDERAL: frozenset({A.VIEW_RESULTS, A.MONITOR_RESULTS}),
    Role.REGIONAL: _RESULTS_COORDINATOR,
    Role.MUNICIPAL: _RESULTS_COORDINATOR,
    Role.SCHOOL_ORGANIZER: _RESULTS_SCHOOL,
    Role.SCHOOL_TECH: _RESULTS_SCHOOL,
    Role.SYSTEM: frozenset({A.VIEW_RESULTS, A.MONITOR_RESULTS}),
}
ROLE_ACTIONS = {
    role: actions | _RESULTS_ACTIONS.get(role, frozenset())
    for role, actions in ROLE_ACTIONS.items()
}

# Analytics (issue 7): every role reads the reports of its units; the individual results (per
# participant code) are the school's own report; objectivity markers are for coordinators.
_ANALYTICS_ACTIONS: Mapping[Role, frozenset[str]] = {
    Role.FEDERAL: frozenset({A.VIEW_ANALYTICS, A.VIEW_OBJECTIVITY}),
    Role.REGIONAL: frozenset({A.VIEW_ANALYTICS, A.VIEW_OBJECTIVITY}),
    Role.MUNICIPAL: frozenset({A.VIEW_ANALYTICS, A.VIEW_OBJECTIVITY}),
    Role.SCHOOL_ORGANIZER: frozenset({A.VIEW_ANALYTICS, A.VIEW_INDIVIDUAL_RESULTS}),
    Role.SCHOOL_TECH: frozenset({A.VIEW_ANALYTICS, A.VIEW_INDIVIDUAL_RESULTS}),
    Role.SYSTEM: frozenset({A.VIEW_ANALYTICS, A.VIEW_INDIVIDUAL_RESULTS, A.VIEW_OBJECTIVITY}),
}
ROLE_ACTIONS = {
    role: actions | _ANALYTICS_ACTIONS.get(role, frozenset())
    for role, actions in ROLE_ACTIONS.items()
}

# Notices (issue 13): every role reads; the federal operator and regional and municipal
# coordinators publish to the levels below (apps/notices, docs/notices.md).
_NOTICE_PUBLISHER = frozenset({A.VIEW_NOTICES, A.PUBLISH_NOTICES})
_NOTICE_ACTIONS: Mapping[Role, frozenset[str]] = {
    Role.FEDERAL: _NOTICE_PUBLISHER,
    Role.REGIONAL: _NOTICE_PUBLISHER,
    Role.MUNICIPAL: _NOTICE_PUBLISHER,
    Role.SCHOOL_ORGANIZER: frozenset({A.VIEW_NOTICES}),
    Role.SCHOOL_TECH: frozenset({A.VIEW_NOTICES}),
    Role.SYSTEM: _NOTICE_PUBLISHER,
}
ROLE_ACTIONS = {
    role: actions | _NOTICE_ACTIONS.get(role, frozenset()) for role, actions in ROLE_ACTIONS.items()
}

_NOBODY = Scope(level=Level.SCHOOL, anchor_id=None)


@dataclass(frozen=True)
class Actor:
    """A user in its role, anchored at the org unit it serves."""

    user: User | None
    role: Role | None
    scope: Scope
    unit: Region | Municipality | School | None = None
    reason: str = field(default="", compare=False)

    def can(self, action: str) -> bool:
        return self.role is not None and action in ROLE_ACTIONS.get(self.role, frozenset())

    @property
    def is_federal(self) -> bool:
        return self.role in (Role.FEDERAL, Role.SYSTEM)

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else "нет роли"

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(user=None, role=None, scope=_NOBODY)

    @classmethod
    def system(cls, *, reason: str) -> Actor:
        """The actor of system jobs: sees everything; every use is audited by the caller."""
        return cls(user=None, role=Role.SYSTEM, scope=Scope(level=Level.FEDERAL), reason=reason)


def actor_for_user(user: Any) -> Actor:
    """Build the actor of ``user`` from its grant (a fixed number of queries)."""
    from apps.registration.models import MunicipalityGrant, RegionGrant, SchoolGrant

    if user is None or not user.is_authenticated or not user.is_active:
        return Actor.anonymous()
    if user.is_superuser or user.has_perm(c.PERM_FEDERAL):
        return Actor(user=user, role=Role.FEDERAL, scope=Scope(level=Level.FEDERAL))
    school_grant = (
        SchoolGrant.objects.filter(user=user)
        .select_related("permission", "content_object")
        .order_by("pk")
        .first()
    )
    if school_grant is not None:
        school = school_grant.content_object
        role = (
            Role.SCHOOL_ORGANIZER
            if school_grant.permission.codename == c.PERM_SCHOOL_ORGANIZER
            else Role.SCHOOL_TECH
        )
        scope = Scope.of_school(school.pk, school.municipality_id, school.region_id)
        return Actor(user=user, role=role, scope=scope, unit=school)
    muni_grant = (
        MunicipalityGrant.objects.filter(user=user, permission__codename=c.PERM_MUNICIPALITY)
        .select_related("content_object")
        .order_by("pk")
        .first()
    )
    if muni_grant is not None:
        muni = muni_grant.content_object
        scope = Scope(
            level=Level.MUNICIPALITY,
            anchor_id=muni.pk,
            region_id=muni.region_id,
            municipality_id=muni.pk,
        )
        return Actor(user=user, role=Role.MUNICIPAL, scope=scope, unit=muni)
    region_grant = (
        RegionGrant.objects.filter(user=user, permission__codename=c.PERM_REGION)
        .select_related("content_object")
        .order_by("pk")
        .first()
    )
    if region_grant is not None:
        region = region_grant.content_object
        scope = Scope(level=Level.REGION, anchor_id=region.pk, region_id=region.pk)
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
    actor = actor_for_user(user)
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


class ActorViewMixin(LoginRequiredMixin):
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
