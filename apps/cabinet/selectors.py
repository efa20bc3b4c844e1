"""«Что сделать сейчас»: each role's tasks and deadlines for the current campaigns.

Every line is read from the other apps' selectors with the actor's scope (campaigns and their
``schedule``, applications, materials, results, analytics); this module only sorts what they
say into lines with an urgency. No rule of the plan-graph is restated here: release instants
come from ``campaigns.schedule`` (via the schedule and the results window), application
deadlines from ``applications.selectors.deadline_for``, upload states from the results
monitoring. See docs/cabinet.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from apps.applications import selectors as applications
from apps.applications.models import Status as AppStatus
from apps.campaigns import schedule
from apps.campaigns import selectors as campaigns
from apps.campaigns.models import Campaign, ReserveDayRequest, Work
from apps.core import instants
from apps.core.scoping import Level
from apps.materials import selectors as materials
from apps.materials.models import Kit
from apps.objectivity.rechecks import selectors as recheck_selectors
from apps.objectivity.sample import selectors as federal_sample
from apps.objectivity.scans import selectors as scan_selectors
from apps.registration.access import A, Actor
from apps.registration.constants import Role
from apps.registration.models import School
from apps.registration.profile import selectors as profiles
from apps.results import selectors as results
from apps.results.context import selectors as context
from apps.results.monitoring import selectors as upload_monitoring

# How far ahead a deadline counts as «скоро» (days, on the unit's clock).
SOON_DAYS = 7


class Urgency:
    OVERDUE = "overdue"
    TODAY = "today"
    SOON = "soon"
    LATER = "later"
    DONE = "done"

    LABELS = {
        OVERDUE: "просрочено",
        TODAY: "сегодня",
        SOON: "скоро",
        LATER: "позже",
        DONE: "сделано",
    }
    ORDER = {OVERDUE: 0, TODAY: 1, SOON: 2, LATER: 3, DONE: 4}


# The page's groups: «Сейчас» (overdue and today), «Скоро» (soon and later), «Сделано».
GROUPS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("now", "Сейчас", frozenset({Urgency.OVERDUE, Urgency.TODAY})),
    ("soon", "Скоро", frozenset({Urgency.SOON, Urgency.LATER})),
    ("done", "Сделано", frozenset({Urgency.DONE})),
)


def _plural(n: int, one: str, few: str, many: str) -> str:
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def days_word(n: int) -> str:
    """«1 день», «3 дня», «5 дней»."""
    return f"{n} {_plural(n, 'день', 'дня', 'дней')}"


def schools_word(n: int) -> str:
    return f"{n} {_plural(n, 'ОО', 'ОО', 'ОО')}"


@dataclass(frozen=True)
class TodoItem:
    """One line of the page: what, its state, when, and the page where it is done."""

    title: str
    text: str
    state: str
    url: str
    campaign: str = ""
    due_at: dt.datetime | None = None  # an instant (shown with core.instants on ``place``)
    due_date: dt.date | None = None  # a plan-graph day, inclusive, on ``place``'s clock
    days_left: int | None = None
    place: Any = None

    @property
    def state_label(self) -> str:
        return Urgency.LABELS[self.state]

    @property
    def due_text(self) -> str:
        """«до 16.12.2026» or «07.12.2026 07:30 (МСК+2, время ОО)» ('' without a due)."""
        if self.due_at is not None:
            return instants.format_instant(self.due_at, self.place)
        if self.due_date is not None:
            return f"до {self.due_date:%d.%m.%Y}"
        return ""

    @property
    def left_text(self) -> str:
        """«сегодня», «завтра», «осталось 3 дня», «просрочено на 2 дня» ('' when done)."""
        if self.state == Urgency.DONE or self.days_left is None:
            return ""
        n = self.days_left
        if n < 0:
            return f"просрочено на {days_word(-n)}"
        if n == 0:
            return "сегодня"
        if n == 1:
            return "завтра"
        return f"осталось {days_word(n)}"


@dataclass
class TodoGroup:
    key: str
    title: str
    items: list[TodoItem] = field(default_factory=list)


@dataclass
class Todo:
    """The page: the actor's unit, the campaigns it is about, the lines in their groups."""

    actor: Actor
    unit: Any
    campaigns: list[Campaign]
    items: list[TodoItem]
    today: dt.date
    profile: Any = None  # a school's questionnaire (contacts), None while not filled

    @property
    def groups(self) -> list[TodoGroup]:
        out = [TodoGroup(key, title) for key, title, _ in GROUPS]
        for item in self.items:
            for group, (_key, _title, states) in zip(out, GROUPS, strict=True):
                if item.state in states:
                    group.items.append(item)
        return out

    @property
    def urgent(self) -> int:
        return sum(1 for i in self.items if i.state in (Urgency.OVERDUE, Urgency.TODAY))


