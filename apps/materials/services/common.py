"""Helpers shared by the materials services: the action check, a kit's scope, stored files."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage

from apps.applications.selectors import APPLIED
from apps.core.scoping import Scope
from apps.materials.models import Kit
from apps.registration.access import Actor

GENERATE_RETRIES = 100


BALANCED_RETRIES = 30


# Applications that count for materials: submitted by the school or confirmed above it.
COUNTED_APPLICATIONS = APPLIED


def _require(actor: Actor, action: str) -> None:
    if not actor.can(action):
        raise PermissionDenied


def _kit_scope(kit: Kit) -> Scope:
    return Scope.of_school(kit.school_id, kit.municipality_id, kit.region_id)


def _read_stored(path: str) -> bytes:
    with default_storage.open(path, "rb") as fh:
        data: bytes = fh.read()  # File.read is Any in the stubs; "rb" gives bytes
    return data
