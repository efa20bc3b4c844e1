"""Writes of the campaigns app. Each service owns its transaction and its audit row.

* campaigns, subjects, works (with task columns and the plan-graph): the federal operator;
* works imports (xlsx or JSON): validated whole, previewed, applied once in one transaction,
  through the import framework (``apps.core.imports``; the kind is ``campaigns/imports.py``);
* school dates and reserve days: schools pick their day until the day before, then only their
  coordinators move it, with a reason, until its password opens (ADR 0014); a day outside the
  period needs a reserve day that the regional coordinator of the school's region approves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from apps.campaigns import documents, rules, schedule, selectors
from apps.campaigns.audit import CampaignsAudit
from apps.campaigns.messages import CampaignError, CampaignInvalidError
from apps.campaigns.models import (
    Campaign,
    Difficulty,
    ReserveDayRequest,
    SchoolWorkDate,
    Session,
    Subject,
    TaskColumn,
    Work,
)
from apps.campaigns.rules import Problem, WorkSpec
from apps.core import instants, registry
from apps.core.imports import (
    ImportKind,
    ImportOutcome,
    import_apply,
    import_discard,
    import_kind_of,
    import_upload,
)
from apps.core.models import ImportBatch
from apps.core.services import audit_record
from apps.registration.access import A, Actor
from apps.registration.models import School
from apps.registration.services import school_unit_scope


class SpecRejectedError(CampaignInvalidError):
    """A work (or campaign) breaks rules (400); ``problems`` say which field and why."""

    def __init__(self, code: str, problems: list[Problem]) -> None:
        super().__init__(
            code,
            details=[asdict(p) for p in problems],
            errors="; ".join(f"{p.message}" for p in problems),
        )
        self.problems = problems


def _d(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


# --- campaigns and subjects -------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignData:
    year: int
    session: str
    name: str
    application_deadline: dt.date
    is_active: bool


@transaction.atomic
def campaign_save(
    *,
    actor: Actor,
    data: CampaignData,
    campaign_id: int | None = None,
) -> Campaign:
    """Create or change a campaign. Making it current makes every other campaign not current."""
    campaigns = Campaign.objects.for_actor(actor, A.MANAGE_CAMPAIGNS)
    campaign = (
        campaigns.select_for_update().get(pk=campaign_id)
        if campaign_id is not None
        else Campaign(year=data.year, session=data.session)
    )
    if data.session not in Session.values:
        raise SpecRejectedError("campaign_invalid", [Problem("session", "неизвестный этап.")])
    if not 2000 <= data.year <= 2100:
        raise SpecRejectedError("campaign_invalid", [Problem("year", "год указан неверно.")])
    clash = campaigns.filter(year=data.year, session=data.session).exclude(pk=campaign.pk)
    if clash.exists():
        raise CampaignError("campaign_exists", year=data.year, session=Session(data.session).label)
    if campaign.pk is not None:
        starts = list(
            campaign.works.order_by("period_start").values_list("period_start", flat=True)
        )
        if starts and data.application_deadline >= starts[0]:
            raise SpecRejectedError(
                "campaign_invalid",
                [
                    Problem(
                        "application_deadline",
                        "последний день подачи заявок должен быть раньше начала первого "
                        f"периода проведения ({_d(starts[0])}).",
                    )
                ],
            )
    before = {
        "year": campaign.year,
        "session": campaign.session,
        "name": campaign.name,
        "application_deadline": str(campaign.application_deadline or ""),
        "is_active": campaign.is_active,
    }
    campaign.year = data.year
    campaign.session = data.session
    campaign.name = " ".join(data.name.split())
    campaign.application_deadline = data.application_deadline
    campaign.is_active = data.is_active
    campaign.full_clean()
    campaign.save()
    if campaign.is_active:
        campaigns.filter(is_active=True).exclude(pk=campaign.pk).update(is_active=False)
    audit_record(
        actor=actor,
        action=CampaignsAudit.CAMPAIGN_SAVE,
        target=campaign,
        details={"before": before if campaign_id else None, "name": campaign.name},
    )
    return campaign


@transaction.atomic
def subject_create(*, actor: Actor, code: str, name: str) -> Subject:
    if not actor.can(A.MANAGE_CAMPAIGNS):
        raise Subject.DoesNotExist
    code = code.strip().lower()
    name = " ".join(name.split())
    if not rules.SUBJECT_CODE_RE.match(code):
        raise SpecRejectedError(
            "subject_invalid",
            [Problem("subject_code", "код — латинские строчные буквы, цифры, «-» или «_».")],
        )
    if not name:
        raise SpecRejectedError(
            "subject_invalid", [Problem("subject_name", "укажите наименование.")]
        )
    subjects = Subject.objects.for_actor(actor, A.MANAGE_CAMPAIGNS)
    if subjects.filter(code=code).exists() or subjects.filter(name=name).exists():
        raise CampaignError("subject_exists")
    subject = Subject.objects.create(code=code, name=name)
    audit_record(actor=actor, action=CampaignsAudit.SUBJECT_CREATE, target=subject)
    return subject


# --- works ------------------------------------------------------------------------------------

_WORK_FIELDS = (
    "grade",
    "max_score",
    "mark3_from",
    "mark4_from",
    "mark5_from",
    "duration_minutes",
    "encrypted_archive",
    "variants_per_school",
    "period_start",
    "period_end",
    "materials_publish_date",
    "results_upload_deadline",
    "results_release_date",
    "checking_until",
)


def _subject_for(actor: Actor, spec: WorkSpec) -> Subject:
    """The subject named by code; a new code with a name creates the subject."""
    subjects = Subject.objects.for_actor(actor, A.MANAGE_CAMPAIGNS)
    subject = subjects.filter(code=spec.subject_code).first()
    if subject is not None:
        return subject
    if not spec.subject_name or subjects.filter(name=spec.subject_name).exists():
        raise SpecRejectedError(
            "work_invalid",
            [
                Problem(
                    "subject_code",
                    f"предмета с кодом «{spec.subject_code}» нет; укажите новое наименование "
                    "предмета, чтобы его создать.",
                )
            ],
        )
    return Subject.objects.create(code=spec.subject_code, name=spec.subject_name)


def _write_columns(work: Work, columns: tuple[rules.ColumnSpec, ...]) -> None:
    """Make the work's columns exactly ``columns``, keeping rows whose label survives."""
    existing = {c.label: c for c in work.columns.all()}
    wanted = {c.label for c in columns}
    work.columns.exclude(label__in=wanted).delete()
    # Move survivors out of the way first: (work, position) is unique.
    for offset, col in enumerate(work.columns.order_by("pk")):
        col.position = 1000 + offset
        col.save(update_fields=["position"])
    for position, spec in enumerate(columns, start=1):
        row = existing.get(spec.label) or TaskColumn(work=work, label=spec.label)
        row.position = position
        row.max_score = spec.max_score
        row.difficulty = Difficulty(spec.difficulty)
        row.topic = spec.topic
        row.save()


