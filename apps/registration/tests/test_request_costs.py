"""What every API request pays before its view (issue 18): the token check without knox's sweep
of the user's other tokens, and the federal permissions read in one query; the answers are the
ones ``has_perm`` and knox gave."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import assign_perm
from knox.models import AuthToken

from apps.core.scoping import Level
from apps.registration import constants as c
from apps.registration.access import actor_for_user
from apps.registration.constants import Role
from apps.registration.models import User
from apps.registration.services_tokens import api_token_issue
from apps.registration.tests.factories import SchoolFactory, grant, make_user

pytestmark = pytest.mark.django_db

ME_URL = "/api/v1/me/"


def _me(token: str) -> int:
    return Client().get(ME_URL, HTTP_AUTHORIZATION=f"Token {token}").status_code


def test_expired_tokens_are_refused_and_swept_at_the_next_issue() -> None:
    # given a school organizer with a token of yesterday's working day and one of today
    user = make_user("org_costs", "Test-Password-2026")
    grant(user, "school_organizer", SchoolFactory())
    now = timezone.now().replace(microsecond=0)
    with time_machine.travel(now - dt.timedelta(hours=13), tick=False):
        old, _ = api_token_issue(user=user)
    with time_machine.travel(now, tick=False):
        fresh, _ = api_token_issue(user=user)  # issued: sweeps what has expired by now
        assert AuthToken.objects.filter(user=user).count() == 1
        with time_machine.travel(now - dt.timedelta(hours=13), tick=False):
            older, _ = api_token_issue(user=user)
        # when both are used today
        # then the expired one is refused and deleted, the fresh one works
        assert _me(older) == 401
        assert AuthToken.objects.filter(user=user).count() == 1
        assert _me(fresh) == 200
        assert _me(old) == 401


def test_an_other_expired_token_is_left_to_the_next_issue_not_read_per_request() -> None:
    # given a user whose other device's token expired an hour ago
    user = make_user("org_costs2", "Test-Password-2026")
    grant(user, "school_organizer", SchoolFactory())
    now = timezone.now().replace(microsecond=0)
    with time_machine.travel(now - dt.timedelta(hours=13), tick=False):
        api_token_issue(user=user)
    with time_machine.travel(now - dt.timedelta(hours=1), tick=False):
        current, _ = api_token_issue(user=user)
    with time_machine.travel(now, tick=False):
        # when the current token is used
        with CaptureQueriesContext(connection) as queries:
            status = _me(current)
        # then it works without reading (or deleting) the user's other tokens
        assert status == 200
        assert AuthToken.objects.filter(user=user).count() == 2
        knox_reads = [q for q in queries.captured_queries if "knox_authtoken" in q["sql"]]
        assert len(knox_reads) == 1
        # and the next token issued sweeps the expired one
        api_token_issue(user=user)
        assert AuthToken.objects.filter(user=user, expiry__lt=now).count() == 0


@pytest.mark.parametrize("through_group", [False, True])
@pytest.mark.parametrize(
    ("perm", "role"), [(c.PERM_FEDERAL, Role.FEDERAL), (c.PERM_MARK_FEDERAL, Role.MARKER)]
)
def test_federal_permissions_directly_or_through_a_group(
    perm: str, role: Role, through_group: bool
) -> None:
    # given a user holding a federal model permission directly or through a group
    user = make_user(f"fed_{role}_{through_group}", "Test-Password-2026")
    if through_group:
        group = Group.objects.create(name=f"g_{role}")
        assign_perm(perm, group)
        user.groups.add(group)
    else:
        assign_perm(perm, user)
    fresh = User.objects.get(pk=user.pk)
    # when its actor is built
    with CaptureQueriesContext(connection) as queries:
        actor = actor_for_user(fresh)
    # then it is what has_perm says, read in one query
    assert fresh.has_perm(perm)
    assert actor.role == role
    assert actor.scope.level is Level.FEDERAL
    assert len(queries) == 1


def test_no_federal_permission_leaves_the_grant_to_decide() -> None:
    # given a school organizer, and another user holding an unrelated model permission
    school = SchoolFactory()
    user = make_user("org_costs3", "Test-Password-2026")
    grant(user, "school_organizer", school)
    other = make_user("plain_costs", "Test-Password-2026")
    assign_perm("registration.view_user", other)
    # when their actors are built, then the organizer is its school's and the other nobody
    actor = actor_for_user(User.objects.get(pk=user.pk))
    assert actor.role == Role.SCHOOL_ORGANIZER
    assert actor.scope.school_id == school.pk
    assert actor_for_user(User.objects.get(pk=other.pk)).role is None
