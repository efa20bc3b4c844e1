"""«Что сделать сейчас» through the API: the lines the page shows, for the caller's own unit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.cabinet import selectors
from apps.demo.calendar import demo_calendar
from apps.demo.campaigns import demo_campaigns_seed
from apps.registration.access import actor_for_user
from apps.registration.tests.factories import make_user
from conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaigns(world: World, time_machine: Any) -> Any:
    """The demo campaigns around today (the clock held still for the test)."""
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    return demo_campaigns_seed(demo_calendar(timezone.localdate(now)))


def _key(line: dict[str, Any]) -> tuple[Any, ...]:
    return (line["title"], line["text"], line["state"], line["campaign"], line["url"])


@pytest.mark.parametrize("role", ["school_organizer", "municipal", "regional", "federal"])
def test_the_api_gives_the_pages_lines(world: World, campaigns: Any, role: str) -> None:
    # given the demo campaigns around today and a role with a cabinet
    user = world.users[role]
    todo = selectors.todo_get(actor=actor_for_user(user))
    assert todo is not None
    assert todo.items
    # when the role asks the API for its tasks
    response = world.client_for(role).get(reverse("api-cabinet-todo"))
    # then it gets the page's lines, in the page's order, with their campaigns
    assert response.status_code == 200, response.content
    body = response.json()
    expected = [(i.title, i.text, i.state, i.campaign, i.url) for i in todo.items]
    assert [_key(line) for line in body["items"]] == expected
    assert [c["label"] for c in body["campaigns"]] == [c.label for c in todo.campaigns]
    assert body["urgent"] == todo.urgent
    assert body["role"] == role


def test_a_coordinator_sees_only_its_own_units_counts(world: World, campaigns: Any) -> None:
    # given the demo campaigns and the world's 8 schools, none of which applied
    client = world.client_for("municipal")
    # when the municipal coordinator of A1 asks for its tasks
    body = client.get(reverse("api-cabinet-todo")).json()
    # then the «did not apply» lines count its 2 schools, not the region's or the country's
    lines = [i for i in body["items"] if i["title"] == "Заявки: не подали"]
    assert lines
    assert all(i["text"].endswith("2 ОО из 2 без поданной заявки") for i in lines)


def test_a_user_without_a_role_is_refused_and_a_marker_has_no_lines(
    world: World, campaigns: Any
) -> None:
    # given a user without any grant, and a commission marker
    nobody = Client()
    nobody.force_login(make_user("t_nobody", "x-Password-123"))
    marker = world.client_for("marker")
    # when each asks for its tasks
    refused = nobody.get(reverse("api-cabinet-todo"))
    empty = marker.get(reverse("api-cabinet-todo"))
    anonymous = Client().get(reverse("api-cabinet-todo"))
    # then the first is refused (403 in the error model), the marker gets no lines, and an
    # anonymous caller must log in first
    assert refused.status_code == 403
    assert "code" in refused.json()
    assert empty.status_code == 200
    assert empty.json()["items"] == []
    assert anonymous.status_code == 401
