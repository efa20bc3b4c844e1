"""`manage.py seed_demo`: the demo country, its demo accounts, and that it never duplicates."""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.demo import country as demo
from apps.registration import constants as c
from apps.registration.access import actor_for_user
from apps.registration.constants import Role, SchoolStatus
from apps.registration.models import (
    Municipality,
    MunicipalityGrant,
    Region,
    RegionGrant,
    School,
    SchoolGrant,
    User,
)
from apps.registration.tests.factories import RegionFactory

# The 89 subjects of the Russian Federation by their two-digit codes.
SUBJECT_CODES = {f"{n:02d}" for n in range(1, 80)} | {"83", "86", "87", "89"}
SUBJECT_CODES |= {f"{n}" for n in range(90, 96)}


def _seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _row_counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "municipalities": Municipality.objects.count(),
        "schools": School.objects.count(),
        "users": User.objects.count(),
        "region_grants": RegionGrant.objects.count(),
        "municipality_grants": MunicipalityGrant.objects.count(),
        "school_grants": SchoolGrant.objects.count(),
        "global_perms": User.user_permissions.through.objects.count(),
    }


@pytest.mark.django_db
def test_small_seed_builds_three_regions_in_three_zones() -> None:
    # given an empty database
    # when the default (small) demo set is seeded
    _seed()

    # then there are the three regions, each in its own zone
    regions = {r.code: r.time_zone for r in Region.objects.all()}
    assert regions == {
        "39": "Europe/Kaliningrad",
        "66": "Asia/Yekaterinburg",
        "41": "Asia/Kamchatka",
    }
    # and about ten municipalities and sixty schools, a few of them closed
    assert Municipality.objects.count() == 10
    schools = list(School.objects.select_related("municipality"))
    assert 50 <= len(schools) <= 70
    assert 1 <= sum(s.status == SchoolStatus.CLOSED for s in schools) <= 6


@pytest.mark.django_db
def test_small_seed_rows_are_consistent_and_well_formed() -> None:
    # given the small demo set
    _seed()

    # when its rows are read back
    municipalities = list(Municipality.objects.select_related("region"))
    schools = list(School.objects.select_related("municipality", "region"))

    # then every code matches the code scheme of the portal
    assert all(re.fullmatch(c.REGION_CODE_REGEX, r.code) for r in Region.objects.all())
    assert all(re.fullmatch(c.MUNICIPALITY_CODE_REGEX, m.code) for m in municipalities)
    assert all(re.fullmatch(c.SCHOOL_CODE_REGEX, s.code) for s in schools)
    # and codes carry their parents: reg66_m001 is in region 66, edu660101 in reg66_m001
    assert all(m.code.startswith(f"reg{m.region.code}_m") for m in municipalities)
    for s in schools:
        assert s.code[3:5] == s.region.code
        assert int(s.code[5:7]) == int(s.municipality.code[-3:])
    # and a school's region is its municipality's, its zone defaults down the chain
    assert all(s.region_id == s.municipality.region_id for s in schools)
    assert all(m.time_zone == m.region.time_zone for m in municipalities)
    assert all(s.time_zone == s.municipality.time_zone for s in schools)
    # and names and addresses look like Russian ones
    assert all(s.full_name.endswith("»") and "учреждение «" in s.full_name for s in schools)
    assert all(re.match(r"^(МБОУ|МАОУ|МКОУ|ГБОУ|ГКОУ|ГБПОУ) ", s.short_name) for s in schools)
    assert all(re.match(r"^\d{6}, [^,]+ (область|край), ", s.address) for s in schools)
    assert School.objects.get(code="edu660201").address.split(", ")[2] == "г. Асбест"
    assert Municipality.objects.get(code="reg66_m003").name == "Камышловский муниципальный район"


@pytest.mark.django_db
def test_small_seed_creates_one_working_demo_account_per_role() -> None:
    # given an empty database
    # when the demo set is seeded
    output = _seed()

    # then each demo account exists, has the demo password and the role of its grant
    roles = {}
    for _, username in demo.DEMO_ACCOUNTS:
        user = User.objects.get(username=username)
        assert user.check_password(settings.DEMO_PASSWORD)
        assert user.full_name
        roles[username] = actor_for_user(user).role
    assert roles == {
        "federal": Role.FEDERAL,
        "reg66": Role.REGIONAL,
        "reg66_m001": Role.MUNICIPAL,
        "edu660101": Role.SCHOOL_ORGANIZER,
        "edu660101_t1": Role.SCHOOL_TECH,
        "edu660101_e1": Role.EXPERT,
        "federal_k1": Role.MARKER,
    }
    assert {role for role, _ in demo.DEMO_ACCOUNTS} == {r.value for r in Role} - {"system"}
    # and the federal operator is staff, the others are anchored at their own unit
    assert User.objects.get(username="federal").is_staff
    assert actor_for_user(User.objects.get(username="reg66")).unit.code == "66"
    assert actor_for_user(User.objects.get(username="edu660101_t1")).unit.code == "edu660101"
    # and the command prints the logins and the password, marked as demo-only
    assert "только для демонстрации" in output
    assert settings.DEMO_PASSWORD in output
    assert all(username in output for _, username in demo.DEMO_ACCOUNTS)


@pytest.mark.django_db
def test_running_seed_twice_creates_nothing_new() -> None:
    # given a seeded database
    _seed()
    before = _row_counts()

    # when the command runs again
    output = _seed()

    # then no table has a row more
    assert _row_counts() == before
    assert "ОО +0" in output


