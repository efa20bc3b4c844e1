"""Lists, pages and exports read a fixed number of queries however many works a campaign has."""

from __future__ import annotations

from typing import Any

import pytest

from apps.campaigns import demo
from conftest import World

MAX_QUERIES = 20


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("school_organizer", "/plan-graph/"),
        ("school_organizer", "/plan-graph/calendar/?month=2026-12"),
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
    world: World, role: str, url: str, django_assert_max_num_queries: Any
) -> None:
    # given the demo campaigns (24 works each)
    seeds = demo.demo_campaigns_seed()
    autumn = seeds[1].campaign
    client = world.client_for(role)
    target = url.format(school=world.schools["A1a"].pk, campaign=autumn.pk)
    # when the page is opened / then the query count does not grow with the works
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(target)
    assert response.status_code == 200
