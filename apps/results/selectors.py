"""Reads of results, as an actor sees them: the form spec, the upload window, versions, diffs."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from apps.campaigns import schedule
from apps.campaigns import selectors as campaigns
from apps.campaigns.models import (
    SESSION_SHORT,
    Campaign,
    ReserveDayRequest,
    SchoolWorkDate,
    Work,
)
from apps.classes import selectors as classes
from apps.classes.actions import ClassActions
from apps.classes.timetable.days import class_days
from apps.core import instants
from apps.materials import generation
from apps.materials import selectors as materials
from apps.registration.access import A, Actor
from apps.registration.models import School
from apps.results import xlsx
from apps.results.models import (
    ParticipantResult,
    ResultDraft,
    ResultReopen,
    ResultSheet,
    ResultVersion,
    SchoolWorkStats,
)

DEFAULT_ZONE = "Europe/Moscow"


def school_zone(school: School) -> str:
    return school.time_zone or DEFAULT_ZONE


def school_get(*, actor: Actor, school_id: int, action: str = A.VIEW_RESULTS) -> School:
    return (
        School.objects.for_actor(actor, action)
        .select_related("municipality", "region")
        .get(pk=school_id)
    )


def work_get(*, actor: Actor, work_id: int, action: str = A.VIEW_RESULTS) -> Work:
    """A work with its subject, campaign and ordered columns (reference data)."""
    return campaigns.work_get(actor=actor, work_id=work_id, action=action)


def work_key(work: Work) -> str:
    """What the form's service sheet names the work by: «2026-spring/russian/4»."""
    return f"{work.campaign.year}-{work.campaign.session}/{work.subject.code}/{work.grade}"


@dataclass(frozen=True)
class _Issued:
    """An issued code as the form reads it."""

    code: str
    class_number: int | None
    reserve: bool


def form_spec(*, actor: Actor, school: School, work: Work, action: str) -> xlsx.FormSpec:
    """The form of one school × work: the work's columns, the school's codes for its grade, each
    with its class's current «Порядковый номер класса» (a renumbered class keeps its codes)."""
    codes = [
        _Issued(c.code, c.current_class_number, c.reserve)
        for c in materials.participant_codes(
            actor=actor,
            action=action,
            school_id=school.pk,
            campaign_id=work.campaign_id,
            grade=work.grade,
        )
    ]
    ordered = sorted(codes, key=lambda c: (c.reserve, c.class_number or 0, c.code))
    reserve = Counter(c.class_number for c in codes if c.reserve and c.class_number)
    return xlsx.FormSpec(
        classes=register_classes(actor=actor, school=school, work=work, reserve=reserve),
        subject=work.subject.name,
        grade=work.grade,
        year=work.campaign.year,
        work_key=work_key(work),
        school_code=school.code,
        columns=tuple(xlsx.Column(c.label, c.max_score) for c in work.columns.all()),
        variants=work.variants_per_school,
        issued=frozenset(c.code for c in codes),
        prefill=tuple(xlsx.Prefill(c.code, c.class_number) for c in ordered),
        session=SESSION_SHORT.get(work.campaign.session, ""),
    )


def class_reserve(participants: int) -> int:
    """The reserve codes a class gets by the materials rule (10 %, rounded up, at least one)."""
    return max(generation.RESERVE_MIN_PER_CLASS, math.ceil(participants * generation.RESERVE_SHARE))


def register_classes(
    *, actor: Actor, school: School, work: Work, reserve: Mapping[int, int]
) -> tuple[xlsx.FormClass, ...] | None:
    """The classes of the school's register that write ``work`` (by number), each with how many
    rows it may have in the form: its confirmed participants (its pupils until the school
    confirms them) plus its reserve (the reserve codes issued for it, at least the materials
    rule's); None when the school has no register for the work's campaign."""
    registered = classes.classes_of_school(
        actor=actor, school_id=school.pk, campaign_id=work.campaign_id
    )
    if not registered.exists():
        return None
    works = classes.class_works_of_school(
        actor=actor, school_id=school.pk, campaign_id=work.campaign_id
    ).filter(work_id=work.pk)
    out = []
    for class_work in works:
        school_class = class_work.school_class
        confirmed = class_work.participants
        participants = school_class.pupils if confirmed is None else confirmed
        spare = max(reserve.get(school_class.number, 0), class_reserve(participants))
        out.append(
            xlsx.FormClass(
                number=school_class.number,
                label=school_class.label,
                pupils=school_class.pupils,
                limit=participants + spare,
            )
        )
    return tuple(sorted(out, key=lambda c: c.number))


