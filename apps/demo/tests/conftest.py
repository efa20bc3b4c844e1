"""Fixtures of the demo's tests: the calendar of a pinned day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.demo.calendar import DemoCalendar, demo_calendar

# A day in the autumn half-year (the live campaign is the autumn session, the spring of the same
# year is finished). Tests that use it pin the clock to it; the seed test over several dates
# (test_seed_dates.py) covers the other halves of the year and the days after today.
PINNED_DAY = dt.date(2031, 10, 15)
PINNED_NOON = dt.datetime(2031, 10, 15, 9, 0, tzinfo=dt.UTC)  # 12:00 in Moscow


@pytest.fixture
def pinned(time_machine: Any) -> DemoCalendar:
    """The clock pinned to ``PINNED_NOON``; the demo calendar of that day."""
    time_machine.move_to(PINNED_NOON, tick=False)
    return demo_calendar(PINNED_DAY)