def _apply_spec(work: Work, spec: WorkSpec, subject: Subject) -> None:
    work.subject = subject
    for name in _WORK_FIELDS:
        setattr(work, name, getattr(spec, name))
    work.recommended_dates = [d.isoformat() for d in sorted(spec.recommended_dates)]
    work.full_clean(exclude=["campaign", "subject"])
    work.save()
    _write_columns(work, spec.columns)


def _spec_problems(spec: WorkSpec, campaign: Campaign) -> list[Problem]:
    grades = selectors.campaign_grade_numbers(campaign.pk)
    return rules.work_problems(spec, campaign.application_deadline, grades)


@transaction.atomic
def work_save(
    *,
    actor: Actor,
    campaign_id: int,
    spec: WorkSpec,
    work_id: int | None = None,
) -> Work:
    """Create or replace a work (its fields, scale, plan-graph and all its task columns)."""
    campaign = Campaign.objects.for_actor(actor, A.MANAGE_CAMPAIGNS).get(pk=campaign_id)
    problems = _spec_problems(spec, campaign)
    if problems:
        raise SpecRejectedError("work_invalid", problems)
    works = Work.objects.for_actor(actor, A.MANAGE_CAMPAIGNS)
    if work_id is not None:
        work = works.select_for_update().get(pk=work_id, campaign=campaign)
        before = documents.work_document(selectors.work_spec(work))
    else:
        work = Work(campaign=campaign)
        before = None
    subject = _subject_for(actor, spec)
    clash = works.filter(campaign=campaign, subject=subject, grade=spec.grade).exclude(pk=work.pk)
    if clash.exists():
        raise CampaignError("work_exists", work=f"{subject.name}, {spec.grade} класс")
    _apply_spec(work, spec, subject)
    audit_record(
        actor=actor,
        action=CampaignsAudit.WORK_SAVE,
        target=work,
        details={"work": spec.title, "created": before is None},
    )
    return work


