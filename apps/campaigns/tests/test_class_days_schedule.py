"""Release instants of a school whose classes write a work on several days (pure ``schedule``):
the archive and the 07:30 password by the first class day, the grade-8 criteria and the upload
window by the last, the deadline and release moved only by the last day's lateness."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from apps.campaigns import schedule

ZONE = "Asia/Yekaterinburg"  # UTC+5: 14:00 Moscow time is 16:00 local
TODAY = dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True)
class Plan:
    """A plan-graph built from today: the period in 10–20 days, uploads until 5 days after it,
    the release 14 days after that."""

    encrypted_archive: bool = False
    period_start: dt.date = TODAY + dt.timedelta(days=10)
    period_end: dt.date = TODAY + dt.timedelta(days=20)
    materials_publish_date: dt.date = TODAY + dt.timedelta(days=7)
    results_upload_deadline: dt.date = TODAY + dt.timedelta(days=25)
    results_release_date: dt.date = TODAY + dt.timedelta(days=39)


GRADE8 = Plan(encrypted_archive=True)
PLAIN = Plan(materials_publish_date=TODAY + dt.timedelta(days=6))


def local(day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
    return schedule.at_local(day, dt.time(hour, minute), ZONE)


def test_grade8_password_on_the_first_class_day_criteria_on_the_last() -> None:
    # given classes writing the grade-8 work on the period's 2nd and 5th days
    first = GRADE8.period_start + dt.timedelta(days=1)
    last = GRADE8.period_start + dt.timedelta(days=4)
    # when the school's instants are computed from both days
    at = schedule.instants(GRADE8, ZONE, first, last=last)
    # then the archive keeps the plan-graph date and the password opens at 07:30 on the first
    assert at.materials_available_at == local(GRADE8.materials_publish_date)
    assert at.password_release_at == local(first, 7, 30)
    # and the criteria at 14:00 Moscow time (16:00 local) on the last day, after every class
    assert at.criteria_available_at == local(last, 16)
    assert at.criteria_available_at > local(last, 7, 30)
    # and uploads open with the criteria, the results form stays with the archive
    assert schedule.results_upload_opens_at(GRADE8, ZONE, first, last=last) == local(last, 16)
    assert at.results_form_available_at == at.materials_available_at
    # and a school writing on one day gets what it got before (the same day twice)
    assert schedule.instants(GRADE8, ZONE, first) == schedule.instants(
        GRADE8, ZONE, first, last=first
    )
    assert schedule.criteria_available_at(GRADE8, ZONE, first) == local(first, 16)


def test_a_last_day_before_the_first_is_read_as_the_first() -> None:
    # given a last day given before the first (callers pass min and max; a slip must not
    # publish the criteria before the password)
    first = GRADE8.period_start + dt.timedelta(days=3)
    # when the criteria are computed
    criteria = schedule.criteria_available_at(GRADE8, ZONE, first, last=GRADE8.period_start)
    # then they still come on the first day, after its password
    assert criteria == local(first, 16)


def test_only_the_last_days_lateness_moves_the_deadline_and_release() -> None:
    # given classes writing inside the period and on a reserve day 3 days after it
    first = PLAIN.period_end - dt.timedelta(days=1)
    last = PLAIN.period_end + dt.timedelta(days=3)
    # when the deadline and release are computed
    deadline = schedule.upload_deadline_day(PLAIN, first, last=last)
    late = schedule.release_at(PLAIN, ZONE, first, None, last=last)
    on_time = schedule.release_at(PLAIN, ZONE, first, local(PLAIN.period_end, 12), last=last)
    # then the deadline moves by the 3 days, the release too when no upload came on time
    assert deadline == PLAIN.results_upload_deadline + dt.timedelta(days=3)
    assert schedule.upload_deadline_at(PLAIN, ZONE, first, last=last) == local(
        deadline + dt.timedelta(days=1)
    )
    assert late == local(PLAIN.results_release_date + dt.timedelta(days=3))
    # and an upload by the plan-graph deadline keeps the plan-graph release
    assert on_time == local(PLAIN.results_release_date)
    # and classes all inside the period move nothing
    inside = PLAIN.period_end
    assert schedule.upload_deadline_day(PLAIN, first, last=inside) == PLAIN.results_upload_deadline
    assert schedule.release_at(PLAIN, ZONE, first, last=inside) == local(PLAIN.results_release_date)


def test_plain_criteria_do_not_depend_on_class_days() -> None:
    # given a plain work written on two days
    first, last = PLAIN.period_start, PLAIN.period_start + dt.timedelta(days=5)
    # when its instants are computed
    at = schedule.instants(PLAIN, ZONE, first, last=last)
    # then the criteria and form open on the period's first day, no password
    assert at.criteria_available_at == local(PLAIN.period_start)
    assert at.results_form_available_at == local(PLAIN.period_start)
    assert at.password_release_at is None