# --- time helpers -------------------------------------------------------------------------------


def _urgency(days_left: int | None, *, passed: bool = False) -> str:
    if passed:
        return Urgency.OVERDUE
    if days_left is None:
        return Urgency.LATER
    if days_left <= 0:
        return Urgency.TODAY
    if days_left <= SOON_DAYS:
        return Urgency.SOON
    return Urgency.LATER


def _days_until_instant(moment: dt.datetime, now: dt.datetime, place: Any) -> int:
    return (instants.local_date(moment, place) - instants.local_date(now, place)).days


def _sort_key(item: TodoItem) -> tuple[int, dt.datetime]:
    if item.due_at is not None:
        when = item.due_at
    elif item.due_date is not None:
        when = dt.datetime.combine(item.due_date, dt.time.max, tzinfo=dt.UTC)
    else:
        when = dt.datetime.max.replace(tzinfo=dt.UTC)
    return (Urgency.ORDER[item.state], when)


def _url(name: str, *args: Any, **query: Any) -> str:
    url = reverse(name, args=args)
    params = "&".join(f"{k}={v}" for k, v in query.items() if v not in (None, ""))
    return f"{url}?{params}" if params else url


# --- the current campaigns ----------------------------------------------------------------------


def current_campaigns(*, actor: Actor, today: dt.date) -> list[Campaign]:
    """The campaigns of the plan-graph that are not over on ``today``: from their creation
    until the last results-release date of their works (a campaign without works until its
    application deadline). Oldest session first, so the live one leads (one query)."""
    rows = campaigns.campaign_list(actor=actor).annotate(
        last_release=Max("works__results_release_date")
    )
    live = [c for c in rows if (c.last_release or c.application_deadline) >= today]
    return sorted(live, key=lambda c: (c.application_deadline, c.pk))


# --- a school ------------------------------------------------------------------------------------


def _work_name(work: Work) -> str:
    return f"{work.subject.name} {work.grade} класс"


def _school_application(
    *, actor: Actor, school: School, campaign: Campaign, now: dt.datetime
) -> TodoItem:
    app = applications.application_for_school(actor=actor, school_id=school.pk, campaign=campaign)
    zone = applications.school_zone(school)
    deadline = applications.deadline_for(campaign=campaign, zone=zone, now=now)
    url = _url("application-school", school.pk, campaign=campaign.pk)
    label = str(campaign)
    if app is not None and app.status != AppStatus.DRAFT:
        return TodoItem(
            "Заявка", f"{AppStatus(app.status).label}", Urgency.DONE, url, label, place=school
        )
    days = (campaign.application_deadline - instants.local_date(now, school)).days
    text = "черновик не подан" if app is not None else "не подана"
    if deadline.passed:
        text += ", срок подачи истёк"
    return TodoItem(
        "Заявка",
        text,
        _urgency(days, passed=deadline.passed),
        url,
        label,
        due_date=campaign.application_deadline,
        days_left=days,
        place=school,
    )