@transaction.atomic
def work_delete(*, actor: Actor, work_id: int) -> str:
    """Delete a work nobody uses yet (no applications, dates or results refer to it)."""
    work = (
        Work.objects.for_actor(actor, A.MANAGE_CAMPAIGNS)
        .select_related("subject")
        .select_for_update(of=("self",))
        .get(pk=work_id)
    )
    title = f"{work.subject.name}, {work.grade} класс"
    try:
        with transaction.atomic():
            work.columns.all().delete()
            work.delete()
    except (ProtectedError, IntegrityError) as exc:
        raise CampaignError("work_in_use", work=title) from exc
    audit_record(
        actor=actor,
        action=CampaignsAudit.WORK_DELETE,
        details={"work": title, "work_id": work_id, "campaign_id": work.campaign_id},
    )
    return title


# --- works imports (xlsx or JSON) -------------------------------------------------------------


def _works_kind() -> ImportKind:
    """The works file's kind (``apps/campaigns/imports.py``, registered at start-up)."""
    return import_kind_of(selectors.IMPORT_KIND)


def works_import_upload(
    *,
    actor: Actor,
    campaign_id: int,
    name: str,
    content: bytes | None = None,
    file: IO[bytes] | None = None,
    size: int = 0,
) -> ImportBatch:
    """Validate a works file (xlsx or JSON; its bytes or an upload of ``size``) whole and store
    it with its preview.

    Raises UploadError (audited as ``works.import_rejected``) listing every problem; then
    nothing is stored and nothing changes. ``Campaign.DoesNotExist`` for a campaign out of scope.
    """
    return import_upload(
        _works_kind(),
        actor=actor,
        name=name,
        content=content,
        file=file,
        size=size,
        campaign_id=campaign_id,
    )


def works_import_apply(*, actor: Actor, batch_id: int) -> ImportOutcome:
    """Apply a previewed works file in one transaction: all of it or nothing; once only.

    Raises ``ImportStaleError`` (409) if the campaign's works changed since the preview and
    ``UploadError`` if the file no longer fits the campaign.
    """
    return import_apply(_works_kind(), actor=actor, batch_id=batch_id)


def works_import_discard(*, actor: Actor, batch_id: int) -> ImportOutcome:
    """Drop a previewed works file; its stored file is deleted after commit."""
    return import_discard(_works_kind(), actor=actor, batch_id=batch_id)


# --- school dates -----------------------------------------------------------------------------


def _local_today(school: School) -> dt.date:
    return timezone.now().astimezone(ZoneInfo(selectors.school_zone(school))).date()


def _work_for_school(actor: Actor, school: School, work_id: int) -> Work:
    """The work, if the school holds it in the current campaign (else a Russian error)."""
    work = selectors.work_get(actor=actor, work_id=work_id)
    title = f"{work.subject.name}, {work.grade} класс"
    if not work.campaign.is_active:
        raise CampaignError("campaign_not_active", campaign=work.campaign.name)
    offered = selectors.school_works(actor=actor, school=school, campaign=work.campaign)
    if work.pk not in {w.pk for w in offered}:
        raise CampaignError("work_not_for_school", work=title, grade=work.grade)
    return work


def _title(work: Work) -> str:
    return f"{work.subject.name}, {work.grade} класс"


