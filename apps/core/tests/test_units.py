"""Figures per org unit (core.units.per_unit): one grouped query on a copied unit id column."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Count

from apps.core.scoping import Level
from apps.core.units import UNIT_COLUMN, per_unit
from apps.registration.constants import SchoolStatus
from apps.registration.models import School, SchoolGrant


@pytest.mark.django_db
def test_per_unit_counts_each_unit_with_rows_in_one_query(
    world: Any, django_assert_num_queries: Any
) -> None:
    # given the world's eight schools, A1b of them closed
    closed = world.schools["A1b"]
    closed.status = SchoolStatus.CLOSED
    closed.save(update_fields=["status"])
    schools = School.objects.all()  # unscoped: the test counts every school

    # when every school is counted per region and the active ones per municipality
    with django_assert_num_queries(1):
        regions = per_unit(schools, UNIT_COLUMN[Level.REGION], n=Count("pk"))
    munis = per_unit(
        schools.filter(status=SchoolStatus.ACTIVE),
        UNIT_COLUMN[Level.MUNICIPALITY],
        n=Count("pk"),
    )

    # then each unit with rows has its figures keyed by its id, under the column's name too
    a, b = world.regions["A"].pk, world.regions["B"].pk
    assert regions == {a: {"region_id": a, "n": 4}, b: {"region_id": b, "n": 4}}
    assert {pk: row["n"] for pk, row in munis.items()} == {
        world.municipalities[key].pk: n for key, n in (("A1", 1), ("A2", 2), ("B1", 2), ("B2", 2))
    }


@pytest.mark.django_db
def test_per_unit_groups_by_a_path_and_leaves_out_units_without_rows(world: Any) -> None:
    # given grants only at school A1a (the expert's left out)
    grants = SchoolGrant.objects.exclude(permission__codename="check_school")  # unscoped read

    # when the grants are counted per municipality through the school they are on
    found = per_unit(grants, "content_object__municipality_id", n=Count("pk"))

    # then A1 has the organizer's and the technician's grant and no other municipality appears
    assert {pk: row["n"] for pk, row in found.items()} == {world.municipalities["A1"].pk: 2}
