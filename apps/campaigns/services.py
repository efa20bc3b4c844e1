"""Writes of the campaigns app. Each service owns its transaction and its audit row.

* campaigns, subjects, works (with task columns and the plan-graph): the federal operator;
* works imports (xlsx or JSON): validated whole, previewed, applied once in one transaction;
* school dates and reserve days: schools pick their day until the day before, then only their
  coordinators move it, with a reason, until its password opens (ADR 0014); a day outside the
  period needs a reserve day that the regional coordinator of the school's region approves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.http import HttpRequest
from django.utils import timezone

from apps.campaigns import documents, rules, schedule, selectors
from apps.campaigns import xlsx as works_xlsx
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
from apps.campaigns.rules import CampaignSpec, Problem, WorkSpec
from apps.core import instants
from apps.core.models import ImportBatch
from apps.core.services import audit_record
from apps.core.uploads import XLSX_MAGIC, CellError, UploadError
from apps.registration.access import A, Actor
from apps.registration.models import School
from apps.registration.services import school_unit_scope

IMPORT_KIND = selectors.IMPORT_KIND


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
    request: HttpRequest | None = None,
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
        action="campaign.save",
        target=campaign,
        request=request,
        details={"before": before if campaign_id else None, "name": campaign.name},
    )
    return campaign


@transaction.atomic
def subject_create(
    *, actor: Actor, code: str, name: str, request: HttpRequest | None = None
) -> Subject:
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
    audit_record(actor=actor, action="subject.create", target=subject, request=request)
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
    return rules.work_problems(spec, campaign.application_deadline)


@transaction.atomic
def work_save(
    *,
    actor: Actor,
    campaign_id: int,
    spec: WorkSpec,
    work_id: int | None = None,
    request: HttpRequest | None = None,
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
        action="work.save",
        target=work,
        request=request,
        details={"work": spec.title, "created": before is None},
    )
    return work


@transaction.atomic
def work_delete(*, actor: Actor, work_id: int, request: HttpRequest | None = None) -> str:
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
        action="work.delete",
        request=request,
        details={"work": title, "work_id": work_id, "campaign_id": work.campaign_id},
    )
    return title


# --- works imports (xlsx or JSON) -------------------------------------------------------------


def _fingerprint(spec: CampaignSpec) -> str:
    return hashlib.sha256(documents.build_json(spec)).hexdigest()


def _parse(content: bytes, name: str) -> tuple[str, CampaignSpec]:
    if not content:
        raise UploadError([CellError(0, 0, "Файл пустой.")])
    if content.startswith(XLSX_MAGIC):
        return "xlsx", works_xlsx.parse_workbook(content).spec
    stripped = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if name.lower().endswith(".json") or stripped.startswith(b"{"):
        return "json", documents.parse_json(content)
    if name.lower().endswith(".xls") or content.startswith(b"\xd0\xcf\x11\xe0"):
        raise UploadError([CellError(0, 0, "Файл в старом формате .xls. Сохраните его как .xlsx.")])
    raise UploadError([CellError(0, 0, "Загрузите файл работ в формате .xlsx или документ JSON.")])


def _changed_fields(old: WorkSpec, new: WorkSpec) -> list[str]:
    a, b = documents.work_document(old), documents.work_document(new)
    return [rules.FIELD_LABELS.get(k, k) for k in a if a[k] != b[k]]


def _preview(*, actor: Actor, campaign: Campaign, spec: CampaignSpec) -> dict[str, Any]:
    current = selectors.campaign_spec(
        actor=actor, campaign_id=campaign.pk, action=A.MANAGE_CAMPAIGNS
    )
    by_key = {w.key: w for w in current.works}
    codes = set(Subject.objects.for_actor(actor, A.MANAGE_CAMPAIGNS).values_list("code", flat=True))
    rows = []
    counts = {"created": 0, "replaced": 0, "unchanged": 0}
    for work in spec.works:
        old = by_key.get(work.key)
        if old is None:
            outcome, changes = "created", []
        else:
            changes = _changed_fields(old, work)
            outcome = "replaced" if changes else "unchanged"
        counts[outcome] += 1
        rows.append(
            {
                "subject_code": work.subject_code,
                "subject": work.subject_name,
                "grade": work.grade,
                "columns": len(work.columns),
                "max_score": work.max_score,
                "outcome": outcome,
                "changes": changes,
                "new_subject": work.subject_code not in codes,
            }
        )
    untouched = [
        {"subject": w.subject_name, "grade": w.grade}
        for w in current.works
        if w.key not in {x.key for x in spec.works}
    ]
    campaign_changes = []
    if spec.name != campaign.name:
        campaign_changes.append(f"наименование: «{campaign.name}» → «{spec.name}»")
    if spec.application_deadline != campaign.application_deadline:
        campaign_changes.append(
            "последний день подачи заявок: "
            f"{_d(campaign.application_deadline)} → {_d(spec.application_deadline)}"
        )
    return {
        "campaign": {"id": campaign.pk, "name": campaign.name},
        "rows": rows,
        "counts": counts,
        "untouched": untouched,
        "campaign_changes": campaign_changes,
        "fingerprint": _fingerprint(current),
    }


def _check_target(campaign: Campaign, spec: CampaignSpec) -> None:
    if (spec.year, spec.session) != (campaign.year, campaign.session):
        raise UploadError(
            [
                CellError(
                    0,
                    0,
                    f"Файл описывает кампанию {spec.year} года ({Session(spec.session).label}), "
                    f"а загружается в «{campaign.name}» ({campaign.year}, "
                    f"{campaign.get_session_display()}).",
                )
            ]
        )
    in_file = {w.key for w in spec.works}
    starts = [w.period_start for w in spec.works] + [
        start
        for code, grade, start in campaign.works.values_list(
            "subject__code", "grade", "period_start"
        )
        if (code, grade) not in in_file
    ]
    first = min(starts)
    if spec.application_deadline >= first:
        raise UploadError(
            [
                CellError(
                    0,
                    0,
                    "Последний день подачи заявок должен быть раньше начала первого периода "
                    f"проведения ({_d(first)}).",
                )
            ]
        )


def works_import_upload(
    *,
    actor: Actor,
    campaign_id: int,
    name: str,
    content: bytes,
    request: HttpRequest | None = None,
) -> ImportBatch:
    """Validate a works file (xlsx or JSON) whole and store it with its preview.

    Raises UploadError (audited as ``works.import_rejected``) listing every problem; then
    nothing is stored and nothing changes.
    """
    campaign = Campaign.objects.for_actor(actor, A.MANAGE_CAMPAIGNS).get(pk=campaign_id)
    sha = hashlib.sha256(content).hexdigest()
    try:
        fmt, spec = _parse(content, name)
        _check_target(campaign, spec)
    except UploadError as exc:
        audit_record(
            actor=actor,
            action="works.import_rejected",
            target=campaign,
            request=request,
            details={"file": name[:200], "sha256": sha, "errors": len(exc.errors)},
        )
        raise
    preview = _preview(actor=actor, campaign=campaign, spec=spec)
    preview["format"] = fmt
    if actor.user is None:  # an upload is always somebody's; the batch's actor is required
        raise PermissionDenied
    path = default_storage.save(f"imports/works/{campaign.pk}/{sha}.{fmt}", ContentFile(content))
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=IMPORT_KIND,
            actor=actor.user,
            original_name=name[:255],
            file=path,
            file_sha256=sha,
            preview=preview,
        )
        audit_record(
            actor=actor,
            action="works.import_upload",
            target=batch,
            request=request,
            details={"file": name[:200], "sha256": sha, "counts": preview["counts"]},
        )
    return batch


def _locked_batch(actor: Actor, batch_id: int) -> ImportBatch:
    batch = (
        ImportBatch.objects.for_actor(actor, A.MANAGE_CAMPAIGNS)
        .select_for_update()
        .get(pk=batch_id)
    )
    if batch.kind != IMPORT_KIND:
        raise CampaignInvalidError("import_not_works")
    if batch.status != ImportBatch.Status.PREVIEW:
        raise CampaignError("import_not_preview", status=batch.get_status_display())
    return batch


@transaction.atomic
def works_import_apply(
    *, actor: Actor, batch_id: int, request: HttpRequest | None = None
) -> ImportBatch:
    """Apply a previewed works file in one transaction: all of it or nothing."""
    batch = _locked_batch(actor, batch_id)
    campaign_id = int(batch.preview["campaign"]["id"])
    campaign = (
        Campaign.objects.for_actor(actor, A.MANAGE_CAMPAIGNS)
        .select_for_update()
        .get(pk=campaign_id)
    )
    with default_storage.open(batch.file, "rb") as stored:
        content = stored.read()
    _, spec = _parse(content, batch.original_name)
    _check_target(campaign, spec)
    current = selectors.campaign_spec(
        actor=actor, campaign_id=campaign.pk, action=A.MANAGE_CAMPAIGNS
    )
    if _fingerprint(current) != batch.preview.get("fingerprint"):
        raise CampaignError("import_stale")
    campaign.name = spec.name
    campaign.application_deadline = spec.application_deadline
    campaign.full_clean()
    campaign.save(update_fields=["name", "application_deadline", "updated_at"])
    existing = {
        (w.subject.code, w.grade): w
        for w in Work.objects.for_actor(actor, A.MANAGE_CAMPAIGNS)
        .filter(campaign=campaign)
        .select_related("subject")
    }
    by_key = {w.key: w for w in current.works}
    for work_spec in spec.works:
        old = by_key.get(work_spec.key)
        if old is not None and old == work_spec:
            continue
        work = existing.get(work_spec.key) or Work(campaign=campaign)
        _apply_spec(work, work_spec, _subject_for(actor, work_spec))
    batch.status = ImportBatch.Status.APPLIED
    batch.applied_at = timezone.now()
    batch.save(update_fields=["status", "applied_at", "updated_at"])
    audit_record(
        actor=actor,
        action="works.import_apply",
        target=batch,
        request=request,
        details={"campaign_id": campaign.pk, "counts": batch.preview.get("counts", {})},
    )
    return batch


@transaction.atomic
def works_import_discard(
    *, actor: Actor, batch_id: int, request: HttpRequest | None = None
) -> ImportBatch:
    batch = _locked_batch(actor, batch_id)
    batch.status = ImportBatch.Status.DISCARDED
    batch.save(update_fields=["status", "updated_at"])
    path = batch.file
    transaction.on_commit(lambda: default_storage.delete(path))
    audit_record(actor=actor, action="works.import_discard", target=batch, request=request)
    return batch


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
    request: HttpRequest | None = None,
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
        audit="schedule.date_set",
        request=request,
    )


@transaction.atomic
def school_date_move(
    *,
    actor: Actor,
    school_id: int,
    work_id: int,
    day: dt.date,
    reason: str,
    request: HttpRequest | None = None,
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
        audit="schedule.date_move",
        request=request,
        details={"reason": reason[:2000]},
    )


def _date_store(
    *,
    actor: Actor,
    school: School,
    work: Work,
    day: dt.date,
    row: SchoolWorkDate | None,
    audit: str,
    request: HttpRequest | None,
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
        request=request,
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
    request: HttpRequest | None = None,
) -> ReserveDayRequest:
    """A school asks to hold a work on a day outside its period (a reserve day)."""
    school = (
        School.objects.for_actor(actor, A.REQUEST_RESERVE_DAY).select_for_update().get(pk=school_id)
    )
    work = _work_for_school(actor, school, work_id)
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
    )
    audit_record(
        actor=actor,
        action="reserve_day.request",
        target=req,
        scope=school_unit_scope(school),
        request=request,
        details={"work": _title(work), "date": day.isoformat()},
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
    request: HttpRequest | None = None,
) -> ReserveDayRequest:
    """The regional coordinator approves or rejects; an approved day becomes the school's day.

    This is also how a work is held again after its day released the password or the criteria
    (ADR 0014): the day it replaces stays in the audit row (``previous``).
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
    previous = None
    if verdict == ReserveDayRequest.Status.APPROVED:
        row = _date_row(actor, A.VIEW_SCHEDULE, req.school, req.work)
        previous = row.date.isoformat() if row is not None else None
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
        action="reserve_day.decide",
        target=req,
        scope=school_unit_scope(req.school),
        request=request,
        details={
            "verdict": verdict,
            "work": _title(req.work),
            "date": req.requested_date.isoformat(),
            "previous": previous,
        },
    )
    return req
