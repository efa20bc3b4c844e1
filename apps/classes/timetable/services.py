"""Writes of the school's timetable by class: a day and a form per class and work, reserve days
per class, a coordinator's move of a class day, and the school's printable plan-graph (its
download is audited).

The day rules are the school-day rules of the campaigns (docs/adr/0014-school-day-freeze.md),
applied to each class: the day lies inside the work's period or is a reserve day approved for the
school and work, the school picks or changes a day only until the end of the day before,
school-local (``schedule.day_frozen_at``), and a chosen day that has begun never moves. A class
sets only the works it can see: an assigned work before the publication instant is as good as
missing (404).

Reserve days per class (docs/adr/0020-reserve-days-per-class.md): the school organizer asks for
some of its classes' works of one work (``class_reserve_request``); the request is the campaigns'
``ReserveDayRequest`` (same rules, the classes' labels stored on it) and the chosen class works
are linked to it (``ClassWork.reserve``). The regional coordinator's decision comes back through
``core.registry`` (``reserve_day_decided``): approval moves the linked classes to the day,
rejection unlinks them. Once approved, other classes of the work may take the day too; a class
that leaves it is unlinked.

A municipal or regional coordinator moves a class's day with a reason (``class_work_date_move``),
like ``campaigns.services.school_date_move``: also after the school's freeze, never while the old
or the new day has released anything (``schedule.day_locked_at``).

The school's day for a work (``campaigns.SchoolWorkDate``) follows its classes: after every
change it is the first class day (``campaigns.services.school_date_sync``, with the reserve kept
when that day is a reserve day), and the release instants go by the first and last class days
(``days.class_days``). Once a grade-8 work's criteria are out for the school (14:00 Moscow time on
its last class day), no class gets a day for it: a class writing later would meet published
criteria.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.campaigns import schedule
from apps.campaigns import selectors as campaign_selectors
from apps.campaigns import services as campaign_services
from apps.campaigns.actions import CampaignActions
from apps.campaigns.models import ReserveDayRequest
from apps.classes.actions import ClassActions as A
from apps.classes.audit import ClassesAudit
from apps.classes.messages import ClassesError, ClassesInvalidError
from apps.classes.models import ClassWork
from apps.classes.selectors import class_works_of_school, school_today
from apps.classes.timetable import pdf, selectors
from apps.classes.timetable.days import ClassDays, class_days
from apps.classes.timetable.selectors import work_title
from apps.core import instants
from apps.core.errors import DomainError
from apps.core.services import audit_record
from apps.registration.access import Actor
from apps.registration.constants import time_zone_label
from apps.registration.models import School
from apps.registration.services import school_unit_scope

# Who writes a class day, and the action each passes down: (classes, school day sync).
_SCHOOL = (A.SET_CLASS_DATES, CampaignActions.EDIT_SCHEDULE)
_MOVER = (A.MOVE_CLASS_DAY, CampaignActions.MOVE_SCHOOL_DAY)
_DECIDER = (CampaignActions.DECIDE_RESERVE_DAY, CampaignActions.DECIDE_RESERVE_DAY)


def _d(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _school(actor: Actor, school_id: int, action: str = A.SET_CLASS_DATES) -> School:
    return School.objects.for_actor(actor, action).select_for_update().get(pk=school_id)


def _locked(
    actor: Actor, class_work_id: int, action: str = A.SET_CLASS_DATES
) -> tuple[School, ClassWork]:
    """The class work (visible to the actor, else ClassWork.DoesNotExist → 404), locked, with
    its school; its campaign must be the current one."""
    found = selectors.class_work_get(actor=actor, class_work_id=class_work_id, action=action)
    school = _school(actor, found.school_id, action)
    class_work = (
        ClassWork.objects.for_actor(actor, action)
        .select_for_update(of=("self",))
        .select_related("school_class", "work", "work__subject", "work__campaign", "reserve")
        .get(pk=found.pk)
    )
    _campaign_active(class_work)
    return school, class_work


def _campaign_active(class_work: ClassWork) -> None:
    campaign = class_work.work.campaign
    if not campaign.is_active:
        raise ClassesError("timetable_campaign_not_active", campaign=campaign.label)


def _period_or_reserve(
    actor: Actor, school: School, class_work: ClassWork, day: dt.date
) -> ReserveDayRequest | None:
    """None for a day inside the work's period; the reserve day approved for the school and work
    on ``day`` otherwise (else a Russian refusal)."""
    work = class_work.work
    if work.period_start <= day <= work.period_end:
        return None
    reserve = campaign_selectors.approved_reserve_day(
        actor=actor, school_id=school.pk, work_id=work.pk, day=day
    )
    if reserve is None:
        raise ClassesInvalidError(
            "date_outside_period",
            label=class_work.school_class.label,
            work=work_title(work),
            date=_d(day),
            start=_d(work.period_start),
            end=_d(work.period_end),
        )
    return reserve


def _check_day(
    actor: Actor, school: School, class_work: ClassWork, zone: str, day: dt.date, now: dt.datetime
) -> ReserveDayRequest | None:
    """The school may move this class's work to ``day`` now (else a Russian refusal); the
    approved reserve day when ``day`` is one."""
    work, label = class_work.work, class_work.school_class.label
    title = work_title(work)
    if class_work.date is not None and now >= schedule.day_frozen_at(zone, class_work.date):
        raise ClassesError("date_frozen", label=label, work=title, date=_d(class_work.date))
    reserve = _period_or_reserve(actor, school, class_work, day)
    if now >= schedule.day_frozen_at(zone, day):
        raise ClassesError("date_frozen", label=label, work=title, date=_d(day))
    return reserve


def _days(actor: Actor, school: School, work_id: int, action: str) -> ClassDays | None:
    found = class_days(actor=actor, action=action, school_id=school.pk, work_ids=[work_id])
    return found.get(work_id)


def _check_criteria(
    actor: Actor,
    school: School,
    class_work: ClassWork,
    zone: str,
    now: dt.datetime,
    action: str = A.SET_CLASS_DATES,
) -> None:
    """No class day for a grade-8 work once its criteria are out for the school."""
    work = class_work.work
    days = _days(actor, school, work.pk, action) if work.encrypted_archive else None
    if days is None:
        return
    out = schedule.criteria_available_at(work, zone, days.first, last=days.last)
    if out is not None and now >= out:
        raise ClassesError(
            "criteria_published",
            label=class_work.school_class.label,
            work=work_title(work),
            at=instants.format_instant(out, instants.Place(zone, School.instant_whose)),
        )


def _sync_school_day(
    actor: Actor, school: School, work_id: int, who: tuple[str, str] = _SCHOOL
) -> None:
    """The school's day for the work becomes its first class day (``who``: the actions of the
    writer, for the classes and for the school's day)."""
    days = _days(actor, school, work_id, who[0])
    if days is not None:
        campaign_services.school_date_sync(
            actor=actor,
            school_id=school.pk,
            work_id=work_id,
            first_day=days.first,
            last_day=days.last,
            action=who[1],
        )