def _school_work_lines(
    *,
    row: campaigns.ScheduleRow,
    status: results.WorkStatus | None,
    kit: materials.KitView | None,
    school: School,
    campaign: Campaign,
    now: dt.datetime,
    today: dt.date,
) -> Iterable[TodoItem]:
    """The lines of one work: its day, materials, grade-8 password, results, report."""
    work, label, place = row.work, str(campaign), school
    name = _work_name(work)
    zone = campaigns.school_zone(school)
    schedule_url = _url("school-schedule", school.pk, campaign=campaign.pk)
    materials_url = _url("school-materials", school.pk)
    day = status.window.held_on if status is not None else row.chosen_date
    # 1. The day.
    if row.chosen is None:
        pending = row.pending
        freeze = schedule.day_frozen_at(zone, work.period_end)
        last_day = work.period_end - dt.timedelta(days=1)
        if pending is not None:
            yield TodoItem(
                name,
                f"день не выбран; резервный день {pending.requested_date:%d.%m.%Y} "
                "на рассмотрении у регионального координатора",
                Urgency.SOON,
                schedule_url,
                label,
                place=place,
            )
        elif now >= freeze:
            yield TodoItem(
                name,
                "день не выбран, период проведения прошёл: запросите резервный день",
                Urgency.OVERDUE,
                schedule_url,
                label,
                due_date=last_day,
                days_left=(last_day - today).days,
                place=place,
            )
        else:
            days = (last_day - today).days
            yield TodoItem(
                name,
                "день не выбран",
                _urgency(days),
                schedule_url,
                label,
                due_date=last_day,
                days_left=days,
                place=place,
            )
        return
    chosen = row.chosen.date
    if chosen >= today:
        days = (chosen - today).days
        yield TodoItem(
            name,
            "ВПР сегодня" if days == 0 else f"день проведения — {chosen:%d.%m.%Y}",
            Urgency.TODAY if days == 0 else Urgency.DONE,
            schedule_url,
            label,
            due_date=chosen if days == 0 else None,
            days_left=days,
            place=place,
        )
        # 2. Materials, until the day.
        opens = row.instants.materials_available_at
        if now < opens:
            days_to = _days_until_instant(opens, now, place)
            yield TodoItem(
                f"Материалы: {name}",
                "будут опубликованы",
                _urgency(days_to),
                materials_url,
                label,
                due_at=opens,
                days_left=days_to,
                place=place,
            )
        elif kit is None or kit.kit.status != Kit.Status.READY:
            yield TodoItem(
                f"Материалы: {name}",
                "опубликованы, но ещё не собраны — обратитесь к координатору",
                Urgency.OVERDUE,
                materials_url,
                label,
                place=place,
            )
        else:
            # Downloaded the day before at the latest (on the day itself, still today).
            before = max(days - 1, 0)
            yield TodoItem(
                f"Материалы: {name}",
                "опубликованы — скачайте архив до дня проведения",
                _urgency(before),
                materials_url,
                label,
                due_date=today + dt.timedelta(days=before),
                days_left=before,
                place=place,
            )
        # 3. The grade-8 password: 07:30 school-local on the day.
        password = row.instants.password_release_at
        if password is not None:
            days_to = _days_until_instant(password, now, place)
            yield TodoItem(
                f"Пароль к архиву: {name}",
                "будет показан на странице материалов" if now < password else "доступен",
                _urgency(days_to),
                materials_url,
                label,
                due_at=password,
                days_left=days_to,
                place=place,
            )
    # 4. Results, then the report.
    if status is None:
        return
    window = status.window
    results_url = _url("results-work", school.pk, work.pk)
    version = status.version
    if version is not None:
        yield TodoItem(
            f"Результаты: {name}",
            "загружены после срока" if version.late else "загружены",
            Urgency.DONE,
            results_url,
            label,
            place=place,
        )
        release = schedule.release_at(work, zone, day, version.uploaded_at)
        released = now >= release
        yield TodoItem(
            f"Отчёт: {name}",
            "опубликован" if released else "будет опубликован",
            Urgency.DONE if released else Urgency.LATER,
            _url("analytics-index"),
            label,
            due_at=None if released else release,
            days_left=None if released else _days_until_instant(release, now, place),
            place=place,
        )
        return
    if day is None or (window.opens_at is not None and now < window.opens_at and day > today):
        return  # results come after the day; the lines above say what comes first
    deadline_day = window.deadline_day
    days = (deadline_day - today).days
    if window.is_open(now):
        until = window.reopened_day if window.is_late(now) and window.reopened_day else None
        # An open window is a task of now: never further off than «скоро».
        state = _urgency((until - today).days if until else days)
        yield TodoItem(
            f"Результаты: {name}",
            "загрузка открыта повторно" if until else "загрузить",
            Urgency.SOON if state == Urgency.LATER else state,
            results_url,
            label,
            due_date=until or deadline_day,
            days_left=(until - today).days if until else days,
            place=place,
        )
    elif window.is_late(now):
        yield TodoItem(
            f"Результаты: {name}",
            "не загружены, срок истёк — попросите координатора открыть загрузку",
            Urgency.OVERDUE,
            results_url,
            label,
            due_date=deadline_day,
            days_left=days,
            place=place,
        )
    else:
        yield TodoItem(
            f"Результаты: {name}",
            "приём результатов откроется "
            f"{instants.format_instant(window.opens_at, place, empty='позже')}",
            _urgency(days),
            results_url,
            label,
            due_date=deadline_day,
            days_left=days,
            place=place,
        )


