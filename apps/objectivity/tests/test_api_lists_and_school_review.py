"""The API twins of the scans lists (a unit's latest uploads, a school's works) and of a school's
own on-screen checking (its works, opening a review): same selectors and service as the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.core.models import AuditEvent
from apps.objectivity.audit import ObjectivityAudit
from apps.objectivity.models import Review, ScanBatch
from conftest import World
from tests.scoping.makers import MAKERS, _work

pytestmark = pytest.mark.django_db


def _batches(world: World, *keys: str) -> dict[str, ScanBatch]:
    maker, _levels = MAKERS[ScanBatch]
    return {key: maker(world, key) for key in keys}


def test_a_coordinator_lists_its_units_uploads_only(world: World) -> None:
    # given uploads of scans at A1a, A2a and B1a
    made = _batches(world, "A1a", "A2a", "B1a")
    # when the coordinators of A1 and of region A ask for their units' uploads
    municipal = world.client_for("municipal").get(reverse("api-objectivity-scans-unit"))
    regional = world.client_for("regional").get(reverse("api-objectivity-scans-unit"))
    # then each gets the uploads of its own unit, with the school and the work named
    assert municipal.status_code == 200, municipal.content
    assert [b["id"] for b in municipal.json()] == [made["A1a"].pk]
    assert {b["id"] for b in regional.json()} == {made["A1a"].pk, made["A2a"].pk}
    row = municipal.json()[0]
    assert row["school_code"] == world.schools["A1a"].code
    assert row["work_title"]


def test_a_schools_works_with_their_scans(world: World) -> None:
    # given an upload of scans at A1a (its kit's work)
    batch = _batches(world, "A1a")["A1a"]
    client = world.client_for("school_organizer")
    # when the school asks for its works and the state of their scans, and for a sibling's
    mine = client.get(reverse("api-objectivity-scans-school", args=[world.schools["A1a"].pk]))
    sibling = client.get(reverse("api-objectivity-scans-school", args=[world.schools["A1b"].pk]))
    # then its work lists the upload as the latest; the sibling school is not found
    assert mine.status_code == 200, mine.content
    rows = {r["work"]: r for r in mine.json()}
    assert rows[batch.work_id]["batches"] == 1
    assert rows[batch.work_id]["latest"]["id"] == batch.pk
    assert sibling.status_code == 404


def test_the_organizer_opens_its_schools_review(world: World) -> None:
    # given the organizer of A1a and a work
    client = world.client_for("school_organizer")
    school = world.schools["A1a"]
    work = _work(world, "A1a")
    url = reverse("api-objectivity-school-reviews", args=[school.pk])
    # when it opens the school's review of the work twice
    first = client.post(
        url, {"work": work.pk, "double_share": 20, "threshold": 1}, content_type="application/json"
    )
    again = client.post(url, {"work": work.pk}, content_type="application/json")
    # then one review is open (the second answer is the same one), audited once
    assert first.status_code == 200, first.content
    review = Review.objects.get(kind=Review.Kind.SCHOOL, school_id=school.pk)
    assert first.json()["review"] == again.json()["review"] == review.pk
    assert review.double_share == 20
    assert AuditEvent.objects.filter(action=ObjectivityAudit.REVIEW_OPEN).count() == 1
    # and the school's works list it
    listed = client.get(url).json()
    assert [(r["work"], r["review"]["id"]) for r in listed] == [(work.pk, review.pk)]


def test_opening_a_review_is_refused_as_on_the_page(world: World) -> None:
    # given a work, the organizer of A1a, and the regional coordinator of A
    work = _work(world, "A1a")
    organizer = world.client_for("school_organizer")
    regional = world.client_for("regional")
    own = reverse("api-objectivity-school-reviews", args=[world.schools["A1a"].pk])
    sibling = reverse("api-objectivity-school-reviews", args=[world.schools["A1b"].pk])
    # when the organizer names a sibling school, or a share out of range, and the coordinator
    # (not the school's organizer) tries to open the school's own review
    outside = organizer.post(sibling, {"work": work.pk}, content_type="application/json")
    share = organizer.post(
        own, {"work": work.pk, "double_share": 150}, content_type="application/json"
    )
    not_organizer = regional.post(own, {"work": work.pk}, content_type="application/json")
    # then 404, 400 and 409 with the service's codes; no review is opened
    assert outside.status_code == 404
    assert (share.status_code, share.json()["code"]) == (400, "double_share_out_of_range")
    assert (not_organizer.status_code, not_organizer.json()["code"]) == (
        409,
        "school_review_organizer",
    )
    assert not Review.objects.exists()
    assert not AuditEvent.objects.filter(action=ObjectivityAudit.REVIEW_OPEN).exists()
