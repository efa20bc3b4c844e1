"""«Сравнение отметок с отметками по журналу»: the codes with a gap of two marks or more."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.urls import reverse

from apps.analytics import selectors as sel
from apps.analytics.models import WorkAggregate
from apps.core.scoping import Level
from apps.registration.access import actor_for_user
from apps.registration.tests.factories import grant, make_user
from conftest import PASSWORD, World

from .test_reports import AFTER_RELEASE


def _agg(work: Any, level: Level, unit_id: int) -> WorkAggregate:
    return WorkAggregate.objects.get(work=work, level=level, unit_id=unit_id)


@pytest.mark.django_db
def test_school_lists_codes_lowered_or_raised_by_two(world: World, loaded: Any) -> None:
    # given A1a (40005: «2» against journal 4) and A2a (40004: «5» against journal 3)
    a1a = _agg(loaded, Level.SCHOOL, world.schools["A1a"].pk)
    a2a = _agg(loaded, Level.SCHOOL, world.schools["A2a"].pk)
    other = make_user("t_school_a2a", PASSWORD)
    grant(other, "school_organizer", world.schools["A2a"])
    # when each school's organizer asks for the list
    own = sel.journal_gap_list(actor=actor_for_user(world.users["school_organizer"]), aggregate=a1a)
    theirs = sel.journal_gap_list(actor=actor_for_user(other), aggregate=a2a)
    # then only the codes with a gap of 2+ are given, with both marks and the signed gap;
    # one-mark gaps (40002, 40004 of A1a), equal marks and «нет отметки» (40003) are not
    assert own == [{"code": "40005", "mark": 2, "journal_mark": 4, "difference": -2}]
    assert theirs == [{"code": "40004", "mark": 5, "journal_mark": 3, "difference": 2}]
    # and the list agrees with the aggregate's count
    assert len(own) == a1a.journal_gap2
    assert len(theirs) == a2a.journal_gap2


@pytest.mark.django_db
def test_codes_only_at_the_school_level_for_whoever_opens_it(world: World, loaded: Any) -> None:
    # given the region's and the school A1a's aggregates
    region = _agg(loaded, Level.REGION, world.regions["A"].pk)
    school = _agg(loaded, Level.SCHOOL, world.schools["A1a"].pk)
    regional = actor_for_user(world.users["regional"])
    organizer = actor_for_user(world.users["school_organizer"])
    other_regional = make_user("t_regional_b", PASSWORD)
    grant(other_regional, "regional", world.regions["B"])
    # when codes are asked for above the school level, by the school's region, by another region
    # then none above the school; the school's coordinator sees the same anonymous codes as the
    # school; a coordinator of another region none (its results are out of its scope)
    assert sel.journal_gap_list(actor=organizer, aggregate=region) == []
    assert sel.journal_gap_list(actor=regional, aggregate=region) == []
    assert sel.journal_gap_list(actor=regional, aggregate=school) == sel.journal_gap_list(
        actor=organizer, aggregate=school
    )
    assert sel.journal_gap_list(actor=actor_for_user(other_regional), aggregate=school) == []


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_journal_page_shows_the_codes_to_whoever_opens_the_school(
    world: World, loaded: Any
) -> None:
    # given A1a's aggregate
    school = _agg(loaded, Level.SCHOOL, world.schools["A1a"].pk)
    url = reverse("analytics-journal", args=[school.pk])
    # when its organizer and the regional coordinator open the journal comparison
    own = world.client_for("school_organizer").get(url).content.decode()
    regional = world.client_for("regional").get(url)
    # then both see the code 40005 in the list, and no other code
    row = '<td>40005</td><td class="num">2</td><td class="num">4</td>'
    assert "Расхождение с отметкой по журналу на 2 и более" in own
    assert row in own
    assert "40002" not in own
    assert regional.status_code == 200
    assert row in regional.content.decode()
