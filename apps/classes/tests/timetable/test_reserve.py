"""Reserve days per class: the school asks for some classes of one work, the regional
coordinator decides, approval moves only the linked classes (the school's day follows the first
class day and keeps the reserve), rejection unlinks them, other classes may join an approved day,
and a class school is refused on the old per-school route.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from apps.campaigns import schedule
from apps.campaigns import services as campaign_services
from apps.campaigns.messages import CampaignError, CampaignInvalidError
from apps.campaigns.models import ReserveDayRequest, SchoolWorkDate
from apps.classes.audit import ClassesAudit
from apps.classes.messages import ClassesError, ClassesInvalidError
from apps.classes.models import ClassWork
from apps.classes.tests.timetable.conftest import (
    KAMCHATKA,
    Works,
    ZonedSchool,
    class_work,
    clock,
    school_class,
)
from apps.classes.timetable import selectors, services
from apps.core.models import AuditEvent
from apps.registration.access import Actor, actor_for_user
from apps.registration.tests.factories import grant, make_user
from apps.results import selectors as result_selectors

ONE = dt.timedelta(days=1)
JSON = "application/json"


@pytest.fixture
def regional(kamchatka: ZonedSchool) -> Actor:
    """The regional coordinator of the Kamchatka school's region (decides its reserve days)."""
    user = make_user("t_reserve_regional", "Test-Password-2026")
    grant(user, "regional", kamchatka.school.region)
    return actor_for_user(user)


def _before(works: Works) -> Any:
    """Five days before the period, 09:00 in Kamchatka: every day of the period is still open."""
    return time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False)


def _four(works: Works, school: Any, work: Any, days: dict[str, dt.date | None]) -> dict[str, Any]:
    """Classes 4А, 4Б, … of the school writing ``work``, each on its day (or none)."""
    return {
        letter: class_work(school_class(works, school, 4, letter, n), work, date=day)
        for n, (letter, day) in enumerate(days.items(), start=1)
    }


def _ask(who: ZonedSchool, works: Works, rows: list[Any], day: dt.date) -> ReserveDayRequest:
    return services.class_reserve_request(
        actor=who.actor,
        school_id=who.school.pk,
        work_id=works.math4.pk,
        class_work_ids=[r.pk for r in rows],
        day=day,
        reason="Карантин в классах",
    )


def _decide(actor: Actor, req: ReserveDayRequest, verdict: str) -> ReserveDayRequest:
    comment = "Нет оснований" if verdict == "rejected" else ""
    return campaign_services.reserve_day_decide(
        actor=actor, request_id=req.pk, verdict=verdict, comment=comment
    )


def _school_day(school: Any, work: Any) -> SchoolWorkDate:
    return SchoolWorkDate.objects.get(school=school, work=work)


@pytest.mark.django_db
def test_a_request_links_the_chosen_classes_and_stores_their_labels(
    kamchatka: ZonedSchool, works: Works
) -> None:
    # given 4А and 4Б writing Математика inside the period, 4В without a day
    inside = works.start + 2 * ONE
    rows = _four(works, kamchatka.school, works.math4, {"А": inside, "Б": inside, "В": None})
    reserve_day = works.end + 3 * ONE
    with _before(works):
        # when the organizer asks for a reserve day for 4А and 4В
        req = _ask(kamchatka, works, [rows["В"], rows["А"]], reserve_day)
    # then one pending request of the school names the two classes (by grade and number)
    assert (req.status, req.requested_date, req.classes) == ("pending", reserve_day, "4А, 4В")
    assert req.school_id == kamchatka.school.pk
    # and exactly those class works are linked to it, their days unchanged until the decision
    linked = {cw.school_class.label: cw for cw in ClassWork.objects.filter(reserve=req)}
    assert sorted(linked) == ["4А", "4В"]
    assert (linked["4А"].date, linked["4В"].date) == (inside, None)
    assert ClassWork.objects.get(pk=rows["Б"].pk).reserve_id is None
    # and the campaigns' audit row of the request names the classes
    event = AuditEvent.objects.get(action="reserve_day.request")
    assert event.details["classes"] == "4А, 4В"


