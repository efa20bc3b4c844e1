"""The cabinet menu of the current role (a fixed set of links per role)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from apps.registration.access import A, get_actor
from apps.registration.constants import Role


def cabinet(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    actor = get_actor(request)
    menu: list[tuple[str, str]] = [("Кабинет", reverse("cabinet"))]
    scope = actor.scope
    if actor.role == Role.FEDERAL:
        menu += [
            ("Регионы", reverse("region-list")),
            ("Муниципалитеты", reverse("municipality-list")),
            ("ОО", reverse("school-list")),
            ("Администрирование", reverse("admin:index")),
        ]
    elif actor.role == Role.REGIONAL and scope.region_id:
        menu += [
            ("Муниципалитеты", reverse("municipality-list")),
            ("ОО региона", reverse("school-list")),
        ]
    elif actor.role == Role.MUNICIPAL:
        menu += [("ОО муниципалитета", reverse("school-list"))]
    if actor.can(A.VIEW_JOB):
        menu.append(("Мои выгрузки", reverse("job-list")))
    menu.append(("API", reverse("swagger-ui")))
    return {"actor": actor, "cabinet_menu": menu}