def _period_or_reserve(
    actor: Actor, school: School, work: Work, day: dt.date
) -> ReserveDayRequest | None:
    """None for a day inside the period; the approved reserve day otherwise (or a refusal)."""
    if work.period_start <= day <= work.period_end:
        return None
    reserve = selectors.approved_reserve_day(
        actor=actor, school_id=school.pk, work_id=work.pk, day=day
    )
    if reserve is None:
        raise CampaignInvalidError(
            "date_outside_period",
            date=_d(day),
            work=_title(work),
            start=_d(work.period_start),
            end=_d(work.period_end),
        )
    return reserve


def _released(work: Work, zone: str, day: dt.date) -> str:
    """Why ``day`` is locked, for the Russian refusal."""
    opened = schedule.password_release_at(work, zone, day)
    if opened is None:
        return "этот день проведения уже прошёл"
    return "пароль к архиву в этот день открыт " + instants.format_instant(
        opened, instants.Place(zone, School.instant_whose)
    )


def _date_row(actor: Actor, action: str, school: School, work: Work) -> SchoolWorkDate | None:
    return (
        SchoolWorkDate.objects.for_actor(actor, action)
        .select_for_update()
        .filter(school=school, work=work)
        .first()
    )


@transaction.atomic
def school_date_set(
    *,
    actor: Actor,
    school_id: int,
    work_id: int,
    day: dt.date,
) -> SchoolWorkDate:
    """A school picks its day for a work: inside the period, or an approved reserve day.

    The school picks and changes a day only until the end of the day before, school-local
    (``schedule.day_frozen_at``): it can never choose a day that has begun, nor leave one, so it
    cannot open a grade-8 password on a day it then moves away from (ADR 0014).
    """
    school = School.objects.for_actor(actor, A.EDIT_SCHEDULE).select_for_update().get(pk=school_id)
    work = _work_for_school(actor, school, work_id)
    zone = selectors.school_zone(school)
    now = timezone.now()
    today = _local_today(school)
    row = _date_row(actor, A.EDIT_SCHEDULE, school, work)
    if row is not None and row.date < today:
        raise CampaignError("date_already_held", work=_title(work), date=_d(row.date))
    if row is not None and now >= schedule.day_frozen_at(zone, row.date):
        raise CampaignError("date_frozen", work=_title(work), date=_d(row.date))
    if day < today:
        raise CampaignInvalidError("date_in_past", date=_d(day), today=_d(today))
    if now >= schedule.day_frozen_at(zone, day):
        raise CampaignError("date_frozen", work=_title(work), date=_d(day))
    return _date_store(
        actor=actor,
        school=school,
        work=work,
        day=day,
        row=row,
        audit=CampaignsAudit.SCHEDULE_DATE_SET,
    )


@transaction.atomic
def school_date_move(
    *,
    actor: Actor,
    school_id: int,
    work_id: int,
    day: dt.date,
    reason: str,
) -> SchoolWorkDate:
    """The school's municipal or regional coordinator sets or moves its day, with a reason.

    Also after the school's own freeze, but only while neither the old day nor the new one has
    released anything (``schedule.day_locked_at``): a day whose password or criteria are out never
    moves; a repeat goes through a reserve day (ADR 0014).
    """
    school = (
        School.objects.for_actor(actor, A.MOVE_SCHOOL_DAY).select_for_update().get(pk=school_id)
    )
    work = _work_for_school(actor, school, work_id)
    reason = reason.strip()
    if not reason:
        raise CampaignInvalidError("move_reason_required")
    zone = selectors.school_zone(school)
    now = timezone.now()
    today = _local_today(school)
    row = _date_row(actor, A.MOVE_SCHOOL_DAY, school, work)
    if row is not None and now >= schedule.day_locked_at(work, zone, row.date):
        raise CampaignError(
            "date_locked",
            work=_title(work),
            date=_d(row.date),
            released=_released(work, zone, row.date),
        )
    if day < today:
        raise CampaignInvalidError("date_in_past", date=_d(day), today=_d(today))
    if now >= schedule.day_locked_at(work, zone, day):
        raise CampaignError(
            "date_target_locked",
            work=_title(work),
            date=_d(day),
            released=_released(work, zone, day),
        )
    return _date_store(
        actor=actor,
        school=school,
        work=work,
        day=day,
        row=row,
        audit=CampaignsAudit.SCHEDULE_DATE_MOVE,
        details={"reason": reason[:2000]},
    )


