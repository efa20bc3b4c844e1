"""The mark that a class's families were informed: made once per class by the organizer,
audited, withdrawn only the same school-local day; the coordinators' overview counts it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from apps.core.models import AuditEvent
from apps.families.audit import FamiliesAudit
from apps.families.models import FamiliesInformed
from apps.families.tests.factories import put_results, two_classes
from conftest import World

pytestmark = pytest.mark.django_db


def _mark(world: World, sheet: Any, number: Any, role: str = "school_organizer") -> Any:
    client = world.client_for(role)
    return client.post(
        reverse("api-families-informed", args=[sheet.pk]),
        {"class_number": number},
        content_type="application/json",
    )


def test_the_organizer_marks_a_class_once_and_it_is_audited(world: World) -> None:
    # given A1a's accepted results of «4А» and «4Б»
    _work, _dates, sheet = two_classes(world)
    school = world.schools["A1a"]
    # when the organizer marks «4Б»
    response = _mark(world, sheet, 2)
    # then the mark is stored with the register's label and the school's scope columns
    assert response.status_code == 201, response.content
    assert response.json()["class_label"] == "4Б"
    mark = FamiliesInformed.objects.get(pk=response.json()["id"])
    assert (mark.school_id, mark.municipality_id, mark.region_id) == (
        school.pk,
        school.municipality_id,
        school.region_id,
    )
    assert mark.informed_by == world.users["school_organizer"]
    # and audited in the school's scope
    event = AuditEvent.objects.get(action=FamiliesAudit.INFORMED_MARK)
    assert (event.school_id, event.details["class_number"]) == (school.pk, 2)
    # and a second mark of the same class is refused (409), a class without results (400)
    again = _mark(world, sheet, 2)
    assert (again.status_code, again.json()["code"]) == (409, "already_informed")
    assert "4Б" in again.json()["detail"]
    none = _mark(world, sheet, 9)
    assert (none.status_code, none.json()["code"]) == (400, "class_not_in_results")
    assert _mark(world, sheet, "").status_code == 400
    assert FamiliesInformed.objects.count() == 1
    # and the school's page shows it with its withdrawal (made today)
    page = world.client_for("school_organizer").get(
        reverse("families-school", args=[school.pk]), {"campaign": sheet.work.campaign_id}
    )
    html = page.content.decode()
    assert reverse("families-informed-undo", args=[mark.pk]) in html
    assert html.count(reverse("families-informed-mark", args=[sheet.pk])) == 1  # «4А» only
    # and the list shows it
    listed = world.client_for("school_tech").get(reverse("api-families-informed", args=[sheet.pk]))
    assert [m["class_label"] for m in listed.json()] == ["4Б"]


def test_only_the_organizer_marks_and_only_its_own_school(world: World) -> None:
    # given the accepted results of A1a and of A1b
    work, _dates, sheet = two_classes(world)
    other = put_results(world.schools["A1b"], work, [("40001", 1, [1, 1, 1, 1])])
    # when the technical specialist or a coordinator tries to mark
    # then the role is refused (403)
    for role in ("school_tech", "municipal", "regional", "federal"):
        assert _mark(world, sheet, 1, role).status_code == 403
    # and another school's results do not exist for the organizer (404), page and API
    assert _mark(world, other, 1).status_code == 404
    page = world.client_for("school_organizer").post(
        reverse("families-informed-mark", args=[other.pk]), {"class_number": 1}
    )
    assert page.status_code == 404
    assert not FamiliesInformed.objects.exists()


def test_a_mark_is_withdrawn_the_same_day_only(world: World, time_machine: Any) -> None:
    # given a mark made now on the HTML page
    _work, dates, sheet = two_classes(world)
    time_machine.move_to(dt.datetime.combine(dates.today, dt.time(9), dt.UTC), tick=False)
    client = world.client_for("school_organizer")
    response = client.post(reverse("families-informed-mark", args=[sheet.pk]), {"class_number": 1})
    assert response.status_code == 302
    mark = FamiliesInformed.objects.get()
    # when it is withdrawn the same day
    undo = client.delete(reverse("api-families-informed-undo", args=[mark.pk]))
    # then it is gone and the audit row keeps what it was
    assert undo.status_code == 204
    assert not FamiliesInformed.objects.exists()
    event = AuditEvent.objects.get(action=FamiliesAudit.INFORMED_UNDO)
    assert (event.target_id, event.details["class"]) == (str(mark.pk), "4А")
    # and a mark made again is final from the next school-local day on
    client.post(reverse("families-informed-mark", args=[sheet.pk]), {"class_number": 1})
    again = FamiliesInformed.objects.get()
    time_machine.move_to(dt.datetime.combine(dates.today, dt.time(23), dt.UTC), tick=False)
    late = client.delete(reverse("api-families-informed-undo", args=[again.pk]))
    assert (late.status_code, late.json()["code"]) == (409, "undo_too_late")
    page = client.post(
        reverse("families-informed-undo", args=[again.pk]),
        HTTP_REFERER=reverse("families-school", args=[sheet.school_id]),
    )
    assert page.status_code == 302
    assert FamiliesInformed.objects.filter(pk=again.pk).exists()


def test_the_overview_counts_classes_per_school_in_scope(
    world: World, django_assert_max_num_queries: Any
) -> None:
    # given A1a (two classes, one marked) and A2a (one class, none marked) with results
    work, _dates, sheet = two_classes(world)
    assert _mark(world, sheet, 1).status_code == 201
    # when the municipal coordinator of A1 and the regional coordinator of A open the overview
    municipal = world.client_for("municipal").get(
        reverse("api-families-overview"), {"campaign": work.campaign_id}
    )
    regional = world.client_for("regional").get(
        reverse("api-families-overview"), {"campaign": work.campaign_id, "work": work.pk}
    )
    # then each sees its own schools only, the fewest marks first
    rows = [(r["school"], r["classes"], r["informed"]) for r in municipal.json()["rows"]]
    assert rows == [(world.schools["A1a"].pk, 2, 1)]
    body = regional.json()
    assert [(r["school"], r["classes"], r["informed"]) for r in body["rows"]] == [
        (world.schools["A2a"].pk, 1, 0),
        (world.schools["A1a"].pk, 2, 1),
    ]
    assert (body["schools"], body["schools_informed"], body["classes_informed"]) == (2, 1, 1)
    # and the overview reads a fixed number of queries
    federal = world.client_for("federal")
    federal.get(reverse("api-families-overview"))
    with django_assert_max_num_queries(14):
        federal.get(reverse("api-families-overview"), {"campaign": work.campaign_id})
    # and the page shows the same numbers
    html = (
        world.client_for("regional")
        .get(reverse("families-overview"), {"campaign": work.campaign_id})
        .content.decode()
    )
    assert world.schools["A2a"].short_name in html
    assert world.schools["B1a"].short_name not in html
