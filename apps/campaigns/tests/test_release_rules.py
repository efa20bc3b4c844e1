"""The release rules since 2025 (pure ``schedule``): the grade-8 results form comes with the
archive; a late reserve day moves a school's release only when its upload came after the
plan-graph deadline, and only for that work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from apps.campaigns import schedule

ZONE = "Asia/Yekaterinburg"  # UTC+5
TODAY = dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True)
class Plan:
    """A plan-graph built from today: the period in 10–20 days, uploads until 5 days after it,
    the release 14 days after that."""

    encrypted_archive: bool = False
    period_start: dt.date = TODAY + dt.timedelta(days=10)
    period_end: dt.date = TODAY + dt.timedelta(days=20)
    materials_publish_date: dt.date = TODAY + dt.timedelta(days=6)
    results_upload_deadline: dt.date = TODAY + dt.timedelta(days=25)
    results_release_date: dt.date = TODAY + dt.timedelta(days=39)


def local(day: dt.date, hour: int = 0) -> dt.datetime:
    return schedule.at_local(day, dt.time(hour, 0), ZONE)


PLAIN = Plan()
GRADE8 = Plan(encrypted_archive=True, materials_publish_date=TODAY + dt.timedelta(days=7))
LATE_RESERVE = PLAIN.period_end + dt.timedelta(days=3)  # a reserve day 3 days after the period


def test_grade8_results_form_comes_with_the_archive_and_criteria_on_the_day() -> None:
    # given a grade-8 work held on the period's third day
    day = GRADE8.period_start + dt.timedelta(days=2)
    # when its instants are computed
    at = schedule.instants(GRADE8, ZONE, day)
    # then the form is published with the archive, days before the day
    assert at.results_form_available_at == at.materials_available_at
    assert at.results_form_available_at == local(GRADE8.materials_publish_date)
    # and the criteria stay at 14:00 Moscow time on the school's day (16:00 local)
    assert at.criteria_available_at == local(day, 16)
    assert at.results_form_available_at < at.criteria_available_at
    # and uploads open with the criteria, not with the form
    assert schedule.results_upload_opens_at(GRADE8, ZONE, day) == at.criteria_available_at
    # and without a chosen day the form is out all the same
    assert schedule.results_form_available_at(GRADE8, ZONE, None) == at.materials_available_at


def test_plain_work_results_form_stays_with_the_criteria() -> None:
    at = schedule.instants(PLAIN, ZONE, PLAIN.period_start)
    assert at.results_form_available_at == at.criteria_available_at == local(PLAIN.period_start)


def test_on_time_upload_after_a_late_reserve_day_keeps_the_plan_graph_release() -> None:
    # given a school that held the work on a reserve day after the period
    # when it uploaded on the plan-graph's last upload day (23:00 local)
    uploaded = local(PLAIN.results_upload_deadline, 23)
    release = schedule.release_at(PLAIN, ZONE, LATE_RESERVE, uploaded)
    # then its results are released on the plan-graph date
    assert release == local(PLAIN.results_release_date)


def test_upload_after_the_plan_graph_deadline_moves_the_release_of_that_work() -> None:
    # given the same late reserve day, and the upload on the school's own (moved) last day
    uploaded = local(PLAIN.results_upload_deadline + dt.timedelta(days=3), 10)
    assert uploaded < schedule.upload_deadline_at(PLAIN, ZONE, LATE_RESERVE)  # still accepted
    # when the release is computed
    release = schedule.release_at(PLAIN, ZONE, LATE_RESERVE, uploaded)
    # then it moves by the three days the reserve day lies after the period
    assert release == local(PLAIN.results_release_date + dt.timedelta(days=3))
    # and the first instant after the plan-graph deadline already counts as late
    edge = schedule.plan_upload_deadline_at(PLAIN, ZONE)
    assert schedule.release_at(PLAIN, ZONE, LATE_RESERVE, edge) == release
    assert schedule.release_at(PLAIN, ZONE, LATE_RESERVE, edge - dt.timedelta(seconds=1)) == (
        local(PLAIN.results_release_date)
    )


def test_the_schools_other_works_never_move() -> None:
    # given a school whose other work was held inside the period and uploaded late (reopened)
    other = Plan(period_start=TODAY + dt.timedelta(days=11))
    uploaded = local(other.results_upload_deadline + dt.timedelta(days=4), 12)
    # when its release is computed, with or without an upload
    with_upload = schedule.release_at(other, ZONE, other.period_end, uploaded)
    without = schedule.release_at(other, ZONE, other.period_end)
    # then it is the plan-graph date either way
    assert with_upload == without == local(other.results_release_date)


def test_no_upload_yet_gives_the_latest_release() -> None:
    # a late reserve day and nothing uploaded: the moved date, the latest the release can be
    release = schedule.release_at(PLAIN, ZONE, LATE_RESERVE)
    assert release == local(PLAIN.results_release_date + dt.timedelta(days=3))
