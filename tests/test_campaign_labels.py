"""Two campaigns of one year (spring and autumn) are told apart on every page that names one:
the label names the session, whatever free-text name an operator gave them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.analytics.models import WorkAggregate
from apps.campaigns.models import Session
from apps.campaigns.tests.factories import CampaignFactory, WorkFactory
from apps.core.scoping import Level

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions():
    """The spring and the autumn campaign of one year, both named «ВПР <year>»."""
    spring = CampaignFactory()
    autumn = CampaignFactory(year=spring.year, session=Session.AUTUMN, name=spring.name)
    return spring, autumn


def test_the_label_names_the_year_and_the_session(sessions) -> None:
    # given two campaigns with the same name
    spring, autumn = sessions
    assert spring.name == autumn.name
    # then their labels, and the works' names, differ by the session
    assert (spring.label, str(spring)) == (f"ВПР {spring.year}, весна",) * 2
    assert (autumn.label, str(autumn)) == (f"ВПР {spring.year}, осень",) * 2
    work = WorkFactory(campaign=autumn)
    assert str(work) == f"Русский язык 4 класс (ВПР {spring.year}, осень)"


def test_the_analytics_list_names_each_session(world, sessions) -> None:
    # given country aggregates of the same work in both sessions
    for campaign in sessions:
        WorkAggregate.objects.create(
            work=WorkFactory(campaign=campaign), level=Level.FEDERAL, unit_id=0, participants=5
        )
    # when the federal operator opens the analytics list
    html = world.client_for("federal").get(reverse("analytics-index")).content.decode()
    # then both rows say which session they are
    year = sessions[0].year
    assert f"ВПР {year}, весна · Русский язык 4 класс" in html
    assert f"ВПР {year}, осень · Русский язык 4 класс" in html


@pytest.mark.parametrize(
    ("url_name", "heading"),
    [
        ("work-list", "Структура работ: "),
        ("plan-graph", "План-график проведения ВПР: "),
        ("plan-graph-calendar", "Календарь проведения ВПР: "),
        ("school-date-list", "Даты проведения ВПР в ОО: "),
    ],
)
def test_campaign_pages_head_and_pick_by_label(world, sessions, url_name: str, heading: str):
    # given both sessions, each with a work
    spring, autumn = sessions
    for campaign in sessions:
        WorkFactory(campaign=campaign)
    client = world.client_for("federal")
    for campaign in sessions:
        # when a campaign page is opened for one session
        html = client.get(reverse(url_name), {"campaign": campaign.pk}).content.decode()
        # then its heading names that session, and the picker offers both by label
        assert f"{heading}{campaign.label}" in html
        assert f">{spring.label}" in html
        assert f">{autumn.label}" in html
