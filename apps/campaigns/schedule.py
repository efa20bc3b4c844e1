"""Every release instant of the plan-graph, in ONE place. Pure functions, no ORM.

Each function takes a work (anything with the plan-graph attributes of ``Work``), the IANA
name of the school's time zone and the school's chosen date, and returns an aware datetime in
UTC. Later stages (materials, results, analytics) call these; nobody else computes instants.

The rules:

* plain works (every grade but 8): the archive no later than 4 days before the period starts;
  criteria and the results form at 00:00 school-local on the period's first day;
* encrypted works (grade 8): the archive no later than 3 days before, and the results form
  together with it; the password at 07:30 school-local on the school's chosen day; criteria at
  14:00 Moscow time on that day;
* results are uploaded from the criteria's publication until the end of the deadline day,
  school-local; they are released at 00:00 school-local on the release date.

A school whose classes write a work on several days (``apps/classes/timetable``) has a first and
a last class day: the archive comes by its lead before the first, the password at 07:30 on the
first (school-local), and the criteria of an encrypted work at 14:00 Moscow time on the LAST, so
no class writes after the criteria are out; uploads open with the criteria, and the deadline and
release move only by the last day's lateness. Every function takes the first day as ``chosen``
and the last as the keyword ``last``; a single-day caller passes nothing for ``last`` (the same
day twice).

A reserve day may lie outside the period: the archive then comes no later than
4 (3) days before that day, and a reserve day after the period moves the upload deadline by the
same number of days as the chosen day lies after the period's last day. The release moves by
those days only for a school whose upload of that work came after the plan-graph deadline (the
end of ``results_upload_deadline``, school-local): a school that uploaded on time gets the
plan-graph release date even for a late reserve day, and only the late work moves.

Who may change a school's day, and until when (docs/adr/0014-school-day-freeze.md):

* the school itself, until ``day_frozen_at``: the end of the day before, school-local;
* its municipal or regional coordinator, with a reason, until ``day_locked_at``: the first
  release bound to that day (the grade-8 password at 07:30 school-local), or for a plain work,
  whose releases do not depend on the day, the end of the day. After that nobody moves it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

UTC = dt.UTC
MOSCOW = "Europe/Moscow"
PLAIN_LEAD_DAYS = 4
ENCRYPTED_LEAD_DAYS = 3
PASSWORD_TIME = dt.time(7, 30)
ENCRYPTED_CRITERIA_TIME_MSK = dt.time(14, 0)


class WorkPlan(Protocol):
    """What the instants depend on: the regime and the plan-graph dates of a work."""

    # Read-only members, so frozen dataclasses (``rules.WorkSpec``) match as well as models.
    @property
    def encrypted_archive(self) -> bool: ...
    @property
    def period_start(self) -> dt.date: ...
    @property
    def period_end(self) -> dt.date: ...
    @property
    def materials_publish_date(self) -> dt.date: ...
    @property
    def results_upload_deadline(self) -> dt.date: ...
    @property
    def results_release_date(self) -> dt.date: ...


def at_local(day: dt.date, clock: dt.time, zone: str) -> dt.datetime:
    """The UTC instant of ``clock`` on ``day`` in the zone ``zone``."""
    return dt.datetime.combine(day, clock, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def lead_days(work: WorkPlan) -> int:
    """How many days before the period (or a reserve day) the archive must be published."""
    return ENCRYPTED_LEAD_DAYS if work.encrypted_archive else PLAIN_LEAD_DAYS


def latest_materials_date(work: WorkPlan) -> dt.date:
    """The last day on which the plan-graph may publish the archive."""
    return work.period_start - dt.timedelta(days=lead_days(work))


def _last(chosen: dt.date | None, last: dt.date | None) -> dt.date | None:
    """The school's last day for a work: ``last`` if given (never before the first), else the
    first day itself (a school writing on one day)."""
    if chosen is None or last is None:
        return chosen if last is None else last
    return max(chosen, last)


def _days_after_period(work: WorkPlan, chosen: dt.date | None) -> dt.timedelta:
    if chosen is None or chosen <= work.period_end:
        return dt.timedelta(0)
    return chosen - work.period_end


def materials_available_at(work: WorkPlan, zone: str, chosen: dt.date | None) -> dt.datetime:
    """00:00 school-local on the publication day (earlier when the school's first day lies less
    than the lead after it: a reserve day before the period)."""
    day = work.materials_publish_date
    if chosen is not None:
        day = min(day, chosen - dt.timedelta(days=lead_days(work)))
    return at_local(day, dt.time(0, 0), zone)


def password_release_at(work: WorkPlan, zone: str, chosen: dt.date | None) -> dt.datetime | None:
    """07:30 school-local on the school's (first) day, for encrypted archives; None otherwise."""
    if not work.encrypted_archive or chosen is None:
        return None
    return at_local(chosen, PASSWORD_TIME, zone)


