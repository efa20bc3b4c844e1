"""Release instants of a school's materials, in the school's own zone.

The instants themselves come from ``apps.campaigns.schedule`` (the one place that computes
plan-graph instants); this module only puts them in the school's zone, so that pages show
local times and the API gives ISO 8601 with the school's offset. They are checked on the
server at read time for every channel (HTML, API, files), so nothing needs scheduling for the
07:30 peak:

* the archive (and the code sheet and protocol template): 00:00 school-local on the work's
  publication date (earlier for a reserve day before the period);
* the grade-8 archive password: 07:30 school-local on the school's day (its chosen date inside
  the period or an approved reserve day; for a school with a class register its first class
  day); no day chosen → not scheduled;
* the criteria: plain works 00:00 school-local on the period's first day; encrypted (grade 8)
  works 14:00 Moscow time on the school's LAST class day (its day, when it writes on one), so no
  class writes after them. (The results form, served by the results app, comes with the
  criteria for plain works and with the archive for grade 8.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apps.campaigns import schedule
from apps.core import instants

if TYPE_CHECKING:
    from apps.campaigns.models import Work

DEFAULT_ZONE = "Europe/Moscow"


def zone_of(name: str | None) -> ZoneInfo:
    return ZoneInfo(name or DEFAULT_ZONE)


@dataclass(frozen=True)
class Release:
    """When one thing opens for a school; ``at`` is None while it is not scheduled."""

    at: datetime | None
    place: instants.Place = instants.FEDERAL  # the school's clock the instant is shown on

    def shown(self) -> str:
        """«07.12.2026 00:00 (МСК+2, время ОО)» (core.instants); empty while not scheduled."""
        return instants.format_instant(self.at, self.place)

    def is_open(self, now: datetime) -> bool:
        return self.at is not None and now >= self.at

    def iso(self) -> str | None:
        return self.at.isoformat() if self.at is not None else None


@dataclass(frozen=True)
class KitReleases:
    archive: Release
    password: Release  # at is None for plain works
    criteria: Release


def _local(moment: datetime | None, zone: ZoneInfo, place: instants.Place) -> Release:
    return Release(moment.astimezone(zone) if moment is not None else None, place)


def kit_releases(
    work: Work, held_on: date | None, zone_name: str | None, *, last: date | None = None
) -> KitReleases:
    """The school's instants: ``held_on`` its (first) day, ``last`` its last class day."""
    name = zone_name or DEFAULT_ZONE
    zone = zone_of(name)
    place = instants.Place(name, "время ОО")
    return KitReleases(
        archive=_local(schedule.materials_available_at(work, name, held_on), zone, place),
        password=_local(schedule.password_release_at(work, name, held_on), zone, place),
        criteria=_local(
            schedule.criteria_available_at(work, name, held_on, last=last), zone, place
        ),
    )


def password_release(work: Work, held_on: date | None, zone_name: str | None) -> Release:
    """The grade-8 password's instant alone (``kit_releases(...).password``): 07:30 on the
    school's day, on its clock; the other instants, and the class days they need, unread."""
    name = zone_name or DEFAULT_ZONE
    place = instants.Place(name, "время ОО")
    return _local(schedule.password_release_at(work, name, held_on), zone_of(name), place)
