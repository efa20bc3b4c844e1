"""Factories of the org hierarchy and helpers to make users with grants."""

from __future__ import annotations

from typing import Any

import factory
from guardian.shortcuts import assign_perm

from apps.core.tests.factory_typing import (
    LazyAttribute,
    LazyAttributeSequence,
    Sequence,
    SubFactory,
)
from apps.registration import constants as c
from apps.registration.models import Municipality, Region, School, User


class RegionFactory(factory.django.DjangoModelFactory[Region]):
    class Meta:
        model = Region

    code = Sequence(lambda n: f"{(n % 90) + 10:02d}")
    name = Sequence(lambda n: f"Тестовая область {n}")
    time_zone = "Europe/Moscow"


class MunicipalityFactory(factory.django.DjangoModelFactory[Municipality]):
    class Meta:
        model = Municipality

    region = SubFactory(RegionFactory)
    code = LazyAttributeSequence(lambda o, n: f"reg{o.region.code}_m{(n % 999) + 1:03d}")
    name = Sequence(lambda n: f"Тестовский муниципальный район {n}")
    time_zone = LazyAttribute(lambda o: o.region.time_zone)


class SchoolFactory(factory.django.DjangoModelFactory[School]):
    """Builds its municipality and region."""

    class Meta:
        model = School

    municipality = SubFactory(MunicipalityFactory)
    region = LazyAttribute(lambda o: o.municipality.region)
    code = Sequence(lambda n: f"edu{100000 + n:06d}")
    full_name = Sequence(lambda n: f"МБОУ «Средняя общеобразовательная школа № {n}»")
    short_name = Sequence(lambda n: f"МБОУ СОШ № {n}")
    address = "г. Тестовск, ул. Школьная, д. 1"
    time_zone = LazyAttribute(lambda o: o.municipality.time_zone)


def make_user(username: str, password: str, **extra: Any) -> User:
    return User.objects.create_user(username=username, password=password, **extra)


def grant(user: User, role: str, unit: Any) -> None:
    """Give ``user`` the grant of ``role`` on ``unit`` (the one way grants are made in tests)."""
    if role == "federal":
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        assign_perm(c.PERM_FEDERAL, user)
        return
    if role == "marker":
        # a checking commission's member: federal (no unit), regional or municipal
        if unit is None:
            assign_perm(c.PERM_MARK_FEDERAL, user)
            return
        level_perm = c.PERM_MARK_REGION if hasattr(unit, "municipalities") else None
        codename = level_perm or c.PERM_MARK_MUNICIPALITY
        assign_perm(f"registration.{codename}", user, unit)
        return
    codename = {
        "regional": c.PERM_REGION,
        "municipal": c.PERM_MUNICIPALITY,
        "school_organizer": c.PERM_SCHOOL_ORGANIZER,
        "school_tech": c.PERM_SCHOOL_TECH,
        "expert": c.PERM_SCHOOL_EXPERT,
    }[role]
    assign_perm(f"registration.{codename}", user, unit)
