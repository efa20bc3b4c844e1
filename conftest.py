"""Shared fixtures: the `world` (2 regions × 2 municipalities × 2 schools, a user per role)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from apps.registration.tests.factories import (
    MunicipalityFactory,
    RegionFactory,
    SchoolFactory,
    grant,
    make_user,
)

PASSWORD = "Test-Password-2026"  # noqa: S105 - test accounts only


def need_service(name: str, available: bool, why: str = "") -> None:
    """Skip when a real service is missing locally; fail under CI, where it must run."""
    if available:
        return
    message = f"{name} is not available{': ' + why if why else ''}"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"under CI {message}")
    pytest.skip(message)


@dataclass
class World:
    """Two of everything, so every role has a sibling it must not see."""

    regions: dict[str, Any] = field(default_factory=dict)
    municipalities: dict[str, Any] = field(default_factory=dict)
    schools: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)

    def client_for(self, role: str) -> Client:
        client = Client()
        client.force_login(self.users[role])
        return client

    def units_of(self, role: str) -> set[str]:
        """Keys of every unit the given role's anchor covers (its own subtree), by hand."""
        anchor = {
            "federal": "",
            "regional": "A",
            "municipal": "A1",
            "school_organizer": "A1a",
            "school_tech": "A1a",
        }[role]
        keys = set(self.regions) | set(self.municipalities) | set(self.schools)
        return {k for k in keys if k.startswith(anchor) and len(k) >= len(anchor)}


def build_world() -> World:
    w = World()
    for r in ("A", "B"):
        region = RegionFactory(name=f"Регион-{r}-ZQX{r}")
        w.regions[r] = region
        for m in ("1", "2"):
            muni = MunicipalityFactory(region=region, name=f"Муниципалитет-{r}{m}-ZQX{r}{m}")
            w.municipalities[r + m] = muni
            for s in ("a", "b"):
                school = SchoolFactory(
                    municipality=muni,
                    short_name=f"Школа-{r}{m}{s}-ZQX{r}{m}{s}",
                    full_name=f"МБОУ «Школа-{r}{m}{s}-ZQX{r}{m}{s}»",
                )
                w.schools[r + m + s] = school
    w.users["federal"] = make_user("t_federal", PASSWORD)
    grant(w.users["federal"], "federal", None)
    w.users["regional"] = make_user("t_regional", PASSWORD)
    grant(w.users["regional"], "regional", w.regions["A"])
    w.users["municipal"] = make_user("t_municipal", PASSWORD)
    grant(w.users["municipal"], "municipal", w.municipalities["A1"])
    w.users["school_organizer"] = make_user("t_school", PASSWORD)
    grant(w.users["school_organizer"], "school_organizer", w.schools["A1a"])
    w.users["school_tech"] = make_user("t_tech", PASSWORD)
    grant(w.users["school_tech"], "school_tech", w.schools["A1a"])
    return w


@pytest.fixture
def world(db: Any) -> World:
    return build_world()
