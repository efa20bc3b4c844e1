"""The sidebar's sections, the helpers every app's ``menu.py`` builds its items with, and the
registration app's own items (org units, accounts, profile, reconciliation, service links).

Each app declares its items in its ``menu.py`` and registers them from its ``AppConfig.ready``
(``core.registry.register_menu``); ``context_processors.cabinet`` shows the actor's.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from apps.core.registry import MenuItem, MenuSection
from apps.registration.access import Actor
from apps.registration.actions import RegistrationActions as A
from apps.registration.constants import Role

# The sidebar sections, in the order of the ВПР cycle.
CABINET = MenuSection("Кабинет", 10)
REGISTRATION = MenuSection("Регистрация", 20)
APPLICATIONS = MenuSection("Заявки и расписание", 30)
MATERIALS = MenuSection("Материалы", 40)
RESULTS = MenuSection("Результаты", 50)
ANALYTICS = MenuSection("Аналитика", 60)
SERVICE = MenuSection("Сервис", 70)

Visible = Callable[[Actor], bool]


def always(actor: Actor) -> bool:
    return True


def can(*actions: str) -> Visible:
    """Shown to an actor holding every one of ``actions``."""
    return lambda actor: all(actor.can(action) for action in actions)


def role_is(*roles: Role) -> Visible:
    return lambda actor: actor.role in roles


def own_school_url(name: str) -> Callable[[Actor], str | None]:
    """The page ``name`` of the actor's own school (no link for an actor without one)."""
    return lambda actor: (
        reverse(name, args=[actor.scope.school_id]) if actor.scope.school_id else None
    )


def _regional(actor: Actor) -> bool:
    return actor.role == Role.REGIONAL and bool(actor.scope.region_id)


def _unit_url(name: str, attr: str) -> Callable[[Actor], str | None]:
    def url(actor: Actor) -> str | None:
        unit_id = getattr(actor.scope, attr)
        return reverse(name, args=[unit_id]) if unit_id else None

    return url


ITEMS = [
    # The org units of the actor's level and below.
    MenuItem(CABINET, 20, "Регионы", "region-list", role_is(Role.FEDERAL)),
    MenuItem(
        CABINET,
        30,
        "Муниципалитеты",
        "municipality-list",
        lambda actor: actor.role == Role.FEDERAL or _regional(actor),
    ),
    MenuItem(CABINET, 40, "ОО", "school-list", role_is(Role.FEDERAL)),
    MenuItem(CABINET, 41, "ОО региона", "school-list", _regional),
    MenuItem(CABINET, 42, "ОО муниципалитета", "school-list", role_is(Role.MUNICIPAL)),
    # Accounts one level down.
    MenuItem(
        REGISTRATION,
        10,
        "Муниципальные координаторы",
        _unit_url("municipal-coordinators", "region_id"),
        role_is(Role.REGIONAL),
    ),
    MenuItem(
        REGISTRATION,
        11,
        "Организаторы ОО",
        _unit_url("school-organizers", "municipality_id"),
        role_is(Role.MUNICIPAL),
    ),
    MenuItem(
        REGISTRATION,
        12,
        "Технические специалисты",
        own_school_url("school-specialists"),
        role_is(Role.SCHOOL_ORGANIZER),
    ),
    # School profile, reconciliation, monitoring, credentials files.
    MenuItem(REGISTRATION, 20, "Опросный лист", "school-profile-edit", can(A.EDIT_PROFILE)),
    MenuItem(
        REGISTRATION, 30, "Выверка списка ОО", "reconciliation-list", can(A.VIEW_SCHOOL_CHANGES)
    ),
    MenuItem(REGISTRATION, 40, "Опросные листы ОО", "school-profile-list", can(A.VIEW_PROFILES)),
    MenuItem(REGISTRATION, 50, "Мониторинг", "monitoring-registration", can(A.VIEW_MONITORING)),
    MenuItem(REGISTRATION, 60, "Файлы с паролями", "credentials-list", can(A.DOWNLOAD_CREDENTIALS)),
    # Service links (the audit log registers its own between these).
    MenuItem(SERVICE, 10, "Администрирование", "admin:index", role_is(Role.FEDERAL)),
    MenuItem(SERVICE, 30, "Мои выгрузки", "job-list", can(A.VIEW_JOB)),
    MenuItem(SERVICE, 90, "API", "swagger-ui", always),
]
