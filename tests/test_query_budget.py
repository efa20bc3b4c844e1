"""Coordinator cabinet pages run a fixed number of queries, whatever the size of the country.

The same pages are measured on the small demo set and, in the slow test, again after the
national set (89 regions, ~2,500 municipalities, ~40,000 schools) is seeded into the test
database: the counts must not move, and must stay within the budget.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.demo.country import DEMO_ACCOUNTS
from apps.registration.models import Municipality, Region, School, User

# Page → (demo login, URL template). Ids are filled in from the seeded rows.
PAGES: dict[str, tuple[str, str]] = {
    "federal /regions/": ("federal", "/regions/"),
    "federal /municipalities/": ("federal", "/municipalities/"),
    "federal /schools/?q=": ("federal", "/schools/?q=гимназия"),
    "regional /regions/<own>/": ("reg66", "/regions/{region}/"),
    "municipal /municipalities/<own>/": ("reg66_m001", "/municipalities/{municipality}/"),
    "school organizer /schools/<own>/": ("edu660101", "/schools/{school}/"),
    "school tech /schools/<own>/": ("edu660101_t1", "/schools/{school}/"),
    # «Что сделать сейчас» (apps/cabinet): grouped reads per current campaign, never per school.
    "federal /cabinet/": ("federal", "/cabinet/"),
    "regional /cabinet/": ("reg66", "/cabinet/"),
    "municipal /cabinet/": ("reg66_m001", "/cabinet/"),
    "school organizer /cabinet/": ("edu660101", "/cabinet/"),
    "school tech /cabinet/": ("edu660101_t1", "/cabinet/"),
    # an expert's home: its works to check (given, entered, left) in grouped reads
    "expert /cabinet/": ("edu660101_e1", "/cabinet/"),
    # a federal commission marker's home (its /cabinet/ redirects here): its reviews, tasks left
    "marker /objectivity/marking/": ("federal_k1", "/objectivity/marking/"),
}
# Every page: session, user, the user's global and group permissions (4). The actor's grant
# lookups: none for federal, then school → municipality → region grant until one is found
# (1-3). Then the page's own object (detail pages), one COUNT and one page of rows. Anything
# more is an N+1 or a per-row lookup. The frame of every page below the federal level adds up to
# two (apps.notices): the unread-notices badge of the menu and the coordinators' contacts.
BUDGET: dict[str, int] = {
    "federal /regions/": 6,
    "federal /municipalities/": 6,
    "federal /schools/?q=": 6,
    "regional /regions/<own>/": 12,
    "municipal /municipalities/<own>/": 11,
    "school organizer /schools/<own>/": 8,
    "school tech /schools/<own>/": 8,
    # The first screen reads, per current campaign, the other apps' grouped selectors
    # (application and upload monitoring, kits not built, reserve days; a school's schedule,
    # results windows, kits, context data): 32-42 on the demo, the same on the national set.
    # The federal page adds the materials app's build state of each work flagged as not built
    # (~8 queries a work; here four, their builds queued but never run in this transaction).
    "federal /cabinet/": 70,
    "regional /cabinet/": 45,
    "municipal /cabinet/": 42,
    # (+2 for objectivity control: the school's open re-check and federal cases, and its
    # scanned works waiting for codes — one grouped read each)
    "school organizer /cabinet/": 38,
    "school tech /cabinet/": 38,
    "expert /cabinet/": 12,
    "marker /objectivity/marking/": 12,
}


def _ids() -> dict[str, int]:
    # Tests may read tenant tables directly (the scoping lint exempts tests).
    return {
        "region": Region.objects.get(code="66").pk,
        "municipality": Municipality.objects.get(code="reg66_m001").pk,
        "school": School.objects.get(code="edu660101").pk,
    }


def _query_counts() -> dict[str, int]:
    """Queries of the second GET of every page (the first warms per-process caches)."""
    ids = _ids()
    clients: dict[str, Client] = {}
    counts: dict[str, int] = {}
    for page, (username, template) in PAGES.items():
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        client, url = clients[username], template.format(**ids)
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (page, response.status_code)
        page_obj: Any = response.context.get("page_obj")
        if page_obj is not None:
            assert page_obj.paginator.count > 0, f"{page} shows no rows"
        counts[page] = len(ctx.captured_queries)
    return counts


def _over_budget(counts: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {page: (n, BUDGET[page]) for page, n in counts.items() if n > BUDGET[page]}


@pytest.mark.django_db
def test_cabinet_pages_stay_within_query_budget_on_small_set() -> None:
    # given the small demo country and its demo accounts
    call_command("seed_demo", verbosity=0)
    assert {u for _, u in DEMO_ACCOUNTS} == {u for u, _ in PAGES.values()}

    # when every coordinator cabinet page is opened
    counts = _query_counts()

    # then none exceeds its budget
    assert _over_budget(counts) == {}, counts


@pytest.mark.slow
@pytest.mark.django_db
def test_cabinet_query_counts_do_not_grow_with_the_national_set() -> None:
    # given the pages measured on the small set
    call_command("seed_demo", verbosity=0)
    small = _query_counts()

    # when the national set is seeded on top of it
    call_command("seed_demo", size="national", verbosity=0)

    # then the country has its national size
    assert Region.objects.count() == 89
    assert 2300 <= Municipality.objects.count() <= 2700
    assert 38000 <= School.objects.count() <= 42000
    # and every page runs exactly as many queries as on the small set, within budget
    national = _query_counts()
    assert national == small
    assert _over_budget(national) == {}, national
