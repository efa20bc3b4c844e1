"""Campaign lists, pages and exports read a fixed number of queries however many works a campaign
has (the demo campaigns: 27 works each)."""

from __future__ import annotations

from typing import Any

import pytest

from apps.demo.calendar import DemoCalendar
from apps.demo.campaigns import demo_campaigns_seed
from conftest import World

MAX_QUERIES = 20


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("school_organizer", "/plan-graph/"),
        ("school_organizer", "/plan-graph/calendar/?month={month}"),
        ("school_organizer", "/works/"),
        ("school_organizer", "/api/v1/works/"),
        ("school_organizer", "/api/v1/plan-graph/"),
        ("school_organizer", "/schools/{school}/schedule/"),
        ("school_organizer", "/api/v1/schools/{school}/schedule/"),
        ("federal", "/campaigns/{campaign}/"),
        ("federal", "/campaigns/{campaign}/works.xlsx"),
        ("federal", "/api/v1/campaigns/{campaign}/export/"),
    ],
)
def test_pages_read_a_fixed_number_of_queries(
    world: World,
    pinned: DemoCalendar,
    role: str,
    url: str,
    django_assert_max_num_queries: Any,
) -> None:
    # given the demo campaigns (27 works each)
    current = demo_campaigns_seed(pinned).current
    client = world.client_for(role)
    month = f"{pinned.today:%Y-%m}"
    target = url.format(school=world.schools["A1a"].pk, campaign=current.pk, month=month)
    # when the page is opened / then the query count does not grow with the works
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(target)
    assert response.status_code == 200