def _link(class_work: ClassWork, reserve: ReserveDayRequest | None) -> ReserveDayRequest | None:
    """The class's reserve link once it writes on a day: the approved reserve day it moves to; a
    pending request it asks in stays (the decision moves it); leaving a reserve day unlinks."""
    if reserve is not None:
        return reserve
    current = class_work.reserve
    if current is not None and current.status == ReserveDayRequest.Status.PENDING:
        return current
    return None


def _store_day(
    actor: Actor,
    school: School,
    class_work: ClassWork,
    day: dt.date,
    *,
    reserve: ReserveDayRequest | None = None,
    bulk: bool = False,
    action: str = ClassesAudit.CLASS_DATE_SET,
    details: dict[str, Any] | None = None,
) -> ClassWork:
    previous = class_work.date
    class_work.date = day
    class_work.date_set_by = actor.user
    class_work.reserve = _link(class_work, reserve)
    class_work.full_clean()
    class_work.save(update_fields=["date", "date_set_by", "reserve", "updated_at"])
    audit_record(
        actor=actor,
        action=action,
        target=class_work,
        scope=school_unit_scope(school),
        details={
            "class": class_work.school_class.label,
            "work": work_title(class_work.work),
            "date": day.isoformat(),
            "previous": previous.isoformat() if previous else None,
            "reserve_id": reserve.pk if reserve is not None else None,
            "bulk": bulk,
            **(details or {}),
        },
    )
    return class_work


