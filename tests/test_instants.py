"""One way to show an instant, end to end (docs/adr/0015-one-way-to-show-an-instant.md).

A school in Kaliningrad (Moscow − 1) and one in Kamchatka (Moscow + 9) see the same instants on
every page, file and letter that shows them: on their own clock, labelled «(МСК−1, время ОО)»,
never in Moscow time and never in unlabelled UTC. Their region's coordinator reads the audit log
on the region's clock. The clock is pinned inside the upload window of the work (the factories'
2026 campaign), and every expected text is built from the pinned instant and the work's dates.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from apps.analytics.models import WorkAggregate
from apps.analytics.services import analytics_school_refresh
from apps.campaigns.models import Work
from apps.core.scoping import Level
from apps.materials.models import ParticipantCode
from apps.materials.tests.factories import apply, generate, held, russian4
from apps.registration.models import Municipality, Region, School, SchoolProfile
from apps.results import services as results
from apps.results.messages import ResultsError
from apps.results.models import ResultVersion
from apps.results.tests.conftest import Env
from conftest import World

MOSCOW = ZoneInfo("Europe/Moscow")
# Inside the work's upload window (period from 11.04, last upload day 23.05, release 06.06).
NOW = dt.datetime(2026, 5, 20, 9, 0, tzinfo=dt.UTC)

ZONES = [
    pytest.param("Europe/Kaliningrad", "МСК-1", id="kaliningrad"),
    pytest.param("Asia/Kamchatka", "МСК+9", id="kamchatka"),
]


def _midnight(day: dt.date, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=ZoneInfo(zone))


def _text(moment: dt.datetime, zone: str, seconds: bool = False) -> str:
    clock = "%d.%m.%Y %H:%M:%S" if seconds else "%d.%m.%Y %H:%M"
    return moment.astimezone(ZoneInfo(zone)).strftime(clock)


def _moscow(moment: dt.datetime, seconds: bool = False) -> str:
    return _text(moment, "Europe/Moscow", seconds)


def _utc(moment: dt.datetime, seconds: bool = False) -> str:
    return _text(moment, "UTC", seconds)


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _login(world: World, role: str) -> Client:
    # logged in at the pinned instant: a session opened at the real date may have expired
    client = Client()
    client.force_login(world.users[role])
    return client


def _move_world(world: World, zone: str) -> None:
    """Every region, municipality and school of the world moves to ``zone``."""
    for model in (Region, Municipality, School):
        model.objects.all().update(time_zone=zone)
    for units in (world.regions, world.municipalities, world.schools):
        for unit in units.values():
            unit.refresh_from_db()


def _setup(world: World) -> tuple[Work, Any, ResultVersion]:
    """A work with kits, a chosen day, an accepted upload at NOW, a reopening at NOW and the
    school's aggregate (under embargo until the release date)."""
    school = world.schools["A1a"]
    work = russian4()
    apply(school, work, participants=20)
    generate(work)
    held(school, work, work.period_start + dt.timedelta(days=4))
    codes = list(
        ParticipantCode.objects.filter(school=school, reserve=False)
        .order_by("code")
        .values_list("code", flat=True)
    )
    env = Env(world=world, work=work, codes=codes, reserve=[])
    version = env.upload(env.filled(env.rows(count=10))).version
    results.results_reopen(
        actor=env.actor("municipal"),
        school_id=school.pk,
        work_id=work.pk,
        until_day=NOW.date() + dt.timedelta(days=5),
        reason="Сбой связи",
    )
    analytics_school_refresh(school_id=school.pk, work_id=work.pk)
    return work, school, ResultVersion.objects.get(pk=version.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(("zone", "offset"), ZONES)
def test_one_instant_reads_the_same_on_every_page_of_a_far_school(
    world: World, time_machine: Any, zone: str, offset: str
) -> None:
    # given region A (its municipality and school A1a) in ``zone``, the clock pinned at NOW,
    # and a school that uploaded its results at NOW and was reopened at NOW
    time_machine.move_to(NOW, tick=False)
    _move_world(world, zone)
    work, school, version = _setup(world)
    ours = f"({offset}, время ОО)"
    region = f"({offset}, время региона)"
    uploaded = version.uploaded_at
    assert uploaded == NOW
    opens = _midnight(work.period_start, zone)  # the results form and the criteria
    materials = _midnight(work.materials_publish_date, zone)
    deadline = _midnight(work.results_upload_deadline + dt.timedelta(days=1), zone)
    release = _midnight(work.results_release_date, zone)
    organizer = _login(world, "school_organizer")

    # when the school opens its results page, then the upload instant is on the school's clock
    page = _page(organizer, reverse("results-school", args=[school.pk]))
    assert f"({_text(uploaded, zone)} {ours})" in page
    assert _moscow(uploaded) not in page

    # when it opens the work's results page
    page = _page(organizer, reverse("results-work", args=[school.pk, work.pk]))
    # then publication, deadline, the current version, the history and the reopening all read
    # on the school's clock, labelled
    assert f"Форма сбора результатов публикуется: {_text(opens, zone)} {ours}" in page
    assert f"(приём до {_text(deadline, zone)} {ours})" in page
    assert f"загружена {_text(uploaded, zone)} {ours}" in page
    assert f"<th>Загружена {ours}</th>" in page
    assert f"<td>{_text(uploaded, zone, seconds=True)} {ours}</td>" in page
    assert f"<td>{_text(uploaded, zone)} {ours}</td>" in page  # the reopening
    assert "(UTC)" not in page
    for moment in (opens, deadline, uploaded):
        assert _moscow(moment) not in page
    assert _utc(uploaded) not in page

    # when it opens the version
    page = _page(organizer, reverse("results-version", args=[version.pk]))
    assert f"Загружена: {_text(uploaded, zone, seconds=True)} {ours}" in page
    assert "(UTC)" not in page
    assert _moscow(uploaded, seconds=True) not in page

    # when it opens its materials
    page = _page(organizer, reverse("school-materials", args=[school.pk]))
    assert f"{_text(materials, zone)} {ours}" in page
    assert f"{_text(opens, zone)} {ours}" in page  # the criteria
    assert _moscow(materials) not in page

    # when it opens its schedule
    page = _page(organizer, reverse("school-schedule", args=[school.pk]))
    assert f"Архив материалов: {_text(materials, zone)} {ours}" in page
    assert f"Форма сбора результатов: {_text(opens, zone)} {ours}" in page
    assert f"Критерии оценивания: {_text(opens, zone)} {ours}" in page
    assert f"(до {_text(deadline, zone)} {ours})" in page
    assert f"Результаты: {_text(release, zone)} {ours}" in page
    for moment in (materials, opens, deadline, release):
        assert _moscow(moment) not in page

    # when it opens the plan-graph, then its own instants agree with its schedule
    page = _page(organizer, reverse("plan-graph"))
    assert f"для вашей ОО: {_text(materials, zone)} {ours}" in page
    assert f"для вашей ОО: {_text(opens, zone)} {ours}" in page
    assert f"для вашей ОО: до {_text(deadline, zone)} {ours}" in page
    assert f"для вашей ОО: {_text(release, zone)} {ours}" in page
    assert _moscow(release) not in page

    # when it opens its analytics before the release, then the embargo names the release instant
    aggregate = WorkAggregate.objects.get(work=work, level=Level.SCHOOL, unit_id=school.pk)
    page = _page(organizer, reverse("analytics-marks", args=[aggregate.pk]))
    assert f"Результаты будут опубликованы {_text(release, zone)} {ours}" in page
    assert _moscow(release) not in page

    # when the region's coordinator reads the audit log, then it is on the region's clock
    regional = _login(world, "regional")
    page = _page(regional, reverse("audit-list"))
    assert f"<th>Время {region}</th>" in page
    assert f"<td>{_text(uploaded, zone, seconds=True)}</td>" in page
    assert _moscow(uploaded, seconds=True) not in page
    assert "(МСК)" not in page

    # and in the audit export, one labelled column on the same clock
    response: Any = regional.get(reverse("audit-export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in cells if r and r[0] and str(r[0]).startswith("Время"))
    assert header[0] == f"Время {region}"
    stamps = {r[0] for r in cells if r and isinstance(r[0], str)}
    assert _text(uploaded, zone, seconds=True) in stamps
    assert _moscow(uploaded, seconds=True) not in stamps
    assert f"выгружен {_text(NOW, zone)} {region}" in str(cells[0][0])


@pytest.mark.django_db
@pytest.mark.parametrize(("zone", "offset"), ZONES)
def test_refusals_and_letters_name_the_instant_on_the_school_clock(
    world: World, time_machine: Any, zone: str, offset: str
) -> None:
    # given a school in ``zone`` whose upload deadline has passed, nothing uploaded
    _move_world(world, zone)
    work = russian4()
    school = world.schools["A1a"]
    apply(school, work, participants=5)
    generate(work)
    held(school, work, work.period_start + dt.timedelta(days=4))
    deadline = _midnight(work.results_upload_deadline + dt.timedelta(days=1), zone)
    time_machine.move_to(deadline + dt.timedelta(hours=1), tick=False)
    env = Env(world=world, work=work, codes=[], reserve=[])
    # when the school tries to upload after the deadline
    with pytest.raises(ResultsError) as refused:
        env.upload(b"PK\x03\x04 not checked: the window is closed first")
    # then the refusal names the deadline on the school's clock
    assert refused.value.message.startswith(
        f"Срок загрузки результатов истёк {_text(deadline, zone)} ({offset}, время ОО)."
    )
    # when the municipal coordinator reminds the schools that have not uploaded
    SchoolProfile.objects.create(
        school=school,
        school_type=school.school_type,
        settlement_type="city",
        address="ул. Школьная, 1",
        director_name="Директор",
        phone="+7 000 000-00-00",
        email="a1a@example.org",
    )
    reminded = results.results_remind(actor=env.actor("municipal"), work_id=work.pk)
    assert reminded.queued == 1
    results.results_remind_send(job_id=reminded.job_id)
    # then the letter names the deadline on the school's clock too
    assert [m.to for m in mail.outbox] == [["a1a@example.org"]]
    letter = mail.outbox[0].body
    assert f"(приём закрыт {_text(deadline, zone)} ({offset}, время ОО))" in letter
    assert _moscow(deadline) not in letter