@transaction.atomic
def school_date_sync(
    *,
    actor: Actor,
    school_id: int,
    work_id: int,
    first_day: dt.date,
    last_day: dt.date,
    action: str = A.EDIT_SCHEDULE,
) -> SchoolWorkDate:
    """The school's day for a work follows its classes' days: the first class day.

    Called by the class-day services (``apps/classes/timetable``), which check each class's
    day; the last class day is not stored (it is read from the classes) and is audited only.
    A first class day outside the period is an approved reserve day, kept as the row's
    ``reserve``. ``action`` is the caller's: the school's organizer (``EDIT_SCHEDULE``), or the
    coordinator who moved a class day or decided its reserve day. Unchanged rows are left alone
    (no audit).
    """
    school = School.objects.for_actor(actor, action).get(pk=school_id)
    work = selectors.work_get(actor=actor, work_id=work_id)
    reserve = _period_or_reserve(actor, school, work, first_day)
    row = _date_row(actor, action, school, work)
    reserve_id = reserve.pk if reserve is not None else None
    if row is not None and row.date == first_day and row.reserve_id == reserve_id:
        return row
    previous = row.date if row is not None else None
    row = _date_upsert(
        actor=actor, school=school, work=work, day=first_day, reserve=reserve, row=row
    )
    audit_record(
        actor=actor,
        action=CampaignsAudit.SCHEDULE_DATE_SET,
        target=row,
        scope=school_unit_scope(school),
        details={
            "work": _title(work),
            "date": first_day.isoformat(),
            "previous": previous.isoformat() if previous else None,
            "last_class_day": last_day.isoformat(),
            "reserve_id": reserve_id,
            "from_classes": True,
        },
    )
    return row


def _date_store(
    *,
    actor: Actor,
    school: School,
    work: Work,
    day: dt.date,
    row: SchoolWorkDate | None,
    audit: str,
    details: dict[str, Any] | None = None,
) -> SchoolWorkDate:
    """Store a school's day (inside the period, or an approved reserve day) and audit it."""
    reserve = _period_or_reserve(actor, school, work, day)
    previous = row.date if row is not None else None
    row = _date_upsert(actor=actor, school=school, work=work, day=day, reserve=reserve, row=row)
    audit_record(
        actor=actor,
        action=audit,
        target=row,
        scope=school_unit_scope(school),
        details={
            "work": _title(work),
            "date": day.isoformat(),
            "previous": previous.isoformat() if previous else None,
            "reserve_id": reserve.pk if reserve else None,
            **(details or {}),
        },
    )
    return row


def _date_upsert(
    *,
    actor: Actor,
    school: School,
    work: Work,
    day: dt.date,
    reserve: ReserveDayRequest | None,
    row: SchoolWorkDate | None,
) -> SchoolWorkDate:
    if row is None:
        row = SchoolWorkDate(school=school, work=work)
    row.date = day
    row.reserve = reserve
    row.chosen_by = actor.user
    # Scope columns come from the school, never from input.
    row.region_id = school.region_id
    row.municipality_id = school.municipality_id
    row.save()
    return row


# --- reserve days -----------------------------------------------------------------------------


