"""xlsx and PDF of the seven reports: names, header block, numbers, embargo, scope, refusals.

The numbers are those of the small hand-built data set (factories.py): each file is compared
with the JSON API of the same report and with a few numbers counted by hand.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from apps.analytics import selectors as sel
from apps.analytics.exports import KINDS
from apps.analytics.models import WorkAggregate
from apps.analytics.services import analytics_school_refresh
from apps.analytics.tests.factories import put_results
from apps.core.scoping import Level
from apps.registration.access import actor_for_user
from conftest import World, need_service

from .test_reports import AFTER_RELEASE, BEFORE_RELEASE

FIRST_TABLE_ROW = 7  # after the header block (rows 1-5) and a blank row

# School A1b (municipality A1), added where a third school is needed: 3 with a journal mark,
# 2 of them 2+ apart (66.7 %), 1 without.
A1B = [
    ("40001", [0, 0, 0], 4),  # 0 → «2», journal 4: gap 2
    ("40002", [2, 2, 2], 3),  # 6 → «5», journal 3: gap 2
    ("40003", [2, 2, 0], 4),  # 4 → «4», journal 4: equal
    ("40004", [1, 1, 0], 0),  # 2 → «3», no journal mark
]

# Hand-computed numbers: (kind, level) → what the unit's own line or column shows.
# School A1a: marks 1/2/2/1 of 6; column sums 10, 8, 4 of 12; journal 2 lower, 2 equal,
# 1 higher, 1 without, 1 gap. Region A (A1a + A2a): 12 participants, sums 18, 14, 7 of 24.
HAND = {
    ("marks", "school"): [1, 6, 16.7, 33.3, 33.3, 16.7],
    ("marks", "region"): [2, 12, 25.0, 25.0, 33.3, 16.7],
    ("scores", "school"): [0, 1, 0, 2, 1, 1, 1],
    ("scores", "region"): [1, 2, 1, 2, 3, 1, 2],
    ("tasks", "school"): [83.3, 66.7, 33.3],
    ("tasks", "region"): [75.0, 58.3, 29.2],
    ("journal", "school"): [2, 40.0, 2, 40.0, 1, 20.0, 1, 1],
    ("journal", "region"): [3, 30.0, 4, 40.0, 3, 30.0, 2, 2],
    ("topics", "school"): [75.0, 33.3],
    ("topics", "region"): [66.7, 29.2],
    ("groups", "school"): [2, 100.0, 100.0, 25.0],  # the group «4»
    ("groups", "region"): [2, 100.0, 100.0, 100.0],  # the group «5»
}
CASES = {"school": ("school_organizer", "A1a"), "region": ("regional", "A")}


def _agg(world: World, work: Any, level: str) -> WorkAggregate:
    if level == "school":
        return WorkAggregate.objects.get(
            work=work, level=Level.SCHOOL, unit_id=world.schools["A1a"].pk
        )
    return WorkAggregate.objects.get(work=work, level=Level.REGION, unit_id=world.regions["A"].pk)


def _table(ws: Any, headers: int = 1) -> list[list[Any]]:
    """The first table of a sheet: its data rows, up to the first empty line."""
    rows = []
    for row in ws.iter_rows(min_row=FIRST_TABLE_ROW + headers, values_only=True):
        if all(v is None for v in row):
            break
        rows.append(list(row))
    return rows


def _from_xlsx(kind: str, rows: list[list[Any]]) -> Any:
    """The numbers of a report's xlsx table, shaped like ``_from_api``."""
    if kind == "marks":
        return [r[2:8] for r in rows]
    if kind == "scores":
        return [[r[0], r[1], r[3], r[4]] for r in rows]
    if kind == "tasks":
        return rows
    if kind == "journal":
        return [r[2:10] for r in rows]
    if kind == "topics":
        return [[r[0], r[2], *r[3:]] for r in rows]
    return [r[1:-1] for r in rows]  # groups


def _from_api(kind: str, api: Any) -> Any:
    if kind == "marks":
        return [[u["schools"], u["participants"], *u["percents"].values()] for u in api]
    if kind == "scores":
        return [[b["score"], b["mark"], b["count"], b["percent"]] for b in api["bars"]]
    if kind == "tasks":
        rows = [
            [t["label"], t["difficulty"], t["max_score"], *[c["value"] for c in t["cells"]]]
            for t in api["tasks"]
        ]
        return [
            *rows,
            ["Кол-во участников", None, None, *[u["participants"] for u in api["units"]]],
        ]
    if kind == "journal":
        keys = ("lower", "lower_pct", "equal", "equal_pct", "higher", "higher_pct")
        return [[*[u[k] for k in keys], u["missing"], u["gap2"]] for u in api["units"]]
    if kind == "topics":
        return [[t["topic"], t["max"], *t["cells"]] for t in api["topics"]]
    return [[g["count"], *[c["value"] for c in g["cells"]]] for g in api["groups"]]


