"""Release gates on every channel, in the school's own zone: the grade-8 password at 07:30
local, archives from their publication date, criteria per the plan-graph; all audited."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from apps.core.models import AuditEvent
from apps.materials.models import Kit
from apps.materials.services import kit_build_request
from apps.materials.tests.factories import SYSTEM, apply, generate, grade8, held, russian4
from apps.registration.tests.factories import (
    MunicipalityFactory,
    RegionFactory,
    SchoolFactory,
    grant,
    make_user,
)

pytestmark = pytest.mark.django_db

ZONES = [
    ("Europe/Kaliningrad", "+02:00"),
    ("Europe/Moscow", "+03:00"),
    ("Asia/Kamchatka", "+12:00"),
]


def _school(zone: str):
    region = RegionFactory(time_zone=zone)
    school = SchoolFactory(municipality=MunicipalityFactory(region=region), time_zone=zone)
    users = {}
    for role, unit in (
        ("school_organizer", school),
        ("regional", region),
        ("municipal", school.municipality),
    ):
        users[role] = make_user(f"{role}_{school.code}", "Test-Password-2026")
        grant(users[role], role, unit)
    return school, users


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _local(day: dt.date, hour: int, minute: int, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(zone))


@pytest.mark.parametrize(("zone", "offset"), ZONES)
def test_grade8_password_opens_at_0730_school_local(zone: str, offset: str) -> None:
    # given a grade-8 kit of a school in ``zone`` holding the work on ``day``
    school, users = _school(zone)
    work = grade8()
    apply(school, work)
    generate(work)
    kit = Kit.objects.get(school=school, work=work)
    day = work.period_start + dt.timedelta(days=2)
    held(school, work, day)
    html_url = reverse("kit-password", args=[kit.pk])
    api_url = reverse("api-kit-password", args=[kit.pk])
    list_url = reverse("api-school-materials", args=[school.pk])
    # when the school asks one minute before 07:30 local time (logged in at that instant: a
    # session opened at today's date may have expired by then)
    with time_machine.travel(_local(day, 7, 29, zone), tick=False):
        organizer = _client(users["school_organizer"])
        page = organizer.get(html_url)
        api = organizer.get(api_url)
        listing = organizer.get(list_url).json()
        regional_early = _client(users["regional"]).get(api_url)
    # then every channel refuses and says when it opens, in the school's offset
    assert page.status_code == 409
    assert "07:30" in page.content.decode()
    assert api.status_code == 409
    assert api.json()["code"] == "not_released"
    assert api.json()["context"]["available_from"] == f"{day.isoformat()}T07:30:00{offset}"
    assert regional_early.status_code == 409
    password_item = next(i for i in listing["items"] if i["item"] == "password")
    assert password_item["status"] == "not_yet"
    assert password_item["available_from"] == f"{day.isoformat()}T07:30:00{offset}"
    assert not AuditEvent.objects.filter(action="materials.password_view").exists()
    # when it asks at 07:30 local time
    with time_machine.travel(_local(day, 7, 30, zone), tick=False):
        organizer = _client(users["school_organizer"])
        page = organizer.get(html_url)
        api = organizer.get(api_url)
        regional = _client(users["regional"]).get(api_url)
        municipal = _client(users["municipal"]).get(api_url)
    # then the page and the API show the password, and the regional coordinator sees it too
    assert page.status_code == 200
    password = api.json()["password"]
    assert len(password) >= 12
    assert password in page.content.decode()
    assert regional.json()["password"] == password
    assert municipal.status_code == 403  # the municipal coordinator has no such action
    # and each view is audited, without the password
    events = AuditEvent.objects.filter(action="materials.password_view")
    assert events.count() == 3
    assert all(password not in str(e.details) for e in events)
    assert {e.school_id for e in events} == {school.pk}


def test_password_without_a_chosen_day_is_not_scheduled() -> None:
    # given a grade-8 kit whose school has not chosen its day
    school, users = _school("Asia/Yekaterinburg")
    work = grade8()
    apply(school, work)
    generate(work)
    kit = Kit.objects.get(school=school)
    # when the password is asked for, even long after the period
    with time_machine.travel(_local(work.period_end, 12, 0, "Asia/Yekaterinburg")):
        api = _client(users["school_organizer"]).get(reverse("api-kit-password", args=[kit.pk]))
    # then it is refused with no opening instant
    assert api.status_code == 409
    assert api.json()["context"]["available_from"] is None


def test_archive_opens_on_its_publication_date_and_downloads_are_audited(
    django_capture_on_commit_callbacks,
) -> None:
    # given a built plain kit of a school in Kamchatka
    zone = "Asia/Kamchatka"
    school, users = _school(zone)
    work = russian4()
    apply(school, work)
    generate(work)
    with django_capture_on_commit_callbacks(execute=True):
        kit_build_request(actor=SYSTEM, work_id=work.pk)
    kit = Kit.objects.get(school=school)
    api_url = reverse("api-kit-archive", args=[kit.pk])
    html_url = reverse("kit-archive", args=[kit.pk])
    publish = work.materials_publish_date
    # when it is asked for one minute before local midnight of the publication date (logged in
    # at each instant: a session opened at today's date may have expired by then)
    with time_machine.travel(_local(publish, 0, 0, zone) - dt.timedelta(minutes=1), tick=False):
        organizer = _client(users["school_organizer"])
        early_api = organizer.get(api_url)
        early_html = organizer.get(html_url)
    # then both channels refuse with the opening instant
    assert early_api.status_code == 409
    assert early_api.json()["context"]["available_from"] == f"{publish.isoformat()}T00:00:00+12:00"
    assert early_html.status_code == 409
    # when it is asked at midnight
    with time_machine.travel(_local(publish, 0, 0, zone), tick=False):
        organizer = _client(users["school_organizer"])
        response = organizer.get(api_url)
        body = b"".join(response.streaming_content)
        listing = organizer.get(reverse("api-school-materials", args=[school.pk])).json()
    # then the archive streams, the criteria are still closed until the period starts
    assert response.status_code == 200
    assert response.streaming
    assert body.startswith(b"PK\x03\x04")
    assert len(body) == kit.archive_size
    statuses = {i["item"]: (i["status"], i["available_from"]) for i in listing["items"]}
    assert statuses["archive"][0] == "available"
    assert statuses["criteria"] == (
        "not_yet",
        f"{work.period_start.isoformat()}T00:00:00+12:00",
    )
    # and the download is audited for the school
    event = AuditEvent.objects.get(action="materials.archive_download")
    assert event.school_id == school.pk
    assert event.username == users["school_organizer"].username


def test_grade8_criteria_open_at_1400_moscow_on_the_school_day() -> None:
    # given a grade-8 kit in Kamchatka (Moscow + 9) held on ``day``
    school, users = _school("Asia/Kamchatka")
    work = grade8()
    apply(school, work)
    generate(work)
    day = work.period_start + dt.timedelta(days=1)
    held(school, work, day)
    # when the school lists its materials
    listing = _client(users["school_organizer"]).get(
        reverse("api-school-materials", args=[school.pk])
    )
    # then the criteria open at 14:00 Moscow, 23:00 local
    criteria = next(i for i in listing.json()["items"] if i["item"] == "criteria")
    assert criteria["available_from"] == f"{day.isoformat()}T23:00:00+12:00"


def test_materials_page_shows_status_and_local_opening_time() -> None:
    # given a grade-8 kit of a Kaliningrad school held on ``day``
    zone = "Europe/Kaliningrad"
    school, users = _school(zone)
    work = grade8()
    apply(school, work)
    generate(work)
    day = work.period_start
    held(school, work, day)
    url = reverse("school-materials", args=[school.pk])
    # when the page is opened the evening before and on the morning (logged in at each instant:
    # a session opened at today's date may have expired by then)
    with time_machine.travel(_local(day, 7, 29, zone), tick=False):
        before = _client(users["school_organizer"]).get(url).content.decode()
    with time_machine.travel(_local(day, 7, 30, zone), tick=False):
        after = _client(users["school_organizer"]).get(url).content.decode()
    # then it shows the local opening time with a countdown first, the password link after
    assert f"{day:%d.%m.%Y} 07:30" in before
    assert "countdown" in before
    assert "Показать пароль" not in before
    assert "Показать пароль" in after