@pytest.mark.django_db
def test_request_rules_refuse_and_link_nothing(
    kamchatka: ZonedSchool, works: Works, world: Any
) -> None:
    # given 4А and 4Б with Математика, 4А's Русский язык, and a class of another school
    rows = _four(works, kamchatka.school, works.math4, {"А": None, "Б": None})
    russian = class_work(rows["А"].school_class, works.russian4)
    foreign = class_work(school_class(works, world.schools["A1a"], 4, "А", 1), works.math4)
    after = works.end + 3 * ONE
    with _before(works):
        # when the organizer asks with no class, inside the period, for a past day, for a class
        # of another work, for a class of another school, and then twice for the same work
        with pytest.raises(ClassesInvalidError) as empty:
            _ask(kamchatka, works, [], after)
        with pytest.raises(CampaignInvalidError) as inside:
            _ask(kamchatka, works, [rows["А"]], works.start + ONE)
        with pytest.raises(CampaignInvalidError) as past:
            _ask(kamchatka, works, [rows["А"]], works.start - 10 * ONE)
        with pytest.raises(ClassesInvalidError) as other_work:
            _ask(kamchatka, works, [rows["А"], russian], after)
        with pytest.raises(ClassWork.DoesNotExist):
            _ask(kamchatka, works, [rows["А"], foreign], after)
        first = _ask(kamchatka, works, [rows["А"]], after)
        with pytest.raises(CampaignError) as second:
            _ask(kamchatka, works, [rows["Б"]], after + ONE)
    # then each is refused with its reason in Russian
    assert empty.value.code == "reserve_no_classes"
    assert inside.value.code == "reserve_inside_period"
    assert past.value.code == "date_in_past"
    assert other_work.value.code == "reserve_other_work"
    assert "4А" in other_work.value.message
    assert second.value.code == "reserve_pending_exists"
    # and only the one accepted request exists, linking only its class
    assert list(ReserveDayRequest.objects.values_list("pk", flat=True)) == [first.pk]
    assert list(ClassWork.objects.filter(reserve__isnull=False)) == [rows["А"]]


@pytest.mark.django_db
def test_approval_moves_only_the_linked_classes_and_the_school_day_stays_the_first(
    kamchatka: ZonedSchool, works: Works, regional: Actor
) -> None:
    # given 4А on the 3rd day of the period and 4Б on the 4th, the school's day the 3rd
    first, second = works.start + 2 * ONE, works.start + 3 * ONE
    rows = _four(works, kamchatka.school, works.math4, {"А": None, "Б": None})
    reserve_day = works.end + 3 * ONE
    with _before(works):
        services.class_work_date_set(actor=kamchatka.actor, class_work_id=rows["А"].pk, date=first)
        services.class_work_date_set(actor=kamchatka.actor, class_work_id=rows["Б"].pk, date=second)
        req = _ask(kamchatka, works, [rows["Б"]], reserve_day)
        # when the regional coordinator approves 4Б's reserve day
        _decide(regional, req, "approved")
    # then 4Б writes on the reserve day, linked to it; 4А keeps its day
    a, b = (ClassWork.objects.get(pk=rows[k].pk) for k in "АБ")
    assert (a.date, a.reserve_id) == (first, None)
    assert (b.date, b.reserve_id) == (reserve_day, req.pk)
    # and the school's day is still the first class day, not a reserve day
    row = _school_day(kamchatka.school, works.math4)
    assert (row.date, row.reserve_id) == (first, None)
    # and 4Б's move is audited as a class day with the reserve's id
    event = AuditEvent.objects.filter(action=ClassesAudit.CLASS_DATE_SET).latest("pk")
    assert (event.details["class"], event.details["date"]) == ("4Б", reserve_day.isoformat())
    assert event.details["reserve_id"] == req.pk
    assert AuditEvent.objects.get(action="reserve_day.decide").details["classes"] == "4Б"


@pytest.mark.django_db
def test_a_reserve_day_that_is_the_first_class_day_is_the_school_day_with_its_reserve(
    kamchatka: ZonedSchool, works: Works, regional: Actor
) -> None:
    # given 4А and 4Б on the 3rd day of the period
    inside = works.start + 2 * ONE
    rows = _four(works, kamchatka.school, works.math4, {"А": None, "Б": None})
    early = works.start - 2 * ONE  # a reserve day before the period
    with _before(works):
        services.class_works_date_set_for_grade(
            actor=kamchatka.actor,
            school_id=kamchatka.school.pk,
            work_id=works.math4.pk,
            date=inside,
        )
        req = _ask(kamchatka, works, [rows["А"]], early)
        # when the coordinator approves 4А's reserve day before the period
        _decide(regional, req, "approved")
    # then 4А writes first, on the reserve day, and the school's day is that day with its reserve
    assert ClassWork.objects.get(pk=rows["А"].pk).date == early
    row = _school_day(kamchatka.school, works.math4)
    assert (row.date, row.reserve_id) == (early, req.pk)
    # and the release instants go by the reserve day (first) and 4Б's day (last)
    with _before(works):
        plan = selectors.timetable(actor=kamchatka.actor, school_id=kamchatka.school.pk)
    expected = schedule.instants(works.math4, KAMCHATKA, early, last=inside)
    assert {r.instants for r in plan.rows} == {expected}


