"""The whole demo in one call, as of a given day: country, accounts, campaigns, the demo school's
days, the current campaign's classes (registers, assignment, class days), banks and materials,
the finished campaign's results. ``seed_demo`` is a thin wrapper.

Every date comes from ``today`` through ``apps.demo.calendar``: nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from apps.campaigns import schedule
from apps.campaigns.models import Campaign, Work
from apps.demo import (
    campaigns,
    classes,
    country,
    materials,
    notices,
    objectivity,
    results,
    schoolday,
)
from apps.demo.calendar import DemoCalendar, demo_calendar


@dataclass(frozen=True)
class DemoReport:
    """What one run built: the counts of each part and the calendar it used."""

    calendar: DemoCalendar
    country: country.SeedResult
    accounts: list[tuple[str, str, bool]]
    campaigns: campaigns.DemoCampaigns
    schedule_rows: int
    materials: materials.DemoMaterials
    results: results.ResultsSeed
    notices: notices.DemoNotices | None = None
    classes: classes.DemoClasses | None = None
    schoolday: schoolday.DemoSchoolDay | None = None
    objectivity: objectivity.DemoObjectivity | None = None


def demo_build(*, today: dt.date, size: str = country.SMALL) -> DemoReport:
    """Build (or complete) the demo as of ``today``. Idempotent for the same day."""
    calendar = demo_calendar(today)
    seeded = country.demo_seed(size=size)
    accounts = country.demo_accounts_ensure()
    made = campaigns.demo_campaigns_seed(calendar)
    rows = campaigns.demo_schedule_seed(calendar)
    by_class = classes.demo_classes_seed(calendar, current=made.current)
    built = materials.demo_materials_seed(finished=made.finished, current=made.current)
    spring = results.demo_results_seed(campaign=made.finished)
    day = schoolday.demo_schoolday_seed(calendar, current=made.current, finished=made.finished)
    published = notices.demo_notices_seed(today=calendar.today)
    checked = objectivity.demo_objectivity_seed(current=made.current)
    return DemoReport(
        calendar, seeded, accounts, made, rows, built, spring, published, by_class, day, checked
    )


def _d(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


def _work(campaign: Campaign, key: tuple[str, int]) -> Work | None:
    return (
        campaign.works.select_related("subject").filter(subject__code=key[0], grade=key[1]).first()
    )


def calendar_lines(report: DemoReport) -> list[str]:
    """What is live in the demo, in Russian, with the dates the seed used."""
    cal, made = report.calendar, report.campaigns
    finished, current, upcoming = made.finished, made.current, made.upcoming
    last_release = cal.finished.plan.last_release
    lines = [
        f"Календарь демонстрации на {_d(cal.today)}:",
        f"  «{finished.label}» — завершена: результаты опубликованы (последние — "
        f"{_d(last_release)}), аналитика всех уровней.",
        f"  «{current.label}» — текущая: заявки приняты до {_d(current.application_deadline)}, "
        f"периоды с {_d(cal.current.plan.start)}.",
    ]
    school = campaigns.DEMO_SCHOOL
    written = _work(current, campaigns.YESTERDAY_WORKS[0])
    if written is not None:
        held = cal.written_on(written.subject.code)
        deadline = schedule.upload_deadline_day(written, held)
        lines.append(
            f"    {school}: {written.subject.name} {written.grade} класс — проведена "
            f"{_d(held)}, результаты загружаются до {_d(deadline)} включительно."
        )
    for key in campaigns.TOMORROW_WORKS:
        work = _work(current, key)
        if work is None:
            continue
        day = cal.writes_on(work.subject.code)
        note = (
            f"пароль к архиву — {_d(day)} в 07:30 по времени ОО"
            if work.encrypted_archive
            else "материалы опубликованы"
        )
        lines.append(f"    {school}: {work.subject.name} {work.grade} класс — {_d(day)}, {note}.")
    math = _work(current, campaigns.RESERVE_WORK)
    if math is not None:
        lines.append(
            f"    {school}: {math.subject.name} {math.grade} класс — день не выбран (период до "
            f"{_d(math.period_end)}), резервный день на рассмотрении у регионального координатора."
        )
    run = report.classes.run if report.classes else None
    if run is not None:
        lines.append(
            f"    Распределение предметов по классам опубликовано для ОО с {_d(run.publish_on)} "
            f"(зерно {run.seed}); реестры классов ОО заполнены, дни классов назначены у {school}."
        )
    if report.schoolday is not None and written is not None:
        lines.append(
            f"    {school}: аудитории, участники дня проведения, рассадка и доставочные пакеты; "
            f"коды работы «{written.subject.name} {written.grade} класс» распределены "
            "экспертам, родители части классов завершённой кампании проинформированы."
        )
    if report.objectivity is not None and written is not None:
        lines.append(
            f"    {school}: «{written.subject.name} {written.grade} класс» — в федеральной "
            f"выборке (зерно {objectivity.SAMPLE_SEED}); сканы загружены, коды введены у "
            f"{objectivity.CODES_TYPED} работ из {objectivity.PARTICIPANTS}; федеральная "
            f"комиссия проверяет (эксперт {dict(country.DEMO_ACCOUNTS)['marker']})."
        )
    lines.append(
        f"  «{upcoming.label}» — следующая: приём заявок открыт до "
        f"{_d(upcoming.application_deadline)}."
    )
    return lines