@pytest.mark.django_db
def test_if_empty_does_nothing_when_a_region_exists() -> None:
    # given a database with one region and nothing else
    RegionFactory(code="01")
    before = _row_counts()

    # when seed_demo --if-empty runs
    output = _seed("--if-empty")

    # then it created nothing at all
    assert _row_counts() == before
    assert "не создавались" in output


@pytest.mark.django_db
def test_if_empty_seeds_an_empty_database() -> None:
    # given an empty database
    # when seed_demo --if-empty runs (as `make run` does)
    _seed("--if-empty")

    # then the small set and the demo accounts are there
    assert Region.objects.count() == 3
    assert User.objects.filter(username__in=[u for _, u in demo.DEMO_ACCOUNTS]).count() == 7


def test_national_plan_covers_every_subject_with_real_codes_and_zones() -> None:
    # given the national plan (generated in memory, no database)
    parts = demo.country(demo.NATIONAL)
    plans = [plan for part in parts for plan in part.municipalities]

    # then it has the 89 subjects, each with its real code
    assert {p.region.code for p in parts} == SUBJECT_CODES
    # and zones from the portal's list, regions spanning several zones included
    zones_of: dict[str, set[str]] = {}
    for plan in plans:
        zones_of.setdefault(plan.region.code, set()).add(plan.time_zone)
    assert all(z in c.RUSSIAN_TIME_ZONES for zones in zones_of.values() for z in zones)
    assert {"Asia/Yakutsk", "Asia/Vladivostok", "Asia/Ust-Nera", "Asia/Srednekolymsk"} <= (
        zones_of["14"]
    )
    assert "Asia/Srednekolymsk" in zones_of["65"]
    expected = {
        "42": "Asia/Novokuznetsk",
        "43": "Europe/Kirov",
        "30": "Europe/Astrakhan",
        "34": "Europe/Volgograd",
        "64": "Europe/Saratov",
        "73": "Europe/Ulyanovsk",
        "18": "Europe/Samara",
        "63": "Europe/Samara",
        "91": "Europe/Simferopol",
        "92": "Europe/Simferopol",
        "87": "Asia/Anadyr",
        "41": "Asia/Kamchatka",
        "49": "Asia/Magadan",
        "75": "Asia/Chita",
        "70": "Asia/Tomsk",
        "04": "Asia/Barnaul",
        "22": "Asia/Barnaul",
        "54": "Asia/Novosibirsk",
        "55": "Asia/Omsk",
    }
    assert {code: demo.REGIONS_BY_CODE[code].time_zone for code in expected} == expected
    # and about 2,500 municipalities with unique codes and names unique within their region
    assert 2300 <= len(plans) <= 2700
    assert len({p.code for p in plans}) == len(plans)
    assert len({(p.region.code, p.name) for p in plans}) == len(plans)
    assert max(Counter(p.region.code for p in plans).values()) <= 99
    # and about 40,000 schools, at most 99 per municipality
    assert 38000 <= sum(p.schools for p in plans) <= 42000
    assert max(p.schools for p in plans) <= 99


def test_national_schools_have_unique_codes_names_and_fit_their_columns() -> None:
    # given every school row of the national set, generated in memory
    rows = [
        (plan, row) for part in demo.country(demo.NATIONAL) for plan, row in demo.iter_schools(part)
    ]

    # then codes are unique and follow the scheme
    assert len({row.code for _, row in rows}) == len(rows)
    assert all(re.fullmatch(c.SCHOOL_CODE_REGEX, row.code) for _, row in rows)
    # and no two schools share a name in a municipality, nor in a federal city
    per_municipality = Counter((plan.code, row.short_name) for plan, row in rows)
    assert max(per_municipality.values()) == 1
    city = [(plan.region.code, row.short_name) for plan, row in rows if plan.region.city]
    assert len(set(city)) == len(city)
    # and every type of school occurs, a few percent are closed
    assert {row.school_type for _, row in rows} == set(c.SchoolType.values)
    closed = sum(row.status == SchoolStatus.CLOSED for _, row in rows)
    assert 0.01 <= closed / len(rows) <= 0.05
    # and the values fit the model's columns
    limits = {
        f: School._meta.get_field(f).max_length for f in ("full_name", "short_name", "address")
    }
    for _, row in rows:
        assert len(row.full_name) <= limits["full_name"]
        assert len(row.short_name) <= limits["short_name"]
        assert len(row.address) <= limits["address"]


def test_small_set_is_a_strict_subset_of_the_national_one() -> None:
    # given the rows of both sizes, generated in memory
    national = {
        row.code: (plan.code, row)
        for part in demo.country(demo.NATIONAL)
        if part.region.code in demo.SMALL_REGIONS
        for plan, row in demo.iter_schools(part)
    }
    small = [
        (plan.code, row)
        for part in demo.country(demo.SMALL)
        for plan, row in demo.iter_schools(part)
    ]

    # then every small school is the very same row in the national set
    assert small
    assert all(national[row.code] == (plan, row) for plan, row in small)
    assert len(small) < len(national)


@pytest.mark.slow
@pytest.mark.django_db
def test_small_after_national_and_national_twice_insert_nothing() -> None:
    # given the national set seeded over the small one
    _seed()
    _seed("--size", "national")
    before = _row_counts()

    # when both sizes run again
    _seed()
    _seed("--size", "national")

    # then nothing was inserted and the users are still the demo accounts (one per role) and
    # the two federal markers the demo issues (apps.demo.objectivity)
    assert _row_counts() == before
    assert before["regions"] == 89
    assert before["users"] == len(demo.DEMO_ACCOUNTS) + 2 == 9
