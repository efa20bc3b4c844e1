"""Objectivity markers under a report's cut (a class, the ОВЗ filter) and the class rows of the
reports, against hand counts of a school with one plainly non-objective class.

School A1a, 40 participants (scale: «2» 0–1, «3» 2–3, «4» 4–5, «5» 6; columns Б, Б, П):
- «4А» (class 1): 20 participants, all 6 points, journal «5» → histogram [0, 0, 0, 0, 0, 0, 20]:
  a peak at the «5» boundary (20 ≥ 2 × 0, 20 − 0 ≥ 3); journal all equal; Б and П both 100 %.
- «4Б» (class 2): 20 participants, histogram [2, 3, 3, 3, 3, 3, 3] (no peak); 10 of them with ОВЗ,
  5 of those with a ВПР mark one below the journal mark (понизили 5 of 20 = 25 % < 50 %).
- the school: histogram [2, 3, 3, 3, 3, 3, 23] → a peak at 6; понизили 5 of 40.
- with ОВЗ only (10, all in «4Б»): понизили 5 of 10 = 50 % → the journal marker; 10 < 20, so
  no histogram marker.
- without ОВЗ (30): histogram [1, 1, 1, 1, 2, 2, 22] → a peak at 6; «4»+«5» 26 of 30 = 86.7 %
  against the region's participants without ОВЗ, 26 of 50 = 52.0 % → far above the region.
School A2a (the same region): 20 participants, all 0 points, journal «2»: no marker, no ОВЗ.
Region A: 60 participants, «4»+«5» = 6 + 3 + 20 = 29 → 48.3 %; «4А» has 100 %, 51.7 points above.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from apps.analytics import objectivity as obj
from apps.analytics import selectors as sel
from apps.analytics.models import WorkAggregate
from apps.analytics.services import analytics_school_refresh
from apps.analytics.tests.factories import put_results, small_work
from apps.analytics.tests.test_reports import AFTER_RELEASE
from apps.classes.tests.factories import SchoolClassFactory
from apps.core.scoping import Level
from apps.materials import ovz
from apps.materials.models import ParticipantCode
from apps.registration.access import actor_for_user
from apps.results.models import ParticipantResult
from conftest import World

# Column scores of each primary score (Б, Б, П): the advanced task only in the top scores.
SCORES = {
    0: [0, 0, 0],
    1: [1, 0, 0],
    2: [1, 1, 0],
    3: [2, 1, 0],
    4: [2, 2, 0],
    5: [2, 2, 1],
    6: [2, 2, 2],
}
MARK = {0: 2, 1: 2, 2: 3, 3: 3, 4: 4, 5: 4, 6: 5}
# code → (class number, primary score, journal mark, ОВЗ)
FOUR_A = {f"41{n:03d}": (1, 6, 5, False) for n in range(1, 21)}
FOUR_B_PLAIN = {
    f"42{n:03d}": (2, score, MARK[score], False)
    for n, score in enumerate([0, 1, 2, 3, 4, 5, 6, 4, 5, 6], start=1)
}
FOUR_B_OVZ = {
    f"42{n:03d}": (2, score, MARK[score] + (1 if n <= 15 else 0), True)
    for n, score in enumerate([0, 1, 1, 2, 2, 3, 3, 4, 5, 6], start=11)
}
PARTICIPANTS = {**FOUR_A, **FOUR_B_PLAIN, **FOUR_B_OVZ}


@pytest.fixture
def school_data(world: World) -> Any:
    """A1a with its register («4А», «4Б»), codes per class, ten of «4Б»'s marked ОВЗ before the
    upload (as the school would), then the results of A1a and A2a and the refreshes."""
    work = small_work()
    school = world.schools["A1a"]
    for number, letter in ((1, "А"), (2, "Б")):
        SchoolClassFactory(
            campaign=work.campaign, school=school, grade=4, number=number, letter=letter
        )
    for code, (number, _score, _journal, _ovz) in PARTICIPANTS.items():
        ParticipantCode.objects.create(
            campaign=work.campaign,
            school=school,
            municipality_id=school.municipality_id,
            region_id=school.region_id,
            grade=4,
            class_number=number,
            code=code,
        )
    organizer = actor_for_user(world.users["school_organizer"])
    for code, (_number, _score, _journal, is_ovz) in PARTICIPANTS.items():
        if is_ovz:
            ovz.participant_code_mark(
                actor=organizer,
                school_id=school.pk,
                campaign_id=work.campaign_id,
                code=code,
                ovz=True,
                accommodations=["extra_time"],
            )
    put_results(
        school,
        work,
        [(code, SCORES[score], journal) for code, (_n, score, journal, _o) in PARTICIPANTS.items()],
    )
    for code, (number, _score, _journal, _ovz) in PARTICIPANTS.items():
        ParticipantResult.objects.filter(work=work, school_id=school.pk, code=code).update(
            class_number=number
        )
    put_results(world.schools["A2a"], work, [(f"43{n:03d}", [0, 0, 0], 2) for n in range(20)])
    for key in ("A1a", "A2a"):
        analytics_school_refresh(school_id=world.schools[key].pk, work_id=work.pk)
    return work


def _agg(world: World, work: Any, level: Level, key: str) -> WorkAggregate:
    unit = world.unit(key) if key else None
    return WorkAggregate.objects.get(work=work, level=level, unit_id=unit.pk if unit else 0)


def _found(actor: Any, pk: int, **cut: str) -> list[tuple[str, bool, int, list[str]]]:
    _report, found = sel.objectivity_list(actor=actor, pk=pk, slice=sel.Slice(**cut))
    return [
        (f["name"], f["is_class"], f["aggregate"].participants, [m.code for m in f["markers"]])
        for f in found
    ]


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_the_marker_follows_the_class_cut(world: World, school_data: Any) -> None:
    # given A1a's aggregate, read by its municipal coordinator
    actor = actor_for_user(world.users["municipal"])
    school = _agg(world, school_data, Level.SCHOOL, "A1a")
    name = world.schools["A1a"].short_name
    # when the markers are read for each class, for all classes and for the whole school
    one_a = _found(actor, school.pk, classes="1")
    one_b = _found(actor, school.pk, classes="2")
    every = _found(actor, school.pk, classes="all")
    plain = _found(actor, school.pk)
    # then the boundary peak fires for «4А» (20 at 6, none at 5) and not for «4Б»
    assert one_a == [("4А", True, 20, ["boundary_peak"])]
    assert one_b == [("4Б", True, 20, [])]
    # and per class the school comes first (its own peak at 6: 23 against 3), then each class
    assert every == [
        (name, False, 40, ["boundary_peak"]),
        ("4А", True, 20, ["boundary_peak"]),
        ("4Б", True, 20, []),
    ]
    assert plain == [(name, False, 40, ["boundary_peak"])]


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_a_class_is_not_compared_with_the_region(world: World, school_data: Any) -> None:
    # given «4А» (100 % of «4»+«5») and region A (29 of 60 = 48.3 %): 51.7 points above
    actor = actor_for_user(world.users["municipal"])
    school = _agg(world, school_data, Level.SCHOOL, "A1a")
    region = _agg(world, school_data, Level.REGION, "A")
    report = sel.report_get(actor=actor, pk=school.pk, slice=sel.Slice(classes="1"))
    four_a = report.own.aggregate
    assert round(obj.share_45(region), 1) == 48.3
    # when its markers are computed as for a school and as for a class
    as_school = [m.code for m in obj.markers(four_a, region, report.work, report.columns, "")]
    as_class = [
        m.code for m in obj.markers(four_a, region, report.work, report.columns, "", for_class=True)
    ]
    # then the comparison with the region fires for a school only
    assert as_school == ["boundary_peak", "above_region"]
    assert as_class == ["boundary_peak"]
    # and the school itself (72.5 %: 24.2 points above) does not fire it either
    assert "above_region" not in [
        m.code for m in obj.markers(school, region, report.work, report.columns, "")
    ]


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_the_markers_follow_the_ovz_cut(world: World, school_data: Any) -> None:
    # given A1a's and region A's aggregates
    municipal = actor_for_user(world.users["municipal"])
    regional = actor_for_user(world.users["regional"])
    school = _agg(world, school_data, Level.SCHOOL, "A1a")
    region = _agg(world, school_data, Level.REGION, "A")
    name = world.schools["A1a"].short_name
    other = world.schools["A2a"].short_name
    # when the markers are read with ОВЗ only, without ОВЗ and for everybody
    only = _found(municipal, school.pk, ovz="only")
    without = _found(municipal, school.pk, ovz="without")
    # then with ОВЗ only the journal marker fires (понизили 5 of 10 = 50 %), not the peak (10 < 20)
    assert only == [(name, False, 10, ["journal_gap"])]
    assert _detail(municipal, school.pk, "only", "journal_gap") == (
        "понизили 50.0 %, расхождение на 2+ — 0.0 %"
    )
    # and without ОВЗ the peak at 6 (22 against 2) remains, and the school is compared with the
    # region's participants without ОВЗ: «4»+«5» 26 of 30 = 86.7 % against 26 of 50 = 52.0 %
    assert without == [(name, False, 30, ["boundary_peak", "above_region"])]
    assert _detail(municipal, school.pk, "without", "above_region") == (
        "«4» и «5»: 86.7 % против 52.0 % по региону"
    )
    # and the ОВЗ participants of «4Б» alone fire it too; «4А» has none, so nothing is listed
    assert _found(municipal, school.pk, ovz="only", classes="2") == [
        ("4Б", True, 10, ["journal_gap"])
    ]
    assert _found(municipal, school.pk, ovz="only", classes="1") == []
    # and the region's list: every school for everybody, only A1a with ОВЗ (A2a has none)
    assert _found(regional, region.pk) == [
        (name, False, 40, ["boundary_peak"]),
        (other, False, 20, []),
    ]
    assert _found(regional, region.pk, ovz="only") == [(name, False, 10, ["journal_gap"])]


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_the_objectivity_page_takes_the_cut(
    world: World, school_data: Any, django_assert_max_num_queries: Any
) -> None:
    # given A1a's aggregate and its municipal coordinator logged in
    school = _agg(world, school_data, Level.SCHOOL, "A1a")
    client = world.client_for("municipal")
    url = reverse("analytics-objectivity", args=[school.pk])
    # when the markers page is opened for «4А», «4Б», every class and ОВЗ only
    # (19 uncut; the class cut adds the level check, the school's results and its register)
    # 23: the page also reads the school's class days (its release instant)
    with django_assert_max_num_queries(23):
        every = client.get(url + "?class=all").content.decode()
    one_a = client.get(url + "?class=1").content.decode()
    one_b = client.get(url + "?class=2").content.decode()
    only = client.get(url + "?ovz=only").content.decode()
    peak = "Пики на границах шкалы"
    journal = "Большие расхождения с отметками по журналу"
    # then «4А» shows the peak and explains why the region comparison is left out for a class
    assert peak in one_a
    assert "4Б" not in _table(one_a)
    assert obj.CLASS_NOTE in one_a
    # and «4Б» shows no marker; every class lists the school and both classes, linked by class
    assert peak not in _table(one_b)
    assert "нет" in _table(one_b)
    assert _table(every).count(peak) == 2
    assert f"/analytics/{school.pk}/marks/?class=1" in every
    # and with ОВЗ only: the journal marker, its note, and no peak
    assert journal in _table(only)
    assert peak not in _table(only)
    assert "Признаки рассчитаны только по участникам группы «Только с ОВЗ»" in only
    # and the region's list cut by ОВЗ reads no row per school (the same count as uncut)
    regional = world.client_for("regional")
    region_url = reverse(
        "analytics-objectivity", args=[_agg(world, school_data, Level.REGION, "A").pk]
    )
    assert _queries(regional, region_url) == _queries(regional, region_url + "?ovz=only")
    # and a report page of a class links to the markers of that class
    marks = client.get(reverse("analytics-marks", args=[school.pk]) + "?class=1").content.decode()
    assert f"/analytics/{school.pk}/objectivity/?class=1" in marks


def _detail(actor: Any, pk: int, ovz_cut: str, code: str) -> str:
    _report, found = sel.objectivity_list(actor=actor, pk=pk, slice=sel.Slice(ovz=ovz_cut))
    return next(m.detail for m in found[0]["markers"] if m.code == code)


def _queries(client: Any, url: str) -> int:
    client.get(url)  # the first GET warms per-process caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _table(page: str) -> str:
    return page[page.index("<tbody>") : page.index("</tbody>")]


def _row(page: str, label: str) -> list[str]:
    """The numeric cells of the page's table row whose unit is ``label``."""
    for row in re.findall(r"<tr.*?</tr>", _table(page), re.S):
        if re.search(rf">{re.escape(label)}<", row):
            return re.findall(r'<td class="num">(.*?)</td>', row)
    raise AssertionError(label)


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_class_rows_count_no_schools(world: World, school_data: Any) -> None:
    # given A1a's aggregate and its organizer logged in
    school = _agg(world, school_data, Level.SCHOOL, "A1a")
    client = world.client_for("school_organizer")
    # when the marks are read per class on the page, in the xlsx and in the API
    page = client.get(reverse("analytics-marks", args=[school.pk]) + "?class=all").content.decode()
    xlsx = client.get(reverse("analytics-marks-xlsx", args=[school.pk]) + "?class=all")
    tasks = client.get(reverse("analytics-tasks-xlsx", args=[school.pk]) + "?class=all")
    api = client.get(reverse("api-analytics-marks", args=[school.pk]) + "?class=all").json()
    # then the school counts one school, a class none: «—» on the page, then its participants
    assert _row(page, world.schools["A1a"].short_name)[:2] == ["1", "40"]
    assert _row(page, "4А")[:2] == ["—", "20"]
    assert _row(page, "4Б")[:2] == ["—", "20"]
    # and the xlsx: «Класс», «4А», an empty «Кол-во ОО», 20 participants
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[6][:4] == ("Уровень", "Наименование", "Кол-во ОО", "Кол-во участников")
    classes = [r[:4] for r in rows if r[0] == "Класс"]
    assert classes == [("Класс", "4А", None, 20), ("Класс", "4Б", None, 20)]
    assert [r[2] for r in rows if r[0] == "ОО"] == [1]
    # and the tasks' columns name a class by its label
    header = next(
        r
        for r in load_workbook(io.BytesIO(tasks.content)).active.iter_rows(values_only=True)
        if r[0] == "Задание"
    )
    assert header[-2:] == ("4А", "4Б")
    # and the API gives no school count for a class
    assert [(u["name"], u["schools"]) for u in api["report"] if u["is_class"]] == [
        ("4А", None),
        ("4Б", None),
    ]