def _counts(row: SchoolWorkDate) -> bool:
    """A chosen day counts unless it is a reserve day not (yet) approved."""
    return row.reserve is None or row.reserve.status == ReserveDayRequest.Status.APPROVED


def held_on(*, actor: Actor, school: School, work: Work) -> dt.date | None:
    """The day the school holds the work (a reserve day only once approved)."""
    row = (
        SchoolWorkDate.objects.for_actor(actor, A.VIEW_SCHEDULE)
        .filter(school_id=school.pk, work_id=work.pk)
        .select_related("reserve")
        .first()
        if actor.can(A.VIEW_SCHEDULE)
        else None
    )
    if row is None:
        return None
    return row.date if _counts(row) else None


@dataclass(frozen=True)
class Window:
    """When a school may download the form and upload results of a work (UTC instants; None:
    not yet known). ``form_at``: the blank form is published (grade 8: with the archive);
    ``opens_at``: uploads open (with the criteria)."""

    zone: str
    held_on: dt.date | None
    form_at: dt.datetime | None
    opens_at: dt.datetime | None
    deadline_at: dt.datetime
    reopened_until: dt.datetime | None

    def is_open(self, now: dt.datetime) -> bool:
        if self.opens_at is None or now < self.opens_at:
            return False
        if now < self.deadline_at:
            return True
        return self.reopened_until is not None and now < self.reopened_until

    def is_late(self, now: dt.datetime) -> bool:
        return now >= self.deadline_at

    @property
    def place(self) -> instants.Place:
        """The school's clock: every instant of the window is shown on it (core.instants)."""
        return instants.Place(self.zone, School.instant_whose)

    def shown(self, moment: dt.datetime | None) -> str:
        """«07.12.2026 00:00 (МСК+2, время ОО)» for an instant of the window."""
        return instants.format_instant(moment, self.place)

    @property
    def deadline_day(self) -> dt.date:
        """The last local day of uploads (the deadline instant is the next midnight)."""
        return (self.deadline_at.astimezone(ZoneInfo(self.zone)) - dt.timedelta(days=1)).date()

    @property
    def reopened_day(self) -> dt.date | None:
        if self.reopened_until is None:
            return None
        local = self.reopened_until.astimezone(ZoneInfo(self.zone))
        return (local - dt.timedelta(days=1)).date()


def _last_class_days(*, actor: Actor, school: School, work_ids: list[int]) -> dict[int, dt.date]:
    """work id → the last day a class of the school writes it (the upload window and a late
    day's moves go by it; the school's own day is the first class day)."""
    days = class_days(
        actor=actor, action=ClassActions.VIEW_CLASSES, school_id=school.pk, work_ids=work_ids
    )
    return {work_id: d.last for work_id, d in days.items()}


def _window(
    work: Work, zone: str, day: dt.date | None, last: dt.date | None, sheet: ResultSheet | None
) -> Window:
    if day is None or (last is not None and last < day):
        last = None
    return Window(
        zone=zone,
        held_on=day,
        form_at=schedule.results_form_available_at(work, zone, day),
        opens_at=schedule.results_upload_opens_at(work, zone, day, last=last),
        deadline_at=schedule.upload_deadline_at(work, zone, day, last=last),
        reopened_until=sheet.reopened_until if sheet is not None else None,
    )


def upload_window(*, actor: Actor, school: School, work: Work, sheet: ResultSheet | None) -> Window:
    day = held_on(actor=actor, school=school, work=work)
    last = _last_class_days(actor=actor, school=school, work_ids=[work.pk]).get(work.pk)
    return _window(work, school_zone(school), day, last, sheet)


def sheet_get(
    *, actor: Actor, school_id: int, work_id: int, action: str = A.VIEW_RESULTS
) -> ResultSheet | None:
    return (
        ResultSheet.objects.for_actor(actor, action)
        .filter(school_id=school_id, work_id=work_id)
        .select_related("current_version", "current_version__uploaded_by")
        .first()
    )


def uploaded_at(
    *, actor: Actor, school_id: int, work_id: int, action: str = A.VIEW_RESULTS
) -> dt.datetime | None:
    """When the school's current (accepted) upload of the work came; None before the first.
    The release rule of a late reserve day depends on it (``schedule.release_at``)."""
    return (
        ResultSheet.objects.for_actor(actor, action)
        .filter(school_id=school_id, work_id=work_id, current_version__isnull=False)
        .values_list("current_version__uploaded_at", flat=True)
        .first()
    )


def version_list(*, actor: Actor, sheet: ResultSheet) -> QuerySet[ResultVersion]:
    return (
        ResultVersion.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(sheet=sheet)
        .select_related("uploaded_by")
        .defer("snapshot")
        .order_by("-number")
    )


