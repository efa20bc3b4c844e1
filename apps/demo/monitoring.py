"""Demo data for the coordinators' results monitoring of the finished spring campaign.

``demo_results_seed`` (``apps.demo.results``) calls these helpers so that the monitoring pages
have something to show: every demo school with results also has a confirmed application for the
three works (participants = its codes, classes = its classes), about one school in eight has
not uploaded one of the works (the deadline is past: «не загружено, срок истёк»), about one
upload in ten came after the deadline through a recorded reopening, and about two schools in
three uploaded their context data.

Everything is decided by a random generator seeded with the school's code, so two runs plan the
same; every row is created only when missing, so a second run creates nothing.

Who acted: an application goes through the applications services as the regional coordinator
of the school's region when the demo has one (its decision rows and audit rows name that real
demo account). Where the region has no coordinator account the application is written directly
as confirmed by the region, with an empty decision history — no decision is invented. A
reopening is always somebody's decision (``ResultReopen.by``), so late uploads are made only in
regions with a coordinator account. Context data carries codes only, never names.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from apps.campaigns import schedule
from apps.campaigns.models import Campaign, Work
from apps.demo.campaigns import DEMO_SCHOOL
from apps.registration.access import A, Actor, actor_for_user
from apps.registration.constants import PERM_REGION, Role
from apps.registration.models import RegionGrant, School
from apps.results import selectors as sel
from apps.results.context import xlsx as cx
from apps.results.context.selectors import context_spec_get
from apps.results.context.services import context_version_store
from apps.results.models import (
    ContextSheet,
    ContextUpload,
    ResultReopen,
    ResultSheet,
    ResultVersion,
    Source,
)

# Shares of the mix (each drawn per school, or per school × work, from the school's own seed).
MISSING_SHARE = 1 / 8  # schools that left one work without results
LATE_SHARE = 1 / 10  # uploads made after the deadline, through a reopening
CONTEXT_SHARE = 2 / 3  # schools that uploaded context data
# The demo school (its cabinet is the one reviewers open) keeps every work and its context.
COMPLETE_SCHOOLS = frozenset({DEMO_SCHOOL})
REOPEN_REASON = (
    "ОО не загрузила результаты в срок из-за технического сбоя; приём открыт повторно "
    "(демонстрационные данные)."
)


@dataclass(frozen=True)
class SchoolMix:
    """What one school's spring looks like in the monitoring."""

    missing: int | None  # the work (pk) left without results, if any
    late: frozenset[int]  # works (pk) uploaded after the deadline through a reopening
    context: bool  # uploaded its context data


def school_mix(school: School, works: Sequence[Work], *, can_reopen: bool) -> SchoolMix:
    """The school's plan, from a generator seeded by its code (stable between runs)."""
    rng = random.Random(f"monitoring:{school.code}")
    missing_draw, missing_pick = rng.random(), rng.randrange(len(works))
    late_draws = [rng.random() for _ in works]
    context_draw = rng.random()
    if school.code in COMPLETE_SCHOOLS:
        return SchoolMix(missing=None, late=frozenset(), context=True)
    missing = works[missing_pick].pk if missing_draw < MISSING_SHARE else None
    late = frozenset(
        w.pk
        for w, draw in zip(works, late_draws, strict=True)
        if can_reopen and draw < LATE_SHARE and w.pk != missing
    )
    return SchoolMix(missing=missing, late=late, context=context_draw < CONTEXT_SHARE)


