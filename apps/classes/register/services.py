"""The class register's writes: the school organizer adds, changes and removes its classes, one
at a time or as a whole xlsx file (``class_register_import_*``, ADR 0019).

A class enters the register with its works (``apps.classes.services.class_works_create``) in
the same transaction. Removal: a class none of whose works has a day is deleted with its works
before the assignment; once it holds works of the assignment (or participant codes were issued
for it) it is kept inactive (history, its works stay for the record); a class with a day set on
any work cannot be removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.db.models import ProtectedError

from apps.campaigns.models import Campaign, CampaignGrade
from apps.classes.actions import ClassActions as A
from apps.classes.audit import ClassesAudit
from apps.classes.messages import ClassesError
from apps.classes.models import ClassWork, SchoolClass
from apps.classes.register import rules
from apps.classes.register.rules import ClassInput
from apps.classes.services import class_works_create
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
from apps.registration.access import Actor
from apps.registration.models import School
from apps.registration.services import school_unit_scope

IMPORT_KIND = "class_register"

DELETED = "deleted"
DEACTIVATED = "deactivated"


def campaign_for_write(*, actor: Actor, campaign_id: int | None) -> Campaign:
    """The campaign a register write is about: the given one, else the current one; only the
    current campaign's register changes (``DoesNotExist`` for an unknown id → 404)."""
    campaigns = Campaign.objects.for_actor(actor, A.EDIT_CLASSES)
    if campaign_id is None:
        found = campaigns.filter(is_active=True).order_by("-year", "-session").first()
        if found is None:
            raise ClassesError("no_campaign")
        return found
    campaign: Campaign = campaigns.get(pk=campaign_id)
    if not campaign.is_active:
        raise ClassesError("campaign_not_current", campaign=campaign.label)
    return campaign


def campaign_grades(campaign: Campaign) -> set[int]:
    """The grades taking part in the campaign (its ``CampaignGrade`` rows)."""
    return set(
        CampaignGrade.objects.filter(  # unscoped: national reference data of the campaign
            campaign=campaign
        ).values_list("grade", flat=True)
    )


def _school_locked(actor: Actor, school_id: int) -> School:
    """The school, locked: writes to its register (numbers, letters) go one at a time."""
    school: School = (
        School.objects.for_actor(actor, A.EDIT_CLASSES).select_for_update().get(pk=school_id)
    )
    return school


def _active(actor: Actor, school: School, campaign: Campaign) -> list[SchoolClass]:
    return list(
        SchoolClass.objects.for_actor(actor, A.EDIT_CLASSES).filter(
            school=school, campaign=campaign, is_active=True
        )
    )


def has_dated_works(actor: Actor, school_class: SchoolClass) -> bool:
    """Whether any work of the class has its day set (the class is then fixed)."""
    return bool(
        ClassWork.objects.for_actor(actor, A.EDIT_CLASSES)
        .filter(school_class=school_class, date__isnull=False)
        .exists()
    )


def _raise_first(data: ClassInput, grades: set[int], campaign: Campaign) -> None:
    problems = rules.check_values(data, grades, campaign.label)
    if problems:
        raise problems[0]


def _number_for(data: ClassInput, others: list[SchoolClass], keep: int | None = None) -> int:
    """The class's number: the given one (unless another class of the grade holds it), else
    ``keep`` (its current one) or the next free one."""
    same_grade = [c for c in others if c.grade == data.grade]
    for other in same_grade:
        if other.letter == data.letter:
            raise rules.letter_taken(data.grade, data.letter)
    if data.number is not None:
        for other in same_grade:
            if other.number == data.number:
                raise rules.number_taken(data.number, other.grade, other.letter)
        return data.number
    if keep is not None and keep not in {c.number for c in same_grade}:
        return keep
    return rules.next_free_number((c.number for c in same_grade), data.grade)


def _audit_save(actor: Actor, school_class: SchoolClass, school: School, created: bool) -> None:
    audit_record(
        actor=actor,
        action=ClassesAudit.CLASS_SAVE,
        target=school_class,
        scope=school_unit_scope(school),
        details={
            "created": created,
            "campaign_id": school_class.campaign_id,
            "class": school_class.label,
            "number": school_class.number,
            "pupils": school_class.pupils,
            "pupils_ovz": school_class.pupils_ovz,
        },
    )


def class_new(*, school: School, campaign: Campaign, data: ClassInput, number: int) -> SchoolClass:
    """Create a checked class with its works (inside the caller's transaction; no audit)."""
    school_class = SchoolClass(
        campaign=campaign,
        school=school,
        grade=data.grade,
        letter=data.letter,
        number=number,
        pupils=data.pupils,
        pupils_ovz=data.pupils_ovz,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )
    school_class.full_clean()
    school_class.save()
    class_works_create(school_class=school_class)
    return school_class


def _clean(data: ClassInput) -> ClassInput:
    return ClassInput(
        grade=data.grade,
        letter=rules.letter_clean(data.letter),
        number=data.number,
        pupils=data.pupils,
        pupils_ovz=data.pupils_ovz,
    )


