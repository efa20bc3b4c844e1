"""Reports of the small data set: exact numbers, thresholds, embargo, pages, xlsx."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from apps.analytics import selectors as sel
from apps.analytics.models import WorkAggregate
from apps.core.scoping import Level
from apps.registration.access import actor_for_user
from conftest import World

# The release date of the work is 06.06.2026, 00:00 school-local (the world's zone).
BEFORE_RELEASE = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
AFTER_RELEASE = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)


def _agg(work: Any, level: Level, unit_id: int) -> WorkAggregate:
    return WorkAggregate.objects.get(work=work, level=level, unit_id=unit_id)


def _report(world: World, role: str, agg: WorkAggregate) -> sel.Report:
    return sel.report_get(actor=actor_for_user(world.users[role]), pk=agg.pk)


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_marks_of_a_school_compared_with_the_levels_above(world: World, loaded: Any) -> None:
    # given the school A1a's aggregate
    agg = _agg(loaded, Level.SCHOOL, world.schools["A1a"].pk)
    # when its organizer opens «Статистика по отметкам»
    table = sel.marks_table(_report(world, "school_organizer", agg))
    # then the rows are Вся выборка, region A, municipality A1, the school, with hand-made %
    assert [line["row"].level for line in table] == [
        Level.FEDERAL,
        Level.REGION,
        Level.MUNICIPALITY,
        Level.SCHOOL,
    ]
    assert [(line["schools"], line["participants"]) for line in table] == [
        (3, 14),
        (2, 12),
        (1, 6),
        (1, 6),
    ]
    assert table[0]["percents"] == [28.6, 21.4, 28.6, 21.4]  # 4, 3, 4, 3 of 14
    assert table[1]["percents"] == [25.0, 25.0, 33.3, 16.7]  # 3, 3, 4, 2 of 12
    assert table[3]["percents"] == [16.7, 33.3, 33.3, 16.7]  # 1, 2, 2, 1 of 6
    # and every group of fewer than 10 participants is flagged
    assert [line["row"].small for line in table] == [False, False, True, True]


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_region_report_lists_its_municipalities_only(world: World, loaded: Any) -> None:
    # given region A's aggregate
    agg = _agg(loaded, Level.REGION, world.regions["A"].pk)
    # when the regional coordinator opens it
    report = _report(world, "regional", agg)
    # then it shows Вся выборка, the region and its two municipalities (not B1)
    assert [(r.level, r.aggregate.participants) for r in report.rows] == [
        (Level.FEDERAL, 14),
        (Level.REGION, 12),
        (Level.MUNICIPALITY, 6),
        (Level.MUNICIPALITY, 6),
    ]


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_task_completion_and_threshold_colours(world: World, loaded: Any) -> None:
    # given region A (sums 18, 14, 7 of 12 participants × 2 points)
    agg = _agg(loaded, Level.REGION, world.regions["A"].pk)
    # when «Выполнение заданий» is built
    table = sel.tasks_table(_report(world, "regional", agg))
    region = [line["cells"][1] for line in table]
    municipalities = [(line["cells"][2], line["cells"][3]) for line in table]
    # then basic 75 % is sufficient, basic 58.3 % uncertain, advanced 29.2 % uncertain
    assert [(c["value"], c["level"]) for c in region] == [
        (75.0, "sufficient"),
        (58.3, "uncertain"),
        (29.2, "uncertain"),
    ]
    # and in A2 basic 50 % is insufficient and advanced 25 % insufficient; A1 advanced 33.3 % ok
    a1, a2 = municipalities[1]
    assert (a2["value"], a2["level"]) == (50.0, "insufficient")
    assert (municipalities[2][1]["value"], municipalities[2][1]["level"]) == (25.0, "insufficient")
    assert (municipalities[2][0]["value"], municipalities[2][0]["level"]) == (
        33.3,
        "sufficient",
    )
    assert a1["value"] == 66.7


def test_threshold_edges() -> None:
    # given ФИОКО's thresholds
    # then the edges fall as documented
    assert sel.completion_level("Б", 60.0) == "sufficient"
    assert sel.completion_level("Б", 57.0) == "uncertain"
    assert sel.completion_level("Б", 56.9) == "insufficient"
    assert sel.completion_level("П", 30.0) == "sufficient"
    assert sel.completion_level("В", 28.5) == "uncertain"
    assert sel.completion_level("П", 28.4) == "insufficient"
    assert sel.completion_level("Б", None) == ""


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_histogram_journal_topics_groups(world: World, loaded: Any) -> None:
    # given municipality A2 (= school A2a) seen by the regional coordinator
    agg = _agg(loaded, Level.MUNICIPALITY, world.municipalities["A2"].pk)
    report = _report(world, "regional", agg)
    # when the other reports are built
    hist = sel.histogram(report)
    journal = sel.journal_table(report)
    topics = sel.topics_table(report)
    groups = sel.groups_table(report)
    # then the histogram counts scores 0..6 with the scale's boundaries 2, 4, 6
    assert [b["count"] for b in hist["bars"]] == [1, 1, 1, 0, 2, 0, 1]
    assert [b["score"] for b in hist["bars"] if b["boundary"]] == [2, 4, 6]
    assert hist["small"] is True
    # and the journal comparison excludes the participant without a journal mark
    own = next(line for line in journal if line["row"].is_self)
    assert (own["lower"], own["equal"], own["higher"], own["missing"], own["gap2"]) == (
        1,
        2,
        2,
        1,
        1,
    )
    assert (own["lower_pct"], own["equal_pct"], own["higher_pct"]) == (20.0, 40.0, 40.0)
    # and topics group columns 1+2 (14 of 24 points) and 3 (3 of 12) for A2
    self_index = [r.is_self for r in report.rows].index(True)
    assert [(t["topic"], t["cells"][self_index]) for t in topics] == [
        ("Орфография", 58.3),
        ("Текст", 25.0),
    ]
    # and the mark groups: «4» (2 participants) scored 4, 3, 1 of 4 points per column
    four = next(g for g in groups if g["mark"] == 4)
    assert four["count"] == 2
    assert [c["value"] for c in four["cells"]] == [100.0, 75.0, 25.0]


@pytest.mark.django_db
@time_machine.travel(BEFORE_RELEASE)
def test_embargo_before_the_release_date(world: World, loaded: Any) -> None:
    # given the reports before 06.06.2026
    school = _agg(loaded, Level.SCHOOL, world.schools["A1a"].pk)
    region = _agg(loaded, Level.REGION, world.regions["A"].pk)
    # when the school, the region and the federal operator open them
    for role, agg in (("school_organizer", school), ("regional", region)):
        report = _report(world, role, agg)
        # then only the release instant is given, no numbers
        assert report.embargo_until is not None
        assert report.rows == []
        page = world.client_for(role).get(reverse("analytics-marks", args=[agg.pk]))
        assert page.status_code == 200
        assert "Результаты будут опубликованы" in page.content.decode()
        xlsx = world.client_for(role).get(reverse("analytics-marks-xlsx", args=[agg.pk]))
        assert xlsx["Content-Type"].startswith("text/html")
    # and the federal operator sees the numbers already
    assert _report(world, "federal", region).rows[1].aggregate.participants == 12


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_pages_open_for_each_role_with_a_fixed_number_of_queries(
    world: World, loaded: Any, django_assert_max_num_queries: Any
) -> None:
    # given the aggregates of each level
    cases = [
        ("school_organizer", _agg(loaded, Level.SCHOOL, world.schools["A1a"].pk)),
        ("municipal", _agg(loaded, Level.MUNICIPALITY, world.municipalities["A1"].pk)),
        ("regional", _agg(loaded, Level.REGION, world.regions["A"].pk)),
        ("federal", _agg(loaded, Level.FEDERAL, 0)),
    ]
    names = [
        "analytics-marks",
        "analytics-scores",
        "analytics-tasks",
        "analytics-journal",
        "analytics-topics",
        "analytics-groups",
    ]
    for role, agg in cases:
        client = world.client_for(role)
        for name in names:
            # when each report page opens
            # (16 for the report; +2 for the base layout: the unread-notices badge and the
            # coordinators' contacts, one query each)
            with django_assert_max_num_queries(18):
                response = client.get(reverse(name, args=[agg.pk]))
            # then it renders
            assert response.status_code == 200, (role, name)


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_individual_results_are_the_schools_own(world: World, loaded: Any) -> None:
    # given A1a's aggregate and the region's
    school = _agg(loaded, Level.SCHOOL, world.schools["A1a"].pk)
    region = _agg(loaded, Level.REGION, world.regions["A"].pk)
    # when the school opens its individual results
    page = world.client_for("school_organizer").get(
        reverse("analytics-individual", args=[school.pk])
    )
    # then each code is listed, the absent one as such, X shown as X
    text = page.content.decode()
    assert page.status_code == 200
    assert "40006" in text
    assert "отсутствовал" in text
    assert ">X<" in text
    # and coordinators have no individual report (403)
    regional = world.client_for("regional")
    assert regional.get(reverse("analytics-individual", args=[region.pk])).status_code == 403


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_marks_xlsx_named_like_fis_oko(world: World, loaded: Any) -> None:
    # given region A's aggregate
    agg = _agg(loaded, Level.REGION, world.regions["A"].pk)
    # when the regional coordinator downloads «Статистика по отметкам»
    response = world.client_for("regional").get(reverse("analytics-marks-xlsx", args=[agg.pk]))
    # then the file and the sheet are named like ФИС ОКО, with the header block and the numbers
    assert "%D0%A43_" in response["Content-Disposition"]  # «Ф3_»
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["РУ 4 Статистика по отметкам"]
    ws = wb.active
    assert ws["A1"].value == "Статистика по отметкам"
    assert ws["A2"].value == "ВПР 2026, весна Русский язык 4 класс"
    assert ws["A3"].value == world.regions["A"].name
    assert ws["A4"].value == "Максимальный первичный балл: 6"
    assert ws["A5"].value == "Дата формирования: 10.06.2026"
    assert [c.value for c in ws[9]][2:8] == [2, 12, 25.0, 25.0, 33.3, 16.7]
    assert not any(
        isinstance(c.value, str) and c.value.startswith("=") for row in ws.rows for c in row
    )


@pytest.mark.django_db
def test_api_returns_the_numbers_and_keeps_the_embargo(world: World, loaded: Any) -> None:
    # given region A's aggregate
    agg = _agg(loaded, Level.REGION, world.regions["A"].pk)
    url = reverse("api-analytics-marks", args=[agg.pk])
    other = _agg(loaded, Level.REGION, world.regions["B"].pk)
    # when the API is called before and after the release, logged in at each instant (a session
    # opened at today's date expires two weeks later, which may be before a pinned instant)
    with time_machine.travel(BEFORE_RELEASE):
        before = world.client_for("regional").get(url).json()
    with time_machine.travel(AFTER_RELEASE):
        client = world.client_for("regional")
        after = client.get(url).json()
        tasks = client.get(reverse("api-analytics-tasks", args=[agg.pk])).json()
        sibling = client.get(reverse("api-analytics-marks", args=[other.pk])).status_code
    # then before it only says when; after it gives the region's percentages
    assert before["report"] is None
    assert before["embargo_until"]
    assert after["report"][1]["percents"] == {"2": 25.0, "3": 25.0, "4": 33.3, "5": 16.7}
    assert tasks["report"]["tasks"][0]["cells"][1] == {"value": 75.0, "level": "sufficient"}
    # and a sibling region's aggregate is as good as missing
    assert sibling == 404


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_query_count_does_not_grow_with_results(world: World, loaded: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.analytics.services import analytics_school_refresh
    from apps.analytics.tests.factories import A2A, put_results

    # given the region page's query count with two schools of results
    agg = _agg(loaded, Level.REGION, world.regions["A"].pk)
    client = world.client_for("regional")
    url = reverse("analytics-tasks", args=[agg.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    # when a third school of the region uploads
    put_results(world.schools["A1b"], loaded, A2A)
    analytics_school_refresh(school_id=world.schools["A1b"].pk, work_id=loaded.pk)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    # then the page reads the same number of rows-sets: aggregates, never raw results
    assert response.status_code == 200
    assert len(large) == len(small)
    assert not any("results_participantresult" in q["sql"] for q in large.captured_queries)


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_pdf_download(world: World, loaded: Any) -> None:
    # given the school's aggregate
    agg = _agg(loaded, Level.SCHOOL, world.schools["A1a"].pk)
    # when its organizer downloads the PDF
    response = world.client_for("school_organizer").get(reverse("analytics-pdf", args=[agg.pk]))
    # then it is a PDF named like ФИС ОКО's form
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert "pdf" in response["Content-Disposition"]


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_who_sees_which_unit(world: World, loaded: Any) -> None:
    # given the aggregates of region A, municipality A1, Russia
    region = _agg(loaded, Level.REGION, world.regions["A"].pk)
    muni = _agg(loaded, Level.MUNICIPALITY, world.municipalities["A1"].pk)
    russia = _agg(loaded, Level.FEDERAL, 0)
    url = lambda agg: reverse("analytics-marks", args=[agg.pk])  # noqa: E731
    municipal = world.client_for("municipal")
    school = world.client_for("school_organizer")
    # when each role opens them
    # then a coordinator opens its own unit, not the one above it (404, like a missing one)
    assert municipal.get(url(muni)).status_code == 200
    assert municipal.get(url(region)).status_code == 404
    assert school.get(url(muni)).status_code == 404
    assert world.client_for("regional").get(url(russia)).status_code == 404
    assert world.client_for("federal").get(url(russia)).status_code == 200
    # and the index names the units it lists
    index = municipal.get(reverse("analytics-index")).content.decode()
    assert "Муниципалитет ZQX-A1-" in index
    assert "Школа ZQX-A1a-" in index


@pytest.mark.django_db
def test_embargo_opens_at_school_local_midnight(world: World, loaded: Any) -> None:
    from apps.registration.models import School

    # given A1a in Vladivostok (UTC+10) and A2a in Kaliningrad (UTC+2)
    School.objects.filter(pk=world.schools["A1a"].pk).update(time_zone="Asia/Vladivostok")
    School.objects.filter(pk=world.schools["A2a"].pk).update(time_zone="Europe/Kaliningrad")
    world.users["school_organizer"].refresh_from_db()
    east = _agg(loaded, Level.SCHOOL, world.schools["A1a"].pk)
    west = _agg(loaded, Level.SCHOOL, world.schools["A2a"].pk)
    federal = actor_for_user(world.users["federal"])
    organizer = actor_for_user(world.users["school_organizer"])
    # when it is 05.06.2026 15:00 UTC: 06.06 01:00 in Vladivostok, 05.06 17:00 in Kaliningrad
    with time_machine.travel(dt.datetime(2026, 6, 5, 15, 0, tzinfo=dt.UTC)):
        # then Vladivostok's school already sees its report
        assert sel.report_get(actor=organizer, pk=east.pk).embargo_until is None
        # and Kaliningrad's school would still wait until its own midnight (22:00 UTC)
        report = sel.report_get(actor=federal, pk=west.pk)
        assert report.embargo_until is None  # the federal operator is never embargoed
        opens = sel.release_instant(west, School.objects.get(pk=world.schools["A2a"].pk))
        assert opens == dt.datetime(2026, 6, 5, 22, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_late_reserve_day_moves_the_schools_release(world: World, loaded: Any) -> None:
    from apps.campaigns.models import SchoolWorkDate

    # given A1a held the work on a reserve day 3 days after the period (ends 16.05.2026)
    school = world.schools["A1a"]
    SchoolWorkDate.objects.create(
        school=school,
        work=loaded,
        date=dt.date(2026, 5, 19),
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )
    agg = _agg(loaded, Level.SCHOOL, school.pk)
    organizer = actor_for_user(world.users["school_organizer"])
    # when it opens its report on 07.06.2026 (a day after the plan-graph's release date)
    with time_machine.travel(dt.datetime(2026, 6, 7, 12, 0, tzinfo=dt.UTC)):
        report = sel.report_get(actor=organizer, pk=agg.pk)
    # then it is still embargoed until 09.06.2026, school-local midnight
    from zoneinfo import ZoneInfo

    local = report.embargo_until.astimezone(ZoneInfo(school.time_zone))
    assert (local.date(), local.hour, local.minute) == (dt.date(2026, 6, 9), 0, 0)
