"""Writes of the school's timetable by class: a day and a form per class and work, and the
school's printable plan-graph (its download is audited).

The day rules are the school-day rules of the campaigns (docs/adr/0014-school-day-freeze.md),
applied to each class: the day lies inside the work's period (a reserve day per class is a later
step), the school picks or changes a day only until the end of the day before, school-local
(``schedule.day_frozen_at``), and a chosen day that has begun never moves. A class sets only the
works it can see: an assigned work before the publication instant is as good as missing (404).

The school's day for a work (``campaigns.SchoolWorkDate``) follows its classes: after every
change it is the first class day (``campaigns.services.school_date_sync``), and the release
instants go by the first and last class days (``days.class_days``). Once a grade-8 work's
criteria are out for the school (14:00 Moscow time on its last class day), no class gets a day
for it: a class writing later would meet published criteria.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from apps.campaigns import schedule
from apps.campaigns import selectors as campaign_selectors
from apps.campaigns import services as campaign_services
from apps.classes.actions import ClassActions as A
from apps.classes.audit import ClassesAudit
from apps.classes.messages import ClassesError, ClassesInvalidError
from apps.classes.models import ClassWork
from apps.classes.selectors import class_works_of_school
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


def _d(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _school(actor: Actor, school_id: int) -> School:
    return School.objects.for_actor(actor, A.SET_CLASS_DATES).select_for_update().get(pk=school_id)


def _locked(actor: Actor, class_work_id: int) -> tuple[School, ClassWork]:
    """The class work (visible to the actor, else ClassWork.DoesNotExist → 404), locked, with
    its school; its campaign must be the current one."""
    found = selectors.class_work_get(
        actor=actor, class_work_id=class_work_id, action=A.SET_CLASS_DATES
    )
    school = _school(actor, found.school_id)
    class_work = (
        ClassWork.objects.for_actor(actor, A.SET_CLASS_DATES)
        .select_for_update(of=("self",))
        .select_related("school_class", "work", "work__subject", "work__campaign")
        .get(pk=found.pk)
    )
    _campaign_active(class_work)
    return school, class_work


def _campaign_active(class_work: ClassWork) -> None:
    campaign = class_work.work.campaign
    if not campaign.is_active:
        raise ClassesError("timetable_campaign_not_active", campaign=campaign.label)


def _check_day(class_work: ClassWork, zone: str, day: dt.date, now: dt.datetime) -> None:
    """The school may move this class's work to ``day`` now (else a Russian refusal)."""
    work, label = class_work.work, class_work.school_class.label
    title = work_title(work)
    if class_work.date is not None and now >= schedule.day_frozen_at(zone, class_work.date):
        raise ClassesError("date_frozen", label=label, work=title, date=_d(class_work.date))
    if not work.period_start <= day <= work.period_end:
        raise ClassesInvalidError(
            "date_outside_period",
            label=label,
            work=title,
            date=_d(day),
            start=_d(work.period_start),
            end=_d(work.period_end),
        )
    if now >= schedule.day_frozen_at(zone, day):
        raise ClassesError("date_frozen", label=label, work=title, date=_d(day))


def _days(actor: Actor, school: School, work_id: int) -> ClassDays | None:
    found = class_days(
        actor=actor, action=A.SET_CLASS_DATES, school_id=school.pk, work_ids=[work_id]
    )
    return found.get(work_id)


def _check_criteria(
    actor: Actor, school: School, class_work: ClassWork, zone: str, now: dt.datetime
) -> None:
    """No class day for a grade-8 work once its criteria are out for the school."""
    work = class_work.work
    days = _days(actor, school, work.pk) if work.encrypted_archive else None
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


def _sync_school_day(actor: Actor, school: School, work_id: int) -> None:
    """The school's day for the work becomes its first class day."""
    days = _days(actor, school, work_id)
    if days is not None:
        campaign_services.school_date_sync(
            actor=actor,
            school_id=school.pk,
            work_id=work_id,
            first_day=days.first,
            last_day=days.last,
        )


def _store_day(
    actor: Actor, school: School, class_work: ClassWork, day: dt.date, *, bulk: bool = False
) -> ClassWork:
    previous = class_work.date
    class_work.date = day
    class_work.date_set_by = actor.user
    class_work.full_clean()
    class_work.save(update_fields=["date", "date_set_by", "updated_at"])
    audit_record(
        actor=actor,
        action=ClassesAudit.CLASS_DATE_SET,
        target=class_work,
        scope=school_unit_scope(school),
        details={
            "class": class_work.school_class.label,
            "work": work_title(class_work.work),
            "date": day.isoformat(),
            "previous": previous.isoformat() if previous else None,
            "bulk": bulk,
        },
    )
    return class_work


@transaction.atomic
def class_work_date_set(*, actor: Actor, class_work_id: int, date: dt.date) -> ClassWork:
    """The school organizer sets (or moves) the day a class writes a work."""
    school, class_work = _locked(actor, class_work_id)
    if class_work.date == date:
        return class_work
    zone = campaign_selectors.school_zone(school)
    now = timezone.now()
    _check_day(class_work, zone, date, now)
    _check_criteria(actor, school, class_work, zone, now)
    stored = _store_day(actor, school, class_work, date)
    _sync_school_day(actor, school, class_work.work_id)
    return stored


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
    refused class. Classes already on that day are left as they are.
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
        .select_related("work__campaign")
    )
    if not class_works:
        raise ClassesInvalidError("bulk_no_classes", work=work_title(work))
    _campaign_active(class_works[0])
    zone = campaign_selectors.school_zone(school)
    now = timezone.now()
    refused: list[tuple[ClassWork, DomainError]] = []
    for class_work in class_works:
        if class_work.date == date:
            continue
        try:
            _check_day(class_work, zone, date, now)
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
        _store_day(actor, school, cw, date, bulk=True) if cw.date != date else cw
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
