"""Release instants follow each school's own time zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from apps.campaigns import schedule, selectors, services
from apps.campaigns.tests.factories import WorkFactory

UTC = dt.UTC
DAY = dt.date(2026, 4, 15)  # inside the period 11.04–16.05.2026


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 4, 1, 9, 0, tzinfo=UTC), tick=False)
def test_grade8_instants_in_kamchatka_and_kaliningrad(
    kamchatka: Any, kaliningrad: Any, grade8: Any
) -> None:
    # given two schools eleven hours apart that choose the same day for the grade-8 work
    for school in (kamchatka, kaliningrad):
        services.school_date_set(
            actor=school.actor, school_id=school.school.pk, work_id=grade8.pk, day=DAY
        )
    # when their schedules are read
    kam = selectors.school_schedule(actor=kamchatka.actor, school_id=kamchatka.school.pk)
    kal = selectors.school_schedule(actor=kaliningrad.actor, school_id=kaliningrad.school.pk)
    k1, k2 = kam.rows[0].instants, kal.rows[0].instants
    # then the archive opens at 00:00 local on 08.04 (3 days before the period) in each zone
    assert kam.zone == "Asia/Kamchatka"
    assert kal.zone == "Europe/Kaliningrad"
    assert k1.materials_available_at == at(2026, 4, 7, 12, 0)  # UTC+12
    assert k2.materials_available_at == at(2026, 4, 7, 22, 0)  # UTC+2
    # and the password appears at 07:30 local on the chosen day
    assert k1.password_release_at == at(2026, 4, 14, 19, 30)
    assert k2.password_release_at == at(2026, 4, 15, 5, 30)
    # and the criteria at 14:00 Moscow time that day, for both
    assert k1.criteria_available_at == k2.criteria_available_at == at(2026, 4, 15, 11, 0)
    # and the results form together with the archive, in each zone
    assert k1.results_form_available_at == k1.materials_available_at
    assert k2.results_form_available_at == k2.materials_available_at
    # and uploads close at the end of 23.05 local
    assert k1.upload_deadline_at == at(2026, 5, 23, 12, 0)
    assert k2.upload_deadline_at == at(2026, 5, 23, 22, 0)
    # and results are released at 00:00 local on 06.06
    assert k1.release_at == at(2026, 6, 5, 12, 0)
    assert k2.release_at == at(2026, 6, 5, 22, 0)


@pytest.mark.django_db
def test_plain_work_instants_in_both_zones() -> None:
    # given a plain grade-4 work (period from 11.04.2026, materials on 07.04)
    work = WorkFactory()
    # when the instants are computed for the same chosen day in both zones
    kam = schedule.instants(work, "Asia/Kamchatka", DAY)
    kal = schedule.instants(work, "Europe/Kaliningrad", DAY)
    # then the archive opens at 00:00 local on 07.04 (4 days before the period)
    assert kam.materials_available_at == at(2026, 4, 6, 12, 0)
    assert kal.materials_available_at == at(2026, 4, 6, 22, 0)
    # and there is no password
    assert kam.password_release_at is None
    assert kal.password_release_at is None
    # and the criteria and results form open at 00:00 local on the period's first day
    assert kam.criteria_available_at == kam.results_form_available_at == at(2026, 4, 10, 12, 0)
    assert kal.criteria_available_at == kal.results_form_available_at == at(2026, 4, 10, 22, 0)


@pytest.mark.django_db
def test_reserve_day_after_the_period_moves_deadline_and_release() -> None:
    # given a plain work whose period ends 16.05 with uploads until 23.05 and release 06.06
    work = WorkFactory()
    # when a school holds it on an approved reserve day three days after the period
    late = dt.date(2026, 5, 19)
    instants = schedule.instants(work, "Europe/Moscow", late)
    # then its upload deadline and (with no upload yet) its release move by the same three days
    assert instants.upload_deadline_at == at(2026, 5, 26, 21, 0)
    assert instants.release_at == at(2026, 6, 8, 21, 0)
    # and a reserve day before the period brings the archive forward to 4 days before it
    early = schedule.materials_available_at(work, "Europe/Moscow", dt.date(2026, 4, 9))
    assert early == at(2026, 4, 4, 21, 0)


def test_no_day_chosen_means_no_password_and_no_grade8_criteria() -> None:
    # given an encrypted work and no chosen day
    work = WorkFactory.build(grade=8, encrypted_archive=True)
    # when the instants are computed
    instants = schedule.instants(work, "Asia/Yekaterinburg", None)
    # then the day-bound ones are not scheduled yet
    assert instants.password_release_at is None
    assert instants.criteria_available_at is None
    assert instants.materials_available_at == at(2026, 4, 7, 19, 0)
    # and the results form comes with the archive all the same
    assert instants.results_form_available_at == instants.materials_available_at