def _school_context(
    *,
    actor: Actor,
    school: School,
    campaign: Campaign,
    statuses: list[results.WorkStatus],
    today: dt.date,
) -> TodoItem | None:
    """Context data are collected with the results: due with the last upload deadline."""
    if not statuses:
        return None
    sheet = context.context_sheet_get(actor=actor, school_id=school.pk, campaign_id=campaign.pk)
    url = _url("results-context", school.pk, campaign=campaign.pk)
    if sheet is not None and sheet.current_upload_id is not None:
        return TodoItem(
            "Контекстные данные", "загружены", Urgency.DONE, url, str(campaign), place=school
        )
    last = max(s.window.deadline_day for s in statuses)
    days = (last - today).days
    return TodoItem(
        "Контекстные данные",
        "не загружены",
        _urgency(days, passed=days < 0),
        url,
        str(campaign),
        due_date=last,
        days_left=days,
        place=school,
    )


def school_todo(*, actor: Actor, school_id: int, now: dt.datetime | None = None) -> Todo:
    """A school's lines: application, per work day / materials / password / results / report,
    context data; for every current campaign."""
    moment = now or timezone.now()
    school, profile = profiles.school_profile_get(actor=actor, school_id=school_id)
    today = instants.local_date(moment, school)
    current = current_campaigns(actor=actor, today=today)
    kits = {k.work.pk: k for k in materials.kit_views(actor=actor, school=school)}
    items: list[TodoItem] = []
    if profile is None or profile.filled_at is None:
        items.append(
            TodoItem(
                "Опросный лист ОО",
                "не заполнен: по нему считаются классы в заявке",
                Urgency.SOON,
                _url("school-profile-edit"),
                place=school,
            )
        )
    for campaign in current:
        items.append(_school_application(actor=actor, school=school, campaign=campaign, now=moment))
        applied = applications.applied_work_ids(
            actor=actor, school_id=school.pk, campaign_id=campaign.pk
        )
        if applied is None:
            continue  # before its application is submitted the school has one task: submit it
        plan = campaigns.school_schedule(actor=actor, school_id=school.pk, campaign_id=campaign.pk)
        statuses = results.school_results(actor=actor, school=school, campaign=campaign)
        by_work = {s.work.pk: s for s in statuses}
        for row in plan.rows:
            items.extend(
                _school_work_lines(
                    row=row,
                    status=by_work.get(row.work.pk),
                    kit=kits.get(row.work.pk),
                    school=school,
                    campaign=campaign,
                    now=moment,
                    today=today,
                )
            )
        line = _school_context(
            actor=actor, school=school, campaign=campaign, statuses=statuses, today=today
        )
        if line is not None:
            items.append(line)
    items.extend(_federal_lines(actor=actor, school=school))
    items.sort(key=_sort_key)
    return Todo(
        actor=actor, unit=school, campaigns=current, items=items, today=today, profile=profile
    )