@pytest.mark.django_db
def test_rejection_unlinks_the_classes_and_leaves_their_days(
    kamchatka: ZonedSchool, works: Works, regional: Actor
) -> None:
    # given 4А on the 3rd day of the period asking for a reserve day
    inside = works.start + 2 * ONE
    rows = _four(works, kamchatka.school, works.math4, {"А": None})
    with _before(works):
        services.class_work_date_set(actor=kamchatka.actor, class_work_id=rows["А"].pk, date=inside)
        req = _ask(kamchatka, works, [rows["А"]], works.end + 2 * ONE)
        # when the coordinator rejects it
        _decide(regional, req, "rejected")
        plan = selectors.timetable(actor=kamchatka.actor, school_id=kamchatka.school.pk)
    # then 4А is unlinked and keeps its day; the school's day is unchanged
    a = ClassWork.objects.get(pk=rows["А"].pk)
    assert (a.date, a.reserve_id) == (inside, None)
    row = _school_day(kamchatka.school, works.math4)
    assert (row.date, row.reserve_id) == (inside, None)
    # and the timetable shows the class's rejected request, the request itself still names 4А
    [shown] = plan.rows
    assert shown.reserve == req
    assert shown.reserve is not None
    assert shown.reserve.get_status_display() == "отклонено"
    [listed] = plan.reserve_requests
    assert (listed.request.classes, listed.class_work_ids) == ("4А", [])


@pytest.mark.django_db
def test_other_classes_join_an_approved_day_and_leave_it_unlinked(
    kamchatka: ZonedSchool, works: Works, regional: Actor
) -> None:
    # given 4А's approved reserve day after the period, 4Б and 4В inside the period
    inside = works.start + 2 * ONE
    rows = _four(works, kamchatka.school, works.math4, {"А": inside, "Б": inside, "В": inside})
    reserve_day = works.end + 3 * ONE
    with _before(works):
        req = _ask(kamchatka, works, [rows["А"]], reserve_day)
        _decide(regional, req, "approved")
        # when 4Б takes the reserve day, and another day outside the period is tried for 4В
        joined = services.class_work_date_set(
            actor=kamchatka.actor, class_work_id=rows["Б"].pk, date=reserve_day
        )
        with pytest.raises(ClassesInvalidError) as other_day:
            services.class_work_date_set(
                actor=kamchatka.actor, class_work_id=rows["В"].pk, date=reserve_day + ONE
            )
        # then 4Б is linked to the approved request; the other day is refused
        assert (joined.date, joined.reserve_id) == (reserve_day, req.pk)
        assert other_day.value.code == "date_outside_period"
        # and when 4Б moves back inside the period it is unlinked
        back = services.class_work_date_set(
            actor=kamchatka.actor, class_work_id=rows["Б"].pk, date=inside + ONE
        )
        assert (back.date, back.reserve_id) == (inside + ONE, None)
        # and one day for all the classes may be the approved reserve day
        services.class_works_date_set_for_grade(
            actor=kamchatka.actor,
            school_id=kamchatka.school.pk,
            work_id=works.math4.pk,
            date=reserve_day,
        )
    assert set(ClassWork.objects.values_list("date", "reserve_id")) == {(reserve_day, req.pk)}
    # and the school's day is the reserve day, with its reserve
    row = _school_day(kamchatka.school, works.math4)
    assert (row.date, row.reserve_id) == (reserve_day, req.pk)