@transaction.atomic
def class_work_date_set(*, actor: Actor, class_work_id: int, date: dt.date) -> ClassWork:
    """The school organizer sets (or moves) the day a class writes a work: inside the period, or
    a reserve day approved for the school and work (the class joins it)."""
    school, class_work = _locked(actor, class_work_id)
    if class_work.date == date:
        return class_work
    zone = campaign_selectors.school_zone(school)
    now = timezone.now()
    reserve = _check_day(actor, school, class_work, zone, date, now)
    _check_criteria(actor, school, class_work, zone, now)
    stored = _store_day(actor, school, class_work, date, reserve=reserve)
    _sync_school_day(actor, school, class_work.work_id)
    return stored


def _released(class_work: ClassWork, zone: str, day: dt.date) -> str:
    """Why ``day`` is locked, for the Russian refusal."""
    opened = schedule.password_release_at(class_work.work, zone, day)
    if opened is None:
        return "этот день проведения уже прошёл"
    return "пароль к архиву в этот день открыт " + instants.format_instant(
        opened, instants.Place(zone, School.instant_whose)
    )


@transaction.atomic
def class_work_date_move(
    *, actor: Actor, class_work_id: int, date: dt.date, reason: str
) -> ClassWork:
    """The school's municipal or regional coordinator sets or moves a class's day, with a reason.

    The rules of ``campaigns.services.school_date_move``: also after the school's freeze, but
    never while the old day or the new one has released anything (``schedule.day_locked_at``),
    never to a past day (school-local), inside the period or on a reserve day approved for the
    school and work; no class day once a grade-8 work's criteria are out for the school.
    """
    school, class_work = _locked(actor, class_work_id, A.MOVE_CLASS_DAY)
    reason = reason.strip()
    if not reason:
        raise ClassesInvalidError("move_reason_required")
    if class_work.date == date:
        return class_work
    zone = campaign_selectors.school_zone(school)
    now = timezone.now()
    label, title, old = class_work.school_class.label, work_title(class_work.work), class_work.date
    if old is not None and now >= schedule.day_locked_at(class_work.work, zone, old):
        released = _released(class_work, zone, old)
        raise ClassesError("date_locked", label=label, work=title, date=_d(old), released=released)
    today = school_today(school, now)
    if date < today:
        raise ClassesInvalidError("date_in_past", date=_d(date), today=_d(today))
    if now >= schedule.day_locked_at(class_work.work, zone, date):
        released = _released(class_work, zone, date)
        raise ClassesError(
            "date_target_locked", label=label, work=title, date=_d(date), released=released
        )
    reserve = _period_or_reserve(actor, school, class_work, date)
    _check_criteria(actor, school, class_work, zone, now, A.MOVE_CLASS_DAY)
    stored = _store_day(
        actor,
        school,
        class_work,
        date,
        reserve=reserve,
        action=ClassesAudit.CLASS_DATE_MOVE,
        details={"reason": reason[:2000]},
    )
    _sync_school_day(actor, school, class_work.work_id, _MOVER)
    return stored


# --- reserve days per class -------------------------------------------------------------------


@transaction.atomic
def class_reserve_request(
    *,
    actor: Actor,
    school_id: int,
    work_id: int,
    class_work_ids: Iterable[int],
    day: dt.date,
    reason: str,
) -> ReserveDayRequest:
    """The school organizer asks its regional coordinator for a reserve day for some of its
    classes' works of one work: a day outside the period, not past, with a reason, one pending
    request per school and work (``campaigns.services.reserve_day_request``, which stores the
    classes' labels). The chosen class works are linked to the request; their days stay until
    the decision. A class work the school cannot see is as good as missing (404, nothing asked).
    """
    school = _school(actor, school_id)
    work = campaign_selectors.work_get(actor=actor, work_id=work_id)
    ids = sorted(set(class_work_ids))
    if not ids:
        raise ClassesInvalidError("reserve_no_classes")
    chosen = list(
        class_works_of_school(
            actor=actor,
            school_id=school.pk,
            campaign_id=work.campaign_id,
            action=A.SET_CLASS_DATES,
        )
        .filter(pk__in=ids)
        .select_for_update(of=("self",))
        .select_related("work__campaign")
    )
    if len(chosen) != len(ids):
        raise ClassWork.DoesNotExist
    for class_work in chosen:
        if class_work.work_id != work.pk:
            raise ClassesInvalidError(
                "reserve_other_work", label=class_work.school_class.label, work=work_title(work)
            )
    _campaign_active(chosen[0])
    req = campaign_services.reserve_day_request(
        actor=actor,
        school_id=school.pk,
        work_id=work.pk,
        day=day,
        reason=reason,
        classes=", ".join(cw.school_class.label for cw in chosen),
    )
    for class_work in chosen:
        class_work.reserve = req
        class_work.save(update_fields=["reserve", "updated_at"])
    return req


