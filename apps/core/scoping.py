"""The tenant-scoping primitives: levels, scopes and the one queryset filter.

Every read of tenant data goes through ``QuerySet.for_actor(actor, action)``. Who the actor is
(its role and the org unit it serves) is decided in ``apps.registration.access``; this module
only knows how to turn a scope into a filter, so core stays free of domain models.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar

from django.db import models

if TYPE_CHECKING:
    from collections.abc import Mapping


class Level(enum.IntEnum):
    """How high in the hierarchy a scope is anchored. Lower numbers see more."""

    FEDERAL = 0
    REGION = 1
    MUNICIPALITY = 2
    SCHOOL = 3


@dataclass(frozen=True)
class Scope:
    """The org unit an actor serves: everything at or below ``anchor_id`` on ``level``."""

    level: Level
    anchor_id: int | None = None
    region_id: int | None = None
    municipality_id: int | None = None
    school_id: int | None = None
    # A personal scope (a school expert's, a commission marker's): inside its unit (the whole
    # country for a federal commission), models that declare ``personal_field`` show only the
    # rows of this user.
    user_id: int | None = None

    @classmethod
    def of_region(cls, region_id: int) -> Scope:
        return cls(level=Level.REGION, anchor_id=region_id, region_id=region_id)

    @classmethod
    def of_municipality(cls, municipality_id: int, region_id: int) -> Scope:
        return cls(
            level=Level.MUNICIPALITY,
            anchor_id=municipality_id,
            region_id=region_id,
            municipality_id=municipality_id,
        )

    @classmethod
    def of_row(cls, row: Any) -> Scope:
        """The unit a row with copied ``region_id``/``municipality_id``/``school_id`` columns
        concerns (an audit scope: the ids only, no anchor)."""
        return cls(
            level=Level.FEDERAL,
            region_id=row.region_id,
            municipality_id=row.municipality_id,
            school_id=row.school_id,
        )

    @classmethod
    def of_school(cls, school_id: int, municipality_id: int, region_id: int) -> Scope:
        return cls(
            level=Level.SCHOOL,
            anchor_id=school_id,
            region_id=region_id,
            municipality_id=municipality_id,
            school_id=school_id,
        )


class ActorLike(Protocol):
    @property
    def scope(self) -> Scope: ...

    def can(self, action: str) -> bool: ...


_M = TypeVar("_M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[_M]):
    """A queryset that can restrict itself to what an actor may see."""

    def for_actor(self, actor: ActorLike, action: str) -> Self:
        if not actor.can(action):
            return self.none()
        scope = actor.scope
        narrowed = self
        if scope.level is not Level.FEDERAL:
            path = self.model.scope_fields.get(scope.level)  # type: ignore[attr-defined]
            if path is None or scope.anchor_id is None:
                return self.none()
            narrowed = self.filter(**{path: scope.anchor_id})
        if scope.user_id is not None:
            personal = getattr(self.model, "personal_field", None)
            if personal is not None:
                narrowed = narrowed.filter(**{personal: scope.user_id})
        return narrowed


class ScopedModel(models.Model):
    """A tenant-owned model. ``scope_fields`` maps a level to the lookup of its anchor id.

    A level missing from the map sees nothing of the model (e.g. a school does not see regions).
    A model with ``personal_field`` (the lookup of a user id) shows a personal scope only the
    rows of its user.
    """

    scope_fields: Mapping[Level, str] = {}

    class Meta:
        abstract = True
