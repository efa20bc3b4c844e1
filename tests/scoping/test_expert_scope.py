"""An expert's personal scope: it sees only the codes given to it. Another expert's code or
assignment of the same school is as good as missing (404) through the pages and the API, and the
school's pages it holds no action for are refused (403)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.materials.models import ParticipantCode
from apps.registration.access import actor_for_user
from apps.registration.tests.factories import grant, make_user
from apps.schoolday.actions import SchoolDayActions as Sd
from apps.schoolday.checking import selectors as checking
from apps.schoolday.models import ExpertAssignment, Person
from conftest import World, expert_person
from tests.scoping.makers import CONTRACT_NOW, KWARG_MODELS, _expert_assignment
from tests.scoping.test_contract import ALL_ROUTES, ID_ROUTES, Route

OTHER_CODE = "48888"
OTHER_NAME = "Эксперт Чужой-QWZ"


@dataclass
class Two:
    world: World
    own: ExpertAssignment
    other: ExpertAssignment
    other_person: Person


@pytest.fixture(autouse=True)
def _clock(time_machine: Any) -> None:
    time_machine.move_to(CONTRACT_NOW, tick=True)


@pytest.fixture
def two(world: World) -> Two:
    """School A1a: the world's expert checks code 49001; another expert with its own account
    checks code 48888 of the same work."""
    own = _expert_assignment(world, "A1a")
    school = world.schools["A1a"]
    user = make_user("t_expert_other", "x-Password-123")
    grant(user, "expert", school)
    person = expert_person(school, user=user, name=OTHER_NAME)
    code = ParticipantCode.objects.create(
        campaign=own.work.campaign,
        school=school,
        code=OTHER_CODE,
        grade=own.work.grade,
        class_number=own.code.class_number,
        school_class=own.code.school_class,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )
    other = ExpertAssignment.objects.create(
        work=own.work,
        code=code,
        expert=person,
        school_id=school.pk,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )
    return Two(world, own, other, person)


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _shows_other(text: str) -> bool:
    pattern = rf"(?<![0-9A-Za-z]){OTHER_CODE}(?![0-9A-Za-z])"
    return OTHER_NAME in text or re.search(pattern, text) is not None


@pytest.mark.django_db
def test_an_expert_reads_only_its_own_assignments(two: Two) -> None:
    expert = actor_for_user(two.world.users["expert"])
    organizer = actor_for_user(two.world.users["school_organizer"])
    school, work = two.world.schools["A1a"], two.own.work
    # the expert's scoped queryset and the checking selector give its own row only
    for action in (Sd.VIEW_CHECKING, Sd.ENTER_SCORES):
        mine = ExpertAssignment.objects.for_actor(expert, action)
        assert list(mine) == [two.own], action
        assert not mine.filter(pk=two.other.pk).exists()
    rows = checking.assignments(actor=expert, school_id=school.pk, work_id=work.pk)
    assert [r.code.code for r in rows] == [two.own.code.code]
    assert checking.expert_of(expert) == two.world.experts["A1a"]
    # while the organizer sees both experts' codes
    both = checking.assignments(actor=organizer, school_id=school.pk, work_id=work.pk)
    assert sorted(r.code.code for r in both) == sorted([two.own.code.code, OTHER_CODE])
    # and the other expert, symmetrically, only its own
    other = actor_for_user(two.other_person.user)
    assert list(ExpertAssignment.objects.for_actor(other, Sd.VIEW_CHECKING)) == [two.other]


def _assignment_routes() -> list[Route]:
    found = []
    for route in ID_ROUTES:
        models = {
            KWARG_MODELS.get(k) if k != "pk" else getattr(route.view, "scoped_model", None)
            for k in route.kwargs
        }
        if ExpertAssignment in models:
            found.append(route)
    return found


@pytest.mark.django_db
def test_another_experts_assignment_is_missing_on_every_route(two: Two) -> None:
    expert = two.world.users["expert"]
    actor = actor_for_user(expert)
    client = two.world.client_for("expert")
    school, work = two.world.schools["A1a"], two.own.work
    calls = 0
    # every route that takes an assignment id (pages and API) answers 404 for the other's
    for route in _assignment_routes():
        kwargs = {
            k: two.other.pk if KWARG_MODELS.get(k, ExpertAssignment) is ExpertAssignment else None
            for k in route.kwargs
        }
        if "school_id" in kwargs:
            kwargs["school_id"] = school.pk
        if "work_id" in kwargs:
            kwargs["work_id"] = work.pk
        for method in route.methods:
            action = route.action_for(method)
            response = getattr(client, method.lower())(reverse(route.name, kwargs=kwargs))
            calls += 1
            expected = 404 if action and actor.can(action) else 403
            assert response.status_code == expected, f"{method} {route.name}"
    # the entry page of the work answers 404 for the other expert's codes, and shows its own
    entry = reverse("results-expert-entry", args=[school.pk, work.pk])
    assert client.get(f"{entry}?expert={two.other_person.pk}").status_code == 404
    assert client.post(entry, {"expert": two.other_person.pk}).status_code == 404
    own_page = client.get(entry)
    assert own_page.status_code == 200
    assert two.own.code.code in own_page.content.decode()
    assert not _shows_other(own_page.content.decode())
    calls += 3
    assert calls >= 3


@pytest.mark.django_db
def test_no_page_or_endpoint_shows_an_expert_another_experts_codes(two: Two) -> None:
    school, work = two.world.schools["A1a"], two.own.work
    values = {"school_id": school.pk, "work_id": work.pk}
    clients = {"html": two.world.client_for("expert"), "api": _api(two.world.users["expert"])}
    answered = []
    # every GET route of the school and a work (or no ids) the expert may open
    for route in ALL_ROUTES:
        if "GET" not in route.methods or not set(route.kwargs) <= set(values):
            continue
        if route.regex.startswith("static/") or not route.name or route.name.startswith("admin"):
            continue
        is_api = bool(re.match(r"\^?api/", route.regex))
        client = clients["api" if is_api else "html"]
        response = client.get(reverse(route.name, kwargs={k: values[k] for k in route.kwargs}))
        if response.status_code != 200 or response.streaming:
            continue
        answered.append(route.name)
        text = response.content.decode("utf-8", "replace")
        assert not _shows_other(text), f"{route.name} shows another expert's code to an expert"
    # (the expert's home, its entry page and the API's own answers were really looked at)
    assert {"cabinet", "results-expert-entry"} <= set(answered)


@pytest.mark.django_db
def test_an_expert_is_refused_the_schools_pages_it_holds_no_action_for(two: Two) -> None:
    school, work = two.world.schools["A1a"], two.own.work
    html = two.world.client_for("expert")
    api = _api(two.world.users["expert"])
    person = two.world.experts["A1a"]
    pages = [
        reverse("schoolday-school", args=[school.pk]),
        reverse("schoolday-rooms", args=[school.pk]),
        reverse("schoolday-person-edit", args=[person.pk]),
        reverse("results-school", args=[school.pk]),
        reverse("results-work", args=[school.pk, work.pk]),
        reverse("results-entry", args=[school.pk, work.pk]),
        reverse("school-detail", args=[school.pk]),
    ]
    for url in pages:
        assert html.get(url).status_code == 403, url
    endpoints = [
        reverse("api-schoolday-room-list", args=[school.pk]),
        reverse("api-schoolday-person-list", args=[school.pk]),
        reverse("api-schoolday-person", args=[person.pk]),
        reverse("api-schoolday-expert-account", args=[person.pk]),
        reverse("api-school-results", args=[school.pk, work.pk]),
    ]
    for url in endpoints:
        assert api.get(url).status_code == 403, url
