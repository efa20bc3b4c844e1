"""The actor is built from one precompiled read of the grants (issue 18): the same actor as the
ORM's step-by-step reading (kept here as the reference) for every kind and mix of grants."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from apps.core.scoping import Level, Scope
from apps.registration import constants as c
from apps.registration.access import Actor, actor_for_user
from apps.registration.constants import Role
from apps.registration.models import MunicipalityGrant, RegionGrant, SchoolGrant, User
from apps.registration.tests.factories import (
    MunicipalityFactory,
    RegionFactory,
    SchoolFactory,
    grant,
    make_user,
)

pytestmark = pytest.mark.django_db


def reference_actor(user: Any) -> Actor:
    """The actor as read before issue 18: ``has_perm`` for the federal permissions, then the
    first school, municipal and regional grant by id, each through the ORM."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Actor.anonymous()
    user = User.objects.get(pk=user.pk)  # a fresh permission cache
    if user.is_superuser or user.has_perm(c.PERM_FEDERAL):
        return Actor(user=user, role=Role.FEDERAL, scope=Scope(level=Level.FEDERAL))
    if user.has_perm(c.PERM_MARK_FEDERAL):
        return Actor(user=user, role=Role.MARKER, scope=Scope(level=Level.FEDERAL, user_id=user.pk))
    school_grant = SchoolGrant.objects.filter(user=user).order_by("pk").first()
    if school_grant is not None:
        school = school_grant.content_object
        codename = school_grant.permission.codename
        scope = Scope.of_school(school.pk, school.municipality_id, school.region_id)
        if codename == c.PERM_SCHOOL_EXPERT:
            return Actor(
                user=user, role=Role.EXPERT, scope=replace(scope, user_id=user.pk), unit=school
            )
        role = Role.SCHOOL_ORGANIZER if codename == c.PERM_SCHOOL_ORGANIZER else Role.SCHOOL_TECH
        return Actor(user=user, role=role, scope=scope, unit=school)
    codes = (c.PERM_MUNICIPALITY, c.PERM_MARK_MUNICIPALITY)
    muni_grant = MunicipalityGrant.objects.filter(user=user, permission__codename__in=codes)
    if (found := muni_grant.order_by("pk").first()) is not None:
        muni = found.content_object
        scope = Scope.of_municipality(muni.pk, muni.region_id)
        if found.permission.codename == c.PERM_MARK_MUNICIPALITY:
            return Actor(
                user=user, role=Role.MARKER, scope=replace(scope, user_id=user.pk), unit=muni
            )
        return Actor(user=user, role=Role.MUNICIPAL, scope=scope, unit=muni)
    region_grant = RegionGrant.objects.filter(
        user=user, permission__codename__in=(c.PERM_REGION, c.PERM_MARK_REGION)
    )
    if (found := region_grant.order_by("pk").first()) is not None:
        region = found.content_object
        scope = Scope.of_region(region.pk)
        if found.permission.codename == c.PERM_MARK_REGION:
            return Actor(
                user=user, role=Role.MARKER, scope=replace(scope, user_id=user.pk), unit=region
            )
        return Actor(user=user, role=Role.REGIONAL, scope=scope, unit=region)
    return Actor(user=user, role=None, scope=Scope(level=Level.SCHOOL, anchor_id=None))


def _same(actor: Actor, expected: Actor, label: str) -> None:
    assert (actor.role, actor.scope) == (expected.role, expected.scope), label
    assert type(actor.unit) is type(expected.unit)
    if expected.unit is not None:
        # every column of the unit loaded, as the ORM loads it
        assert actor.unit.get_deferred_fields() == set()
        for field in type(expected.unit)._meta.concrete_fields:
            assert getattr(actor.unit, field.attname) == getattr(expected.unit, field.attname)


def test_every_kind_and_mix_of_grants_gives_the_reference_actor() -> None:
    # given users holding every kind of grant, alone and mixed, directly and through a group
    region = RegionFactory()
    muni = MunicipalityFactory(region=region)
    school, second = SchoolFactory(municipality=muni), SchoolFactory(municipality=muni)
    federal_group = Group.objects.create(name="операторы")
    federal_group.permissions.add(Permission.objects.get(codename="operate_federal"))
    cases: dict[str, User] = {}

    def user(name: str, **extra: Any) -> User:
        cases[name] = make_user(name, "Test-Password-2026", **extra)
        return cases[name]

    user("nobody")
    user("super", is_superuser=True)
    grant(user("federal"), "federal", None)
    user("federal_by_group").groups.add(federal_group)
    grant(user("marker_federal"), "marker", None)
    for role in ("school_organizer", "school_tech", "expert"):
        grant(user(role), role, school)
    grant(user("municipal"), "municipal", muni)
    grant(user("marker_municipal"), "marker", muni)
    grant(user("regional"), "regional", region)
    grant(user("marker_regional"), "marker", region)
    mixed = user("school_and_region")
    grant(mixed, "regional", region)
    grant(mixed, "school_tech", second)
    two = user("two_schools")
    grant(two, "expert", second)
    grant(two, "school_organizer", school)
    odd = user("odd_municipal_perm")  # a municipal grant of another permission: no role
    assign_perm("registration.change_municipality", odd, muni)
    grant(user("inactive", is_active=False), "regional", region)
    marker_and_federal = user("marker_and_federal")
    grant(marker_and_federal, "marker", None)
    grant(marker_and_federal, "school_organizer", school)
    # when each actor is built (twice: the second reuses the compiled read)
    for name, each in cases.items():
        for _ in range(2):
            actor = actor_for_user(User.objects.get(pk=each.pk))
            # then it is the reference actor
            _same(actor, reference_actor(each), name)
    assert actor_for_user(cases["two_schools"]).role == Role.EXPERT  # the first grant by id
    assert actor_for_user(cases["school_and_region"]).unit == second
    assert actor_for_user(cases["odd_municipal_perm"]).role is None
    assert actor_for_user(cases["federal_by_group"]).role == Role.FEDERAL


def test_an_actor_costs_two_queries_whatever_its_level() -> None:
    # given a school organizer, a municipal and a regional coordinator
    region = RegionFactory()
    muni = MunicipalityFactory(region=region)
    users = []
    for role, unit in (("school_organizer", SchoolFactory(municipality=muni)), ("municipal", muni),
                       ("regional", region)):  # fmt: skip
        users.append(make_user(role, "Test-Password-2026"))
        grant(users[-1], role, unit)
    for each in users:
        actor_for_user(each)  # compiled
        # when its actor is built again
        with CaptureQueriesContext(connection) as queries:
            actor = actor_for_user(each)
        # then two queries were run: its grants, then its unit
        assert actor.unit is not None
        assert len(queries) == 2, [q["sql"][:80] for q in queries.captured_queries]