def version_get(*, actor: Actor, version_id: int) -> ResultVersion:
    return (
        ResultVersion.objects.for_actor(actor, A.VIEW_RESULTS)
        .select_related(
            "sheet",
            "sheet__school",
            "sheet__work",
            "sheet__work__subject",
            "sheet__work__campaign",
            "uploaded_by",
        )
        .get(pk=version_id)
    )


def version_previous(*, actor: Actor, version: ResultVersion) -> ResultVersion | None:
    return (
        ResultVersion.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(sheet_id=version.sheet_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )


def version_diff(
    *, actor: Actor, version: ResultVersion, against: ResultVersion | None = None
) -> tuple[ResultVersion | None, xlsx.Diff]:
    """What changed in ``version`` against ``against`` (default: the version before it)."""
    base = against if against is not None else version_previous(actor=actor, version=version)
    return base, xlsx.diff(base.snapshot if base is not None else None, version.snapshot)


def reopen_list(*, actor: Actor, sheet: ResultSheet) -> QuerySet[ResultReopen]:
    return (
        ResultReopen.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(sheet=sheet)
        .select_related("by")
        .order_by("-at", "-id")
    )


def result_list(*, actor: Actor, sheet: ResultSheet) -> QuerySet[ParticipantResult]:
    return (
        ParticipantResult.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(sheet=sheet)
        .order_by("code")
    )


def stats_get(*, actor: Actor, school_id: int, work_id: int) -> SchoolWorkStats | None:
    return (
        SchoolWorkStats.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(school_id=school_id, work_id=work_id)
        .first()
    )


def entry_cells(
    *, actor: Actor, school: School, work: Work, spec: xlsx.FormSpec
) -> tuple[list[list[str]], ResultDraft | None]:
    """The browser table to show: the saved draft, else the accepted results followed by the
    codes not used in them, else the issued codes."""
    draft = (
        ResultDraft.objects.for_actor(actor, A.UPLOAD_RESULTS)
        .filter(school_id=school.pk, work_id=work.pk)
        .first()
    )
    if draft is not None:
        return draft.cells, draft
    sheet = sheet_get(actor=actor, school_id=school.pk, work_id=work.pk)
    rows: list[xlsx.Row] = []
    # With a register an accepted row's class was its code's class: show the class's current
    # number (it may have been renumbered since), which the next upload must carry.
    now_in = spec.code_classes if spec.classes is not None else {}
    if sheet is not None and sheet.current_version_id:
        rows = [
            xlsx.Row(
                r.code,
                r.absent,
                r.variant,
                tuple(r.scores),
                now_in.get(r.code, r.class_number),
                r.journal_mark,
            )
            for r in result_list(actor=actor, sheet=sheet)
        ]
    used = {r.code for r in rows}
    blank = [""] * (1 + len(spec.columns))  # variant and scores
    cells = xlsx.entry_cells(spec, rows) + [
        [p.code, *blank, str(p.class_number or ""), ""] for p in spec.prefill if p.code not in used
    ]
    return cells, None


@dataclass(frozen=True)
class WorkStatus:
    """A work of the school on its results page: the window and what was accepted."""

    work: Work
    window: Window
    sheet: ResultSheet | None

    @property
    def version(self) -> ResultVersion | None:
        return self.sheet.current_version if self.sheet is not None else None


def school_results(*, actor: Actor, school: School, campaign: Campaign | None) -> list[WorkStatus]:
    """The works of the campaign the school holds, each with its window and current version."""
    if campaign is None:
        return []
    works = campaigns.school_works(actor=actor, school=school, campaign=campaign)
    sheets = {
        s.work_id: s
        for s in ResultSheet.objects.for_actor(actor, A.VIEW_RESULTS)
        .filter(school_id=school.pk, work__campaign=campaign)
        .select_related("current_version", "current_version__uploaded_by")
    }
    days: dict[int, dt.date] = {}
    if actor.can(A.VIEW_SCHEDULE):
        for row in (
            SchoolWorkDate.objects.for_actor(actor, A.VIEW_SCHEDULE)
            .filter(school_id=school.pk, work__campaign=campaign)
            .select_related("reserve")
        ):
            if _counts(row):
                days[row.work_id] = row.date
    zone = school_zone(school)
    lasts = _last_class_days(actor=actor, school=school, work_ids=[w.pk for w in works])
    out = []
    for work in works:
        sheet = sheets.get(work.pk)
        window = _window(work, zone, days.get(work.pk), lasts.get(work.pk), sheet)
        out.append(WorkStatus(work=work, window=window, sheet=sheet))
    return out


def now() -> dt.datetime:
    return timezone.now()
