"""The print planner's and the packets' API and pages: the plan as JSON, the build request, the
gated download with the documented error, the page «Что печатать», the schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from apps.core.models import AuditEvent
from apps.schoolday.models import Packet
from apps.schoolday.tests.test_packets import build_day
from conftest import World


def _on_the_day(day: Any) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day.date, dt.time(8, 0)))


@pytest.mark.django_db
def test_the_plan_api_gives_the_rooms_and_the_total(world: World) -> None:
    # given the placed day of the school
    day = build_day(world.schools["A1a"])
    client = world.client_for("school_tech")
    # when the print plan is asked for
    response = client.get(reverse("api-schoolday-print-plan", args=[day.school.pk]))
    # then each room and the total carry the hand counts and the stated assumptions
    assert response.status_code == 200
    body = response.json()
    assert body["assumptions"]["draft_sheets_per_participant"] == 2
    assert body["assumptions"]["toner_coverage_percent"] == 5
    (plan,) = body["days"]
    assert (plan["work_id"], plan["date"]) == (day.work.pk, day.date.isoformat())
    assert plan["kit_pages"] == 7
    rooms = {r["room"]: r for r in plan["rooms"]}
    assert {name: r["line"]["participants"] for name, r in rooms.items()} == {
        "Кабинет 1": 14,
        "Кабинет 2": 15,
        "Кабинет 3": 16,
    }
    assert rooms["Кабинет 2"]["organizer"] == "Организатор Аудиторный-2"
    assert rooms["Кабинет 2"]["packet"]["state"] == "none"
    total = plan["total"]
    assert (total["kits"], total["drafts"], total["return_packets"]) == (45, 90, 6)
    assert (total["printed_pages"], total["sheets"]) == (327, 417)
    assert plan["released"] is False
    assert plan["available_from"] is not None


@pytest.mark.django_db
def test_the_build_api_queues_reports_progress_and_the_download_opens(
    world: World, django_capture_on_commit_callbacks: Any, time_machine: Any
) -> None:
    # given the placed day
    day = build_day(world.schools["A1a"])
    client = world.client_for("school_organizer")
    url = reverse("api-schoolday-packets", args=[day.school.pk])
    # when the school asks to build the day's packets (jobs run after commit)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"work_id": day.work.pk, "date": day.date.isoformat()},
            content_type="application/json",
        )
    # then three are queued (the answer is given before the jobs run) ...
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["queued"], body["up_to_date"]) == (3, 0)
    assert (body["day"]["ready"], body["day"]["rooms_to_build"]) == (0, 3)
    assert {r["packet"]["state"] for r in body["day"]["rooms"]} == {"queued"}
    # ... and once built, the day reports full progress
    state = client.get(url, {"work": day.work.pk, "date": day.date.isoformat()}).json()
    (plan,) = state["days"]
    assert (plan["ready"], plan["progress_percent"]) == (3, 100)
    # before the release instant a packet is listed without a link and refused with the
    # documented error
    packet = plan["rooms"][0]["packet"]
    assert packet["state"] == "ready"
    assert packet["download_url"] is None
    refused = client.get(reverse("api-schoolday-packet-download", args=[packet["id"]]))
    assert refused.status_code == 409
    error = refused.json()
    assert error["code"] == "packet_not_released"
    assert error["detail"].startswith("Доставочный пакет: откроется ")
    assert error["context"]["available_from"] == plan["available_from"].replace("Z", "+00:00")
    # and on the day the link is given and the PDF is streamed
    time_machine.move_to(_on_the_day(day), tick=False)
    state = client.get(url).json()
    link = state["days"][0]["rooms"][0]["packet"]["download_url"]
    assert link.endswith(reverse("api-schoolday-packet-download", args=[packet["id"]]))
    served = client.get(link)
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content).startswith(b"%PDF-")
    assert "attachment" in served["Content-Disposition"]
    assert served["Cache-Control"] == "private, no-store"
    assert AuditEvent.objects.filter(action="schoolday.packet_download").count() == 1


@pytest.mark.django_db
def test_a_build_request_without_work_or_day_is_refused(world: World) -> None:
    # given the school's own specialist
    school = world.schools["A1a"]
    client = world.client_for("school_tech")
    url = reverse("api-schoolday-packets", args=[school.pk])
    # when the build request names no day or a malformed one
    empty = client.post(url, {}, content_type="application/json")
    malformed = client.post(url, {"work_id": 1, "date": "завтра"}, content_type="application/json")
    # then both are 400 in the documented shape and nothing is built
    assert empty.status_code == 400
    assert malformed.status_code == 400
    assert malformed.json()["code"] == "packet_day_required"
    assert not Packet.objects.exists()


@pytest.mark.django_db
def test_the_page_shows_the_plan_and_builds_the_packets(
    world: World, django_capture_on_commit_callbacks: Any, time_machine: Any
) -> None:
    # given the placed day
    day = build_day(world.schools["A1a"])
    client = world.client_for("school_organizer")
    page = reverse("schoolday-print", args=[day.school.pk])
    # when the school opens «Что печатать»
    response = client.get(page)
    # then the day's rooms, organizers and totals are shown with the build button
    text = response.content.decode()
    assert response.status_code == 200
    assert "Что печатать" in text
    assert "Организатор Аудиторный-3" in text
    assert "<strong>327</strong> стр. на <strong>417</strong> листах" in text
    assert "Собрать пакеты" in text
    # when it presses the button
    with django_capture_on_commit_callbacks(execute=True):
        built = client.post(
            reverse("schoolday-packets-build", args=[day.school.pk]),
            {"work": day.work.pk, "date": day.date.isoformat()},
            follow=True,
        )
    # then it is back on the day with the packets built, downloadable on the day
    assert "Пакеты поставлены в очередь на сборку: 3." in built.content.decode()
    assert Packet.objects.filter(status=Packet.Status.READY).count() == 3
    assert "Скачать PDF" not in built.content.decode()
    time_machine.move_to(_on_the_day(day), tick=False)
    later = client.get(page, {"work": day.work.pk, "date": day.date.isoformat()}).content.decode()
    packet = Packet.objects.get(sitting=day.sittings["Кабинет 1"])
    assert reverse("schoolday-packet-download", args=[packet.pk]) in later
    served = client.get(reverse("schoolday-packet-download", args=[packet.pk]))
    assert served.status_code == 200
    assert "attachment" in served["Content-Disposition"]


@pytest.mark.django_db
def test_the_page_refuses_a_packet_before_its_release_in_russian(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # given built packets before the publication of the materials
    day = build_day(world.schools["A1a"])
    client = world.client_for("school_organizer")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("schoolday-packets-build", args=[day.school.pk]),
            {"work": day.work.pk, "date": day.date.isoformat()},
        )
    packet = Packet.objects.get(sitting=day.sittings["Кабинет 1"])
    # when the download link is opened anyway
    response = client.get(reverse("schoolday-packet-download", args=[packet.pk]))
    # then the Russian refusal says when it opens
    assert response.status_code == 409
    assert "Доставочный пакет: откроется" in response.content.decode()


def test_the_schema_lists_the_planner_and_packet_endpoints() -> None:
    # given the generated OpenAPI schema
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    # then the planner, the packets (state and build) and the download are documented
    plan = paths["/api/v1/schoolday/schools/{school_id}/print-plan/"]
    packets = paths["/api/v1/schoolday/schools/{school_id}/packets/"]
    download = paths["/api/v1/schoolday/packets/{id}/download/"]
    assert "get" in plan
    assert {"get", "post"} <= set(packets)
    assert "202" in packets["post"]["responses"]
    assert "409" in download["get"]["responses"]
