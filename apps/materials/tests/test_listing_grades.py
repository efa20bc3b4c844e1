"""The operator's lists of works offer, in the grade filter, only the campaign's grades."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.campaigns.tests.factories import CampaignFactory, WorkFactory

pytestmark = pytest.mark.django_db


def _grade_options(html: str) -> list[str]:
    select = re.search(r'<select name="grade">(.*?)</select>', html, re.S)
    assert select is not None
    return [v for v in re.findall(r'<option value="([^"]*)"', select.group(1)) if v]


@pytest.mark.parametrize("page", ["materials-bank", "materials-builds"])
def test_the_grade_filter_offers_the_campaigns_grades(world, page: str) -> None:
    # given the current campaign of 4–8 and 10 and an older one of 4–11
    current = CampaignFactory()
    older = CampaignFactory(year=current.year - 3, is_active=False, grades=range(4, 12))
    WorkFactory(campaign=current)
    client = world.client_for("federal")
    url = reverse(page)
    # when the list is opened, it offers the current campaign's grades
    assert _grade_options(client.get(url).content.decode()) == ["4", "5", "6", "7", "8", "10"]
    # and grade 9 is refused there with a Russian 400 naming the allowed ones
    refused = client.get(f"{url}?grade=9")
    assert refused.status_code == 400
    assert "Неверное значение фильтра «класс»: «9»" in refused.content.decode()
    # when the older campaign is chosen, its own grades are offered and 9 is accepted
    chosen = client.get(f"{url}?campaign={older.pk}").content.decode()
    assert _grade_options(chosen) == [str(g) for g in range(4, 12)]
    assert client.get(f"{url}?campaign={older.pk}&grade=9").status_code == 200
