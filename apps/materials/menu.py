"""The materials app's menu items: the school's own materials; the operator's bank and builds;
the download monitoring above the schools."""

from __future__ import annotations

from apps.core.registry import MenuItem
from apps.materials.actions import MaterialsActions as A
from apps.registration.menu import MATERIALS, can, own_school_url

ITEMS = [
    MenuItem(
        MATERIALS,
        10,
        "Материалы ВПР",
        own_school_url("school-materials"),
        can(A.DOWNLOAD_MATERIALS),
    ),
    MenuItem(MATERIALS, 20, "Банк заданий", "materials-bank", can(A.MANAGE_BANK)),
    MenuItem(MATERIALS, 30, "Сборка материалов", "materials-builds", can(A.GENERATE_MATERIALS)),
    MenuItem(MATERIALS, 40, "Поиск варианта", "materials-lookup", can(A.LOOKUP_VARIANT)),
    MenuItem(
        MATERIALS,
        50,
        "Скачивания материалов",
        "materials-monitoring",
        lambda actor: actor.can(A.VIEW_MATERIALS) and not actor.scope.school_id,
    ),
]