def region_coordinators(region_ids: Iterable[int]) -> dict[int, Actor]:
    """The actor of one active regional coordinator per region that has one (the demo has
    ``reg66``; the regions without an account are absent)."""
    grants = (
        RegionGrant.objects.filter(
            content_object_id__in=set(region_ids),
            permission__codename=PERM_REGION,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
    )
    out: dict[int, Actor] = {}
    for grant in grants:
        if grant.content_object_id in out:
            continue
        actor = actor_for_user(grant.user)
        if actor.role == Role.REGIONAL and actor.scope.anchor_id == grant.content_object_id:
            out[grant.content_object_id] = actor
    return out


# --- upload instants ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """When a version was uploaded and, for a late one, the reopening that allowed it."""

    uploaded_at: dt.datetime
    reopen_at: dt.datetime | None = None
    until_day: dt.date | None = None
    until_at: dt.datetime | None = None


def upload_timing(window: sel.Window, key: str, *, late: bool) -> Timing:
    """A plausible upload instant: some days before the deadline, or — late — a few hours after
    a coordinator reopened the uploads in the days after it (until a day within a week)."""
    rng = random.Random(f"timing:{key}")
    deadline = window.deadline_at
    if not late:
        return Timing(deadline - dt.timedelta(days=rng.randint(1, 6), hours=rng.randint(2, 14)))
    reopen_at = deadline + dt.timedelta(days=rng.randint(0, 2), hours=rng.randint(9, 15))
    first_late_day = deadline.astimezone(ZoneInfo(window.zone)).date()
    until_day = first_late_day + dt.timedelta(days=rng.randint(3, 6))
    until_at = schedule.at_local(until_day + dt.timedelta(days=1), dt.time(0, 0), window.zone)
    uploaded_at = reopen_at + dt.timedelta(days=rng.randint(0, 1), hours=rng.randint(1, 6))
    return Timing(uploaded_at, reopen_at, until_day, until_at)


def reopen_record(
    *, coordinator: Actor, school: School, sheet: ResultSheet, timing: Timing
) -> ResultReopen:
    """The coordinator's reopening that a late upload needs (the sheet keeps its instant, as
    ``results_reopen`` does; that service refuses past days, so the seed writes the row)."""
    if coordinator.user is None or timing.until_day is None or timing.until_at is None:
        raise ValueError("a reopening needs a coordinator and a late timing")
    reopen = ResultReopen.objects.create(
        sheet=sheet,
        school_id=school.pk,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
        by=coordinator.user,
        role=str(coordinator.role or ""),
        until_day=timing.until_day,
        until_at=timing.until_at,
        reason=REOPEN_REASON,
    )
    sheet.reopened_until = timing.until_at
    sheet.save(update_fields=["reopened_until", "updated_at"])
    return reopen


def backdate(
    actor: Actor, versions: Sequence[tuple[ResultVersion, Timing, ResultReopen | None]]
) -> None:
    """Give the new versions (and reopenings) their spring instants (``auto_now_add`` set
    them to the moment of seeding): two UPDATE batches."""
    for version, timing, _reopen in versions:
        version.uploaded_at = timing.uploaded_at
    ResultVersion.objects.for_actor(actor, A.VIEW_RESULTS).bulk_update(
        [v for v, _t, _r in versions], ["uploaded_at"]
    )
    reopens = []
    for _version, timing, reopen in versions:
        if reopen is not None and timing.reopen_at is not None:
            reopen.at = timing.reopen_at
            reopens.append(reopen)
    if reopens:
        ResultReopen.objects.for_actor(actor, A.VIEW_RESULTS).bulk_update(reopens, ["at"])


# --- applications -------------------------------------------------------------------------------


def applied_school_ids(actor: Actor, campaign: Campaign) -> set[int]:
    from apps.applications.models import Application

    return set(
        Application.objects.for_actor(actor, A.VIEW_APPLICATION)
        .filter(campaign=campaign)
        .values_list("school_id", flat=True)
    )


def application_confirmed(
    *,
    school: School,
    campaign: Campaign,
    works: Sequence[Work],
    participants: int,
    classes: int,
    coordinator: Actor | None,
) -> None:
    """A confirmed application of the school for the works. Through the services as the
    regional coordinator (open → lines → confirm, recorded and audited) when there is one;
    otherwise written directly, checked by the applications' own line rule, no history."""
    from apps.applications import services as app_services
    from apps.applications.models import Application, ApplicationLine, Status
    from apps.applications.models import Source as ApplicationSource
    from apps.applications.rules import LineValues, RawLine, check_line

    if coordinator is not None:
        app = app_services.application_open(
            actor=coordinator, school_id=school.pk, campaign_id=campaign.pk
        )
        lines = {
            w.pk: RawLine(takes_part="да", participants=participants, classes=classes)
            for w in works
        }
        app_services.application_lines_save(
            actor=coordinator, application_id=app.pk, lines=lines, source=ApplicationSource.API
        )
        app_services.application_confirm(
            actor=coordinator, application_id=app.pk, source=ApplicationSource.API
        )
        return
    values = LineValues(takes_part=True, participants=participants, classes=classes)
    problems = [p for w in works for p in check_line(values, grade=w.grade, grade_info=None)]
    if problems:
        raise ValueError(f"demo application of {school.code}: {problems}")
    app = Application.objects.create(
        campaign=campaign,
        school=school,
        region_id=school.region_id,
        municipality_id=school.municipality_id,
        status=Status.CONFIRMED_REGION,
    )
    ApplicationLine.objects.bulk_create(
        ApplicationLine(
            application=app,
            work=w,
            takes_part=True,
            participants=participants,
            classes=classes,
        )
        for w in works
    )


# --- context data -------------------------------------------------------------------------------

_SCHOOL_TYPES = (
    ("средняя школа", 55),
    ("основная школа", 8),
    ("начальная школа", 5),
    ("гимназия", 12),
    ("лицей", 8),
    ("школа с углублённым изучением предметов", 7),
    ("школа-интернат", 3),
    ("другое", 2),
)
_TEXTBOOKS = (
    ("Школа России", 60),
    ("Перспектива", 16),
    ("Начальная школа XXI века", 8),
    ("Гармония", 4),
    ("Планета знаний", 4),
    ("Школа 2100", 3),
    ("Сферы", 2),
    ("другая линия", 3),
)


def _weighted(rng: random.Random, options: Sequence[tuple[str, int]]) -> str:
    return rng.choices([o for o, _w in options], weights=[w for _o, w in options])[0]


def context_data(school: School, spec: cx.ContextSpec) -> cx.ContextData:
    """A plausible filled context form of the school: the school part and one line per code
    of the form (codes only), the same ``ContextData`` the form's validation produces."""
    rng = random.Random(f"context:{school.code}")
    rural = rng.random() < 0.3
    native_other = rng.random() < 0.06
    school_part = {
        "settlement_type": "сельский" if rural else "городской",
        "school_type": _weighted(rng, _SCHOOL_TYPES),
        "language": "русский и родной (нерусский)" if native_other else "русский",
        "teachers": rng.randint(8, 35) if rural else rng.randint(30, 110),
        "computers": rng.randint(5, 40) if rural else rng.randint(25, 160),
        "internet": cx.YES if rng.random() < 0.92 else cx.NO,
    }
    # One textbook line per school and subject, as schools usually teach.
    russian = _weighted(rng, _TEXTBOOKS)
    math = russian if rng.random() < 0.8 else _weighted(rng, _TEXTBOOKS)
    people = [
        cx.Participant(
            code=code,
            grade=grade,
            gender=rng.choice(cx.GENDERS),
            native_language=rng.random() < (0.7 if native_other else 0.96),
            ovz=rng.random() < 0.04,
            textbook_russian=russian,
            textbook_math=math,
        )
        for code, grade in sorted(spec.codes.items())
    ]
    return cx.ContextData(school=school_part, participants=people)


def context_school_ids(actor: Actor, campaign: Campaign) -> set[int]:
    return set(
        ContextSheet.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(campaign=campaign)
        .values_list("school_id", flat=True)
    )


def context_seed(
    *, actor: Actor, school: School, campaign: Campaign, uploaded_at: dt.datetime
) -> ContextUpload:
    """The school's current context data (version 1), stored as ``context_upload`` stores an
    accepted form: the upload row with its snapshot and one row per participant code."""
    spec = context_spec_get(actor=actor, school=school, campaign=campaign, action=A.VIEW_RESULTS)
    data = context_data(school, spec)
    sheet = ContextSheet.objects.create(
        school=school,
        campaign=campaign,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )
    upload = context_version_store(actor=actor, sheet=sheet, data=data, number=1, source=Source.API)
    upload.uploaded_at = uploaded_at
    ContextUpload.objects.for_actor(actor, A.VIEW_RESULTS).filter(pk=upload.pk).update(
        uploaded_at=uploaded_at
    )
    return upload


def context_instant(school: School, works: Sequence[Work]) -> dt.datetime:
    """Context data come in with the results: a day or two before the last work's deadline."""
    rng = random.Random(f"context-at:{school.code}")
    zone = sel.school_zone(school)
    last = max(schedule.upload_deadline_at(w, zone, None) for w in works)
    return last - dt.timedelta(days=rng.randint(1, 12), hours=rng.randint(2, 14))
