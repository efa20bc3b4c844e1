"""The demo's calendar, computed from the day the demo is built. Pure: no ORM, no clock.

Whatever the day, the demo shows a live ВПР (docs/adr/0012-demo-calendar.md):

* **finished** — the latest spring session whose results are released: periods 20.04–20.05 of
  its year, as the real ВПР; results and analytics of every level;
* **current** (the active campaign) — placed around today: the period of Русский язык started
  three days ago, so the demo school wrote Русский язык 4 класс yesterday (uploads open), writes
  Окружающий мир 4 класс and the encrypted Русский язык 8 класс tomorrow (materials published,
  the 8th-grade password at 07:30 school-local tomorrow), and has not chosen its day for
  Математика 4 класс (a reserve day is pending). No school writes on a Sunday: when yesterday is
  a Sunday the school wrote on the Saturday before, when tomorrow is one it writes on the Monday
  after (``written_on`` / ``writes_on``; the nearest other day of the work's period);
* **upcoming** — the next session, in its real months, with applications open.

The current campaign is the spring session of today's year from January to June and the autumn
session from July to December; the finished one is then the spring of the year before or of this
year. Month-and-day rules (20 April, 20 February, 15 September) are recurring dates, not dates
that expire.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from apps.campaigns import schedule

SPRING = "spring"
AUTUMN = "autumn"

# Offsets are days from a session's first day: (first day of the period, last day).
Periods = dict[str, tuple[int, int]]


@dataclass(frozen=True)
class SessionPlan:
    """How a session's works are laid out: every date comes from ``start``."""

    start: dt.date
    periods: Periods  # per subject; subjects not listed take ``other``
    other: tuple[int, int]
    upload_after: int  # days from the period's last day to the last upload day
    release_after: int  # days from the last upload day to the release

    def period(self, subject: str) -> tuple[dt.date, dt.date]:
        first, last = self.periods.get(subject, self.other)
        return self.start + dt.timedelta(days=first), self.start + dt.timedelta(days=last)

    def work_dates(self, subject: str, grade: int) -> dict[str, object]:
        """The plan-graph fields of one work (``WorkSpec`` keyword arguments)."""
        first, last = self.period(subject)
        lead = schedule.ENCRYPTED_LEAD_DAYS if grade == 8 else schedule.PLAIN_LEAD_DAYS
        recommended = tuple(
            d
            for d in (first + dt.timedelta(days=1), first + dt.timedelta(days=2))
            if d.weekday() < 5 and d <= last
        ) or (first,)
        upload = last + dt.timedelta(days=self.upload_after)
        return {
            "period_start": first,
            "period_end": last,
            "recommended_dates": recommended,
            "materials_publish_date": first - dt.timedelta(days=lead),
            "results_upload_deadline": upload,
            "results_release_date": upload + dt.timedelta(days=self.release_after),
        }

    @property
    def last_release(self) -> dt.date:
        """The latest release date of any work of the session."""
        last = max(last for _first, last in (*self.periods.values(), self.other))
        return self.start + dt.timedelta(days=last + self.upload_after + self.release_after)


@dataclass(frozen=True)
class CampaignDates:
    """One demo campaign: its key, its name and its plan-graph."""

    year: int
    session: str
    application_deadline: dt.date
    plan: SessionPlan

    @property
    def name(self) -> str:
        return f"ВПР {self.year}" if self.session == SPRING else f"ВПР {self.year}, осенний этап"


# The real spring: periods 20.04–20.05 (Русский язык first, then Математика, then the rest).
SPRING_PERIODS: Periods = {"russian": (0, 11), "math": (7, 18)}
SPRING_OTHER = (14, 30)
SPRING_START = (4, 20)  # month, day
SPRING_APPLICATIONS_UNTIL = (2, 20)
# An autumn session in its real months (as in 2020 and 2022).
AUTUMN_START = (9, 15)
AUTUMN_PERIODS: Periods = {"russian": (0, 4), "math": (1, 8)}
AUTUMN_OTHER = (3, 11)
APPLICATIONS_BEFORE_START = 10  # days between the last application day and the first period day

