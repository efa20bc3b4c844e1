"""The timetable by class in the API: the list with UTC instants and the zone, a day, a form, one
day for all classes of a work, and the PDF."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from apps.campaigns import schedule
from apps.classes.models import ClassWork
from apps.classes.tests.timetable.conftest import (
    KAMCHATKA,
    Works,
    ZonedSchool,
    class_work,
    clock,
    school_class,
)
from conftest import World

ONE = dt.timedelta(days=1)
JSON = "application/json"


def _instant(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.mark.django_db
def test_the_list_gives_each_class_work_with_its_day_and_utc_instants(
    kamchatka: ZonedSchool, works: Works
) -> None:
    # given 8А's encrypted Математика on a chosen day
    day = works.start + 2 * ONE
    cw = class_work(school_class(works, kamchatka.school, 8, "А", 1), works.math8, date=day)
    with time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False):
        # when the organizer reads the timetable through the API
        response = kamchatka.client().get(
            reverse("api-class-timetable", args=[kamchatka.school.pk])
        )
    # then it gives the school's zone and the row with its day and the plan-graph's instants
    assert response.status_code == 200
    body = response.json()
    assert (body["time_zone"], body["moscow_offset"]) == (KAMCHATKA, "МСК+9")
    assert body["campaign"] == works.campaign.pk
    [row] = body["class_works"]
    assert (row["id"], row["class_label"], row["date"]) == (cw.pk, "8А", day.isoformat())
    expected = schedule.instants(works.math8, KAMCHATKA, day)
    assert _instant(row["password_release_at"]) == expected.password_release_at
    assert _instant(row["materials_available_at"]) == expected.materials_available_at
    assert _instant(row["criteria_available_at"]) == expected.criteria_available_at
    assert row["frozen"] is False


@pytest.mark.django_db
def test_a_day_and_a_form_are_set_and_bad_ones_refused_with_codes(
    kamchatka: ZonedSchool, works: Works
) -> None:
    # given 4А with Русский язык (paper only)
    cw = class_work(school_class(works, kamchatka.school, 4, "А", 1), works.russian4)
    date_url = reverse("api-class-work-date", args=[cw.pk])
    form_url = reverse("api-class-work-form", args=[cw.pk])
    day = works.start + ONE
    with time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False):
        client = kamchatka.client()
        # when the organizer sets a day, then one outside the period, then the computer form
        ok = client.post(date_url, {"date": day.isoformat()}, content_type=JSON)
        outside = client.post(date_url, {"date": (works.end + ONE).isoformat()}, content_type=JSON)
        garbled = client.post(date_url, {"date": "завтра"}, content_type=JSON)
        computer = client.post(form_url, {"form": "computer"}, content_type=JSON)
    # then the day is saved, and the others are refused with their codes in Russian
    assert ok.status_code == 200
    assert ok.json()["date"] == day.isoformat()
    assert (outside.status_code, outside.json()["code"]) == (400, "date_outside_period")
    assert "4А" in outside.json()["detail"]
    assert garbled.status_code == 400
    assert "ГГГГ-ММ-ДД" in str(garbled.json())
    assert (computer.status_code, computer.json()["code"]) == (400, "form_not_allowed")
    cw.refresh_from_db()
    assert (cw.date, cw.form) == (day, ClassWork.Form.PAPER)


@pytest.mark.django_db
def test_a_begun_day_is_refused_with_409(kamchatka: ZonedSchool, works: Works) -> None:
    # given 4А's Математика, at 01:00 local on a day of the period (the day before in UTC)
    cw = class_work(school_class(works, kamchatka.school, 4, "А", 1), works.math4)
    day = works.start + 2 * ONE
    with time_machine.travel(clock(day, 1, KAMCHATKA), tick=False):
        # when the organizer picks that day
        response = kamchatka.client().post(
            reverse("api-class-work-date", args=[cw.pk]),
            {"date": day.isoformat()},
            content_type=JSON,
        )
    # then it is refused: the day has begun in the school's zone
    assert (response.status_code, response.json()["code"]) == (409, "date_frozen")
    cw.refresh_from_db()
    assert cw.date is None


@pytest.mark.django_db
def test_another_school_class_work_answers_404(world: World, works: Works) -> None:
    # given a class work of the sibling school A1b
    other = class_work(school_class(works, world.schools["A1b"], 4, "А", 1), works.math4)
    with time_machine.travel(clock(works.start - 5 * ONE, 9, "Europe/Moscow"), tick=False):
        client = world.client_for("school_organizer")
        # when A1a's organizer sets its day and form, or reads A1b's timetable
        date = client.post(
            reverse("api-class-work-date", args=[other.pk]),
            {"date": works.start.isoformat()},
            content_type=JSON,
        )
        form = client.post(
            reverse("api-class-work-form", args=[other.pk]),
            {"form": "computer"},
            content_type=JSON,
        )
        listing = client.get(reverse("api-class-timetable", args=[world.schools["A1b"].pk]))
    # then all are as good as missing
    assert [date.status_code, form.status_code, listing.status_code] == [404, 404, 404]
    other.refresh_from_db()
    assert (other.date, other.form) == (None, ClassWork.Form.PAPER)


@pytest.mark.django_db
def test_bulk_day_and_pdf(kamchatka: ZonedSchool, works: Works) -> None:
    # given 4А and 4Б with Математика
    for n, letter in enumerate("АБ", start=1):
        class_work(school_class(works, kamchatka.school, 4, letter, n), works.math4)
    day = works.start + 3 * ONE
    with time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False):
        client = kamchatka.client()
        # when the organizer gives both one day, then downloads the plan-graph
        bulk = client.post(
            reverse("api-class-timetable-bulk", args=[kamchatka.school.pk]),
            {"work": works.math4.pk, "date": day.isoformat()},
            content_type=JSON,
        )
        missing = client.post(
            reverse("api-class-timetable-bulk", args=[kamchatka.school.pk]),
            {"work": works.russian4.pk, "date": day.isoformat()},
            content_type=JSON,
        )
        pdf = client.get(reverse("api-class-timetable-pdf", args=[kamchatka.school.pk]))
    # then both classes have the day
    assert bulk.status_code == 200
    assert [(r["class_label"], r["date"]) for r in bulk.json()] == [
        ("4А", day.isoformat()),
        ("4Б", day.isoformat()),
    ]
    # and a work no class writes is a bad request
    assert (missing.status_code, missing.json()["code"]) == (400, "bulk_no_classes")
    # and the plan-graph is a PDF
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