def _federal_lines(*, actor: Actor, school: School) -> list[TodoItem]:
    """The school's works in the federal sample (ВПР с контролем объективности): observers and
    scans while it waits for them, then the federal checking, then the official results. The
    school sees only its own works (never which other schools are in the sample)."""
    waiting_codes = scan_selectors.codes_waiting(actor=actor, school_id=school.pk)
    out = _recheck_lines(actor=actor, school=school, waiting_codes=waiting_codes)
    scans = _url("objectivity-scans-school", school.pk)
    for notice in federal_sample.school_notices(actor=actor, school_id=school.pk):
        waiting = _codes_waiting(school, notice.work, waiting_codes)
        if waiting:
            out.append(waiting)
        title = f"{notice.work_title}: ВПР с контролем объективности"
        campaign = str(notice.work.campaign)
        if notice.published:
            text = "Официальные результаты — федеральная проверка (баллы ОО сохранены рядом)"
            url = _url("results-work", school.pk, notice.work.pk)
            out.append(TodoItem(title, text, Urgency.DONE, url, campaign, place=school))
        elif notice.case.status == notice.case.Status.REQUESTED:
            text = (
                f"Работа «{notice.work_title}» вашей ОО проверяется федеральным организатором "
                "(ВПР с контролем объективности): в аудиториях обязательны независимые "
                "наблюдатели; после проведения загрузите сканы всех работ"
            )
            out.append(TodoItem(title, text, Urgency.SOON, scans, campaign, place=school))
        else:
            text = "сканы получены, работы на федеральной проверке"
            url = _url("objectivity-sample-cases")
            out.append(TodoItem(title, text, Urgency.LATER, url, campaign, place=school))
    return out


def _codes_waiting(school: School, work: Any, waiting_codes: dict[int, int]) -> TodoItem | None:
    """Booklets of the school's scans of ``work`` still waiting for a person to type the code."""
    waiting = waiting_codes.get(work.pk, 0)
    if not waiting:
        return None
    return TodoItem(
        f"{scan_selectors.work_title(work)}: коды участников по сканам",
        f"Ждут кода участника: {waiting} — введите коды с бланков",
        Urgency.TODAY,
        _url("objectivity-scans-work", school.pk, work.pk),
        str(work.campaign),
        place=school,
    )


def _recheck_lines(
    *, actor: Actor, school: School, waiting_codes: dict[int, int]
) -> list[TodoItem]:
    """The school's works under a re-check by a regional or municipal commission: the scans
    while they are requested (and the codes of uploaded scans), then the re-check's state."""
    out = []
    for request in recheck_selectors.requests_for_school(actor=actor):
        if request.kind != "recheck":
            continue
        title = f"{scan_selectors.work_title(request.work)}: перепроверка"
        campaign = str(request.work.campaign)
        if request.status == "requested":
            waiting = _codes_waiting(school, request.work, waiting_codes)
            if waiting:
                out.append(waiting)
                continue
            text = f"Сканы работ запрошены для перепроверки ({request.unit_label}) — загрузите их"
            url = _url("objectivity-scans-work", school.pk, request.work.pk)
            out.append(TodoItem(title, text, Urgency.SOON, url, campaign, place=school))
        else:
            text = f"{request.status_label} ({request.unit_label})"
            url = _url("objectivity-recheck-case", request.case_id)
            out.append(TodoItem(title, text, Urgency.LATER, url, campaign, place=school))
    return out