def _hand(kind: str, level: str, rows: list[list[Any]]) -> list[Any]:
    """The unit's own line or column of the xlsx table, as HAND gives it."""
    own = 3 if level == "school" else 1  # after Вся выборка (, region, municipality)
    if kind == "marks":
        return rows[own][2:8]
    if kind == "scores":
        return [r[3] for r in rows]
    if kind == "tasks":
        return [r[3 + own] for r in rows[:-1]]
    if kind == "journal":
        return rows[own][2:10]
    if kind == "topics":
        return [r[3 + own] for r in rows]
    mark = 4 if level == "school" else 5
    return rows[mark - 2][1:-1]


def _pdf_text(content: bytes, tmp_path: Any) -> str:
    binary = shutil.which("pdftotext")
    need_service("pdftotext", binary is not None, "apt-get install poppler-utils")
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    out = subprocess.run([str(binary), "-layout", str(path), "-"], check=True, capture_output=True)
    return out.stdout.decode()


def _number(value: Any) -> str:
    return f"{value:.1f}".replace(".", ",") if isinstance(value, float) else str(value)


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
@pytest.mark.parametrize("level", ["school", "region"])
@pytest.mark.parametrize("kind", [k for k in KINDS if k != "individual"])
def test_xlsx_of_each_report_matches_the_api_and_the_hand_counts(
    world: World, loaded: Any, kind: str, level: str
) -> None:
    # given the unit's aggregate and the JSON API of the same report
    role, _unit = CASES[level]
    agg = _agg(world, loaded, level)
    client = world.client_for(role)
    api = client.get(reverse(f"api-analytics-{kind}", args=[agg.pk])).json()["report"]
    number, title = KINDS[kind]
    # when the xlsx is downloaded
    response = client.get(reverse(f"analytics-{kind}-xlsx", args=[agg.pk]))
    # then it is named Ф<N>_<report>.xlsx with the sheet «РУ 4 <report>» (31 characters at most)
    assert response.status_code == 200
    unit_file = _unit_file(world, level)
    name = f"Ф{number}_{title}_Русский язык 4_{unit_file}.xlsx"
    assert response["Content-Disposition"].endswith("''" + _quoted(name))
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == [f"РУ 4 {title}"[:31]]
    ws = wb.active
    # and the header block names the report, the work, the unit, the maximum and the date
    unit = world.schools["A1a"].short_name if level == "school" else world.regions["A"].name
    assert [ws.cell(row=r, column=1).value for r in range(1, 6)] == [
        title,
        "ВПР 2026, весна Русский язык 4 класс",
        unit,
        "Максимальный первичный балл: 6",
        "Дата формирования: 10.06.2026",
    ]
    # and its numbers are the API's, and the hand-counted ones
    rows = _table(ws)
    assert _from_xlsx(kind, rows) == _from_api(kind, api)
    assert _hand(kind, level, rows) == HAND[(kind, level)]
    # and no cell is a formula
    assert not any(
        isinstance(c.value, str) and c.value.startswith("=") for row in ws.rows for c in row
    )


def _unit_file(world: World, level: str) -> str:
    """How a file names the unit: the school by its code, the region by its name."""
    return f"ОО {world.schools['A1a'].code}" if level == "school" else world.regions["A"].name


