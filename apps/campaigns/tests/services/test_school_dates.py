"""A school's day: inside the period, or an approved reserve day decided by its own region."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from apps.campaigns import services
from apps.campaigns.messages import CampaignError, CampaignInvalidError
from apps.campaigns.models import ReserveDayRequest, SchoolWorkDate
from apps.campaigns.tests.factories import CampaignFactory, WorkFactory
from apps.core.models import AuditEvent
from apps.registration.access import actor_for_user
from apps.registration.tests.factories import grant, make_user

NOW = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
OUTSIDE = dt.date(2026, 5, 20)  # the period is 11.04–16.05.2026


def regional_of(region: Any, login: str) -> Any:
    user = make_user(login, "Test-Password-2026")
    grant(user, "regional", region)
    return user


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_day_inside_the_period_is_saved_with_scope_copied_from_the_school(kamchatka: Any) -> None:
    # given a work of the current campaign
    work = WorkFactory()
    # when the school picks a day inside the period
    row = services.school_date_set(
        actor=kamchatka.actor,
        school_id=kamchatka.school.pk,
        work_id=work.pk,
        day=dt.date(2026, 4, 15),
    )
    # then it is saved, scoped by the school's region and municipality, and audited
    row.refresh_from_db()
    assert row.date == dt.date(2026, 4, 15)
    assert (row.region_id, row.municipality_id) == (
        kamchatka.school.region_id,
        kamchatka.school.municipality_id,
    )
    assert AuditEvent.objects.filter(
        action="schedule.date_set", school_id=kamchatka.school.pk
    ).exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_day_outside_the_period_is_refused_in_russian(kamchatka: Any) -> None:
    # given a work whose period is 11.04–16.05.2026
    work = WorkFactory()
    # when the school picks 20.05.2026 without a reserve day
    with pytest.raises(CampaignInvalidError) as caught:
        services.school_date_set(
            actor=kamchatka.actor, school_id=kamchatka.school.pk, work_id=work.pk, day=OUTSIDE
        )
    # then it is refused with a Russian message naming the period, and nothing is saved
    assert caught.value.code == "date_outside_period"
    assert "вне периода" in caught.value.message
    assert "11.04.2026 — 16.05.2026" in caught.value.message
    assert "резервный день" in caught.value.message
    assert not SchoolWorkDate.objects.exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_an_approved_reserve_day_becomes_the_school_day(kamchatka: Any) -> None:
    # given a school's reserve-day request for a day outside the period
    work = WorkFactory()
    req = services.reserve_day_request(
        actor=kamchatka.actor,
        school_id=kamchatka.school.pk,
        work_id=work.pk,
        day=OUTSIDE,
        reason="Карантин в 4 «А» классе",
    )
    # when the regional coordinator of the school's region approves it
    coordinator = actor_for_user(regional_of(kamchatka.school.region, "t_reg_own"))
    services.reserve_day_decide(
        actor=coordinator, request_id=req.pk, verdict="approved", comment="Согласовано"
    )
    # then the reserve day is the school's day for the work
    row = SchoolWorkDate.objects.get(school=kamchatka.school, work=work)
    assert row.date == OUTSIDE
    assert row.reserve_id == req.pk
    req.refresh_from_db()
    assert req.status == ReserveDayRequest.Status.APPROVED
    assert req.decided_by is not None
    # and the school itself may now pick that day again (it is an approved reserve day)
    again = services.school_date_set(
        actor=kamchatka.actor, school_id=kamchatka.school.pk, work_id=work.pk, day=OUTSIDE
    )
    assert again.reserve_id == req.pk


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_rejected_reserve_day_needs_a_comment_and_leaves_the_day_refused(kamchatka: Any) -> None:
    # given a pending request
    work = WorkFactory()
    req = services.reserve_day_request(
        actor=kamchatka.actor,
        school_id=kamchatka.school.pk,
        work_id=work.pk,
        day=OUTSIDE,
        reason="Ремонт кабинетов",
    )
    coordinator = actor_for_user(regional_of(kamchatka.school.region, "t_reg_own"))
    # when the coordinator rejects it without a comment
    with pytest.raises(CampaignInvalidError) as caught:
        services.reserve_day_decide(actor=coordinator, request_id=req.pk, verdict="rejected")
    # then the refusal asks for one
    assert caught.value.code == "reserve_comment_required"
    # when it rejects with a comment
    services.reserve_day_decide(
        actor=coordinator, request_id=req.pk, verdict="rejected", comment="Проведите в период"
    )
    # then the school still cannot hold the work on that day
    with pytest.raises(CampaignInvalidError, match="вне периода"):
        services.school_date_set(
            actor=kamchatka.actor, school_id=kamchatka.school.pk, work_id=work.pk, day=OUTSIDE
        )
    # and a decided request cannot be decided again
    with pytest.raises(CampaignError) as again:
        services.reserve_day_decide(actor=coordinator, request_id=req.pk, verdict="approved")
    assert again.value.code == "reserve_not_pending"


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_coordinator_of_another_region_cannot_decide(
    kamchatka: Any, kaliningrad: Any, client: Any
) -> None:
    # given a Kamchatka school's pending request and Kaliningrad's regional coordinator
    work = WorkFactory()
    req = services.reserve_day_request(
        actor=kamchatka.actor,
        school_id=kamchatka.school.pk,
        work_id=work.pk,
        day=OUTSIDE,
        reason="Карантин",
    )
    stranger = regional_of(kaliningrad.school.region, "t_reg_other")
    # when it tries to decide through the service, the page and the API
    with pytest.raises(ReserveDayRequest.DoesNotExist):
        services.reserve_day_decide(
            actor=actor_for_user(stranger), request_id=req.pk, verdict="approved"
        )
    client.force_login(stranger)
    page = client.post(f"/reserve-days/{req.pk}/decide/", {"verdict": "approved"})
    detail = client.get(f"/reserve-days/{req.pk}/")
    api = client.post(
        "/api/v1/reserve-day-decisions/",
        {"request": req.pk, "verdict": "approved"},
        content_type="application/json",
    )
    # then the request is as good as missing everywhere, and stays pending
    assert page.status_code == 404
    assert detail.status_code == 404
    assert api.status_code == 404
    req.refresh_from_db()
    assert req.status == ReserveDayRequest.Status.PENDING
    assert not SchoolWorkDate.objects.exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_reserve_day_rules(kamchatka: Any) -> None:
    work = WorkFactory()
    args = {"actor": kamchatka.actor, "school_id": kamchatka.school.pk, "work_id": work.pk}
    # a day inside the period needs no reserve day
    with pytest.raises(CampaignInvalidError) as inside:
        services.reserve_day_request(**args, day=dt.date(2026, 4, 20), reason="x")
    assert inside.value.code == "reserve_inside_period"
    # a reason is required
    with pytest.raises(CampaignInvalidError) as no_reason:
        services.reserve_day_request(**args, day=OUTSIDE, reason="   ")
    assert no_reason.value.code == "reserve_reason_required"
    # a past day is refused
    with pytest.raises(CampaignInvalidError) as past:
        services.reserve_day_request(**args, day=dt.date(2026, 3, 1), reason="x")
    assert past.value.code == "date_in_past"
    # one pending request per work at a time
    services.reserve_day_request(**args, day=OUTSIDE, reason="Карантин")
    with pytest.raises(CampaignError) as twice:
        services.reserve_day_request(**args, day=dt.date(2026, 5, 21), reason="Карантин")
    assert twice.value.code == "reserve_pending_exists"


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_works_of_a_campaign_that_is_not_current_cannot_be_scheduled(kamchatka: Any) -> None:
    # given a work of a past campaign
    work = WorkFactory(campaign=CampaignFactory(year=2025, is_active=False))
    # when the school picks a day for it
    with pytest.raises(CampaignError) as caught:
        services.school_date_set(
            actor=kamchatka.actor,
            school_id=kamchatka.school.pk,
            work_id=work.pk,
            day=dt.date(2025, 4, 15),
        )
    # then it is refused
    assert caught.value.code == "campaign_not_active"


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_another_schools_schedule_is_not_found(kamchatka: Any, kaliningrad: Any) -> None:
    # given a work and a school acting on a sibling school's id
    work = WorkFactory()
    from apps.registration.models import School

    # when it tries to set the other school's day
    with pytest.raises(School.DoesNotExist):
        services.school_date_set(
            actor=kamchatka.actor,
            school_id=kaliningrad.school.pk,
            work_id=work.pk,
            day=dt.date(2026, 4, 15),
        )
    # then nothing is saved
    assert not SchoolWorkDate.objects.exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_school_with_a_submitted_application_schedules_only_its_works(kamchatka: Any) -> None:
    from apps.applications.models import Application, ApplicationLine, Status
    from apps.campaigns import selectors

    # given two works and the school's submitted application for Русский язык only
    russian = WorkFactory()
    math = WorkFactory(subject__code="math", subject__name="Математика")
    school = kamchatka.school
    app = Application.objects.create(
        campaign=russian.campaign,
        school=school,
        region_id=school.region_id,
        municipality_id=school.municipality_id,
        status=Status.SUBMITTED,
    )
    ApplicationLine.objects.create(
        application=app, work=russian, takes_part=True, participants=25, classes=1
    )
    ApplicationLine.objects.create(application=app, work=math, takes_part=False)
    # when the school reads its schedule
    plan = selectors.school_schedule(actor=kamchatka.actor, school_id=school.pk)
    # then only the applied work is there
    assert [row.work.pk for row in plan.rows] == [russian.pk]
    # and a day for the other work is refused
    with pytest.raises(CampaignError) as caught:
        services.school_date_set(
            actor=kamchatka.actor, school_id=school.pk, work_id=math.pk, day=dt.date(2026, 4, 15)
        )
    assert caught.value.code == "work_not_for_school"
