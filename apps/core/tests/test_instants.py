"""core.instants: the one formatter of instants, and the template tags over it."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from apps.core import instants
from apps.registration.models import Municipality, Region, School

# Plain UTC instants: the formatter is pure, no clock is read unless ``at`` is omitted.
SUMMER = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
WINTER = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)


def _unit(zone: str, whose: str = "время ОО") -> SimpleNamespace:
    return SimpleNamespace(time_zone=zone, instant_whose=whose)


@pytest.mark.parametrize(
    ("zone", "label"),
    [
        ("Europe/Moscow", "МСК"),
        ("Europe/Kaliningrad", "МСК-1"),
        ("Europe/Samara", "МСК+1"),
        ("Asia/Yekaterinburg", "МСК+2"),
        ("Asia/Vladivostok", "МСК+7"),
        ("Asia/Kamchatka", "МСК+9"),
        ("Asia/Kolkata", "МСК+2:30"),  # a half-hour zone keeps its minutes
    ],
)
def test_moscow_offset_labels_each_zone(zone: str, label: str) -> None:
    assert instants.moscow_offset(zone, SUMMER) == label


def test_offset_follows_the_zone_history_at_the_instant() -> None:
    # Volgograd was Moscow + 1 from 28.10.2018 to 27.12.2020, Moscow time before and after
    assert instants.moscow_offset("Europe/Volgograd", dt.datetime(2019, 6, 1, tzinfo=dt.UTC)) == (
        "МСК+1"
    )
    assert instants.moscow_offset("Europe/Volgograd", dt.datetime(2021, 6, 1, tzinfo=dt.UTC)) == (
        "МСК"
    )
    # a zone with daylight saving time reads differently in summer and in winter
    assert instants.moscow_offset("Europe/Berlin", SUMMER) == "МСК-1"
    assert instants.moscow_offset("Europe/Berlin", WINTER) == "МСК-2"
    # and the label of a shown instant is the offset of that instant, not of today
    berlin = _unit("Europe/Berlin", "местное время")
    assert instants.format_instant(WINTER, berlin) == "15.01.2026 13:00 (МСК-2, местное время)"
    assert instants.format_instant(SUMMER, berlin) == "01.07.2026 14:00 (МСК-1, местное время)"


def test_format_instant_on_the_clock_of_each_kind_of_unit() -> None:
    moment = dt.datetime(2026, 12, 6, 22, 0, tzinfo=ZoneInfo("Europe/Moscow"))  # 19:00 UTC
    school = School(time_zone="Asia/Yekaterinburg")
    municipality = Municipality(time_zone="Europe/Kaliningrad")
    region = Region(time_zone="Asia/Kamchatka")
    assert instants.format_instant(moment, school) == "07.12.2026 00:00 (МСК+2, время ОО)"
    assert instants.format_instant(moment, municipality) == "06.12.2026 21:00 (МСК-1, время МО)"
    assert instants.format_instant(moment, region) == "07.12.2026 07:00 (МСК+9, время региона)"
    assert instants.format_instant(moment, school, seconds=True) == (
        "07.12.2026 00:00:00 (МСК+2, время ОО)"
    )


def test_federal_level_and_missing_values() -> None:
    moment = dt.datetime(2026, 12, 6, 19, 0, tzinfo=dt.UTC)
    # None is the federal level: Moscow time, labelled «(МСК)» only
    assert instants.format_instant(moment, None) == "06.12.2026 22:00 (МСК)"
    assert instants.format_instant(moment, instants.FEDERAL) == "06.12.2026 22:00 (МСК)"
    assert instants.zone_suffix(None) == "(МСК)"
    # no instant: the caller's placeholder
    assert instants.format_instant(None, School(time_zone="Asia/Omsk")) == ""
    assert instants.format_instant(None, None, empty="—") == "—"
    assert instants.format_clock(None, None, empty="—") == "—"
    # a unit without a zone reads on Moscow's clock, still naming whose clock it is
    assert instants.format_instant(moment, School(time_zone="")) == (
        "06.12.2026 22:00 (МСК, время ОО)"
    )
    # a bare zone name is «местное время»; a naive datetime is taken as UTC
    assert instants.format_instant(dt.datetime(2026, 12, 6, 19, 0), "Asia/Omsk") == (  # noqa: DTZ001
        "07.12.2026 01:00 (МСК+3, местное время)"
    )


def test_format_clock_is_the_same_text_without_the_label() -> None:
    moment = dt.datetime(2026, 5, 20, 9, 0, 5, tzinfo=dt.UTC)
    school = School(time_zone="Europe/Kaliningrad")
    assert instants.format_clock(moment, school) == "20.05.2026 11:00"
    assert instants.format_clock(moment, school, seconds=True) == "20.05.2026 11:00:05"
    assert instants.format_instant(moment, school).startswith(instants.format_clock(moment, school))


def test_local_date_and_today_on_the_unit_clock() -> None:
    late = dt.datetime(2026, 12, 6, 20, 30, tzinfo=dt.UTC)  # already 07.12 east of Moscow + 1
    assert instants.local_date(late, School(time_zone="Europe/Moscow")) == dt.date(2026, 12, 6)
    assert instants.local_date(late, School(time_zone="Asia/Yekaterinburg")) == dt.date(2026, 12, 7)
    assert instants.today_at(School(time_zone="Asia/Kamchatka"), now=late) == dt.date(2026, 12, 7)


def test_template_tags_use_the_page_unit_then_the_actor_unit() -> None:
    moment = dt.datetime(2026, 12, 6, 19, 0, tzinfo=dt.UTC)
    school = School(time_zone="Asia/Yekaterinburg")
    region = Region(time_zone="Europe/Kaliningrad")
    template = Template(
        "{% load portal %}[{% instant moment %}][{% instant moment region %}]"
        "[{% instant moment bare=True %}][{% zone_suffix %}][{% instant nothing %}]"
    )
    # the page's unit wins over the actor's
    page = template.render(
        Context({"moment": moment, "place": school, "actor_place": region, "region": region})
    )
    assert page == (
        "[07.12.2026 00:00 (МСК+2, время ОО)][06.12.2026 21:00 (МСК-1, время региона)]"
        "[07.12.2026 00:00][(МСК+2, время ОО)][—]"
    )
    # without a page unit the actor's own unit is the clock; without either, Moscow
    own = template.render(Context({"moment": moment, "actor_place": region, "region": region}))
    assert own.startswith("[06.12.2026 21:00 (МСК-1, время региона)]")
    federal = template.render(Context({"moment": moment, "region": region}))
    assert federal.startswith("[06.12.2026 22:00 (МСК)]")
    assert "[(МСК)]" in federal