@transaction.atomic
def reserve_day_request(
    *,
    actor: Actor,
    school_id: int,
    work_id: int,
    day: dt.date,
    reason: str,
    classes: str = "",
) -> ReserveDayRequest:
    """A school asks to hold a work on a day outside its period (a reserve day).

    A school whose days of the work are kept per class asks for its classes through the
    timetable by class (``apps/classes/timetable``), which passes their labels as ``classes``
    («4А, 4Б») and links them; asked for the whole school, it is refused.
    """
    school = (
        School.objects.for_actor(actor, A.REQUEST_RESERVE_DAY).select_for_update().get(pk=school_id)
    )
    work = _work_for_school(actor, school, work_id)
    if not classes and registry.reserve_day_by_class(actor, school.pk, work.pk):
        raise CampaignError("reserve_by_class", work=_title(work))
    reason = reason.strip()
    if not reason:
        raise CampaignInvalidError("reserve_reason_required")
    if work.period_start <= day <= work.period_end:
        raise CampaignInvalidError(
            "reserve_inside_period",
            date=_d(day),
            start=_d(work.period_start),
            end=_d(work.period_end),
        )
    today = _local_today(school)
    if day < today:
        raise CampaignInvalidError("date_in_past", date=_d(day), today=_d(today))
    pending = (
        ReserveDayRequest.objects.for_actor(actor, A.REQUEST_RESERVE_DAY)
        .filter(school=school, work=work, status=ReserveDayRequest.Status.PENDING)
        .first()
    )
    if pending is not None:
        raise CampaignError(
            "reserve_pending_exists", work=_title(work), date=_d(pending.requested_date)
        )
    if actor.user is None:  # a reserve day is always requested by somebody
        raise PermissionDenied
    req = ReserveDayRequest.objects.create(
        school=school,
        region_id=school.region_id,
        municipality_id=school.municipality_id,
        work=work,
        requested_date=day,
        reason=reason[:2000],
        requested_by=actor.user,
        classes=classes[:500],
    )
    audit_record(
        actor=actor,
        action=CampaignsAudit.RESERVE_DAY_REQUEST,
        target=req,
        scope=school_unit_scope(school),
        details={"work": _title(work), "date": day.isoformat(), "classes": classes or None},
    )
    return req


VERDICTS = (ReserveDayRequest.Status.APPROVED, ReserveDayRequest.Status.REJECTED)


@transaction.atomic
def reserve_day_decide(
    *,
    actor: Actor,
    request_id: int,
    verdict: str,
    comment: str = "",
) -> ReserveDayRequest:
    """The regional coordinator approves or rejects; an approved day becomes the school's day.

    This is also how a work is held again after its day released the password or the criteria
    (ADR 0014): the day it replaces stays in the audit row (``previous``). A request that names
    classes is handed to the classes (``core.registry.reserve_day_decided``): on approval they
    move the linked classes to the day and keep the school's day = the first class day, on
    rejection they unlink them; the school's day is not written here then.
    """
    req = (
        ReserveDayRequest.objects.for_actor(actor, A.DECIDE_RESERVE_DAY)
        .select_for_update()
        .select_related("school", "work", "work__subject")
        .get(pk=request_id)
    )
    if req.status != ReserveDayRequest.Status.PENDING:
        raise CampaignError("reserve_not_pending", status=req.get_status_display())
    if verdict not in VERDICTS:
        raise CampaignInvalidError("reserve_bad_verdict")
    comment = comment.strip()
    if verdict == ReserveDayRequest.Status.REJECTED and not comment:
        raise CampaignInvalidError("reserve_comment_required")
    req.status = verdict
    req.comment = comment[:2000]
    req.decided_by = actor.user
    req.decided_at = timezone.now()
    req.save(update_fields=["status", "comment", "decided_by", "decided_at", "updated_at"])
    row = _date_row(actor, A.VIEW_SCHEDULE, req.school, req.work)
    previous = row.date.isoformat() if row is not None else None
    by_class = registry.reserve_day_decided(actor, req)
    if verdict == ReserveDayRequest.Status.APPROVED and not by_class:
        _date_upsert(
            actor=actor,
            school=req.school,
            work=req.work,
            day=req.requested_date,
            reserve=req,
            row=row,
        )
    if (
        not ReserveDayRequest.objects.for_actor(actor, A.DECIDE_RESERVE_DAY)
        .filter(pk=req.pk)
        .exists()
    ):
        raise ReserveDayRequest.DoesNotExist  # pragma: no cover - out of the decider's scope
    audit_record(
        actor=actor,
        action=CampaignsAudit.RESERVE_DAY_DECIDE,
        target=req,
        scope=school_unit_scope(req.school),
        details={
            "verdict": verdict,
            "work": _title(req.work),
            "date": req.requested_date.isoformat(),
            "previous": previous,
            "classes": req.classes or None,
        },
    )
    return req
