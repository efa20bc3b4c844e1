"""Monitoring of uploads: the drill-down country → region → municipality → school with counts
computed by hand, scoping of every level, a fixed number of queries, xlsx at every level, the
late list and the reminder limited to the unit shown."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any
from urllib.parse import unquote

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from apps.applications.models import Application, ApplicationLine
from apps.campaigns.models import SchoolWorkDate, Work
from apps.campaigns.tests.factories import SubjectFactory, WorkFactory
from apps.core.models import AuditEvent, Job
from apps.registration.models import Municipality, Region, School, SchoolProfile
from apps.registration.tests.factories import SchoolFactory
from apps.results import services
from apps.results.models import ContextSheet, ContextUpload, ResultSheet, ResultVersion
from apps.results.monitoring import selectors as mon
from apps.results.tests.conftest import HELD_ON, Env

pytestmark = pytest.mark.django_db

# 23.05.2026 is the last upload day. At 20:30 UTC it is 23:30 in Moscow (still open) and
# 06:30 on the 24th in Vladivostok (closed): the same instant is «waiting» or «overdue»
# depending on the school's zone.
EVENING = dt.datetime(2026, 5, 23, 20, 30, tzinfo=dt.UTC)
FAR_EAST = "Asia/Vladivostok"
MOSCOW = "Europe/Moscow"


def _apply(school: Any, work: Work, participants: int, status: str = "confirmed_region") -> None:
    application, _ = Application.objects.get_or_create(
        campaign=work.campaign,
        school=school,
        defaults={
            "municipality_id": school.municipality_id,
            "region_id": school.region_id,
            "status": status,
        },
    )
    ApplicationLine.objects.create(
        application=application,
        work=work,
        takes_part=True,
        participants=participants,
        classes=1,
    )


def _day(school: Any, work: Work) -> None:
    SchoolWorkDate.objects.get_or_create(
        school=school,
        work=work,
        defaults={
            "date": HELD_ON,
            "municipality_id": school.municipality_id,
            "region_id": school.region_id,
        },
    )


def _sheet(school: Any, work: Work, **extra: Any) -> ResultSheet:
    return ResultSheet.objects.get_or_create(
        school=school,
        work=work,
        defaults={
            "municipality_id": school.municipality_id,
            "region_id": school.region_id,
            **extra,
        },
    )[0]


def _version(school: Any, work: Work, present: int, absent: int, late: bool) -> None:
    """An accepted version, written directly (the upload itself is tested elsewhere)."""
    sheet = _sheet(school, work)
    version = ResultVersion.objects.create(
        sheet=sheet,
        school_id=school.pk,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
        number=1,
        source="api",
        participants=present,
        absent=absent,
        late=late,
    )
    sheet.current_version = version
    sheet.version_count = 1
    sheet.save()


def _context(school: Any, work: Work) -> None:
    sheet = ContextSheet.objects.create(
        school=school,
        campaign=work.campaign,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )
    upload = ContextUpload.objects.create(
        sheet=sheet,
        school_id=school.pk,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
        number=1,
        source="api",
        participants=1,
    )
    sheet.current_upload = upload
    sheet.save()


def _profile(school: Any, email: str) -> None:
    SchoolProfile.objects.create(
        school=school,
        school_type=school.school_type,
        settlement_type="city",
        address="ул. Школьная, 1",
        director_name="Директор",
        phone="+7 000 000-00-00",
        email=email,
    )


def _zone(school: Any, zone: str) -> None:
    School.objects.filter(pk=school.pk).update(time_zone=zone)


# school: (zone, planned participants, what happened, context uploaded)
SCENARIO = {
    "A1a": (MOSCOW, 25, "uploaded on time by the school (18 present, 2 absent)", True),
    "A1b": (FAR_EAST, 20, "nothing: overdue", True),
    "A2a": (MOSCOW, 30, "nothing: waiting (23:30 local)", False),
    "A2b": (FAR_EAST, 12, "uploaded late (10 present, 1 absent)", True),
    "B1a": (MOSCOW, 24, "uploaded on time (22 present, 3 absent)", False),
    "B1b": (FAR_EAST, 15, "nothing, but reopened until 26.05: waiting", False),
    "B2a": (MOSCOW, 40, "application still a draft: not expected", True),
    "B2b": (FAR_EAST, 16, "nothing: overdue (context uploaded)", True),
}


@pytest.fixture
def monitored(env: Env, time_machine: Any) -> Env:
    world, work = env.world, env.work
    for key, (zone, planned, _what, context) in SCENARIO.items():
        school = world.schools[key]
        _zone(school, zone)
        _apply(school, work, planned, status="draft" if key == "B2a" else "confirmed_region")
        _day(school, work)
        if context:
            _context(school, work)
    env.upload(env.filled())  # A1a, inside the window
    _version(world.schools["A2b"], work, present=10, absent=1, late=True)
    _version(world.schools["B1a"], work, present=22, absent=3, late=False)
    _sheet(world.schools["B1b"], work, reopened_until=dt.datetime(2026, 5, 26, 14, tzinfo=dt.UTC))
    _profile(world.schools["A1b"], "a1b@example.org")
    _profile(world.schools["A2a"], "a2a@example.org")
    time_machine.move_to(EVENING, tick=False)
    return env


def _row(c: mon.Counts) -> tuple[int, ...]:
    return (c.schools, c.on_time, c.late, c.overdue, c.waiting, c.context, c.planned, c.present)


def _rows(data: mon.Monitoring) -> dict[str, tuple[int, ...]]:
    return {r.name: (*_row(r.counts), r.counts.absent) for r in data.rows}


def _get(env: Env, role: str, work: Work | None, **ids: int) -> mon.Monitoring:
    actor = env.actor(role)
    unit = mon.monitoring_unit_get(actor=actor, **ids)
    return mon.monitoring_get(
        actor=actor, unit=unit, campaign=env.work.campaign, work_id=work.pk if work else None
    )


def test_federal_operator_sees_a_row_per_region(monitored: Env) -> None:
    env = monitored
    # when the federal operator opens the work
    data = _get(env, "federal", env.work)
    # then each region is counted by hand from the scenario
    # (schools, on time, late, overdue, waiting, context, planned, present, absent)
    regions = env.world.regions
    assert _rows(data) == {
        regions["A"].name: (4, 1, 1, 1, 1, 3, 87, 28, 3),
        regions["B"].name: (3, 1, 0, 1, 1, 1, 55, 22, 3),
    }
    assert _row(data.total) == (7, 2, 1, 2, 2, 4, 142, 50)


def test_regional_coordinator_sees_a_row_per_municipality(monitored: Env) -> None:
    env = monitored
    # when the coordinator of region A opens the work
    data = _get(env, "regional", env.work)
    # then its two municipalities are counted (and region B is not there)
    m = env.world.municipalities
    assert _rows(data) == {
        m["A1"].name: (2, 1, 0, 1, 0, 2, 45, 18, 2),
        m["A2"].name: (2, 0, 1, 0, 1, 1, 42, 10, 1),
    }


def test_municipal_coordinator_sees_a_row_per_school_with_its_state(monitored: Env) -> None:
    env = monitored
    # when the coordinator of municipality A1 opens the work
    data = _get(env, "municipal", env.work)
    # then each school has its own counts and state
    s = env.world.schools
    assert _rows(data) == {
        s["A1a"].short_name: (1, 1, 0, 0, 0, 1, 25, 18, 2),
        s["A1b"].short_name: (1, 0, 0, 1, 0, 1, 20, 0, 0),
    }
    assert [r.counts.state for r in data.rows] == [
        mon.UploadState.ON_TIME,
        mon.UploadState.OVERDUE,
    ]


def test_a_region_seen_by_the_federal_operator_and_a_reopened_school(monitored: Env) -> None:
    env = monitored
    # when the federal operator drills into region B and then municipality B1
    region = _get(env, "federal", env.work, region_id=env.world.regions["B"].pk)
    muni = _get(env, "federal", env.work, municipality_id=env.world.municipalities["B1"].pk)
    # then B2a's draft application is not expected, and B1b (reopened) is waiting, not overdue
    m, s = env.world.municipalities, env.world.schools
    assert _rows(region) == {
        m["B1"].name: (2, 1, 0, 0, 1, 0, 39, 22, 3),
        m["B2"].name: (1, 0, 0, 1, 0, 1, 16, 0, 0),
    }
    assert [(r.name, r.counts.state) for r in muni.rows] == [
        (s["B1a"].short_name, mon.UploadState.ON_TIME),
        (s["B1b"].short_name, mon.UploadState.WAITING),
    ]


def test_all_works_count_distinct_schools_and_every_expected_upload(monitored: Env) -> None:
    env = monitored
    # given a second work of the campaign that A1a and A1b also take, nobody uploaded yet
    math = WorkFactory(
        campaign=env.work.campaign, subject=SubjectFactory(code="math", name="Математика")
    )
    for key, planned in (("A1a", 26), ("A1b", 21)):
        _apply(env.world.schools[key], math, planned)
        _day(env.world.schools[key], math)
    # when the regional coordinator looks at all works, and the works table of the region
    data = _get(env, "regional", None)
    # then A1 has still 2 schools but 4 expected uploads (A1a math waiting, A1b math overdue)
    a1 = next(r.counts for r in data.rows if r.pk == env.world.municipalities["A1"].pk)
    assert (a1.schools, a1.expected, a1.on_time, a1.overdue, a1.waiting) == (2, 4, 1, 2, 1)
    assert (a1.context, a1.planned) == (2, 25 + 20 + 26 + 21)
    by_work = {r.work.pk: (r.counts.expected, r.counts.uploaded) for r in data.works}
    assert by_work == {env.work.pk: (4, 2), math.pk: (2, 0)}
    assert (data.all_works.schools, data.all_works.expected) == (4, 6)


def test_pages_link_one_level_down_with_breadcrumbs(monitored: Env) -> None:
    env = monitored
    world = env.world
    region, muni, school = world.regions["A"], world.municipalities["A1"], world.schools["A1b"]
    query = {"work": env.work.pk}
    # when the federal operator walks down from the country to a school
    client = world.client_for("federal")
    country = client.get(reverse("results-monitoring"), query).content.decode()
    region_url = reverse("results-monitoring-region", kwargs={"region_id": region.pk})
    region_page = client.get(region_url, query).content.decode()
    muni_url = reverse("results-monitoring-municipality", kwargs={"municipality_id": muni.pk})
    muni_page = client.get(muni_url, query).content.decode()
    # then each page links to the next one and back up
    assert region_url in country
    assert muni_url in region_page
    assert reverse("results-work", args=[school.pk, env.work.pk]) in muni_page
    assert mon.COUNTRY in muni_page
    assert region_url in muni_page
    assert 'class="crumbs"' in muni_page


@pytest.mark.parametrize(
    ("role", "foreign"),
    [
        ("regional", {"region_id": "B", "municipality_id": "B1"}),
        ("municipal", {"region_id": "B", "municipality_id": "A2"}),
    ],
)
def test_units_outside_the_scope_answer_404(monitored: Env, role: str, foreign: dict) -> None:
    env = monitored
    world = env.world
    client = world.client_for(role)
    # when a coordinator asks for a region or a municipality that is not its own
    region = world.regions[foreign["region_id"]]
    muni = world.municipalities[foreign["municipality_id"]]
    urls = [
        reverse("results-monitoring-region", kwargs={"region_id": region.pk}),
        reverse("results-monitoring-municipality", kwargs={"municipality_id": muni.pk}),
    ]
    # then both are as good as missing, with or without the xlsx export
    for url in urls:
        assert client.get(url, {"work": env.work.pk}).status_code == 404
        assert client.get(url, {"work": env.work.pk, "format": "xlsx"}).status_code == 404


def test_federal_gets_404_for_a_missing_unit_and_schools_get_403(monitored: Env) -> None:
    env = monitored
    missing = Municipality.objects.order_by("-pk").first().pk + 100
    url = reverse("results-monitoring-municipality", kwargs={"municipality_id": missing})
    # when the federal operator asks for a municipality that does not exist
    # then 404; and a school's organizer may not monitor at all
    assert env.world.client_for("federal").get(url).status_code == 404
    own = reverse(
        "results-monitoring-municipality", kwargs={"municipality_id": env.school.municipality_id}
    )
    assert env.world.client_for("school_organizer").get(own).status_code == 403


def _grow(env: Env, municipality: Any, count: int) -> None:
    """More schools in a municipality: applied, chosen day, some uploaded, context, contacts."""
    for i in range(count):
        school = SchoolFactory(municipality=municipality)
        _zone(school, FAR_EAST if i % 2 else MOSCOW)
        _apply(school, env.work, 10 + i)
        _day(school, env.work)
        _profile(school, f"grow{school.pk}@example.org")
        if i % 3 == 0:
            _version(school, env.work, present=8, absent=1, late=bool(i % 2))
        if i % 2 == 0:
            _context(school, env.work)


def test_every_level_runs_a_fixed_number_of_queries(monitored: Env) -> None:
    env = monitored
    world = env.world
    pages = {
        "federal": reverse("results-monitoring"),
        "regional": reverse(
            "results-monitoring-municipality",
            kwargs={"municipality_id": world.municipalities["A1"].pk},
        ),
        "municipal": reverse("results-monitoring"),
    }
    queries = [
        {"work": env.work.pk},
        {},
        {"work": env.work.pk, "state": "missing"},
        {"work": env.work.pk, "format": "xlsx"},
    ]

    def counts() -> list[int]:
        out = []
        for role, url in pages.items():
            client = world.client_for(role)
            for query in queries:
                client.get(url, query)  # warm per-process caches
                with CaptureQueriesContext(connection) as ctx:
                    assert client.get(url, query).status_code == 200
                out.append(len(ctx.captured_queries))
        return out

    # given the query counts of every level with the scenario's schools
    before = counts()
    # when municipality A1 gets twelve more schools, in both zones, some uploaded
    _grow(env, world.municipalities["A1"], 12)
    # then every page and export runs the same number of queries
    after = counts()
    assert after == before
    assert max(before) <= 25


def _sheet_of(response: Any) -> Any:
    if not hasattr(response, "_xlsx"):
        response._xlsx = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(response._xlsx)).active


def _xlsx_column(response: Any, column: int) -> list[Any]:
    ws = _sheet_of(response)
    return [ws.cell(row=r, column=column).value for r in range(4, ws.max_row + 1)]


def test_xlsx_at_each_level_holds_the_unit_rows(monitored: Env) -> None:
    env = monitored
    world = env.world
    query = {"work": env.work.pk, "format": "xlsx"}
    # when each level downloads its table
    federal = world.client_for("federal").get(reverse("results-monitoring"), query)
    regional = world.client_for("regional").get(reverse("results-monitoring"), query)
    municipal = world.client_for("municipal").get(reverse("results-monitoring"), query)
    # then each holds its unit rows and the total line, with Russian names and headers
    assert _xlsx_column(federal, 2) == [
        world.regions["A"].name,
        world.regions["B"].name,
        "Итого",
    ]
    assert _xlsx_column(regional, 2) == [
        world.municipalities["A1"].name,
        world.municipalities["A2"].name,
        "Итого",
    ]
    assert _xlsx_column(municipal, 2) == [
        world.schools["A1a"].short_name,
        world.schools["A1b"].short_name,
        "Итого",
    ]
    assert "Мониторинг загрузки результатов" in unquote(municipal["Content-Disposition"])
    ws = _sheet_of(regional)
    headers = [ws.cell(row=3, column=c).value for c in range(1, ws.max_column + 1)]
    assert "ОО с контекстными данными" in headers
    # and the counts of a row are the page's: A1 has 1 overdue school
    overdue_col = headers.index("Не загрузили, срок истёк") + 1
    assert ws.cell(row=4, column=overdue_col).value == 1


def test_late_list_with_contacts_is_limited_to_the_unit_shown(monitored: Env) -> None:
    env = monitored
    world = env.world
    url = reverse(
        "results-monitoring-municipality", kwargs={"municipality_id": world.municipalities["A1"].pk}
    )
    client = world.client_for("regional")
    # when the regional coordinator lists the schools of A1 that have not uploaded
    page = client.get(url, {"work": env.work.pk, "state": "missing"}).content.decode()
    listed = client.get(url, {"work": env.work.pk, "state": "missing", "format": "xlsx"})
    # then only A1b is listed, with its e-mail; A2a (another municipality) is not
    assert "a1b@example.org" in page
    assert world.schools["A2a"].code not in page
    assert _xlsx_column(listed, 2) == [world.schools["A1b"].code]


def test_reminder_from_a_municipality_page_reaches_only_its_schools(
    monitored: Env, django_capture_on_commit_callbacks: Any
) -> None:
    env = monitored
    world = env.world
    muni = world.municipalities["A1"]
    # when the regional coordinator presses «Напомнить» on the page of municipality A1 (the
    # mails go out in a task after the request commits)
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client_for("regional").post(
            reverse("results-remind"), {"work": env.work.pk, "municipality": muni.pk}, follow=True
        )
    # then only A1b is mailed (A2a of municipality A2 has not uploaded either, but is not shown)
    assert [m.to for m in mail.outbox] == [["a1b@example.org"]]
    assert "Срок загрузки истёк 23.05.2026" in mail.outbox[0].body
    assert "Напоминания поставлены в очередь отправки: 1." in response.content.decode()
    assert response.redirect_chain[-1][0].startswith(
        reverse("results-monitoring-municipality", kwargs={"municipality_id": muni.pk})
    )
    assert AuditEvent.objects.get(action="results.remind").details["municipality_id"] == muni.pk


def test_reminder_without_a_unit_reaches_the_whole_scope(monitored: Env) -> None:
    env = monitored
    # when the regional coordinator reminds from its own (region) page
    out = services.results_remind(actor=env.actor("regional"), work_id=env.work.pk)
    # then both late schools of region A with an address are queued, and nothing is sent yet
    assert out.queued == 2
    assert mail.outbox == []
    # when the task runs (twice: a redelivered message)
    sent = services.results_remind_send(job_id=out.job_id)
    again = services.results_remind_send(job_id=out.job_id)
    # then they are mailed once, and the job records it
    assert (sent, again) == (2, None)
    assert sorted(m.to[0] for m in mail.outbox) == ["a1b@example.org", "a2a@example.org"]
    job = Job.objects.get(pk=out.job_id)
    assert (job.status, job.params["sent"]) == (Job.Status.DONE, 2)


def test_reminder_for_a_unit_outside_the_scope_is_refused(monitored: Env) -> None:
    env = monitored
    # when the municipal coordinator of A1 names municipality A2 or region A
    actor = env.actor("municipal")
    for unit in (
        {"municipality_id": env.world.municipalities["A2"].pk},
        {"region_id": env.world.regions["A"].pk},
    ):
        # then the unit is as good as missing and nobody is mailed
        with pytest.raises((Municipality.DoesNotExist, Region.DoesNotExist)):
            services.results_remind(actor=actor, work_id=env.work.pk, **unit)
    assert mail.outbox == []
    response = env.world.client_for("municipal").post(
        reverse("results-remind"),
        {"work": env.work.pk, "municipality": env.world.municipalities["A2"].pk},
    )
    assert response.status_code == 404


def test_a_work_clicked_in_the_table_opens_its_late_list_already_shown(monitored: Env) -> None:
    # given the regional coordinator on its monitoring page (clock pinned to the last evening)
    env = monitored
    world = env.world
    client = world.client_for("regional")
    page = client.get(reverse("results-monitoring")).content.decode()
    # when it follows the link of the work in the «По работам» table
    href = re.search(
        rf'<td class="work"><a href="([^"]+)"[^>]*>{re.escape(env.work.subject.name)}', page
    ).group(1)
    opened = client.get(href.replace("&amp;", "&")).content.decode()
    # then the list of its schools that have not uploaded is shown at once, with contacts,
    # without pressing «Показать»: A1b (overdue) and A2a (waiting), not the schools that did
    listed = re.findall(r'<tr data-state="(\w+)">\s*<td><a href="[^"]+">(\S+)', opened)
    assert sorted(code for _state, code in listed) == sorted(
        [world.schools["A1b"].code, world.schools["A2a"].code]
    )
    assert {state for state, _code in listed} == {"overdue", "waiting"}
    assert "a1b@example.org" in opened
    assert '<option value="missing" selected>' in opened
    # and the table's xlsx link still downloads the unit table, not the list
    xlsx = re.search(r'href="([^"]+format=xlsx)">Скачать таблицу', opened).group(1)
    sheet = _sheet_of(client.get(xlsx.replace("&amp;", "&")))
    assert str(sheet.cell(row=1, column=1).value).startswith("Загрузка результатов ВПР 2026, весна")


def test_the_late_list_sorts_by_a_column_and_keeps_the_filter(monitored: Env) -> None:
    # given the federal operator's list of every school of the work
    env = monitored
    world = env.world
    client = world.client_for("federal")
    url = reverse("results-monitoring")

    def codes(**query: Any) -> list[str]:
        page = client.get(url, {"work": env.work.pk, "state": "all", **query}).content.decode()
        return re.findall(r'<tr data-state="\w+">\s*<td><a href="[^"]+">(\S+)', page)

    # when sorted by planned participants, descending
    by_planned = codes(sort="-planned")
    # then the largest application comes first, the smallest last (B2a's draft is not listed)
    planned = {k: v[1] for k, v in SCENARIO.items() if k != "B2a"}
    expected = [world.schools[k].code for k in sorted(planned, key=lambda k: -planned[k])]
    assert by_planned == expected
    # and a header link keeps the work and the state
    page = client.get(url, {"work": env.work.pk, "state": "all"}).content.decode()
    href = re.search(r'<a class="sort-link" href="([^"]+)">По заявке', page).group(1)
    assert f"work={env.work.pk}" in href
    assert "state=all" in href
    assert "sort=planned" in href
    # and a bad sort is a 400 in Russian
    bad = client.get(url, {"work": env.work.pk, "state": "all", "sort": "phone"})
    assert bad.status_code == 400
    assert "Нельзя упорядочить список по «phone»" in bad.content.decode()


def test_the_table_of_units_sorts_by_a_count_and_keeps_the_late_lists_order(
    monitored: Env,
) -> None:
    # given the regional coordinator's page of region A for the work, its late list by state
    env = monitored
    world = env.world
    client = world.client_for("regional")
    url = reverse("results-monitoring")
    query = {"work": env.work.pk, "state": "all", "sort": "-state"}
    # when the municipalities are sorted by planned participants, descending, then ascending
    desc = client.get(url, {**query, "units": "-planned"}).content.decode()
    asc = client.get(url, {**query, "units": "planned"}).content.decode()

    def municipalities(html: str) -> list[str]:
        return re.findall(r'<td class="unit"><a href="[^"]+">([^<]+)</a>', html)

    # then A1 (25 + 20 participants) comes before A2 (30 + 12), and after it ascending
    a1, a2 = world.municipalities["A1"].name, world.municipalities["A2"].name
    assert municipalities(desc) == [a1, a2]
    assert municipalities(asc) == [a2, a1]
    # and the column says so, while the list's own sort stays in every link
    assert 'aria-sort="descending"><a class="sort-link"' in desc
    href = re.search(r'<a class="sort-link" href="([^"]+)">ОО по заявкам', desc).group(1)
    assert "sort=-state" in href
    assert "units=schools" in href