# --- coordinators and the federal operator -------------------------------------------------------


def _not_built(
    *, actor: Actor, campaign: Campaign, unit: upload_monitoring.Unit, until: dt.date
) -> QuerySet[Any]:
    """Expected works (lines of counted applications) published by ``until`` whose school has
    no ready kit: per work, how many schools («материалы не собраны»)."""
    ready = Kit.objects.for_actor(actor, A.VIEW_MATERIALS).filter(
        school_id=OuterRef("application__school_id"),
        work_id=OuterRef("work_id"),
        status=Kit.Status.READY,
    )
    rows: QuerySet[Any] = (
        upload_monitoring.expected_lines(actor, campaign, unit)
        .filter(work__materials_publish_date__lte=until)
        .exclude(Exists(ready))
        .values("work_id", "work__materials_publish_date")
        .annotate(n=Count("id"))
        .order_by("work__materials_publish_date")
    )
    return rows


def _materials_lines(
    *,
    actor: Actor,
    campaign: Campaign,
    unit: upload_monitoring.Unit,
    works: dict[int, Work],
    now: dt.datetime,
    today: dt.date,
    url: str,
) -> Iterable[TodoItem]:
    """Works published by the end of the week that some school of the unit has no ready kit
    of. For the federal operator each such work is then judged by the materials app's own
    build state (``materials.build_states``: the first publication instant among the applied
    schools), read for all flagged works in one fixed set of queries."""
    rows = [
        row
        for row in _not_built(
            actor=actor, campaign=campaign, unit=unit, until=today + dt.timedelta(days=SOON_DAYS)
        )
        if row["work_id"] in works
    ]
    states = (
        materials.build_states(actor=actor, works=[works[row["work_id"]] for row in rows], now=now)
        if actor.can(A.GENERATE_MATERIALS)
        else {}
    )
    for row in rows:
        work = works[row["work_id"]]
        title = f"Материалы: {_work_name(work)}"
        if actor.can(A.GENERATE_MATERIALS):
            state = states[work.pk]
            if not state.missing or state.publication_at is None:
                continue
            days_to = _days_until_instant(state.publication_at, now, None)
            yield TodoItem(
                title,
                f"не собраны для {schools_word(state.missing)}"
                + (" к дате публикации" if state.overdue else ""),
                _urgency(days_to, passed=state.overdue),
                url,
                str(campaign),
                # The plan-graph's publication day, as every other level reads it (the build
                # state's instant is 00:00 in the easternmost school's zone: the day before
                # on Moscow's clock, which would contradict the plan-graph).
                due_date=row["work__materials_publish_date"],
                days_left=days_to,
            )
            continue
        day: dt.date = row["work__materials_publish_date"]
        days = (day - today).days
        passed = days < 0
        yield TodoItem(
            title,
            f"не собраны для {schools_word(row['n'])}"
            + (" к дате публикации" if passed or days == 0 else ""),
            _urgency(days, passed=passed),
            url,
            str(campaign),
            due_date=day,
            days_left=days,
        )