def reserve_day_by_class(actor: Actor, school_id: int, work_id: int) -> bool:
    """Whether the school's days of the work are kept per class: an active class of the school
    writes it (``core.registry``: campaigns refuses a reserve day asked for the whole school)."""
    return (
        ClassWork.objects.for_actor(actor, A.VIEW_CLASSES)
        .filter(school_id=school_id, work_id=work_id, school_class__is_active=True)
        .exists()
    )


def reserve_day_decided(actor: Actor, request: ReserveDayRequest) -> bool:
    """A reserve-day request decided by the regional coordinator (``core.registry``, inside the
    decision's transaction); True if it names classes (the campaigns then leave the school's day
    to the classes).

    Approved: each linked class writes the work on the reserve day (audited as a class day with
    the reserve's id), and the school's day becomes the first class day. Rejected: the linked
    classes are unlinked and keep their days (a class already on an earlier approved reserve day
    stays linked to that one).
    """
    decision = CampaignActions.DECIDE_RESERVE_DAY
    linked = list(
        ClassWork.objects.for_actor(actor, decision)
        .filter(reserve=request)
        .select_for_update(of=("self",))
        .select_related("school_class", "work", "work__subject", "reserve")
        .order_by("school_class__grade", "school_class__number")
    )
    if not linked and not request.classes:
        return False
    school = School.objects.for_actor(actor, decision).get(pk=request.school_id)
    if request.status == ReserveDayRequest.Status.APPROVED:
        day = request.requested_date
        for class_work in linked:
            if class_work.date == day:
                continue
            _store_day(actor, school, class_work, day, reserve=request)
        _sync_school_day(actor, school, request.work_id, _DECIDER)
        return True
    for class_work in linked:
        held, work = class_work.date, class_work.work
        earlier = None
        if held is not None and not work.period_start <= held <= work.period_end:
            earlier = campaign_selectors.approved_reserve_day(
                actor=actor, school_id=school.pk, work_id=work.pk, day=held
            )
        class_work.reserve = earlier
        class_work.save(update_fields=["reserve", "updated_at"])
    return True


# --- the form, one row, one day for a grade ----------------------------------------------


@transaction.atomic
def class_work_form_set(*, actor: Actor, class_work_id: int, form: str) -> ClassWork:
    """The school organizer picks the form of a class's work: paper, or computer where the work
    allows it; no longer once the chosen day has begun in the school's zone."""
    if form not in ClassWork.Form.values:
        raise ClassesInvalidError("form_unknown", form=str(form)[:50])
    school, class_work = _locked(actor, class_work_id)
    work = class_work.work
    if form == ClassWork.Form.COMPUTER and not work.computer_allowed:
        raise ClassesInvalidError("form_not_allowed", work=work_title(work))
    if class_work.form == form:
        return class_work
    zone = campaign_selectors.school_zone(school)
    day = class_work.date
    if day is not None and timezone.now() >= schedule.day_frozen_at(zone, day):
        raise ClassesError(
            "form_frozen", label=class_work.school_class.label, work=work_title(work), date=_d(day)
        )
    previous = class_work.form
    class_work.form = form
    class_work.full_clean()
    class_work.save(update_fields=["form", "updated_at"])
    audit_record(
        actor=actor,
        action=ClassesAudit.CLASS_FORM_SET,
        target=class_work,
        scope=school_unit_scope(school),
        details={
            "class": class_work.school_class.label,
            "work": work_title(work),
            "form": form,
            "previous": previous,
        },
    )
    return class_work


@transaction.atomic
def class_work_save(
    *, actor: Actor, class_work_id: int, date: dt.date | None, form: str
) -> ClassWork:
    """One row of the timetable page: the form, then the day (each only if changed); both or
    neither are saved."""
    class_work = class_work_form_set(actor=actor, class_work_id=class_work_id, form=form)
    if date is not None:
        class_work = class_work_date_set(actor=actor, class_work_id=class_work_id, date=date)
    return class_work


