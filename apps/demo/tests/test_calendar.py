"""The demo calendar on any day: every stage is live somewhere, and every work keeps the rules."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.campaigns import rules, schedule
from apps.demo import calendar as cal
from apps.demo.campaigns import RESERVE_WORK, TOMORROW_WORKS, YESTERDAY_WORKS, work_specs

ANY_DAY = st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2099, 12, 31))
LEAP_DAYS = [dt.date(y, 2, 29) for y in (2028, 2032, 2096)]
ZONES = ("Europe/Kaliningrad", "Asia/Yekaterinburg", "Asia/Kamchatka")


def _spec(dates: cal.CampaignDates, key: tuple[str, int]) -> rules.WorkSpec:
    return next(s for s in work_specs(dates.plan) if s.key == key)


def assert_every_stage_live(today: dt.date) -> None:
    c = cal.demo_calendar(today)
    # three different campaigns
    keys = {(d.year, d.session) for d in c.campaigns}
    assert len(keys) == 3, keys
    # every work of every campaign passes the plan-graph rules with its campaign's deadline
    for dates in c.campaigns:
        for spec in work_specs(dates.plan):
            assert rules.work_problems(spec, dates.application_deadline) == [], (today, spec.title)
    # the finished campaign: every result released before today, in the spring months
    assert c.finished.session == cal.SPRING
    assert c.finished.plan.last_release < today
    assert c.finished.plan.start.month == 4
    # the current campaign: applications closed, the demo school's days inside their periods
    assert c.current.application_deadline < today
    for key in YESTERDAY_WORKS:
        spec = _spec(c.current, key)
        written = c.written_on(key[0])
        assert spec.period_start <= written <= spec.period_end
        # yesterday, or the Saturday before a Monday: never a Sunday
        assert written == c.yesterday or (written.weekday(), today.weekday()) == (5, 0)
        assert written.weekday() != cal.SUNDAY
        # uploads open today in every zone, until a later day
        for zone in ZONES:
            opens = schedule.results_upload_opens_at(spec, zone, written)
            assert opens is not None
            assert opens.astimezone(schedule.UTC).date() <= today
            assert schedule.upload_deadline_day(spec, written) > today
    for key in TOMORROW_WORKS:
        spec = _spec(c.current, key)
        writes = c.writes_on(key[0])
        assert spec.period_start <= writes <= spec.period_end
        # tomorrow, or the Monday after a Saturday: never a Sunday
        assert writes == c.tomorrow or (writes.weekday(), today.weekday()) == (0, 5)
        assert writes.weekday() != cal.SUNDAY
        assert spec.materials_publish_date <= today  # the archive is out
        if spec.encrypted_archive:
            for zone in ZONES:
                opens = schedule.password_release_at(spec, zone, writes)
                assert opens is not None
                local = opens.astimezone(schedule.ZoneInfo(zone))
                assert (local.date(), local.time()) == (writes, schedule.PASSWORD_TIME)
    assert any(_spec(c.current, key).encrypted_archive for key in TOMORROW_WORKS)
    math = _spec(c.current, RESERVE_WORK)
    assert math.period_end > today  # its day can still be chosen
    # the current campaign's results are not released yet
    assert min(s.results_release_date for s in work_specs(c.current.plan)) > today
    # the upcoming campaign: applications open
    assert c.upcoming.application_deadline > today


@given(ANY_DAY)
@settings(max_examples=300, deadline=None)
def test_every_stage_is_live_on_any_day(today: dt.date) -> None:
    assert_every_stage_live(today)


def test_leap_days_and_the_turn_of_the_half_year() -> None:
    for day in [*LEAP_DAYS, dt.date(2030, 6, 30), dt.date(2030, 7, 1), dt.date(2030, 12, 31)]:
        assert_every_stage_live(day)


def test_sessions_follow_the_half_year() -> None:
    # given a day in March and a day in October of the same year
    march = cal.demo_calendar(dt.date(2031, 3, 10))
    october = cal.demo_calendar(dt.date(2031, 10, 10))
    # then in March the live campaign is the spring session, the spring before it finished,
    # and the autumn session comes next
    assert (march.current.year, march.current.session) == (2031, cal.SPRING)
    assert (march.finished.year, march.upcoming.session) == (2030, cal.AUTUMN)
    assert march.current.name == "ВПР 2031"
    # and in October the live campaign is the autumn session, this spring finished, next spring
    # comes next
    assert october.current.name == "ВПР 2031, осенний этап"
    assert (october.finished.year, october.finished.session) == (2031, cal.SPRING)
    assert (october.upcoming.year, october.upcoming.session) == (2032, cal.SPRING)
    # and the finished spring keeps the real period 20.04–20.05
    first = min(s.period_start for s in work_specs(october.finished.plan))
    last = max(s.period_end for s in work_specs(october.finished.plan))
    assert (first, last) == (dt.date(2031, 4, 20), dt.date(2031, 5, 20))


def test_a_school_day_is_never_a_sunday() -> None:
    # given the next Monday
    today = timezone.localdate()
    monday = today + dt.timedelta(days=7 - today.weekday())
    assert monday.weekday() == 0
    sunday, saturday = monday - dt.timedelta(days=1), monday - dt.timedelta(days=2)
    wide = (monday - dt.timedelta(days=10), monday + dt.timedelta(days=10))
    # then a Sunday moves back to the Saturday or on to the Monday, other days stay
    assert cal.school_day(sunday, *wide, earlier=True) == saturday
    assert cal.school_day(sunday, *wide, earlier=False) == monday
    assert cal.school_day(saturday, *wide, earlier=False) == saturday
    # and stays inside the period: a period starting on the Sunday gives its Monday
    assert cal.school_day(sunday, sunday, wide[1], earlier=True) == monday
    # and a period of that Sunday alone keeps it (there is no other day)
    assert cal.school_day(sunday, sunday, sunday, earlier=True) == sunday
