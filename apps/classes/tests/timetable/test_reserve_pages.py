"""Reserve days per class and a coordinator's move of a class day through the pages and the API:
the school asks from its timetable and sees each class's status, the regional coordinator's list
names the classes, a coordinator gets a move form per row, another region's coordinator gets
404, and the endpoints are in the OpenAPI schema.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from apps.campaigns import services as campaign_services
from apps.campaigns.models import ReserveDayRequest
from apps.classes.audit import ClassesAudit
from apps.classes.models import ClassWork
from apps.classes.tests.timetable.conftest import (
    KAMCHATKA,
    Works,
    ZonedSchool,
    class_work,
    clock,
    school_class,
)
from apps.core.models import AuditEvent
from apps.registration.access import actor_for_user
from apps.registration.tests.factories import grant, make_user

ONE = dt.timedelta(days=1)
JSON = "application/json"


def _user(role: str, unit: Any, login: str) -> Any:
    user = make_user(login, "Test-Password-2026")
    grant(user, role, unit)
    return user


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _before(works: Works) -> Any:
    return time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False)


def _classes(works: Works, who: ZonedSchool) -> dict[str, ClassWork]:
    return {
        letter: class_work(school_class(works, who.school, 4, letter, n), works.math4)
        for n, letter in enumerate("АБВ", start=1)
    }


@pytest.mark.django_db
def test_the_school_asks_from_its_timetable_and_sees_each_class_status(
    kamchatka: ZonedSchool, works: Works
) -> None:
    # given 4А, 4Б and 4В with Математика
    rows = _classes(works, kamchatka)
    url = reverse("class-timetable", args=[kamchatka.school.pk])
    reserve_day = works.end + 3 * ONE
    with _before(works):
        client = kamchatka.client()
        # when the organizer opens the page, it offers the request with a checkbox per class
        before = client.get(url).content.decode()
        # and it asks for 4А and 4В
        posted = client.post(
            reverse("class-timetable-reserve", args=[kamchatka.school.pk]),
            {
                "work": works.math4.pk,
                "class_work": [rows["А"].pk, rows["В"].pk],
                "date": reserve_day.isoformat(),
                "reason": "Карантин",
            },
            follow=True,
        )
        # and once more with no class marked
        empty = client.post(
            reverse("class-timetable-reserve", args=[kamchatka.school.pk]),
            {"work": works.math4.pk, "date": reserve_day.isoformat(), "reason": "Карантин"},
            follow=True,
        )
    # then the form was there, with each class to mark
    assert "Запросить резервный день" in before
    assert before.count('type="checkbox" name="class_work"') == 3
    # and the request is sent for the two classes, and the page shows it with their status
    html = posted.content.decode()
    assert "отправлен региональному координатору" in html
    assert "4А, 4В" in html
    assert html.count(f"резервный день {reserve_day:%d.%m.%Y}: на рассмотрении") == 2
    req = ReserveDayRequest.objects.get()
    assert set(ClassWork.objects.filter(reserve=req).values_list("pk", flat=True)) == {
        rows["А"].pk,
        rows["В"].pk,
    }
    # and the empty one is refused in Russian, nothing more asked
    assert "Отметьте классы" in empty.content.decode()
    assert ReserveDayRequest.objects.count() == 1


@pytest.mark.django_db
def test_the_regional_list_names_the_classes_and_the_decision_reaches_the_timetable(
    kamchatka: ZonedSchool, works: Works
) -> None:
    # given the school's request for 4Б
    rows = _classes(works, kamchatka)
    regional = _user("regional", kamchatka.school.region, "t_pages_regional")
    reserve_day = works.end + 3 * ONE
    with _before(works):
        kamchatka.client().post(
            reverse("class-timetable-reserve", args=[kamchatka.school.pk]),
            {
                "work": works.math4.pk,
                "class_work": [rows["Б"].pk],
                "date": reserve_day.isoformat(),
                "reason": "Карантин",
            },
        )
        req = ReserveDayRequest.objects.get()
        # when the regional coordinator reads its list and the request, and approves it
        client = _client(regional)
        listing = client.get(reverse("reserve-day-list")).content.decode()
        detail = client.get(reverse("reserve-day-detail", args=[req.pk])).content.decode()
        client.post(reverse("reserve-day-decide", args=[req.pk]), {"verdict": "approved"})
        page = kamchatka.client().get(reverse("class-timetable", args=[kamchatka.school.pk]))
    # then both name the class asking
    assert "классы: <strong>4Б</strong>" in listing
    assert "<strong>4Б</strong>" in detail
    # and the school's timetable shows 4Б on the approved reserve day
    html = page.content.decode()
    assert f"резервный день {reserve_day:%d.%m.%Y}: согласовано" in html
    assert ClassWork.objects.get(pk=rows["Б"].pk).date == reserve_day


@pytest.mark.django_db
def test_the_api_asks_lists_and_refuses_with_codes(kamchatka: ZonedSchool, works: Works) -> None:
    # given 4А and 4Б with Математика
    rows = _classes(works, kamchatka)
    url = reverse("api-class-reserve-days", args=[kamchatka.school.pk])
    reserve_day = works.end + 3 * ONE
    body = {
        "work": works.math4.pk,
        "class_works": [rows["Б"].pk, rows["А"].pk],
        "requested_date": reserve_day.isoformat(),
        "reason": "Карантин",
    }
    with _before(works):
        client = kamchatka.client()
        # when the organizer asks through the API, lists, and asks again with no class
        created = client.post(url, body, content_type=JSON)
        listed = client.get(url)
        empty = client.post(url, {**body, "class_works": []}, content_type=JSON)
        timetable = client.get(reverse("api-class-timetable", args=[kamchatka.school.pk]))
    # then the request is created for the classes, linked, and listed
    assert created.status_code == 201
    out = created.json()
    assert (out["classes"], out["decision"]) == ("4А, 4Б", "pending")
    assert out["class_works"] == [rows["А"].pk, rows["Б"].pk]
    assert [r["id"] for r in listed.json()] == [out["id"]]
    # and the timetable's rows carry the request
    by_id = {r["id"]: r for r in timetable.json()["class_works"]}
    assert by_id[rows["А"].pk]["reserve"] == {
        "id": out["id"],
        "requested_date": reserve_day.isoformat(),
        "decision": "pending",
    }
    assert by_id[rows["В"].pk]["reserve"] is None
    # and no class is a bad request with a Russian message
    assert empty.status_code == 400
    assert "Отметьте классы" in str(empty.json())


@pytest.mark.django_db
def test_a_coordinator_moves_a_class_day_from_the_page_and_the_api(
    kamchatka: ZonedSchool, works: Works
) -> None:
    # given 4А and 4Б on days of the period, and the school's municipal coordinator
    rows = _classes(works, kamchatka)
    day = works.start + 2 * ONE
    ClassWork.objects.filter(pk__in=[rows["А"].pk, rows["Б"].pk]).update(date=day)
    municipal = _user("municipal", kamchatka.school.municipality, "t_pages_municipal")
    url = reverse("class-timetable", args=[kamchatka.school.pk])
    with _before(works):
        client = _client(municipal)
        # when it comes from the school's class register to its timetable, moves 4А on the page
        # and 4Б through the API
        register = client.get(reverse("class-register", args=[kamchatka.school.pk]))
        page = client.get(url).content.decode()
        moved = client.post(
            reverse("class-timetable-move", args=[kamchatka.school.pk]),
            {"class_work": rows["А"].pk, "date": (day + ONE).isoformat(), "reason": "Ремонт"},
            follow=True,
        )
        api = client.post(
            reverse("api-class-work-move", args=[rows["Б"].pk]),
            {"date": (day + 2 * ONE).isoformat(), "reason": "Ремонт"},
            content_type=JSON,
        )
        no_reason = client.post(
            reverse("api-class-work-move", args=[rows["Б"].pk]),
            {"date": (day + 3 * ONE).isoformat(), "reason": ""},
            content_type=JSON,
        )
        school_page = kamchatka.client().get(url).content.decode()
        school_api = kamchatka.client().post(
            reverse("api-class-work-move", args=[rows["Б"].pk]),
            {"date": (day + 3 * ONE).isoformat(), "reason": "Ремонт"},
            content_type=JSON,
        )
    # then the register links the timetable, which gives a move form per row (no school forms)
    assert f'href="{url}?campaign=' in register.content.decode()
    assert page.count("Перенести</button>") == 3
    assert "Запросить резервный день</button>" not in page
    # and both classes moved, each audited with the reason
    assert "День проведения перенесён: 4А" in moved.content.decode()
    assert api.status_code == 200
    assert api.json()["date"] == (day + 2 * ONE).isoformat()
    assert [ClassWork.objects.get(pk=rows[k].pk).date for k in "АБ"] == [day + ONE, day + 2 * ONE]
    events = AuditEvent.objects.filter(action=ClassesAudit.CLASS_DATE_MOVE)
    assert sorted(e.details["class"] for e in events) == ["4А", "4Б"]
    assert {e.details["reason"] for e in events} == {"Ремонт"}
    # and a move without a reason is a bad request; the school has neither the form nor the action
    assert no_reason.status_code == 400
    assert "причину" in str(no_reason.json())
    assert "Перенести</button>" not in school_page
    assert school_api.status_code == 403


@pytest.mark.django_db
def test_another_regions_coordinator_gets_404_everywhere(
    kamchatka: ZonedSchool, works: Works, world: Any
) -> None:
    # given a class of the Kamchatka school and the world's coordinators of region A
    rows = _classes(works, kamchatka)
    with _before(works):
        for role in ("regional", "municipal"):
            client = world.client_for(role)
            # when they open the school's timetable, move its class, or read its requests
            page = client.get(reverse("class-timetable", args=[kamchatka.school.pk]))
            post = client.post(
                reverse("class-timetable-move", args=[kamchatka.school.pk]),
                {"class_work": rows["А"].pk, "date": works.start.isoformat(), "reason": "Ремонт"},
            )
            api = client.post(
                reverse("api-class-work-move", args=[rows["А"].pk]),
                {"date": works.start.isoformat(), "reason": "Ремонт"},
                content_type=JSON,
            )
            listed = client.get(reverse("api-class-reserve-days", args=[kamchatka.school.pk]))
            # then each is as good as missing
            assert [page.status_code, post.status_code, api.status_code] == [404, 404, 404]
            assert listed.status_code == 404
    assert ClassWork.objects.get(pk=rows["А"].pk).date is None


@pytest.mark.django_db
def test_the_endpoints_are_in_the_openapi_schema(db: Any) -> None:
    # when the schema is generated
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    # then the request, the list and the move are documented with their bodies and errors
    reserve = paths["/api/v1/classes/schools/{school_id}/timetable/reserve-days/"]
    move = paths["/api/v1/classes/class-works/{id}/move/"]
    assert set(reserve) >= {"get", "post"}
    assert {"201", "400", "404", "409"} <= set(reserve["post"]["responses"])
    assert {"200", "400", "404", "409"} <= set(move["post"]["responses"])
    body = schema["components"]["schemas"]["ClassWorkMoveInputRequest"]
    assert set(body["required"]) == {"date", "reason"}
    decided = schema["components"]["schemas"]["ReserveDayOutput"]["properties"]
    assert "classes" in decided


@pytest.mark.django_db
def test_the_school_organizer_of_the_world_cannot_decide_for_itself(
    kamchatka: ZonedSchool, works: Works
) -> None:
    # given the Kamchatka school's request for 4А
    rows = _classes(works, kamchatka)
    with _before(works):
        client = kamchatka.client()
        client.post(
            reverse("api-class-reserve-days", args=[kamchatka.school.pk]),
            {
                "work": works.math4.pk,
                "class_works": [rows["А"].pk],
                "requested_date": (works.end + ONE).isoformat(),
                "reason": "Карантин",
            },
            content_type=JSON,
        )
        req = ReserveDayRequest.objects.get()
        # when the school itself tries to approve it
        denied = client.post(
            reverse("api-reserve-day-decisions"),
            {"request": req.pk, "verdict": "approved"},
            content_type=JSON,
        )
        # and the regional coordinator of another region does through the service
        stranger = _user("regional", _other_region(), "t_pages_stranger")
        with pytest.raises(ReserveDayRequest.DoesNotExist):
            campaign_services.reserve_day_decide(
                actor=actor_for_user(stranger), request_id=req.pk, verdict="approved"
            )
    # then neither decides; 4А stays linked to the pending request without a day
    assert denied.status_code == 403
    a = ClassWork.objects.get(pk=rows["А"].pk)
    assert (a.reserve_id, a.date) == (req.pk, None)


def _other_region() -> Any:
    from apps.registration.tests.factories import RegionFactory

    return RegionFactory()
