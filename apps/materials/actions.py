"""The materials app's actions and the roles that hold them (registered from its ``ready``).

The federal operator runs the item bank and the builds; schools download; the regional
coordinator may also see its schools' grade-8 passwords at release.
"""

from __future__ import annotations

from apps.registration.actions import EVERYONE, FEDERAL_SIDE, SCHOOL
from apps.registration.constants import Role


class MaterialsActions:
    MANAGE_BANK = "materials.manage_bank"
    GENERATE_MATERIALS = "materials.generate"
    LOOKUP_VARIANT = "materials.lookup_variant"
    VIEW_MATERIALS = "materials.view"
    DOWNLOAD_MATERIALS = "materials.download"
    VIEW_ARCHIVE_PASSWORD = "materials.view_password"  # noqa: S105 - an action name


_A = MaterialsActions
HOLDERS: dict[str, frozenset[Role]] = {
    _A.MANAGE_BANK: FEDERAL_SIDE,
    _A.GENERATE_MATERIALS: FEDERAL_SIDE,
    _A.LOOKUP_VARIANT: FEDERAL_SIDE,
    _A.VIEW_MATERIALS: EVERYONE,
    _A.DOWNLOAD_MATERIALS: FEDERAL_SIDE | SCHOOL,
    _A.VIEW_ARCHIVE_PASSWORD: FEDERAL_SIDE | SCHOOL | {Role.REGIONAL},
}
