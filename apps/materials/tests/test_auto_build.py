"""Builds start by themselves before publication; late builds are flagged; a school always sees
when its materials appear. Dates are built from today; the clock is pinned."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from apps.campaigns import schedule
from apps.campaigns.tests.factories import WorkFactory
from apps.core.instants import format_instant
from apps.core.models import AuditEvent, Job
from apps.materials import selectors, services
from apps.materials.constants import KIT_BUILD
from apps.materials.models import Kit
from apps.materials.tasks import builds_auto_start_task
from apps.materials.tests.factories import SYSTEM, apply, generate, russian4

pytestmark = pytest.mark.django_db

KALININGRAD = "Europe/Kaliningrad"
KAMCHATKA = "Asia/Kamchatka"


def _dates(publish_in: int) -> dict[str, dt.date]:
    """A plan-graph whose materials are published ``publish_in`` days from today."""
    today = timezone.localdate()
    publish = today + dt.timedelta(days=publish_in)
    start = publish + dt.timedelta(days=4)
    return {
        "materials_publish_date": publish,
        "period_start": start,
        "period_end": start + dt.timedelta(days=20),
        "recommended_dates": [start.isoformat()],
        "results_upload_deadline": start + dt.timedelta(days=27),
        "results_release_date": start + dt.timedelta(days=40),
    }


def _zoned(school: Any, zone: str) -> Any:
    school.time_zone = zone
    school.save(update_fields=["time_zone"])
    return school


def _publication(work: Any, zone: str) -> dt.datetime:
    return schedule.at_local(work.materials_publish_date, dt.time(0, 0), zone)


def _at(moment: dt.datetime) -> Any:
    return time_machine.travel(moment, tick=False)


LEAD = dt.timedelta(days=3)


def _no_tags(response: Any) -> str:
    """The page as a reader sees it: text without tags, whitespace collapsed."""
    assert response.status_code == 200
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(text).split())


def test_the_beat_task_starts_a_work_only_inside_the_lead_time_and_only_once(world) -> None:
    # given a work published in 20 days, applied for by a school in Kamchatka (the earliest
    # zone: its midnight is the work's first publication instant)
    work = russian4(**_dates(20))
    school = _zoned(world.schools["A1a"], KAMCHATKA)
    apply(school, work)
    first = _publication(work, KAMCHATKA)
    # when the beat runs a minute before the lead time
    with _at(first - LEAD - dt.timedelta(minutes=1)):
        started = services.builds_auto_start()
    # then nothing starts
    assert started == []
    assert not Kit.objects.filter(work=work).exists()
    # when it runs inside the lead time, twice (the second time as the beat sends it)
    with _at(first - LEAD + dt.timedelta(minutes=1)):
        started = services.builds_auto_start()
        builds_auto_start_task()
        again = services.builds_auto_start()
    # then the kit is composed and its build queued once, by the system
    assert started == [work.pk]
    assert again == []
    kit = Kit.objects.get(work=work, school=school)
    job = Job.objects.get(key=f"{KIT_BUILD}:{kit.pk}")
    assert job.actor is None
    events = AuditEvent.objects.filter(action="materials.auto_build")
    assert events.count() == 1
    event = events.get()
    assert event.user is None
    assert event.username == "автоматический запуск сборки материалов"
    assert event.details["work_id"] == work.pk
    assert Job.objects.filter(kind=KIT_BUILD).count() == 1


def test_a_work_outside_the_lead_time_or_with_kits_is_left_alone(world) -> None:
    # given a work published in 10 days and one published in 2 days whose kits exist
    far = russian4(**_dates(10))
    near = WorkFactory(grade=5, **_dates(2))
    from apps.materials.tests.bank_data import load_bank

    load_bank(actor=SYSTEM, work=near)
    for work in (far, near):
        apply(world.schools["A1a"], work)
    generate(near)
    services.kit_build_request(actor=SYSTEM, work_id=near.pk)
    before = AuditEvent.objects.count()
    # when the beat runs now
    started = services.builds_auto_start()
    # then neither is touched: the far one is not due, the near one is started already
    assert started == []
    assert not Kit.objects.filter(work=far).exists()
    assert Kit.objects.filter(work=near).count() == 1
    assert AuditEvent.objects.count() == before


def test_a_failed_automatic_start_is_recorded_once_and_shown_to_the_operator(world) -> None:
    # given a work due in 2 days without a bank
    work = WorkFactory(**_dates(2))
    apply(world.schools["A1a"], work)
    # when the beat runs twice
    assert services.builds_auto_start() == []
    assert services.builds_auto_start() == []
    # then the failure is audited once and the builds page names it
    assert AuditEvent.objects.filter(action="materials.auto_build_failed").count() == 1
    page = _no_tags(world.client_for("federal").get(reverse("materials-builds")))
    assert "Автоматический запуск не удался: Банк заданий работы" in page
    assert "банк заданий пуст" in page


def test_builds_overdue_lists_works_not_built_by_their_publication(world) -> None:
    # given a work whose kit was composed but never built, applied for from Kaliningrad
    work = russian4(**_dates(5))
    school = _zoned(world.schools["A1a"], KALININGRAD)
    apply(school, work)
    generate(work)
    publication = _publication(work, KALININGRAD)
    # when the operator asks before and after the publication instant
    with _at(publication - dt.timedelta(minutes=1)):
        before = selectors.builds_overdue(actor=SYSTEM)
    with _at(publication + dt.timedelta(minutes=1)):
        after = selectors.builds_overdue(actor=SYSTEM)
        page = _no_tags(world.client_for("federal").get(reverse("materials-builds")))
    # then only the late one is flagged, with what is missing
    assert before == []
    assert [(s.work.pk, s.applied, s.missing) for s in after] == [(work.pk, 1, 1)]
    assert after[0].publication_at == publication
    assert "Не собрано к дате публикации" in page
    assert f"публикация {format_instant(publication)}, без готового архива 1 из 1 ОО" in page
    # and once the archive is ready nothing is overdue
    Kit.objects.filter(work=work).update(status=Kit.Status.READY)
    with _at(publication + dt.timedelta(minutes=1)):
        assert selectors.builds_overdue(actor=SYSTEM) == []
    # and a school-level actor gets nothing (the operator's list)
    school_actor = _actor(world, "school_organizer")
    assert selectors.builds_overdue(actor=school_actor) == []


def _actor(world: Any, role: str) -> Any:
    from apps.registration.access import actor_for_user

    return actor_for_user(world.users[role])


def test_the_builds_page_says_what_is_missing_never_ready_0_of_0(world) -> None:
    # given a work nobody applied for and one applied for, due in 20 days
    nobody = russian4(**_dates(20))
    waiting = WorkFactory(grade=6, **_dates(20))
    school = _zoned(world.schools["A1a"], KAMCHATKA)
    apply(school, waiting)
    start = _publication(waiting, KAMCHATKA) - LEAD
    # when the operator opens the builds page
    page = _no_tags(world.client_for("federal").get(reverse("materials-builds")))
    # then each work says what is missing, with the automatic start time in Moscow time
    assert "Готово 0 из 0" not in page
    assert "Нет заявок: ни одна ОО не отправила заявку на эту работу" in page
    assert f"Сборка не начата — начнётся автоматически {format_instant(start)}" in page
    assert "(МСК)" in format_instant(start)
    assert selectors.build_state(actor=SYSTEM, work=nobody).applied == 0


def test_the_school_sees_when_its_materials_appear_in_its_own_zone(world) -> None:
    # given a school in Kaliningrad that applied for a work published in 5 days, no kit yet
    work = russian4(**_dates(5))
    school = _zoned(world.schools["A1a"], KALININGRAD)
    apply(school, work)
    opens = _publication(work, KALININGRAD)
    client = world.client_for("school_organizer")
    url = reverse("school-materials", args=[school.pk])
    # when it opens its materials page before the publication
    with _at(opens - dt.timedelta(hours=1)):
        before = _no_tags(client.get(url))
    # then it reads the date and time on its own clock, labelled
    shown = opens.astimezone(dt.timezone(dt.timedelta(hours=2))).strftime("%d.%m.%Y")
    assert f"Материалы появятся {shown} 00:00 (МСК-1, время ОО)" in before
    assert "после формирования" not in before
    # when the publication instant has passed without a kit
    with _at(opens + dt.timedelta(minutes=5)):
        after = _no_tags(client.get(url))
    # then the page says so honestly
    assert "Материалы задерживаются: оператор уведомлён." in after
    assert f"должны были появиться {shown} 00:00 (МСК-1, время ОО)" in after


def test_a_built_kit_late_for_its_publication_says_delayed_on_the_school_page(world) -> None:
    # given a Kamchatka school whose kit was composed but whose archive is not built
    work = russian4(**_dates(5))
    school = _zoned(world.schools["A1a"], KAMCHATKA)
    apply(school, work)
    generate(work)
    opens = _publication(work, KAMCHATKA)
    client = world.client_for("school_organizer")
    url = reverse("school-materials", args=[school.pk])
    # when the page is opened before and after its publication
    with _at(opens - dt.timedelta(minutes=5)):
        before = _no_tags(client.get(url))
    with _at(opens + dt.timedelta(minutes=5)):
        after = _no_tags(client.get(url))
    # then «готовится» turns into «задерживается» with the local opening instant (МСК+9)
    assert "архив готовится" in before
    assert "задерживается: оператор уведомлён" in after
    assert "00:00 (МСК+9, время ОО)" in after


def test_the_beat_schedule_runs_the_automatic_start() -> None:
    from vpr_portal.celery import app

    entry = app.conf.beat_schedule["materials.builds_auto_start"]
    assert entry["task"] == "materials.builds_auto_start"
    assert "materials.builds_auto_start" in app.tasks
