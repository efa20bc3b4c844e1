"""The registration app's actions (org units, accounts, school list, profile, monitoring) and the
roles that hold them; plus the role groups every app's ``actions.py`` uses.

Registered from ``RegistrationConfig.ready`` (``core.registry.register_actions``). ``access.A``
inherits these constants and finds every other app's by name in the registry.
"""

from __future__ import annotations

from apps.registration.constants import Role

# Role groups for the apps' holder tables. «Everyone» is every role that serves an org unit; an
# expert and a commission's marker hold only the checking actions given to them by name
# (apps.schoolday.actions, apps.objectivity.actions).
PERSONAL = frozenset({Role.EXPERT, Role.MARKER})
EVERYONE = frozenset(Role) - PERSONAL
FEDERAL_SIDE = frozenset({Role.FEDERAL, Role.SYSTEM})  # the federal operator and system jobs
COORDINATORS = frozenset({Role.REGIONAL, Role.MUNICIPAL})
ABOVE_SCHOOLS = FEDERAL_SIDE | COORDINATORS
SCHOOL = frozenset({Role.SCHOOL_ORGANIZER, Role.SCHOOL_TECH})


class RegistrationActions:
    """Action names. A view or endpoint names the one action it needs."""

    VIEW_REGION = "org.view_region"
    VIEW_MUNICIPALITY = "org.view_municipality"
    VIEW_SCHOOL = "org.view_school"
    EXPORT_SCHOOLS = "org.export_schools"
    VIEW_JOB = "core.view_job"
    USE_ADMIN = "admin.use"
    # Accounts down the hierarchy: who issues whose login and one-time password.
    MANAGE_REGIONAL_COORDINATOR = "accounts.manage_regional_coordinator"
    MANAGE_MUNICIPAL_COORDINATORS = "accounts.manage_municipal_coordinators"
    MANAGE_SCHOOL_ORGANIZERS = "accounts.manage_school_organizers"
    MANAGE_SPECIALISTS = "accounts.manage_specialists"
    IMPORT_ACCOUNTS = "accounts.import"
    DOWNLOAD_CREDENTIALS = "accounts.download_credentials"
    EXPIRE_CREDENTIALS = "accounts.expire_credentials"  # the system's expiry purge only
    USE_TOTP = "auth.use_totp"
    # School-list reconciliation, school profile, registration monitoring.
    RECONCILE_SCHOOLS = "registration.reconcile_schools"
    VIEW_SCHOOL_CHANGES = "registration.view_school_changes"
    EDIT_PROFILE = "registration.edit_profile"
    VIEW_PROFILE = "registration.view_profile"
    VIEW_PROFILES = "registration.view_profiles"
    VIEW_MONITORING = "registration.view_monitoring"


_A = RegistrationActions
_ISSUERS = frozenset({Role.FEDERAL, Role.REGIONAL, Role.MUNICIPAL})  # issue accounts below them

HOLDERS: dict[str, frozenset[Role]] = {
    _A.VIEW_REGION: frozenset({Role.FEDERAL, Role.REGIONAL, Role.SYSTEM}),
    _A.VIEW_MUNICIPALITY: ABOVE_SCHOOLS,
    _A.VIEW_SCHOOL: EVERYONE,
    _A.EXPORT_SCHOOLS: ABOVE_SCHOOLS,
    _A.VIEW_JOB: EVERYONE,
    _A.USE_ADMIN: frozenset({Role.FEDERAL}),
    _A.MANAGE_REGIONAL_COORDINATOR: frozenset({Role.FEDERAL}),
    _A.MANAGE_MUNICIPAL_COORDINATORS: frozenset({Role.FEDERAL, Role.REGIONAL}),
    _A.MANAGE_SCHOOL_ORGANIZERS: _ISSUERS,
    _A.MANAGE_SPECIALISTS: frozenset({Role.SCHOOL_ORGANIZER}),
    _A.IMPORT_ACCOUNTS: _ISSUERS,
    _A.DOWNLOAD_CREDENTIALS: _ISSUERS | {Role.SCHOOL_ORGANIZER},
    _A.EXPIRE_CREDENTIALS: frozenset({Role.SYSTEM}),
    _A.USE_TOTP: _ISSUERS,
    # Coordinators reconcile their schools' list; the federal level only looks.
    _A.RECONCILE_SCHOOLS: COORDINATORS,
    _A.VIEW_SCHOOL_CHANGES: ABOVE_SCHOOLS,
    # The school fills its profile; everyone above reads the profiles of its schools.
    _A.EDIT_PROFILE: SCHOOL,
    _A.VIEW_PROFILE: EVERYONE,
    _A.VIEW_PROFILES: ABOVE_SCHOOLS,
    _A.VIEW_MONITORING: ABOVE_SCHOOLS,
}