@transaction.atomic
def class_works_date_set_for_grade(
    *, actor: Actor, school_id: int, work_id: int, date: dt.date
) -> list[ClassWork]:
    """One day for a work in every class of the school that writes it (the work's grade).

    Every class is checked first; if any is refused, no class changes and the error names each
    refused class. Classes already on that day are left as they are. The day may be a reserve
    day approved for the school and work (every class joins it).
    """
    school = _school(actor, school_id)
    work = campaign_selectors.work_get(actor=actor, work_id=work_id)
    class_works = list(
        class_works_of_school(
            actor=actor,
            school_id=school.pk,
            campaign_id=work.campaign_id,
            action=A.SET_CLASS_DATES,
        )
        .filter(work=work)
        .select_for_update(of=("self",))
        .select_related("work__campaign", "reserve")
    )
    if not class_works:
        raise ClassesInvalidError("bulk_no_classes", work=work_title(work))
    _campaign_active(class_works[0])
    zone = campaign_selectors.school_zone(school)
    now = timezone.now()
    refused: list[tuple[ClassWork, DomainError]] = []
    reserve: ReserveDayRequest | None = None
    for class_work in class_works:
        if class_work.date == date:
            continue
        try:
            reserve = _check_day(actor, school, class_work, zone, date, now)
            _check_criteria(actor, school, class_work, zone, now)
        except DomainError as exc:
            refused.append((class_work, exc))
    if refused:
        details = [
            {"class": cw.school_class.label, "code": exc.code, "message": exc.message}
            for cw, exc in refused
        ]
        errors = " ".join(exc.message for _cw, exc in refused)
        # A class whose day has begun is the state's refusal (409); a bad day for all is 400.
        kind = ClassesError if any(e.status == 409 for _cw, e in refused) else ClassesInvalidError
        raise kind("bulk_refused", details=details, errors=errors)
    stored = [
        _store_day(actor, school, cw, date, reserve=reserve, bulk=True) if cw.date != date else cw
        for cw in class_works
    ]
    _sync_school_day(actor, school, work.pk)
    return stored


def _document(plan: selectors.Timetable) -> pdf.TimetableDoc:
    school = plan.school
    # The kit's instants are the school's: its first and last class day of each work.
    spans: dict[int, tuple[dt.date, dt.date]] = {}
    for row in plan.rows:
        day = row.class_work.date
        if day is not None:
            first, last = spans.get(row.work.pk, (day, day))
            spans[row.work.pk] = (min(first, day), max(last, day))
    rows = []
    for row in plan.rows:
        cw, moments = row.class_work, row.instants
        if row.work.pk in spans:
            first, last = spans[row.work.pk]
            moments = schedule.instants(row.work, plan.zone, first, last=last)
        if row.work.encrypted_archive:
            key_at = instants.format_clock(
                moments.password_release_at, school, empty="в 07:30 в день проведения"
            )
        else:
            key_at = "не требуется"
        rows.append(
            pdf.Row(
                school_class=row.school_class.label,
                subject=row.work.subject.name,
                date=_d(cw.date) if cw.date else "не назначена",
                weekday=row.weekday,
                form=cw.get_form_display(),
                materials=instants.format_clock(moments.materials_available_at, school),
                password=key_at,
                criteria=instants.format_clock(
                    moments.criteria_available_at, school, empty="в день проведения с 14:00 МСК"
                ),
            )
        )
    return pdf.TimetableDoc(
        school=school.short_name,
        campaign=plan.campaign.label if plan.campaign else "",
        zone_note=(
            f"Часовой пояс ОО: {time_zone_label(plan.zone)}. Даты и время — местные для ОО "
            f"{instants.zone_suffix(school)}."
        ),
        zone_suffix=instants.zone_suffix(school),
        rows=tuple(rows),
    )


@dataclass(frozen=True)
class TimetableFile:
    name: str
    content: bytes


def timetable_pdf_download(
    *, actor: Actor, school_id: int, campaign_id: int | None = None
) -> TimetableFile:
    """The school's plan-graph by class as a PDF (audited); School.DoesNotExist → 404."""
    plan = selectors.timetable(actor=actor, school_id=school_id, campaign_id=campaign_id)
    content = pdf.timetable_pdf(_document(plan))
    name = pdf.file_name(plan.school.short_name, plan.campaign.label if plan.campaign else "")
    audit_record(
        actor=actor,
        action=ClassesAudit.TIMETABLE_DOWNLOAD,
        target=plan.school,
        scope=school_unit_scope(plan.school),
        details={
            "campaign": plan.campaign.label if plan.campaign else None,
            "rows": len(plan.rows),
            "file": name,
        },
    )
    return TimetableFile(name, content)