@transaction.atomic
def class_create(
    *, actor: Actor, school_id: int, data: ClassInput, campaign_id: int | None = None
) -> SchoolClass:
    """Add a class to the school's register of the current (or given, if current) campaign.

    Raises ``ClassesInvalidError`` (a value breaks a rule), ``ClassesError`` (letter or number
    taken, campaign not current), ``DoesNotExist`` (school out of scope).
    """
    school = _school_locked(actor, school_id)
    campaign = campaign_for_write(actor=actor, campaign_id=campaign_id)
    data = _clean(data)
    _raise_first(data, campaign_grades(campaign), campaign)
    number = _number_for(data, _active(actor, school, campaign))
    school_class = class_new(school=school, campaign=campaign, data=data, number=number)
    _audit_save(actor, school_class, school, created=True)
    return school_class


def class_get_for_edit(*, actor: Actor, class_id: int) -> SchoolClass:
    """An active class the actor may edit, locked (``DoesNotExist`` otherwise)."""
    school_class: SchoolClass = (
        SchoolClass.objects.for_actor(actor, A.EDIT_CLASSES)
        .select_for_update()
        .select_related("campaign", "school")
        .get(pk=class_id, is_active=True)
    )
    return school_class


@transaction.atomic
def class_update(*, actor: Actor, class_id: int, data: ClassInput) -> SchoolClass:
    """Change a class (letter, number, counts; its grade while no work has a day: its works are
    then given anew for the new grade)."""
    school_class = class_get_for_edit(actor=actor, class_id=class_id)
    school = _school_locked(actor, school_class.school_id)
    campaign = campaign_for_write(actor=actor, campaign_id=school_class.campaign_id)
    data = _clean(data)
    _raise_first(data, campaign_grades(campaign), campaign)
    others = [c for c in _active(actor, school, campaign) if c.pk != school_class.pk]
    regrade = data.grade != school_class.grade
    keep = None if regrade else school_class.number
    number = _number_for(data, others, keep=keep)
    if regrade and has_dated_works(actor, school_class):
        raise ClassesError("grade_locked", label=school_class.label)
    school_class.grade = data.grade
    school_class.letter = data.letter
    school_class.number = number
    school_class.pupils = data.pupils
    school_class.pupils_ovz = data.pupils_ovz
    school_class.full_clean()
    school_class.save()
    if regrade:
        ClassWork.objects.for_actor(actor, A.EDIT_CLASSES).filter(
            school_class=school_class
        ).delete()
        class_works_create(school_class=school_class)
    _audit_save(actor, school_class, school, created=False)
    return school_class


def class_drop(*, actor: Actor, school_class: SchoolClass) -> str:
    """Remove a checked class (inside the caller's transaction; no audit): deleted with its
    works before the assignment, kept inactive once it holds assigned works or rows of a later
    stage protect it (participant codes issued for it)."""
    if has_dated_works(actor, school_class):
        raise ClassesError("register_locked", label=school_class.label)
    works = ClassWork.objects.for_actor(actor, A.EDIT_CLASSES).filter(school_class=school_class)
    if not works.filter(run__isnull=False).exists():
        try:
            with transaction.atomic():
                works.delete()
                school_class.delete()
        except ProtectedError:
            # a later stage holds the class (participant codes issued for it): keep it inactive
            pass
        else:
            return DELETED
    school_class.is_active = False
    school_class.save(update_fields=["is_active", "updated_at"])
    return DEACTIVATED


@dataclass(frozen=True)
class Removed:
    label: str
    outcome: str  # DELETED or DEACTIVATED


@transaction.atomic
def class_remove(*, actor: Actor, class_id: int) -> Removed:
    """Remove a class from the register (``register_locked`` once a work has a day)."""
    school_class = class_get_for_edit(actor=actor, class_id=class_id)
    school = _school_locked(actor, school_class.school_id)
    campaign_for_write(actor=actor, campaign_id=school_class.campaign_id)
    label, pk = school_class.label, school_class.pk
    outcome = class_drop(actor=actor, school_class=school_class)
    if outcome == DELETED:
        school_class.pk = pk  # the audit row names the deleted class
    audit_record(
        actor=actor,
        action=ClassesAudit.CLASS_REMOVE,
        target=school_class,
        scope=school_unit_scope(school),
        details={"class": label, "outcome": outcome, "campaign_id": school_class.campaign_id},
    )
    return Removed(label=label, outcome=outcome)


# --- the register as a file (kind ``class_register``, apps/classes/register/imports.py) ---------


def _kind() -> ImportKind:
    return import_kind_of(IMPORT_KIND)


def class_register_import_upload(
    *,
    actor: Actor,
    school_id: int,
    name: str,
    campaign_id: int | None = None,
    content: bytes | None = None,
    file: IO[bytes] | None = None,
    size: int = 0,
) -> ImportBatch:
    """Check a register file whole and store it with its preview (created / changed / removed /
    unchanged classes). ``UploadError`` (audited) lists every problem by row and column."""
    return import_upload(
        _kind(),
        actor=actor,
        name=name,
        content=content,
        file=file,
        size=size,
        school_id=school_id,
        campaign_id=campaign_id,
    )


def class_register_import_apply(*, actor: Actor, batch_id: int) -> ImportOutcome:
    """Write a previewed register file in one transaction (``ImportStaleError`` if the register
    changed since the preview)."""
    return import_apply(_kind(), actor=actor, batch_id=batch_id)


def class_register_import_discard(*, actor: Actor, batch_id: int) -> ImportOutcome:
    """Drop a previewed register file; nothing else changes."""
    return import_discard(_kind(), actor=actor, batch_id=batch_id)
