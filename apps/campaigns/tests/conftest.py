"""Fixtures of the campaigns tests: schools at both ends of Russia and their organizers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from apps.campaigns.tests.factories import WorkFactory
from apps.registration.access import Actor, actor_for_user
from apps.registration.tests.factories import SchoolFactory, grant, make_user


@dataclass
class ZonedSchool:
    school: Any
    user: Any

    @property
    def actor(self) -> Actor:
        return actor_for_user(self.user)


def zoned_school(zone: str, login: str) -> ZonedSchool:
    school = SchoolFactory(municipality__region__time_zone=zone)
    user = make_user(login, "Test-Password-2026")
    grant(user, "school_organizer", school)
    return ZonedSchool(school, user)


@pytest.fixture
def kamchatka(db: Any) -> ZonedSchool:
    return zoned_school("Asia/Kamchatka", "t_kamchatka")


@pytest.fixture
def kaliningrad(db: Any) -> ZonedSchool:
    return zoned_school("Europe/Kaliningrad", "t_kaliningrad")


@pytest.fixture
def grade8(db: Any) -> Any:
    """Математика 8 класс: encrypted, period 11.04–16.05.2026, uploads until 23.05."""
    return WorkFactory(
        grade=8,
        subject__code="math",
        subject__name="Математика",
        columns=[("1", 10, "Б"), ("2", 14, "П")],
    )
