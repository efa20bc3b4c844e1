"""The long lists sorted, filtered and paged by core.listing: school and
municipality lists, school dates, reserve days, application monitoring and the job list.
Header links carry the other parameters (and the campaign a page opened on); a bad sort is a
Russian 400."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.campaigns.models import ReserveDayRequest, SchoolWorkDate, Session
from apps.campaigns.tests.factories import CampaignFactory, WorkFactory

pytestmark = pytest.mark.django_db


def _sort_link(html: str, label: str) -> dict[str, list[str]]:
    href = re.search(rf'<a class="sort-link" href="([^"]+)">{re.escape(label)}', html).group(1)
    return parse_qs(urlsplit(href.replace("&amp;", "&")).query)


def _codes(html: str, world: Any) -> list[str]:
    codes = {s.code for s in world.schools.values()}
    return [c for c in re.findall(r"edu\d+|\b\w+_\w+\b", html) if c in codes]


def test_the_school_list_sorts_by_name_either_way_and_refuses_a_bad_sort(world) -> None:
    # given the federal operator and the world's eight schools
    client = world.client_for("federal")
    url = reverse("school-list")
    by_name = sorted(world.schools.values(), key=lambda s: s.short_name)
    # when the list is sorted by name, descending
    html = client.get(url, {"sort": "-name"}).content.decode()
    # then the schools come in that order and the header says so
    shown = re.findall(r">(Школа [^<]+)</a>", html)
    assert shown == [s.short_name for s in reversed(by_name)]
    assert '<th scope="col" aria-sort="descending">' in html
    # and a search keeps the sort (hidden field) and the sort link keeps the search
    searched = client.get(url, {"sort": "-name", "q": "Школа"}).content.decode()
    assert '<input type="hidden" name="sort" value="-name">' in searched
    assert _sort_link(searched, "Логин") == {"sort": ["code"], "q": ["Школа"]}
    # and an unknown column is a 400 naming it
    bad = client.get(url, {"sort": "password"})
    assert bad.status_code == 400
    assert "Нельзя упорядочить список по «password»" in bad.content.decode()


def test_the_municipality_list_sorts_by_its_count_of_schools(world) -> None:
    # given a municipality with a closed school (one active school fewer)
    from apps.registration.constants import SchoolStatus

    world.schools["A1a"].__class__.objects.filter(pk=world.schools["A1a"].pk).update(
        status=SchoolStatus.CLOSED
    )
    client = world.client_for("federal")
    # when the list is sorted by active schools, ascending
    html = client.get(reverse("municipality-list"), {"sort": "schools"}).content.decode()
    # then A1 (one active school) comes first
    names = re.findall(r'href="/municipalities/\d+/">([^<]+)</a>', html)
    assert names[0] == world.municipalities["A1"].name
    assert len(names) == len(world.municipalities)


def test_school_dates_keep_the_campaign_they_opened_on(world) -> None:
    # given the current spring and an autumn session of its year, one school day in each
    spring = CampaignFactory()
    autumn = CampaignFactory(year=spring.year, session=Session.AUTUMN, name=spring.name)
    school = world.schools["A1a"]
    for campaign in (spring, autumn):
        work = WorkFactory(campaign=campaign)
        SchoolWorkDate.objects.create(
            school=school,
            work=work,
            date=work.period_start,
            municipality_id=school.municipality_id,
            region_id=school.region_id,
        )
    client = world.client_for("regional")
    # when the page opens without a campaign (the current one, the autumn, is shown)
    html = client.get(reverse("school-date-list")).content.decode()
    # then its sort links name that campaign, so a new current campaign never swaps the list
    assert f"Даты проведения ВПР в ОО: ВПР {spring.year}, осень" in html
    assert _sort_link(html, "ОО") == {"campaign": [str(autumn.pk)], "sort": ["school"]}
    # and the spring, asked for, is kept the same way
    html = client.get(reverse("school-date-list"), {"campaign": spring.pk}).content.decode()
    assert f"Даты проведения ВПР в ОО: ВПР {spring.year}, весна" in html
    assert _sort_link(html, "Дата") == {"campaign": [str(spring.pk)], "sort": ["-date"]}


def test_reserve_days_filter_by_campaign_and_sort_by_the_day(world) -> None:
    # given reserve-day requests of two schools in spring and one in autumn
    spring = CampaignFactory()
    autumn = CampaignFactory(year=spring.year, session=Session.AUTUMN, name=spring.name)
    spring_work, autumn_work = WorkFactory(campaign=spring), WorkFactory(campaign=autumn)
    today = timezone.localdate()
    rows = [
        ("A1a", spring_work, 3),
        ("A1b", spring_work, 1),
        ("A2a", autumn_work, 2),
    ]
    for key, work, days in rows:
        school = world.schools[key]
        ReserveDayRequest.objects.create(
            school=school,
            work=work,
            requested_date=today + dt.timedelta(days=days),
            reason="болезнь",
            requested_by=world.users["school_organizer"],
            municipality_id=school.municipality_id,
            region_id=school.region_id,
        )
    client = world.client_for("regional")
    url = reverse("reserve-day-list")
    # when filtered by the spring campaign and sorted by the requested day
    html = client.get(url, {"campaign": spring.pk, "sort": "requested"}).content.decode()
    # then only the spring requests are listed, earliest day first, named by their session
    assert _codes(html, world) == [world.schools["A1b"].code, world.schools["A1a"].code]
    assert f"ВПР {spring.year}, весна" in html
    assert f'<option value="{autumn.pk}">ВПР {spring.year}, осень</option>' in html
    # and a bad campaign id is a Russian 400
    bad = client.get(url, {"campaign": "весна"})
    assert bad.status_code == 400
    assert "Неверное значение фильтра «кампания»" in bad.content.decode()


def test_application_monitoring_sorts_its_units_and_keeps_the_campaign(world) -> None:
    # given the current campaign
    campaign = CampaignFactory()
    WorkFactory(campaign=campaign)
    client = world.client_for("federal")
    # when the country page is sorted by code, descending
    html = client.get(reverse("application-monitoring"), {"sort": "-code"}).content.decode()
    # then region B comes before region A and the links keep the campaign
    codes = re.findall(r"<tr>\s*<td>([^<]+)</td>", html)
    assert codes[:2] == [world.regions["B"].code, world.regions["A"].code]
    assert _sort_link(html, "Код") == {"campaign": [str(campaign.pk)], "sort": ["code"]}
    assert 'aria-sort="descending"' in html
