"""Monitoring: counts per unit below, participants summed up the hierarchy, drill-down, exports."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from apps.applications import selectors, services
from apps.applications.rules import RawLine
from apps.applications.tests.conftest import Chain
from apps.core.models import AuditEvent
from apps.registration.access import actor_for_user
from apps.registration.tests.factories import SchoolFactory, grant, make_user

pytestmark = pytest.mark.django_db


def _school_actor(school: Any, name: str) -> Any:
    user = make_user(name, "x-Password-1")
    grant(user, "school_organizer", school)
    return actor_for_user(user)


def _apply(chain: Chain, key: str, lines: dict[Any, tuple[str, int, int]]) -> Any:
    actor = _school_actor(chain.school(key), f"t_{key.lower()}")
    app = services.application_open(actor=actor, school_id=chain.school(key).pk)
    services.application_lines_save(
        actor=actor,
        application_id=app.pk,
        lines={w.pk: RawLine(*v) for w, v in lines.items()},
    )
    services.application_submit(actor=actor, application_id=app.pk)
    return app


@pytest.fixture
def progress(chain: Chain) -> Chain:
    """A1a confirmed by the municipality (25 + 24), A1b submitted (10), A2a a draft, B1a
    submitted (7); the rest did not apply."""
    a1a = chain.submitted("A1a")
    services.application_confirm(actor=chain.actor("municipal"), application_id=a1a.pk)
    _apply(chain, "A1b", {chain.ma4: ("да", 10, 1)})
    chain.open("A2a", role="regional")
    _apply(chain, "B1a", {chain.ma5: ("да", 7, 1)})
    return chain


def _counts(rows: list[Any]) -> dict[str, tuple[int, int, int, int, int, int]]:
    return {
        r.code: (
            r.schools,
            r.applied,
            r.not_applied,
            r.confirmed_municipality,
            r.confirmed_region,
            r.participants,
        )
        for r in rows
    }


def test_federal_sees_regions_with_totals(progress: Chain) -> None:
    world = progress.world
    unit = selectors.own_unit(actor=progress.actor("federal"), action="applications.monitor")
    data = selectors.monitoring_get(
        actor=progress.actor("federal"), campaign=progress.campaign, unit=unit
    )
    assert data.child_kind == "region"
    assert _counts(data.rows) == {
        world.regions["A"].code: (4, 2, 2, 1, 0, 59),
        world.regions["B"].code: (4, 1, 3, 0, 0, 7),
    }
    assert (data.total.schools, data.total.applied, data.total.participants) == (8, 3, 66)
    assert [(t.work.label, t.schools, t.participants, t.classes) for t in data.works] == [
        ("Математика, 4 класс", 2, 34, 2),
        ("Русский язык, 4 класс", 1, 25, 1),
        ("Математика, 5 класс", 1, 7, 1),
    ]


def test_region_drills_down_to_municipalities_and_schools(progress: Chain) -> None:
    world, actor = progress.world, progress.actor("regional")
    region = selectors.unit_get(
        actor=actor, kind="region", unit_id=world.regions["A"].pk, action="applications.monitor"
    )
    data = selectors.monitoring_get(actor=actor, campaign=progress.campaign, unit=region)
    assert _counts(data.rows) == {
        world.municipalities["A1"].code: (2, 2, 0, 1, 0, 59),
        world.municipalities["A2"].code: (2, 0, 2, 0, 0, 0),
    }
    muni = selectors.unit_get(
        actor=actor,
        kind="municipality",
        unit_id=world.municipalities["A2"].pk,
        action="applications.monitor",
    )
    schools = selectors.monitoring_get(actor=actor, campaign=progress.campaign, unit=muni)
    assert [(r.code, r.status_label) for r in schools.rows] == [
        (world.schools["A2a"].code, "черновик"),
        (world.schools["A2b"].code, "заявка не подана"),
    ]
    # and the region cannot drill into another region
    with pytest.raises(Exception, match="does not exist"):
        selectors.unit_get(
            actor=actor, kind="region", unit_id=world.regions["B"].pk, action="applications.monitor"
        )


def test_monitoring_query_count_does_not_grow_with_schools(progress: Chain) -> None:
    actor = progress.actor("regional")
    region = selectors.unit_get(
        actor=actor,
        kind="region",
        unit_id=progress.world.regions["A"].pk,
        action="applications.monitor",
    )

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            selectors.monitoring_get(actor=actor, campaign=progress.campaign, unit=region)
        return len(ctx.captured_queries)

    # given the count for the world as it is
    small = queries()
    # when twenty more schools apply in the region
    for i in range(20):
        school = SchoolFactory(municipality=progress.world.municipalities["A2"])
        progress.world.schools[f"X{i}"] = school
        _apply(progress, f"X{i}", {progress.ma4: ("да", 5, 1)})
    # then the same number of queries answers
    assert queries() == small
    assert small <= 6


def test_not_applied_lists_drafts_and_missing_ones(progress: Chain, world: Any) -> None:
    actor = progress.actor("regional")
    unit = selectors.own_unit(actor=actor, action="applications.monitor")
    codes = [
        s.code
        for s in selectors.not_applied_list(actor=actor, campaign=progress.campaign, unit=unit)
    ]
    assert codes == [world.schools["A2a"].code, world.schools["A2b"].code]
    # and the page and its export show them
    client = world.client_for("regional")
    page = client.get("/applications/monitoring/not-applied/").content.decode()
    assert world.schools["A2b"].short_name in page
    assert world.schools["A1a"].short_name not in page
    export = client.get("/applications/monitoring/not-applied/?export=xlsx")
    ws = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert [ws.cell(r, 3).value for r in range(4, ws.max_row + 1)] == codes


def test_monitoring_pages_and_export(progress: Chain, world: Any) -> None:
    # the municipal coordinator lands on its municipality, with the summary file offered
    client = world.client_for("municipal")
    response = client.get("/applications/monitoring/", follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"/applications/summary/municipalities/{world.municipalities['A1'].pk}.xlsx" in html
    assert "подтверждена муниципалитетом" in html
    # the federal operator exports the country
    federal = world.client_for("federal")
    export = federal.get("/applications/monitoring/?export=xlsx")
    wb = load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    assert wb.sheetnames == ["Сводка", "По работам", "Участники по единицам", "Не подали заявку"]
    summary = [[c.value for c in row] for row in wb["Сводка"].iter_rows(min_row=4)]
    assert summary[-1][1:] == ["Итого", 8, 3, 5, 1, 0, 66]
    matrix = [[c.value for c in row] for row in wb["Участники по единицам"].iter_rows(min_row=3)]
    assert matrix[0] == [
        "Код",
        "Регион",
        "Математика, 4 класс",
        "Русский язык, 4 класс",
        "Математика, 5 класс",
    ]
    assert matrix[1][2:] == [34, 25, 0]
    assert AuditEvent.objects.filter(action="application.monitoring_export").count() == 1
    # a school has no monitoring
    assert world.client_for("school_organizer").get("/applications/monitoring/").status_code == 403
