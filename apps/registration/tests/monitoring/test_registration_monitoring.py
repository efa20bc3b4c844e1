from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.registration.access import actor_for_user
from apps.registration.constants import SchoolStatus
from apps.registration.models import SchoolProfile
from apps.registration.monitoring.selectors import registration_lagging_list, registration_progress
from apps.registration.tests.factories import (
    MunicipalityFactory,
    RegionFactory,
    SchoolFactory,
    grant,
    make_user,
)

pytestmark = pytest.mark.django_db


def _profile(school):
    return SchoolProfile.objects.create(
        school=school,
        school_type="sosh",
        settlement_type="city",
        address="ул. Школьная, 1",
        director_name="Иванов Иван Иванович",
        phone="88452000000",
        email="s@example.ru",
        filled_at=timezone.now(),
    )


def _logged_in(user):
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])


@pytest.fixture
def progress_world(world):
    # the technical specialist of A1a has logged in; A1a and A2b filled the profile;
    # the municipal coordinator of A1 has logged in; A2b is closed (it leaves the counts)
    _logged_in(world.users["school_tech"])
    _logged_in(world.users["municipal"])
    _profile(world.schools["A1a"])
    _profile(world.schools["A2b"])
    closed = world.schools["B2b"]
    closed.status = SchoolStatus.CLOSED
    closed.save()
    return world


def _figures(row):
    return (
        row.schools,
        row.schools_with_account,
        row.schools_logged_in,
        row.schools_with_profile,
        row.accounts,
        row.accounts_logged_in,
        row.coordinators,
        row.coordinators_logged_in,
    )


def test_federal_counts_per_region(progress_world):
    # given the world with some logins and profiles
    w = progress_world
    # when the federal operator looks at the country
    report = registration_progress(actor=actor_for_user(w.users["federal"]))
    rows = {r.id: r for r in report.rows}
    # then each region has its figures: schools, with account, logged in, profile,
    # school accounts (logged in), regional coordinators (logged in)
    assert _figures(rows[w.regions["A"].pk]) == (4, 1, 1, 2, 2, 1, 1, 0)
    assert _figures(rows[w.regions["B"].pk]) == (3, 0, 0, 0, 0, 0, 0, 0)
    assert _figures(report.totals) == (7, 1, 1, 2, 2, 1, 1, 0)
    assert report.child_level == "region"


def test_regional_counts_per_municipality_and_drill_down(progress_world):
    # given the regional coordinator of A
    w = progress_world
    actor = actor_for_user(w.users["regional"])
    # when it looks at its region
    report = registration_progress(actor=actor)
    rows = {r.id: r for r in report.rows}
    # then A1 and A2 are listed with their figures, and nothing of B
    assert set(rows) == {w.municipalities["A1"].pk, w.municipalities["A2"].pk}
    assert _figures(rows[w.municipalities["A1"].pk]) == (2, 1, 1, 1, 2, 1, 1, 1)
    assert _figures(rows[w.municipalities["A2"].pk]) == (2, 0, 0, 1, 0, 0, 0, 0)
    # when it drills into A1
    schools = registration_progress(actor=actor, municipality_id=w.municipalities["A1"].pk)
    by_code = {r.code: r for r in schools.rows}
    # then each school shows its accounts, logins and profile
    a, b = by_code[w.schools["A1a"].code], by_code[w.schools["A1b"].code]
    assert (a.accounts, a.accounts_logged_in, a.profile_filled_at is not None) == (2, 1, True)
    assert a.last_login is not None
    assert (b.accounts, b.accounts_logged_in, b.profile_filled_at, b.lagging) == (0, 0, None, True)
    # and the region of B is out of reach
    with pytest.raises(type(w.regions["B"]).DoesNotExist):
        registration_progress(actor=actor, region_id=w.regions["B"].pk)


def test_lagging_lists_name_the_schools_that_have_not(progress_world):
    # given the regional coordinator of A
    w = progress_world
    actor = actor_for_user(w.users["regional"])

    # when it asks for the schools of each kind that have not done the step
    def codes(kind):
        return {s.code for s in registration_lagging_list(actor=actor, kind=kind)}

    # then the lists hold exactly those schools of its region
    a = {k: s.code for k, s in w.schools.items() if k.startswith("A")}
    assert codes("login") == {a["A1b"], a["A2a"], a["A2b"]}
    assert codes("profile") == {a["A1b"], a["A2a"]}
    assert codes("account") == {a["A1b"], a["A2a"], a["A2b"]}


def test_pages_render_and_drill_down(progress_world):
    # given the federal operator in the browser
    w = progress_world
    client = w.client_for("federal")
    # when it opens the country, a region, a municipality and a lagging list
    country = client.get(reverse("monitoring-registration")).content.decode()
    region = client.get(reverse("monitoring-region", args=[w.regions["A"].pk])).content.decode()
    muni = client.get(
        reverse("monitoring-municipality", args=[w.municipalities["A1"].pk])
    ).content.decode()
    lagging = client.get(reverse("monitoring-lagging"), {"kind": "profile"}).content.decode()
    # then each level links down to the next and shows its figures
    assert reverse("monitoring-region", args=[w.regions["A"].pk]) in country
    assert reverse("monitoring-municipality", args=[w.municipalities["A1"].pk]) in region
    assert w.schools["A1b"].short_name in muni
    assert "не заполнен" in muni
    assert w.schools["A1b"].short_name in lagging
    assert w.schools["A1a"].short_name not in lagging
    # and a school cannot open monitoring at all
    assert (
        w.client_for("school_organizer").get(reverse("monitoring-registration")).status_code == 403
    )


def _grow(world, regions=2, municipalities=3, schools=5):
    """More units everywhere, each with accounts that logged in and profiles."""
    for r in range(regions):
        region = RegionFactory()
        for m in range(municipalities):
            muni = MunicipalityFactory(region=region)
            coordinator = make_user(f"grow_m_{r}_{m}", "x-Password-123")
            grant(coordinator, "municipal", muni)
            _logged_in(coordinator)
            for s in range(schools):
                school = SchoolFactory(municipality=muni)
                user = make_user(f"grow_s_{r}_{m}_{s}", "x-Password-123")
                grant(user, "school_organizer", school)
                if s % 2:
                    _logged_in(user)
                    _profile(school)
    for key in ("A1", "A2"):
        for _ in range(schools):
            SchoolFactory(municipality=world.municipalities[key])


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("federal", lambda w: reverse("monitoring-registration")),
        ("regional", lambda w: reverse("monitoring-registration")),
        ("municipal", lambda w: reverse("monitoring-registration")),
        ("federal", lambda w: reverse("monitoring-region", args=[w.regions["A"].pk])),
    ],
)
def test_query_count_is_fixed_whatever_the_number_of_units(
    progress_world, django_assert_max_num_queries, role, page
):
    # given a coordinator and the page of its units
    w = progress_world
    client = w.client_for(role)
    client.get(page(w))  # warm the session and the content types
    with CaptureQueriesContext(connection) as small:
        assert client.get(page(w)).status_code == 200
    # when the world grows by regions, municipalities, schools and accounts
    _grow(w)
    # then the same page takes no more queries than before (and never more than 15)
    with django_assert_max_num_queries(len(small)):
        response = client.get(page(w))
    assert response.status_code == 200
    assert len(small) <= 15
