"""Shared fixtures: the `world` (2 regions × 2 municipalities × 2 schools, a user per role; the
expert is an account of school A1a linked to its expert of the day)."""

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


def token(key: str) -> str:
    """A marker unique to one world unit; a response showing it shows that unit."""
    return f"ZQX-{key}-"


@dataclass
class World:
    """Two of everything, so every role has a sibling it must not see."""

    regions: dict[str, Any] = field(default_factory=dict)
    municipalities: dict[str, Any] = field(default_factory=dict)
    schools: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    # school key → the expert of the day (schoolday.Person) behind the «expert» user at A1a
    experts: dict[str, Any] = field(default_factory=dict)

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
            "expert": "A1a",
            "marker": "A",
        }[role]
        return {k for k in self.all_keys() if k.startswith(anchor)}

    def all_keys(self) -> set[str]:
        return set(self.regions) | set(self.municipalities) | set(self.schools)

    def foreign_keys(self, role: str) -> set[str]:
        """Units a role must never see: neither its subtree nor its own ancestors."""
        own = self.units_of(role)
        ancestors = {k[:n] for k in own for n in range(1, len(k))}
        return self.all_keys() - own - ancestors

    def unit(self, key: str) -> Any:
        return {1: self.regions, 2: self.municipalities, 3: self.schools}[len(key)][key]


def build_world() -> World:
    w = World()
    for r in ("A", "B"):
        region = RegionFactory.create(name=f"Регион {token(r)}")
        w.regions[r] = region
        for m in ("1", "2"):
            muni = MunicipalityFactory.create(region=region, name=f"Муниципалитет {token(r + m)}")
            w.municipalities[r + m] = muni
            for s in ("a", "b"):
                school = SchoolFactory.create(
                    municipality=muni,
                    short_name=f"Школа {token(r + m + s)}",
                    full_name=f"МБОУ «Школа {token(r + m + s)}»",
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
    w.users["expert"] = make_user("t_expert", PASSWORD, full_name="Эксперт Тестовый")
    grant(w.users["expert"], "expert", w.schools["A1a"])
    w.experts["A1a"] = expert_person(w.schools["A1a"], user=w.users["expert"])
    # a member of region A's checking commission (apps.objectivity): marks only what it is given
    w.users["marker"] = make_user("t_marker", PASSWORD, full_name="Эксперт Комиссии")
    grant(w.users["marker"], "marker", w.regions["A"])
    return w


def expert_person(school: Any, *, user: Any = None, name: str = "Эксперт") -> Any:
    """An active expert of the day of ``school`` (school day), linked to ``user``'s account."""
    from apps.schoolday.models import Person

    return Person.objects.create(
        school=school,
        duty=Person.Duty.EXPERT,
        full_name=f"{name} {school.code}",
        user=user,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _celery_eager_restored() -> Any:
    """Fail the test that leaves Celery's eager mode changed: otherwise every later test of the
    same xdist worker silently queues its tasks to Redis instead of running them."""
    from vpr_portal.celery import app

    before = app.conf.task_always_eager
    yield
    if app.conf.task_always_eager != before:
        pytest.fail("Celery task_always_eager was not restored by this test")