def _application_lines(
    *, actor: Actor, campaign: Campaign, today: dt.date, place: Any
) -> Iterable[TodoItem]:
    unit = applications.own_unit(actor=actor, action=A.MONITOR_APPLICATIONS)
    mon = applications.monitoring_get(actor=actor, campaign=campaign, unit=unit)
    total = mon.total
    label = str(campaign)
    days = (campaign.application_deadline - today).days
    level = actor.scope.level
    if actor.can(A.CONFIRM_APPLICATION):
        confirmed = (
            total.confirmed_municipality if level is Level.MUNICIPALITY else total.confirmed_region
        )
        waiting = total.applied - confirmed
        url = _url("application-monitoring", campaign=campaign.pk)
        if waiting:
            yield TodoItem(
                "Заявки: подтвердить",
                f"ждут подтверждения: {schools_word(waiting)}",
                Urgency.TODAY,
                url,
                label,
                place=place,
            )
        elif total.applied:
            yield TodoItem(
                "Заявки",
                f"все поданные заявки подтверждены ({total.applied})",
                Urgency.DONE,
                url,
                label,
                place=place,
            )
    missing = total.not_applied
    url = _url("application-not-applied", campaign=campaign.pk)
    if missing and actor.can(A.CONFIRM_APPLICATION):
        yield TodoItem(
            "Заявки: не подали",
            f"{schools_word(missing)} из {total.schools} без поданной заявки",
            _urgency(days, passed=days < 0),
            url,
            label,
            due_date=campaign.application_deadline,
            days_left=days,
            place=place,
        )
    elif actor.scope.level is Level.FEDERAL:
        yield TodoItem(
            "Заявки по стране",
            f"подали {total.applied} из {total.schools} ОО, "
            f"подтверждено регионами {total.confirmed_region}",
            Urgency.DONE if days < 0 else _urgency(days),
            _url("application-monitoring", campaign=campaign.pk),
            label,
            due_date=None if days < 0 else campaign.application_deadline,
            days_left=None if days < 0 else days,
            place=place,
        )


def _reserve_lines(*, actor: Actor, campaign: Campaign, place: Any) -> Iterable[TodoItem]:
    if not actor.can(A.DECIDE_RESERVE_DAY):
        return
    pending = campaigns.reserve_day_list(
        actor=actor, status=ReserveDayRequest.Status.PENDING, campaign_id=campaign.pk
    ).count()
    if pending:
        yield TodoItem(
            "Резервные дни: решить",
            f"запросов на рассмотрении: {pending}",
            Urgency.TODAY,
            _url("reserve-day-list", status=ReserveDayRequest.Status.PENDING),
            str(campaign),
            place=place,
        )


def _results_lines(
    *, actor: Actor, campaign: Campaign, unit: upload_monitoring.Unit, today: dt.date, place: Any
) -> Iterable[TodoItem]:
    mon = upload_monitoring.monitoring_get(actor=actor, unit=unit, campaign=campaign)
    total = mon.all_works
    label = str(campaign)
    url = _url("results-monitoring", campaign=campaign.pk)
    if not total.expected:
        return
    if total.overdue:
        yield TodoItem(
            "Результаты: просрочены",
            f"не загружено в срок: {total.overdue} из {total.expected} "
            "(ОО × работа) — напомните или откройте загрузку",
            Urgency.OVERDUE,
            url,
            label,
            place=place,
        )
    if total.late:
        yield TodoItem(
            "Результаты: загружены после срока",
            f"{total.late} из {total.expected}",
            Urgency.DONE,
            url,
            label,
            place=place,
        )
    waiting = [w for w in mon.works if w.counts.waiting]
    if waiting:
        last = max(w.work.results_upload_deadline for w in waiting)
        days = (last - today).days
        yield TodoItem(
            "Результаты: ждём загрузки",
            f"загружено {total.uploaded} из {total.expected}, срок не истёк: {total.waiting}",
            _urgency(days),
            url,
            label,
            due_date=last,
            days_left=days,
            place=place,
        )
    elif not total.overdue and total.uploaded == total.expected:
        yield TodoItem(
            "Результаты",
            f"загружены все {total.expected}",
            Urgency.DONE,
            url,
            label,
            place=place,
        )