def _quoted(name: str) -> str:
    from django.utils.encoding import escape_uri_path

    return escape_uri_path(name)


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
@pytest.mark.parametrize("level", ["school", "region"])
@pytest.mark.parametrize("kind", [k for k in KINDS if k != "individual"])
def test_pdf_of_each_report_shows_the_title_and_the_numbers(
    world: World, loaded: Any, kind: str, level: str, tmp_path: Any
) -> None:
    # given the unit's aggregate
    role, _unit = CASES[level]
    agg = _agg(world, loaded, level)
    number, title = KINDS[kind]
    # when its PDF is downloaded
    response = world.client_for(role).get(reverse(f"analytics-{kind}-pdf", args=[agg.pk]))
    # then it is a PDF named Ф<N>_<report>.pdf whose text has the title and the hand counts
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    name = f"Ф{number}_{title}_Русский язык 4_{_unit_file(world, level)}.pdf"
    assert response["Content-Disposition"].endswith("''" + _quoted(name))
    text = _pdf_text(response.content, tmp_path)
    assert f"Ф{number}. {title}" in text
    assert "ВПР 2026, весна Русский язык 4 класс" in text
    tokens = text.split()
    for value in HAND[(kind, level)]:
        assert _number(value) in tokens, (kind, level, value)


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_threshold_fills_in_the_tasks_xlsx(world: World, loaded: Any) -> None:
    # given region A: 75 % sufficient, 58.3 % uncertain (basic), 29.2 % uncertain (advanced);
    # municipality A2: 50 % and 25 % insufficient
    agg = _agg(world, loaded, "region")
    report = sel.report_get(actor=actor_for_user(world.users["regional"]), pk=agg.pk)
    levels = [[c["level"] for c in line["cells"]] for line in sel.tasks_table(report)]
    # when the xlsx is downloaded
    response = world.client_for("regional").get(reverse("analytics-tasks-xlsx", args=[agg.pk]))
    ws = load_workbook(io.BytesIO(response.content)).active
    # then each unit cell is filled with the colour of the page's level
    colours = {"sufficient": "D9F2D9", "uncertain": "FFF3C4", "insufficient": "F8D0D0"}
    for i, row_levels in enumerate(levels):
        for j, level in enumerate(row_levels):
            cell = ws.cell(row=FIRST_TABLE_ROW + 1 + i, column=4 + j)
            assert cell.fill.fgColor.rgb.endswith(colours[level]), (i, j, level)
    assert levels[0][1] == "sufficient"
    assert levels[1][1] == "uncertain"
    assert levels[1][3] == "insufficient"


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_individual_results_xlsx_and_pdf_for_the_school(
    world: World, loaded: Any, tmp_path: Any
) -> None:
    # given school A1a's aggregate
    agg = _agg(world, loaded, "school")
    client = world.client_for("school_organizer")
    # when its organizer downloads Ф1
    xlsx = client.get(reverse("analytics-individual-xlsx", args=[agg.pk]))
    pdf = client.get(reverse("analytics-individual-pdf", args=[agg.pk]))
    # then the difficulty row stands above the task columns and each code has its line
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws.title == "РУ 4 Индивидуальные результаты"
    assert [c.value for c in ws[FIRST_TABLE_ROW]][:3] == ["Уровень сложности", None, None]
    assert [c.value for c in ws[FIRST_TABLE_ROW]][3:6] == ["Б", "Б", "П"]
    rows = {r[0]: r for r in _table(ws, headers=2)}
    assert list(rows) == ["40001", "40002", "40003", "40004", "40005", "40006", "40007"]
    # 40005: class 1, variant 1, scores 1, 0, X → 1 point, «2», journal 4
    assert rows["40005"][:9] == ["40005", 1, 1, 1, 0, "X", 1, 2, 4]
    assert rows["40003"][8] == "нет отметки"
    assert rows["40007"][2] == "отсутствовал"
    # and the PDF shows the codes
    text = _pdf_text(pdf.content, tmp_path)
    assert "Ф1. Индивидуальные результаты" in text
    assert "40005" in text
    assert "отсутствовал" in text


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_individual_results_refused_like_the_page(world: World, loaded: Any) -> None:
    # given A1a's and region A's aggregates
    school = _agg(world, loaded, "school")
    region = _agg(world, loaded, "region")
    for fmt in ("xlsx", "pdf"):
        url = reverse(f"analytics-individual-{fmt}", args=[school.pk])
        # when coordinators ask for the school's individual results
        # then they are refused as on the page (403: no right to individual results)
        for role in ("municipal", "regional", "federal"):
            page = world.client_for(role).get(reverse("analytics-individual", args=[school.pk]))
            assert page.status_code == 403
            assert world.client_for(role).get(url).status_code == 403, (role, fmt)
        # and the school's technical specialist gets them, a school elsewhere does not (404)
        assert world.client_for("school_tech").get(url).status_code == 200
        region_url = reverse(f"analytics-individual-{fmt}", args=[region.pk])
        assert world.client_for("school_organizer").get(region_url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_embargo_holds_for_downloads(world: World, loaded: Any, fmt: str) -> None:
    # given the reports before the release date (06.06.2026)
    school = _agg(world, loaded, "school")
    region = _agg(world, loaded, "region")
    with time_machine.travel(BEFORE_RELEASE):
        for role, agg in (("school_organizer", school), ("regional", region)):
            for kind in KINDS:
                if kind == "individual" and role != "school_organizer":
                    continue
                # when a school or a coordinator downloads any report
                response = world.client_for(role).get(
                    reverse(f"analytics-{kind}-{fmt}", args=[agg.pk])
                )
                # then it gets the embargo notice (403), not the file
                assert response.status_code == 403, (role, kind)
                assert response["Content-Type"].startswith("text/html"), (role, kind)
                assert "Результаты будут опубликованы" in response.content.decode()
                assert "Content-Disposition" not in response
        combined = world.client_for("regional").get(reverse("analytics-pdf", args=[region.pk]))
        assert combined.status_code == 403
        assert combined["Content-Type"].startswith("text/html")
        # and the federal operator already gets the file
        federal = world.client_for("federal").get(
            reverse(f"analytics-marks-{fmt}", args=[region.pk])
        )
        assert "attachment" in federal["Content-Disposition"]


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_unknown_kind_and_foreign_unit_answer_404(world: World, loaded: Any) -> None:
    # given region A's aggregate and region B's
    agg = _agg(world, loaded, "region")
    other = WorkAggregate.objects.get(
        work=loaded, level=Level.REGION, unit_id=world.regions["B"].pk
    )
    client = world.client_for("regional")
    # when a kind that is not a report, or another region's report, is asked for
    # then it is as good as missing
    for path in ("foo.xlsx", "objectivity.pdf", "marks.csv", "individual.docx"):
        assert client.get(f"/analytics/{agg.pk}/{path}").status_code == 404, path
    assert client.get(reverse("analytics-marks-xlsx", args=[other.pk])).status_code == 404
    assert client.get(reverse("analytics-journal-pdf", args=[other.pk])).status_code == 404


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_combined_pdf_has_the_six_reports(world: World, loaded: Any, tmp_path: Any) -> None:
    # given region A's aggregate
    agg = _agg(world, loaded, "region")
    # when the combined PDF is downloaded
    response = world.client_for("regional").get(reverse("analytics-pdf", args=[agg.pk]))
    # then every report of the aggregate is in it, the individual results are not
    text = _pdf_text(response.content, tmp_path)
    for kind, (number, title) in KINDS.items():
        assert (f"Ф{number}. {title}" in text) is (kind != "individual"), kind


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_coordinators_see_the_schools_with_journal_gaps(world: World, loaded: Any) -> None:
    # given a third school in municipality A1 (A1b: 2 gaps of 3 with a journal mark, 66.7 %)
    # next to A1a and A2a (1 gap of 5 each, 20 %) and B1a (no gap)
    put_results(world.schools["A1b"], loaded, A1B)
    analytics_school_refresh(school_id=world.schools["A1b"].pk, work_id=loaded.pk)
    names = {k: world.schools[k].short_name for k in ("A1a", "A1b", "A2a", "B1a")}

    def listed(role: str, level: Level, unit_id: int, limit: int | None = 100) -> Any:
        agg = WorkAggregate.objects.get(work=loaded, level=level, unit_id=unit_id)
        actor = actor_for_user(world.users[role])
        return sel.journal_gap_school_list(actor=actor, aggregate=agg, limit=limit)

    # when the municipal, regional coordinators and the federal operator list them
    muni = listed("municipal", Level.MUNICIPALITY, world.municipalities["A1"].pk)
    region = listed("regional", Level.REGION, world.regions["A"].pk)
    russia = listed("federal", Level.FEDERAL, 0)
    # then each lists its schools with gaps, the largest share first, with counts and shares
    rows = [(r["name"], r["with_journal"], r["gap2"], r["gap2_pct"]) for r in region.rows]
    assert rows[0] == (names["A1b"], 3, 2, 66.7)
    assert sorted(rows[1:]) == sorted([(names["A1a"], 5, 1, 20.0), (names["A2a"], 5, 1, 20.0)])
    assert (region.total, region.schools) == (3, 3)
    assert [r["name"] for r in muni.rows] == [names["A1b"], names["A1a"]]
    assert (russia.total, russia.schools) == (3, 4)
    assert names["B1a"] not in [r["name"] for r in russia.rows]
    # and a limit keeps the largest share, with the total still counted
    top = listed("regional", Level.REGION, world.regions["A"].pk, limit=1)
    assert ([r["name"] for r in top.rows], top.total) == ([names["A1b"]], 3)
    # and nothing is listed for a school itself (its codes are listed instead)
    assert listed("regional", Level.SCHOOL, world.schools["A1b"].pk).rows == []


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_journal_page_and_xlsx_list_the_schools_for_the_region(world: World, loaded: Any) -> None:
    # given region A with A1b (66.7 %) besides A1a and A2a
    put_results(world.schools["A1b"], loaded, A1B)
    analytics_school_refresh(school_id=world.schools["A1b"].pk, work_id=loaded.pk)
    agg = _agg(world, loaded, "region")
    a1b = WorkAggregate.objects.get(
        work=loaded, level=Level.SCHOOL, unit_id=world.schools["A1b"].pk
    )
    client = world.client_for("regional")
    # when the regional coordinator opens the journal comparison and its xlsx
    page = client.get(reverse("analytics-journal", args=[agg.pk])).content.decode()
    xlsx = client.get(reverse("analytics-journal-xlsx", args=[agg.pk]))
    # then the page links each school to its own journal report, the largest share first
    link = reverse("analytics-journal", args=[a1b.pk])
    assert f'<a href="{link}">{world.schools["A1b"].short_name}</a>' in page
    assert "3 из 3 ОО" in page
    # and the xlsx has the same list below the comparison table
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    caption = next(i for i, r in enumerate(values) if r[0] and str(r[0]).startswith("ОО с расх"))
    assert values[caption + 2][:4] == [world.schools["A1b"].short_name, 3, 2, 66.7]


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_journal_page_and_download_use_a_fixed_number_of_queries(world: World, loaded: Any) -> None:
    # given region A's journal page and xlsx with two schools of results
    agg = _agg(world, loaded, "region")
    client = world.client_for("regional")
    urls = [
        reverse("analytics-journal", args=[agg.pk]),
        reverse("analytics-journal-xlsx", args=[agg.pk]),
        reverse("analytics-pdf", args=[agg.pk]),
    ]
    for url in urls:
        client.get(url)
    small = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        small[url] = len(queries)
    # when two more schools of the region upload
    for key in ("A1b", "A2b"):
        put_results(world.schools[key], loaded, A1B)
        analytics_school_refresh(school_id=world.schools[key].pk, work_id=loaded.pk)
    # then each asks the database as many times as before, and never for raw results
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert len(queries) == small[url], url
        assert not any("results_participantresult" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_report_pages_link_their_downloads(world: World, loaded: Any) -> None:
    # given the school's and the region's aggregates
    for level in ("school", "region"):
        role, _unit = CASES[level]
        agg = _agg(world, loaded, level)
        client = world.client_for(role)
        for kind in KINDS:
            if kind == "individual" and level != "school":
                continue
            # when a report page opens
            page = client.get(reverse(f"analytics-{kind}", args=[agg.pk])).content.decode()
            # then it links its xlsx and PDF (and the six reports in one PDF)
            assert reverse(f"analytics-{kind}-xlsx", args=[agg.pk]) in page
            assert reverse(f"analytics-{kind}-pdf", args=[agg.pk]) in page
            number, title = KINDS[kind]
            assert f"Ф{number}_{title}.xlsx" in page
            assert (reverse("analytics-pdf", args=[agg.pk]) in page) is (kind != "individual")


def test_sheet_names_fit_excel() -> None:
    # given the seven report names
    # then each sheet name «РУ 4 <report>» is cut to Excel's 31 characters
    assert all(len(f"РУ 11 {title}"[:31]) <= 31 for _n, title in KINDS.values())
    assert sorted(n for n, _t in KINDS.values()) == [1, 2, 3, 4, 5, 6, 7]


@pytest.mark.django_db
def test_the_api_serves_the_report_files_of_the_page(world: World, loaded: Any) -> None:
    # given the region's reports, released
    region = _agg(world, loaded, "region")
    client = world.client_for("regional")
    with time_machine.travel(AFTER_RELEASE):
        # when a client downloads Ф3 through the API and through the page
        api = client.get(reverse("api-analytics-marks-xlsx", args=[region.pk]))
        page = client.get(reverse("analytics-marks-xlsx", args=[region.pk]))
    # then both give the same workbook, under the same name
    assert api.status_code == 200
    assert api["Content-Disposition"] == page["Content-Disposition"]
    first = load_workbook(io.BytesIO(api.content)).worksheets[0]
    second = load_workbook(io.BytesIO(page.content)).worksheets[0]
    assert list(first.iter_rows(values_only=True)) == list(second.iter_rows(values_only=True))
    # and before the release the API refuses with the error model: 403 «embargo» and the instant
    with time_machine.travel(BEFORE_RELEASE):
        refused = client.get(reverse("api-analytics-marks-pdf", args=[region.pk]))
    assert refused.status_code == 403
    assert refused.json()["code"] == "embargo"
    assert refused.json()["context"]["embargo_until"]
    # and a region outside the coordinator's scope is as good as missing
    foreign = world.client_for("municipal").get(
        reverse("api-analytics-marks-xlsx", args=[region.pk])
    )
    assert foreign.status_code == 404