@pytest.mark.django_db
def test_the_freeze_still_holds_on_an_approved_reserve_day(
    kamchatka: ZonedSchool, works: Works, regional: Actor
) -> None:
    # given 4А's approved reserve day and 4Б without a day
    rows = _four(works, kamchatka.school, works.math4, {"А": None, "Б": None})
    reserve_day = works.end + 3 * ONE
    with _before(works):
        req = _ask(kamchatka, works, [rows["А"]], reserve_day)
        _decide(regional, req, "approved")
    # when, on the reserve day itself (local), 4Б tries to take it
    with (
        time_machine.travel(clock(reserve_day, 1, KAMCHATKA), tick=False),
        pytest.raises(ClassesError) as caught,
    ):
        services.class_work_date_set(
            actor=kamchatka.actor, class_work_id=rows["Б"].pk, date=reserve_day
        )
    # then the school-day freeze refuses it: the day has begun in the school's zone
    assert caught.value.code == "date_frozen"
    assert ClassWork.objects.get(pk=rows["Б"].pk).date is None


@pytest.mark.django_db
def test_a_class_school_is_refused_on_the_per_school_route(
    kamchatka: ZonedSchool, works: Works
) -> None:
    # given a school whose classes write Математика
    _four(works, kamchatka.school, works.math4, {"А": None})
    after = (works.end + 3 * ONE).isoformat()
    with _before(works):
        # when it asks for a reserve day for the whole school: service, page and API
        with pytest.raises(CampaignError) as caught:
            campaign_services.reserve_day_request(
                actor=kamchatka.actor,
                school_id=kamchatka.school.pk,
                work_id=works.math4.pk,
                day=works.end + 3 * ONE,
                reason="Карантин",
            )
        client = kamchatka.client()
        page = client.post(
            reverse("reserve-day-create", args=[kamchatka.school.pk]),
            {"work": works.math4.pk, "date": after, "reason": "Карантин"},
        )
        api = client.post(
            reverse("api-reserve-days"),
            {
                "school": kamchatka.school.pk,
                "work": works.math4.pk,
                "requested_date": after,
                "reason": "Карантин",
            },
            content_type=JSON,
        )
        # and for a work none of its classes writes (Русский язык) it still may
        allowed = campaign_services.reserve_day_request(
            actor=kamchatka.actor,
            school_id=kamchatka.school.pk,
            work_id=works.russian4.pk,
            day=works.end + 3 * ONE,
            reason="Карантин",
        )
    # then it is refused, pointing to the timetable by class; nothing is asked for the work
    assert caught.value.code == "reserve_by_class"
    assert "План-график ОО по классам" in caught.value.message
    assert "План-график ОО по классам" in page.content.decode()
    assert (api.status_code, api.json()["code"]) == (409, "reserve_by_class")
    assert list(ReserveDayRequest.objects.all()) == [allowed]
    assert allowed.classes == ""


@pytest.mark.django_db
def test_a_late_reserve_day_of_one_class_moves_the_deadline_but_not_an_on_time_release(
    kamchatka: ZonedSchool, works: Works, regional: Actor
) -> None:
    # given 4А inside the period and 4Б on an approved reserve day 3 days after it
    inside = works.start + 2 * ONE
    rows = _four(works, kamchatka.school, works.math4, {"А": inside, "Б": inside})
    late = works.end + 3 * ONE
    with _before(works):
        req = _ask(kamchatka, works, [rows["Б"]], late)
        _decide(regional, req, "approved")
        # when the timetable and the results upload window are read
        plan = selectors.timetable(actor=kamchatka.actor, school_id=kamchatka.school.pk)
        window = result_selectors.upload_window(
            actor=kamchatka.actor, school=kamchatka.school, work=works.math4, sheet=None
        )
    work = works.math4
    # then the upload deadline moves by the 3 days of the last class day
    moved_deadline = work.results_upload_deadline + 3 * ONE
    assert {r.upload_last_day for r in plan.rows} == {moved_deadline}
    assert window.deadline_at == schedule.upload_deadline_at(work, KAMCHATKA, inside, last=late)
    assert window.deadline_day == moved_deadline
    # and the release moves too while nothing (or a late upload) came in
    assert {r.instants.release_at for r in plan.rows} == {
        schedule.at_local(work.results_release_date + 3 * ONE, dt.time(0), KAMCHATKA)
    }
    # but a school that uploaded by the plan-graph deadline keeps the plan-graph release date
    on_time = schedule.plan_upload_deadline_at(work, KAMCHATKA) - dt.timedelta(hours=1)
    assert schedule.release_at(work, KAMCHATKA, inside, on_time, last=late) == schedule.at_local(
        work.results_release_date, dt.time(0), KAMCHATKA
    )
