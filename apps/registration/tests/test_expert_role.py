"""The expert role end to end in registration: the grant ``check_school`` builds an expert
actor with a personal scope, which holds only the checking actions that name it; the header,
``/api/v1/me/`` and the account lists show it as «Эксперт по проверке работ» with its school."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from apps.core import registry
from apps.core.scoping import Level
from apps.registration.access import actor_for_user
from apps.registration.actions import EVERYONE
from apps.registration.actions import HOLDERS as REGISTRATION_HOLDERS
from apps.registration.constants import Role
from apps.registration.tests.factories import grant, make_user
from apps.schoolday.actions import SchoolDayActions as Sd

EXPERT_LABEL = "Эксперт по проверке работ"


@pytest.mark.django_db
def test_an_expert_grant_builds_an_expert_with_a_personal_scope(world: Any) -> None:
    # given the world's expert (grant check_school on school A1a)
    user, school = world.users["expert"], world.schools["A1a"]
    # when its actor is built
    actor = actor_for_user(user)
    # then it is an expert of its school, personally scoped to its own rows
    assert actor.role == Role.EXPERT
    assert actor.role_label == EXPERT_LABEL
    assert actor.unit == school
    assert actor.scope.level is Level.SCHOOL
    assert (actor.scope.anchor_id, actor.scope.school_id) == (school.pk, school.pk)
    assert (actor.scope.municipality_id, actor.scope.region_id) == (
        school.municipality_id,
        school.region_id,
    )
    assert actor.scope.user_id == user.pk
    # and the other school roles keep a scope that is not personal
    assert actor_for_user(world.users["school_organizer"]).scope.user_id is None
    assert actor_for_user(world.users["school_tech"]).scope.user_id is None


@pytest.mark.django_db
def test_an_expert_holds_only_the_checking_actions_that_name_it(world: Any) -> None:
    actor = actor_for_user(world.users["expert"])
    declared = registry.declared_actions()
    named = {code for code, decl in declared.items() if Role.EXPERT in decl.roles}
    # the expert can exactly the actions declared with its role: the school day's checking
    held = {code for code in declared if actor.can(code)}
    assert held == named
    assert {Sd.VIEW_CHECKING, Sd.ENTER_SCORES} <= held
    # (the school day's checking, the results entry, marking its own school's scans on screen)
    assert all(code.startswith(("schoolday.", "results.", "objectivity.mark")) for code in held)
    # and none of «everyone»'s (e.g. the school's page, its day, its results) nor the organizer's
    everyone = {code for code, roles in REGISTRATION_HOLDERS.items() if roles == EVERYONE}
    assert everyone
    assert not held & everyone
    for code in (Sd.VIEW_SCHOOL_DAY, Sd.ASSIGN_EXPERTS, Sd.ISSUE_EXPERT_ACCOUNTS, Sd.RECORD_DAY):
        assert not actor.can(code), code
    assert Role.EXPERT not in EVERYONE


@pytest.mark.django_db
def test_the_header_and_me_show_the_expert_and_its_school(world: Any) -> None:
    client = world.client_for("expert")
    school = world.schools["A1a"]
    # the page header names the role and the school
    html = client.get(reverse("cabinet")).content.decode()
    assert f'<span class="role">{EXPERT_LABEL}</span>' in html
    assert school.code in html
    # and the API says the same
    me = client.get("/api/v1/me/").json()
    assert me["role"] == "expert"
    assert me["role_display"] == EXPERT_LABEL
    assert me["org_unit"]["level"] == "school"
    assert me["org_unit"]["id"] == school.pk


@pytest.mark.django_db
def test_the_grant_helper_makes_every_role(world: Any) -> None:
    # the test helper's «expert» is the same grant an issued expert account holds
    user = make_user("t_expert_two", "x-Password-123")
    grant(user, "expert", world.schools["B1a"])
    actor = actor_for_user(user)
    assert (actor.role, actor.scope.school_id) == (Role.EXPERT, world.schools["B1a"].pk)


@pytest.mark.django_db
def test_the_account_lists_show_an_expert_with_its_school(world: Any) -> None:
    expert, school = world.users["expert"], world.schools["A1a"]
    # the organizer's accounts page lists the school's expert accounts with their role
    page = world.client_for("school_organizer").get(reverse("school-specialists", args=[school.pk]))
    html = page.content.decode()
    table = html[html.index("data-expert-accounts") :]
    assert expert.username in table
    assert EXPERT_LABEL in table
    assert f"{school.code} {school.short_name}" in table
    # and the federal operator's account list names the role and the school
    users = world.client_for("federal").get("/admin/registration/user/?q=t_expert")
    assert users.status_code == 200
    assert f"{EXPERT_LABEL}, {school.code} {school.short_name}" in users.content.decode()
