"""The distribution of works over classes per unit: hand counts, scoping, page, export, API."""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.classes.assignment import selectors, services
from apps.classes.audit import ClassesAudit
from apps.classes.models import AssignmentRun, ClassWork
from apps.core.models import AuditEvent
from apps.registration.models import Municipality, Region

from .conftest import Setup

pytestmark = pytest.mark.django_db

PLAN = {"A1a": {4: 2, 5: 2}, "A1b": {4: 1, 5: 3}, "A2a": {5: 2}, "B1a": {4: 3, 5: 1}}


def _publish(setup: Setup, publish: bool = True) -> AssignmentRun:
    setup.fill(PLAN)
    run = services.assignment_run(
        actor=setup.actor("federal"),
        campaign_id=setup.campaign.pk,
        seed=77,
        publish_on=setup.publish_on,
    )
    if publish:
        run = services.assignment_publish(
            actor=setup.actor("federal"), run_id=run.pk, publish_on=setup.publish_on
        )
    return run


def _by_hand(setup: Setup, prefix: str, source: str) -> dict[int, tuple[int, int, int]]:
    """work id → (classes, pupils, ОВЗ) over the schools whose key starts with ``prefix``."""
    schools = {s.pk for k, s in setup.world.schools.items() if k.startswith(prefix)}
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in ClassWork.objects.filter(source=source).select_related("school_class"):
        if row.school_id in schools:
            counts = out[row.work_id]
            counts[0] += 1
            counts[1] += row.school_class.pupils
            counts[2] += row.school_class.pupils_ovz
    return {w: (c[0], c[1], c[2]) for w, c in out.items()}


def _rows(found: Any, source: str) -> dict[int, tuple[int, int, int]]:
    rows = found.assigned if source == "assigned" else found.compulsory
    return {r.work_id: (r.classes, r.pupils, r.pupils_ovz) for r in rows}


@pytest.mark.parametrize(
    ("role", "prefix"), [("municipal", "A1"), ("regional", "A"), ("federal", "")]
)
def test_distribution_equals_hand_counts(setup: Setup, role: str, prefix: str) -> None:
    _publish(setup)
    found = selectors.distribution(actor=setup.actor(role), campaign_id=setup.campaign.pk)
    for source in ("assigned", "compulsory"):
        assert _rows(found, source) == _by_hand(setup, prefix, source)
    assert found.assigned  # the run is visible: there is something to compare
    classes = sum(n for k, g in PLAN.items() if k.startswith(prefix) for n in g.values())
    assert found.total_classes == classes


def test_federal_drills_down_by_region_and_municipality(setup: Setup) -> None:
    _publish(setup)
    federal = setup.actor("federal")
    country = selectors.distribution(actor=federal, campaign_id=setup.campaign.pk)
    assert country.child_kind == "region"
    assert {u.id: u.classes for u in country.children} == {
        setup.world.regions["A"].pk: 10,
        setup.world.regions["B"].pk: 4,
    }
    region = selectors.distribution(
        actor=federal, campaign_id=setup.campaign.pk, region_id=setup.world.regions["A"].pk
    )
    assert region.child_kind == "municipality"
    assert _rows(region, "assigned") == _by_hand(setup, "A", "assigned")
    muni = selectors.distribution(
        actor=federal,
        campaign_id=setup.campaign.pk,
        municipality_id=setup.world.municipalities["A1"].pk,
    )
    assert muni.child_kind == "school"
    assert _rows(muni, "assigned") == _by_hand(setup, "A1", "assigned")


def test_municipal_coordinator_sees_only_its_unit(setup: Setup) -> None:
    _publish(setup)
    municipal = setup.actor("municipal")
    found = selectors.distribution(actor=municipal, campaign_id=setup.campaign.pk)
    assert {u.id for u in found.children} == {
        setup.world.schools["A1a"].pk,
        setup.world.schools["A1b"].pk,
    }
    with pytest.raises(Municipality.DoesNotExist):
        selectors.distribution(
            actor=municipal,
            campaign_id=setup.campaign.pk,
            municipality_id=setup.world.municipalities["A2"].pk,
        )
    with pytest.raises(Region.DoesNotExist):
        selectors.distribution(
            actor=municipal, campaign_id=setup.campaign.pk, region_id=setup.world.regions["B"].pk
        )


