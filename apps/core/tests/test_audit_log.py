"""The audit log UI and API: each coordinator sees its own unit and below; federal sees all."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.core.models import AuditEvent
from apps.core.scoping import Level, Scope
from apps.core.services import audit_record
from apps.registration.access import actor_for_user
from apps.registration.services import school_unit_scope

pytestmark = pytest.mark.django_db


def _events(world):
    """One marked event in every unit of the world (and one country-wide)."""
    actor = actor_for_user(world.users["federal"])
    made = {}
    for key, school in world.schools.items():
        made[key] = audit_record(
            actor=actor, action="test.school", scope=school_unit_scope(school), details={"k": key}
        )
    for key, muni in world.municipalities.items():
        scope = Scope(
            level=Level.MUNICIPALITY,
            anchor_id=muni.pk,
            region_id=muni.region_id,
            municipality_id=muni.pk,
        )
        made[key] = audit_record(
            actor=actor, action="test.municipality", scope=scope, details={"k": key}
        )
    for key, region in world.regions.items():
        scope = Scope(level=Level.REGION, anchor_id=region.pk, region_id=region.pk)
        made[key] = audit_record(actor=actor, action="test.region", scope=scope, details={"k": key})
    made["RF"] = audit_record(actor=actor, action="test.country", scope=Scope(level=Level.FEDERAL))
    return made


def _keys(events):
    return {e.details.get("k", "RF") for e in events if e.action.startswith("test.")}


def _page_ids(client, **params):
    response = client.get(reverse("audit-list"), params)
    assert response.status_code == 200
    return {row[0].pk for row in response.context["rows"]}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            "federal",
            {
                "A",
                "B",
                "A1",
                "A2",
                "B1",
                "B2",
                "A1a",
                "A1b",
                "A2a",
                "A2b",
                "B1a",
                "B1b",
                "B2a",
                "B2b",
                "RF",
            },
        ),
        ("regional", {"A", "A1", "A2", "A1a", "A1b", "A2a", "A2b"}),
        ("municipal", {"A1", "A1a", "A1b"}),
    ],
)
def test_each_coordinator_sees_its_own_unit_and_below(world, role, expected):
    # given an event in every unit
    made = _events(world)
    client = world.client_for(role)
    # when the coordinator opens the log, filtered to the test events
    ids = _page_ids(client, action="test.")
    # then it sees exactly the events of its unit and below
    assert _keys(AuditEvent.objects.filter(pk__in=ids)) == expected
    assert {made[k].pk for k in expected} == ids


@pytest.mark.parametrize("role", ["school_organizer", "school_tech"])
def test_schools_have_no_audit_log(world, role):
    # given a school user
    client = world.client_for(role)
    # then the log, its export and its API are refused
    assert client.get(reverse("audit-list")).status_code == 403
    assert client.get(reverse("audit-export")).status_code == 403
    assert client.get("/api/v1/audit-events/").status_code == 403


def test_filters_by_dates_action_and_login(world):
    # given events of today, one event of two days ago, and one by another login
    made = _events(world)
    actor = actor_for_user(world.users["federal"])
    with time_machine.travel(timezone.now() - timedelta(days=2)):
        old = audit_record(actor=actor, action="test.old", details={"k": "old"})
    other_user = world.users["municipal"]
    mine = audit_record(actor=actor_for_user(other_user), action="test.other", details={"k": "A1"})
    client = world.client_for("federal")
    today = timezone.localdate()
    # when filtering by date range
    recent = _page_ids(client, date_from=today.isoformat(), action="test.")
    older = _page_ids(
        client,
        date_from=(today - timedelta(days=3)).isoformat(),
        date_to=(today - timedelta(days=1)).strftime("%d.%m.%Y"),
    )
    # then the old event is only in the older range
    assert old.pk not in recent
    assert made["A1b"].pk in recent
    assert older == {old.pk}
    # when filtering by an exact action and by a login
    assert _page_ids(client, action="test.region") == {made["A"].pk, made["B"].pk}
    assert _page_ids(client, username=other_user.username, action="test.") == {mine.pk}


def test_bad_filter_is_explained_in_russian(world):
    # given the federal operator
    client = world.client_for("federal")
    # when the period is reversed or the date is nonsense
    reversed_ = client.get(
        reverse("audit-list"), {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )
    nonsense = client.get(reverse("audit-list"), {"date_from": "вчера"})
    # then the page says so
    assert "Дата «с» позже даты «по»" in reversed_.content.decode()
    assert "в формате ДД.ММ.ГГГГ" in nonsense.content.decode()
    api = client.get("/api/v1/audit-events/", {"date_from": "вчера"})
    assert api.status_code == 400
    body = api.json()
    assert body["code"] == "invalid"
    errors = {e["field"]: e["message"] for e in body["errors"]}
    assert "ГГГГ-ММ-ДД" in errors["date_from"]


def _export_rows(response):
    content = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(content)).active
    rows = list(ws.iter_rows(values_only=True))
    # the time column is labelled with the exporting coordinator's clock (core.instants)
    header = rows.index(next(r for r in rows if r and str(r[0]).startswith("Время (МСК")))
    return ws, rows[header + 1 :]


def test_export_holds_only_the_coordinators_events_and_is_audited(world):
    # given an event in every unit
    _events(world)
    client = world.client_for("regional")
    before = AuditEvent.objects.filter(action="audit.export").count()
    # when the regional coordinator of A exports the test events
    response = client.get(reverse("audit-export"), {"action": "test."})
    # then the xlsx holds exactly its region's events, with unit codes
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    _, rows = _export_rows(response)
    units = {r[5] for r in rows}
    expected_units = {
        f"регион {world.regions['A'].code}",
        world.municipalities["A1"].code,
        world.municipalities["A2"].code,
    } | {s.code for k, s in world.schools.items() if k.startswith("A")}
    assert len(rows) == 7
    assert units == expected_units
    # and the export itself left exactly one audit record
    assert AuditEvent.objects.filter(action="audit.export").count() == before + 1
    # and the API export is the same file shape, scoped the same way
    api = client.get("/api/v1/audit-events/export/", {"action": "test."})
    assert api.status_code == 200
    assert len(_export_rows(api)[1]) == 7


def test_export_never_writes_a_formula(world):
    # given events whose texts look like formulas
    actor = actor_for_user(world.users["federal"])
    audit_record(actor=actor, action="=1+2", details={"x": '=HYPERLINK("http://x")'})
    # when the federal operator exports the log
    response = world.client_for("federal").get(reverse("audit-export"))
    content = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(content)).active
    # then the cells are text, and no sheet holds a formula
    cells = [
        c
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert {c.value for c in cells} == {"=1+2"}  # the action, as label and as code
    assert all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets
        assert not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)


def test_api_lists_scoped_events_with_cursor_pages(world):
    # given an event in every unit
    made = _events(world)
    client = world.client_for("municipal")
    # when the municipal coordinator reads the API
    page = client.get("/api/v1/audit-events/", {"action": "test."}).json()
    # then it sees its three events, newest first, Russian labels included
    ids = [e["id"] for e in page["results"]]
    assert set(ids) == {made["A1"].pk, made["A1a"].pk, made["A1b"].pk}
    assert ids == sorted(ids, reverse=True)
    assert "next" in page
    assert page["results"][0]["role_display"] == "Федеральный оператор"


def test_day_boundaries_are_moscow_days(world):
    # given an event at 23:30 Moscow time yesterday (20:30 UTC, still "yesterday" in UTC too)
    # and one at 00:30 Moscow time today (21:30 UTC yesterday)
    moscow = timezone.get_default_timezone()
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    actor = actor_for_user(world.users["federal"])

    def at(day, hour, minute):
        return timezone.make_aware(datetime.combine(day, time(hour, minute)), moscow)

    with time_machine.travel(at(yesterday, 23, 30)):
        late = audit_record(actor=actor, action="test.late")
    with time_machine.travel(at(today, 0, 30)):
        early = audit_record(actor=actor, action="test.early")
    client = world.client_for("federal")
    # when filtering by yesterday only, and by today only
    on_yesterday = _page_ids(client, date_from=yesterday.isoformat(), date_to=yesterday.isoformat())
    on_today = _page_ids(
        client, date_from=today.isoformat(), date_to=today.isoformat(), action="test."
    )
    # then each event falls on its Moscow day
    assert on_yesterday == {late.pk}
    assert on_today == {early.pk}
