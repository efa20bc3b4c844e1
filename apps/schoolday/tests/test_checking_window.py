"""The checking window on the plan-graph: the federal operator sets a work's last day of checking
(not before the period's end, not after the upload deadline; Russian refusals by field), the
plan-graph shows it, and the API carries it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.campaigns import rules, services
from apps.campaigns.selectors import work_spec
from apps.campaigns.services import SpecRejectedError
from apps.registration.access import actor_for_user
from apps.registration.tests.factories import grant, make_user
from apps.schoolday.tests.conftest import PASSWORD, Day, login


def _federal() -> object:
    user = make_user("t_sd_federal", PASSWORD)
    grant(user, "federal", None)
    return user


@pytest.mark.django_db
def test_checking_until_must_lie_between_the_period_end_and_the_upload_deadline(day: Day) -> None:
    work = day.russian
    spec = work_spec(work)
    # a day before the period's end and a day after the upload deadline are refused by field
    early = dataclasses.replace(spec, checking_until=work.period_end - dt.timedelta(days=1))
    late = dataclasses.replace(
        spec, checking_until=work.results_upload_deadline + dt.timedelta(days=1)
    )
    (too_early,) = [p for p in rules.plan_problems(early, None) if p.field == "checking_until"]
    assert "не может быть раньше конца периода" in too_early.message
    assert f"{work.period_end:%d.%m.%Y}" in too_early.message
    (too_late,) = [p for p in rules.plan_problems(late, None) if p.field == "checking_until"]
    assert "не может быть позже последнего дня загрузки" in too_late.message
    # and the service refuses the whole work, nothing saved
    actor = actor_for_user(_federal())
    with pytest.raises(SpecRejectedError) as refused:
        services.work_save(actor=actor, campaign_id=work.campaign_id, spec=late, work_id=work.pk)
    assert "последний день проверки работ" in refused.value.message
    work.refresh_from_db()
    assert work.checking_until is None
    # a day inside is saved and kept in the work's data
    inside = work.period_end + dt.timedelta(days=2)
    services.work_save(
        actor=actor,
        campaign_id=work.campaign_id,
        spec=dataclasses.replace(spec, checking_until=inside),
        work_id=work.pk,
    )
    work.refresh_from_db()
    assert work.checking_until == inside
    assert work_spec(work).checking_until == inside


@pytest.mark.django_db
def test_plan_graph_and_api_show_the_last_day_of_checking(day: Day) -> None:
    federal = _federal()
    work = day.russian
    inside = work.period_end + dt.timedelta(days=3)
    # when the federal operator sets it through the API
    api = APIClient()
    api.force_authenticate(federal)
    bad = api.patch(
        reverse("api-work-detail", args=[work.pk]),
        {"checking_until": (work.period_start).isoformat()},
        format="json",
    )
    assert bad.status_code == 400
    assert "последний день проверки работ не может быть раньше конца периода" in str(bad.json())
    good = api.patch(
        reverse("api-work-detail", args=[work.pk]),
        {"checking_until": inside.isoformat()},
        format="json",
    )
    assert good.status_code == 200
    assert good.json()["checking_until"] == inside.isoformat()
    # then the plan-graph shows it to the school
    page = login(day.organizer_user).get(reverse("plan-graph") + f"?campaign={work.campaign_id}")
    assert f"Проверка работ до {inside:%d.%m.%Y}" in page.content.decode()
    # and the Mathematics work without one shows its upload deadline
    assert f"Проверка работ до {day.math.results_upload_deadline:%d.%m.%Y}" in (
        page.content.decode()
    )