def coordinator_todo(*, actor: Actor, now: dt.datetime | None = None) -> Todo:
    """A municipality's, region's or the federal operator's lines: applications to confirm
    and schools that did not apply, reserve days to decide, materials not built, uploads."""
    moment = now or timezone.now()
    place = actor.unit
    today = instants.local_date(moment, place)
    current = current_campaigns(actor=actor, today=today)
    unit = upload_monitoring.monitoring_unit_get(actor=actor)
    materials_url = (
        _url("materials-builds")
        if actor.can(A.GENERATE_MATERIALS)
        else _url("materials-monitoring")
    )
    items: list[TodoItem] = []
    for campaign in current:
        works = {
            w.pk: w
            for w in campaigns.work_list(actor=actor, campaign_id=campaign.pk).prefetch_related(
                None
            )
        }
        items.extend(_application_lines(actor=actor, campaign=campaign, today=today, place=place))
        items.extend(_reserve_lines(actor=actor, campaign=campaign, place=place))
        items.extend(
            _materials_lines(
                actor=actor,
                campaign=campaign,
                unit=unit,
                works=works,
                now=moment,
                today=today,
                url=materials_url,
            )
        )
        items.extend(
            _results_lines(actor=actor, campaign=campaign, unit=unit, today=today, place=place)
        )
    items.sort(key=_sort_key)
    return Todo(actor=actor, unit=place, campaigns=current, items=items, today=today)


def todo_get(*, actor: Actor, now: dt.datetime | None = None) -> Todo | None:
    """The page of the actor's role (None for a user without a role)."""
    if actor.role in (Role.SCHOOL_ORGANIZER, Role.SCHOOL_TECH) and actor.scope.school_id:
        return school_todo(actor=actor, school_id=actor.scope.school_id, now=now)
    if actor.role in (Role.FEDERAL, Role.REGIONAL, Role.MUNICIPAL):
        return coordinator_todo(actor=actor, now=now)
    return None


# --- an expert ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpertWork:
    """One work of the expert's «Работы на проверку»: codes given to it, codes with scores."""

    work: Work
    given: int
    entered: int
    url: str
    until: dt.date  # the last day of checking (school-local), inclusive

    @property
    def title(self) -> str:
        return _work_name(self.work)

    @property
    def left(self) -> int:
        return self.given - self.entered


@dataclass(frozen=True)
class ExpertHome:
    """The first screen of an expert: its school and the works given to it to check."""

    actor: Actor
    school: School
    works: list[ExpertWork]
    today: dt.date


def _entry_url(school_id: int, work_id: int) -> str:
    """The expert's entry page of a work, else the school's checking page (the apps that own
    them may not route them yet), else the cabinet."""
    candidates: tuple[tuple[str, dict[str, int]], ...] = (
        ("results-expert-entry", {"school_id": school_id, "work_id": work_id}),
        ("schoolday-checking-school", {"school_id": school_id}),
    )
    for name, kwargs in candidates:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return reverse("cabinet")


def expert_home(*, actor: Actor, now: dt.datetime | None = None) -> ExpertHome | None:
    """The works whose codes were given to the expert (its personal scope sees only its own
    assignments), each with how many codes were given and how many have scores entered.
    None for an expert without a school."""
    from apps.schoolday.actions import SchoolDayActions
    from apps.schoolday.models import ExpertAssignment

    school_id = actor.scope.school_id
    if actor.role != Role.EXPERT or not school_id:
        return None
    school = School.objects.for_actor(actor, SchoolDayActions.VIEW_CHECKING).get(pk=school_id)
    mine = ExpertAssignment.objects.for_actor(actor, SchoolDayActions.VIEW_CHECKING).filter(
        school_id=school_id
    )
    codes: dict[int, set[str]] = {}
    for work_id, code in mine.values_list("work_id", "code__code"):
        codes.setdefault(work_id, set()).add(code)
    works = (
        Work.objects.for_actor(actor, SchoolDayActions.VIEW_CHECKING)
        .filter(pk__in=codes)
        .select_related("subject")
        .order_by("grade", "subject__name")
    )
    rows = []
    for work in works:
        entered = codes[work.pk] & results.entered_codes(school_id=school_id, work_id=work.pk)
        rows.append(
            ExpertWork(
                work=work,
                given=len(codes[work.pk]),
                entered=len(entered),
                url=_entry_url(school_id, work.pk),
                until=work.checking_until or work.results_upload_deadline,
            )
        )
    today = instants.local_date(now or timezone.now(), school)
    return ExpertHome(actor=actor, school=school, works=rows, today=today)
