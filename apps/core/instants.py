"""One way to show an instant: in the zone of the unit a page is about, labelled.

Instants are stored in UTC. Every place that shows one to a person (templates, xlsx, PDF,
e-mails) formats it here, in the time zone of the unit the page, file or letter is about:

    07.12.2026 00:00 (МСК+2, время ОО)
    06.12.2026 23:00 (МСК, время региона)
    06.12.2026 23:00 (МСК)                  — the federal level, no unit

The label carries the offset from Moscow at that instant and whose clock it is, so a school in
Kamchatka and its regional coordinator in Moscow read the same deadline the same way.

Units are duck-typed (no import of the registration app): anything with a ``time_zone``
attribute and, optionally, an ``instant_whose`` attribute («время ОО», «время МО», «время
региона») is a place. ``None`` is the federal level: Moscow time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

MOSCOW = "Europe/Moscow"
FEDERAL_WHOSE = "время Москвы"


@dataclass(frozen=True)
class Place:
    """Whose clock an instant is read on: a zone name and a label («время ОО»)."""

    zone: str
    whose: str

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)


FEDERAL = Place(MOSCOW, FEDERAL_WHOSE)


def place_of(unit: Any, *, default: Place = FEDERAL) -> Place:
    """The place of a unit (school, municipality, region), a Place, a zone name or None."""
    if unit is None:
        return default
    if isinstance(unit, Place):
        return unit
    if isinstance(unit, str):
        return Place(unit or MOSCOW, default.whose if not unit else "местное время")
    zone = getattr(unit, "time_zone", "") or ""
    whose = getattr(unit, "instant_whose", "") or "местное время"
    if not zone:
        return Place(MOSCOW, whose)
    return Place(zone, whose)


def moscow_offset(zone: str, at: dt.datetime | None = None) -> str:
    """«МСК», «МСК+2», «МСК-1»: the zone's offset from Moscow at the instant (now if None)."""
    moment = at or dt.datetime.now(tz=dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    offset = moment.astimezone(ZoneInfo(zone)).utcoffset()
    moscow = moment.astimezone(ZoneInfo(MOSCOW)).utcoffset()
    if offset is None or moscow is None:  # pragma: no cover - zoneinfo always gives one
        return zone
    minutes = int((offset - moscow).total_seconds() // 60)
    if minutes == 0:
        return "МСК"
    hours, rest = divmod(abs(minutes), 60)
    sign = "+" if minutes > 0 else "-"
    return f"МСК{sign}{hours}" + (f":{rest:02d}" if rest else "")


def local(moment: dt.datetime, unit: Any = None) -> dt.datetime:
    """The instant on the unit's clock (an aware datetime)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(place_of(unit).tz)


def zone_suffix(unit: Any = None, at: dt.datetime | None = None) -> str:
    """«(МСК+2, время ОО)»: the label that follows every shown instant."""
    place = place_of(unit)
    offset = moscow_offset(place.zone, at)
    return f"({offset})" if place.whose == FEDERAL_WHOSE else f"({offset}, {place.whose})"


def format_instant(
    moment: dt.datetime | None,
    unit: Any = None,
    *,
    seconds: bool = False,
    empty: str = "",
) -> str:
    """«07.12.2026 00:00 (МСК+2, время ОО)»; ``empty`` for None."""
    if moment is None:
        return empty
    return f"{format_clock(moment, unit, seconds=seconds)} {zone_suffix(unit, moment)}"


def format_clock(
    moment: dt.datetime | None,
    unit: Any = None,
    *,
    seconds: bool = False,
    empty: str = "",
) -> str:
    """«07.12.2026 00:00» on the unit's clock, without the label.

    Only for a cell under a header that carries ``zone_suffix(unit)`` (one labelled column of a
    table or a spreadsheet); anywhere else use ``format_instant``.
    """
    if moment is None:
        return empty
    clock = "%d.%m.%Y %H:%M:%S" if seconds else "%d.%m.%Y %H:%M"
    return local(moment, unit).strftime(clock)


def local_date(moment: dt.datetime, unit: Any = None) -> dt.date:
    """The calendar day of the instant on the unit's clock."""
    return local(moment, unit).date()


def today_at(unit: Any = None, now: dt.datetime | None = None) -> dt.date:
    """Today's date on the unit's clock."""
    from django.utils import timezone

    return local(now or timezone.now(), unit).date()
