"""The units one level below a unit (registration.selectors.child_unit_list), as the
drill-down pages list them: in the actor's scope, by code, narrowed to the ids given."""

from __future__ import annotations

from typing import Any

import pytest

from apps.core.scoping import Level
from apps.registration.access import A, actor_for_user
from apps.registration.constants import SchoolStatus
from apps.registration.selectors import UnitRef, child_unit_list

pytestmark = pytest.mark.django_db


def _codes(units: list[UnitRef]) -> list[str]:
    return [u.code for u in units]


def test_each_level_lists_the_units_below_it_by_code(world: Any) -> None:
    # given the federal operator, and school A1b closed
    actor = actor_for_user(world.users["federal"])
    closed = world.schools["A1b"]
    closed.status = SchoolStatus.CLOSED
    closed.save(update_fields=["status"])

    # when it asks for the units below the country, region A, municipality A1 and school A1a
    def below(level: Level, unit_id: int | None) -> list[UnitRef]:
        return child_unit_list(actor=actor, action=A.VIEW_MONITORING, level=level, unit_id=unit_id)

    regions = below(Level.FEDERAL, None)
    munis = below(Level.REGION, world.regions["A"].pk)
    schools = below(Level.MUNICIPALITY, world.municipalities["A1"].pk)

    # then each is the next level's units in its unit, by code, a school by its short name
    assert _codes(regions) == sorted(r.code for r in world.regions.values())
    assert _codes(munis) == sorted(world.municipalities[k].code for k in ("A1", "A2"))
    a1a, a1b = world.schools["A1a"], world.schools["A1b"]
    assert schools == sorted(
        [UnitRef(s.pk, s.code, s.short_name) for s in (a1a, a1b)], key=lambda u: u.code
    )
    assert below(Level.SCHOOL, a1a.pk) == []
    # and a region or municipality without its id is a programming error, not "no units"
    with pytest.raises(ValueError, match="region"):
        below(Level.REGION, None)


def test_the_list_stays_in_the_actors_scope_and_keeps_only_the_ids_given(world: Any) -> None:
    # given the regional coordinator of region A
    actor = actor_for_user(world.users["regional"])

    # when it lists the regions, region B's municipalities, and A1's schools narrowed to one
    regions = child_unit_list(
        actor=actor, action=A.VIEW_MONITORING, level=Level.FEDERAL, unit_id=None
    )
    foreign = child_unit_list(
        actor=actor, action=A.VIEW_MONITORING, level=Level.REGION, unit_id=world.regions["B"].pk
    )
    narrowed = child_unit_list(
        actor=actor,
        action=A.VIEW_MONITORING,
        level=Level.MUNICIPALITY,
        unit_id=world.municipalities["A1"].pk,
        only={world.schools["A1b"].pk, world.schools["B1a"].pk},
    )

    # then it sees its own region only, nothing of region B, and of the ids given only A1b
    assert _codes(regions) == [world.regions["A"].code]
    assert foreign == []
    assert _codes(narrowed) == [world.schools["A1b"].code]


def test_an_actor_without_the_action_sees_no_units(world: Any) -> None:
    # given a school organizer, who does not monitor registration
    actor = actor_for_user(world.users["school_organizer"])

    # when it lists the schools of its own municipality for monitoring
    found = child_unit_list(
        actor=actor,
        action=A.VIEW_MONITORING,
        level=Level.MUNICIPALITY,
        unit_id=world.municipalities["A1"].pk,
    )

    # then there are none
    assert found == []