def criteria_available_at(
    work: WorkPlan, zone: str, chosen: dt.date | None, *, last: dt.date | None = None
) -> dt.datetime | None:
    """Plain: 00:00 school-local on the period's first day. Encrypted: 14:00 Moscow time on the
    school's last day (None until the school has chosen one)."""
    if work.encrypted_archive:
        final = _last(chosen, last)
        if final is None:
            return None
        return at_local(final, ENCRYPTED_CRITERIA_TIME_MSK, MOSCOW)
    return at_local(work.period_start, dt.time(0, 0), zone)


def day_frozen_at(zone: str, day: dt.date) -> dt.datetime:
    """The end of the day before ``day``, school-local: from then on the school can neither pick
    ``day`` nor move away from it (only its coordinator can, until ``day_locked_at``)."""
    return at_local(day, dt.time(0, 0), zone)


def day_locked_at(work: WorkPlan, zone: str, day: dt.date) -> dt.datetime:
    """The instant after which ``day`` can never be picked or moved: the first release bound to
    it (encrypted works: the password or the criteria, whichever comes first), or for a plain work
    the end of the day. A repeat after it goes through a reserve day."""
    if work.encrypted_archive:
        bound = [
            password_release_at(work, zone, day),
            criteria_available_at(work, zone, day),
        ]
        return min(moment for moment in bound if moment is not None)
    return at_local(day + dt.timedelta(days=1), dt.time(0, 0), zone)


def results_form_available_at(
    work: WorkPlan, zone: str, chosen: dt.date | None, *, last: dt.date | None = None
) -> dt.datetime | None:
    """Plain works: together with the criteria. Encrypted (grade 8) works: together with the
    archive (``materials_available_at``), before the day and whether or not one is chosen."""
    if work.encrypted_archive:
        return materials_available_at(work, zone, chosen)
    return criteria_available_at(work, zone, chosen, last=last)


def results_upload_opens_at(
    work: WorkPlan, zone: str, chosen: dt.date | None, *, last: dt.date | None = None
) -> dt.datetime | None:
    """Uploads open with the criteria (the works are marked by them): plain works on the
    period's first day, encrypted works at 14:00 Moscow time on the school's last day (None
    until it has chosen one)."""
    return criteria_available_at(work, zone, chosen, last=last)


def upload_deadline_day(
    work: WorkPlan, chosen: dt.date | None, *, last: dt.date | None = None
) -> dt.date:
    """The last day of uploads for this school (moved for a reserve day after the period: by
    the days its last day lies after the period)."""
    return work.results_upload_deadline + _days_after_period(work, _last(chosen, last))


def upload_deadline_at(
    work: WorkPlan, zone: str, chosen: dt.date | None, *, last: dt.date | None = None
) -> dt.datetime:
    """The end of the deadline day, school-local: the first instant of the next local day.

    Uploads are accepted while ``now < upload_deadline_at``.
    """
    day = upload_deadline_day(work, chosen, last=last) + dt.timedelta(days=1)
    return at_local(day, dt.time(0, 0), zone)


def plan_upload_deadline_at(work: WorkPlan, zone: str) -> dt.datetime:
    """The end of the plan-graph's upload deadline day, school-local (never moved)."""
    return at_local(work.results_upload_deadline + dt.timedelta(days=1), dt.time(0, 0), zone)


def release_at(
    work: WorkPlan,
    zone: str,
    chosen: dt.date | None,
    uploaded_at: dt.datetime | None = None,
    *,
    last: dt.date | None = None,
) -> dt.datetime:
    """00:00 school-local on the results-release date.

    The date moves by the days the school's last day lies after the period only when the school's
    accepted upload of this work (``uploaded_at``) came after the plan-graph deadline
    (``plan_upload_deadline_at``). An upload by that deadline keeps the plan-graph date. With no
    upload yet (``None``) the moved date is given: the latest the release can be.
    """
    on_time = uploaded_at is not None and uploaded_at < plan_upload_deadline_at(work, zone)
    moved = dt.timedelta(0) if on_time else _days_after_period(work, _last(chosen, last))
    return at_local(work.results_release_date + moved, dt.time(0, 0), zone)


@dataclass(frozen=True)
class Instants:
    """All release instants of one work for one school (UTC; None until a day is chosen)."""

    materials_available_at: dt.datetime
    password_release_at: dt.datetime | None
    criteria_available_at: dt.datetime | None
    results_form_available_at: dt.datetime | None
    upload_deadline_at: dt.datetime
    release_at: dt.datetime


def instants(
    work: WorkPlan, zone: str, chosen: dt.date | None, *, last: dt.date | None = None
) -> Instants:
    """Every instant for a school whose first day is ``chosen`` and last day ``last`` (the same
    day when not given)."""
    return Instants(
        materials_available_at=materials_available_at(work, zone, chosen),
        password_release_at=password_release_at(work, zone, chosen),
        criteria_available_at=criteria_available_at(work, zone, chosen, last=last),
        results_form_available_at=results_form_available_at(work, zone, chosen, last=last),
        upload_deadline_at=upload_deadline_at(work, zone, chosen, last=last),
        release_at=release_at(work, zone, chosen, last=last),
    )