SUNDAY = 6  # ``date.weekday()``: no ВПР is written on a Sunday

# The live campaign, around today: Русский язык started 3 days ago.
LIVE_START_BEFORE_TODAY = 3
LIVE_PERIODS: Periods = {"russian": (0, 8), "math": (1, 10)}
LIVE_OTHER = (3, 11)
LIVE_APPLICATIONS_BEFORE_START = 5


def school_day(day: dt.date, first: dt.date, last: dt.date, *, earlier: bool) -> dt.date:
    """``day``, or when it is a Sunday the nearest other day of the period ``first``–``last``
    (the earlier one first when ``earlier``, else the later one); ``day`` itself if the period
    has no other."""
    if day.weekday() != SUNDAY:
        return day
    step = dt.timedelta(days=-1 if earlier else 1)
    for distance in range(1, (last - first).days + 1):
        for candidate in (day + step * distance, day - step * distance):
            if first <= candidate <= last and candidate.weekday() != SUNDAY:
                return candidate
    return day


def spring(year: int) -> CampaignDates:
    """The spring session of ``year`` in its real months."""
    start = dt.date(year, *SPRING_START)
    plan = SessionPlan(start, SPRING_PERIODS, SPRING_OTHER, upload_after=7, release_after=14)
    return CampaignDates(year, SPRING, dt.date(year, *SPRING_APPLICATIONS_UNTIL), plan)


def autumn(year: int) -> CampaignDates:
    """The autumn session of ``year`` in its real months."""
    start = dt.date(year, *AUTUMN_START)
    plan = SessionPlan(start, AUTUMN_PERIODS, AUTUMN_OTHER, upload_after=5, release_after=7)
    deadline = start - dt.timedelta(days=APPLICATIONS_BEFORE_START)
    return CampaignDates(year, AUTUMN, deadline, plan)


def live(today: dt.date) -> CampaignDates:
    """The current campaign placed around ``today`` (its session named by today's half-year)."""
    start = today - dt.timedelta(days=LIVE_START_BEFORE_TODAY)
    plan = SessionPlan(start, LIVE_PERIODS, LIVE_OTHER, upload_after=5, release_after=7)
    deadline = start - dt.timedelta(days=LIVE_APPLICATIONS_BEFORE_START)
    return CampaignDates(today.year, SPRING if today.month <= 6 else AUTUMN, deadline, plan)


@dataclass(frozen=True)
class DemoCalendar:
    """Every date of the demo, as of ``today`` (the day in Moscow when the demo is built)."""

    today: dt.date
    finished: CampaignDates
    current: CampaignDates
    upcoming: CampaignDates

    @property
    def yesterday(self) -> dt.date:
        """The day before ``today`` (the demo school's day for a written work: ``written_on``)."""
        return self.today - dt.timedelta(days=1)

    @property
    def tomorrow(self) -> dt.date:
        """The day after ``today`` (the demo school's day for a coming work: ``writes_on``)."""
        return self.today + dt.timedelta(days=1)

    def written_on(self, subject: str) -> dt.date:
        """The demo school's day for a work it has written (Русский язык 4 класс): yesterday,
        or the Saturday before when yesterday is a Sunday."""
        return school_day(self.yesterday, *self.current.plan.period(subject), earlier=True)

    def writes_on(self, subject: str) -> dt.date:
        """The demo school's day for a work it writes next (Окружающий мир 4 класс, Русский
        язык 8 класс): tomorrow, or the Monday after when tomorrow is a Sunday."""
        return school_day(self.tomorrow, *self.current.plan.period(subject), earlier=False)

    @property
    def campaigns(self) -> tuple[CampaignDates, ...]:
        return (self.finished, self.current, self.upcoming)


def demo_calendar(today: dt.date) -> DemoCalendar:
    """The demo's three campaigns as of ``today``."""
    current = live(today)
    if current.session == SPRING:
        return DemoCalendar(today, spring(today.year - 1), current, autumn(today.year))
    return DemoCalendar(today, spring(today.year), current, spring(today.year + 1))