def test_coordinators_see_assigned_works_once_published(setup: Setup) -> None:
    run = _publish(setup, publish=False)
    regional = selectors.distribution(actor=setup.actor("regional"), campaign_id=setup.campaign.pk)
    assert not regional.assigned_visible
    assert regional.assigned == []
    assert regional.compulsory  # the registers' compulsory works are no secret
    federal = selectors.distribution(actor=setup.actor("federal"), campaign_id=setup.campaign.pk)
    assert federal.run == run
    assert federal.assigned


def test_page_and_menu(setup: Setup) -> None:
    _publish(setup)
    client = setup.world.client_for("municipal")
    response = client.get(reverse("class-distribution") + f"?campaign={setup.campaign.pk}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Предметы по распределению" in page
    assert "Окружающий мир" in page or "Литературное чтение" in page
    assert "Распределение по классам" in page  # the menu item
    foreign = f"?campaign={setup.campaign.pk}&municipality={setup.world.municipalities['B1'].pk}"
    assert client.get(reverse("class-distribution") + foreign).status_code == 404
    # schools do not see the distribution page
    school = setup.world.client_for("school_organizer")
    assert school.get(reverse("class-distribution")).status_code == 403


def test_export_opens_and_matches(setup: Setup) -> None:
    _publish(setup)
    client = setup.world.client_for("regional")
    response = client.get(reverse("class-distribution-export") + f"?campaign={setup.campaign.pk}")
    assert response.status_code == 200
    assert "Распределение по классам" in unquote(response["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet is not None
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] is not None]
    names = {w.subject.name: w.pk for w in setup.works.values()}
    got = {
        (names[r[1]], "assigned" if r[2] == "по распределению" else "compulsory"): (
            r[3],
            r[4],
            r[5],
        )
        for r in rows
    }
    expected = {
        (w, source): counts
        for source in ("assigned", "compulsory")
        for w, counts in _by_hand(setup, "A", source).items()
    }
    assert got == expected
    event = AuditEvent.objects.get(action=ClassesAudit.DISTRIBUTION_EXPORT)
    assert event.region_id == setup.world.regions["A"].pk


def test_api(setup: Setup) -> None:
    setup.fill(PLAN)
    federal = setup.world.client_for("federal")
    campaign = setup.campaign.pk
    # configuration: read, and a bad write refused in Russian
    config = federal.get(reverse("api-assignment-config", kwargs={"campaign_id": campaign}))
    assert [g["grade"] for g in config.json()] == [4, 5]
    bad = federal.put(
        reverse("api-assignment-config", kwargs={"campaign_id": campaign}),
        {"grades": {"4": 1, "12": 1}},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "параллель 12" in bad.content.decode()
    work = setup.works[(4, "english")]
    put = federal.put(
        reverse("api-assignment-work", kwargs={"work_id": work.pk}),
        {"participation": "assigned", "computer_allowed": True},
        content_type="application/json",
    )
    assert put.status_code == 200
    assert put.json()["computer_allowed"] is True
    # the run with a seed, then the publication
    runs_url = reverse("api-assignment-runs", kwargs={"campaign_id": campaign})
    created = federal.post(runs_url, {"seed": 12345}, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["seed"] == "12345"
    assert created.json()["publish_on"] == setup.publish_on.isoformat()
    assert [r["seed"] for r in federal.get(runs_url).json()] == ["12345"]
    published = federal.post(
        reverse("api-assignment-publish", kwargs={"campaign_id": campaign}),
        {},
        content_type="application/json",
    )
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    again = federal.post(runs_url, {"seed": 1}, content_type="application/json")
    assert again.status_code == 409
    # a coordinator reads its distribution as JSON and xlsx, and may not run
    municipal = setup.world.client_for("municipal")
    data = municipal.get(reverse("api-class-distribution") + f"?campaign={campaign}").json()
    assert {(r["work_id"], r["classes"]) for r in data["assigned"]} == {
        (w, c[0]) for w, c in _by_hand(setup, "A1", "assigned").items()
    }
    export = municipal.get(reverse("api-class-distribution-export") + f"?campaign={campaign}")
    assert export.status_code == 200
    assert b"".join(export.streaming_content).startswith(b"PK")
    assert municipal.post(runs_url, {"seed": 1}, content_type="application/json").status_code == 403
