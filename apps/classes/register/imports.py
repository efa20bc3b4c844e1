"""The class register file as a kind of the import framework (``apps.core.imports``, ADR 0019).

The file is the whole register of one school in the current campaign: a class is its parallel
and letter; a class of the file that the register lacks is created (with its works), one whose
number or counts differ is changed, a class of the register missing from the file is removed
(deleted, or kept inactive once it holds assigned works; refused if a work has a day). The
preview lists all four groups; the apply locks the school, reads the stored file again, refuses
it if the register changed since the preview, then writes everything in one transaction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from apps.campaigns.models import Campaign
from apps.classes.actions import ClassActions as A
from apps.classes.audit import ClassesAudit
from apps.classes.messages import ClassesError
from apps.classes.models import ClassWork, SchoolClass
from apps.classes.register import rules
from apps.classes.register import services as register_services
from apps.classes.register.rules import ClassInput
from apps.classes.register.xlsx import FileRow, read_rows
from apps.core.imports import (
    Applied,
    ImportAudit,
    ImportKind,
    ImportStaleError,
    Staged,
    Target,
    import_file,
)
from apps.core.models import ImportBatch
from apps.core.uploads import CellError, UploadError
from apps.registration.access import Actor
from apps.registration.models import School
from apps.registration.services import school_unit_scope

CREATED, CHANGED, REMOVED, UNCHANGED = "created", "changed", "removed", "unchanged"
OUTCOME_LABELS = {
    CREATED: "будет добавлен",
    CHANGED: "будет изменён",
    REMOVED: "будет убран",
    UNCHANGED: "без изменений",
}
FIELD_LABELS = {"number": "порядковый номер", "pupils": "обучающихся", "pupils_ovz": "с ОВЗ"}
STALE_WHAT = "реестр классов ОО"
APPLIED = (
    "Реестр классов сохранён: добавлено — {created}, изменено — {changed}, убрано — {removed}."
)


@dataclass
class RegisterPlan:
    """What a register file does to the school's register (computed, not yet written)."""

    school: School
    campaign: Campaign
    rows: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    fingerprint: str = ""
    # for the write: file data by class (existing id or None), classes to remove
    to_create: list[tuple[ClassInput, int]] = field(default_factory=list)
    to_change: list[tuple[SchoolClass, ClassInput, int]] = field(default_factory=list)
    to_remove: list[SchoolClass] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = {CREATED: 0, CHANGED: 0, UNCHANGED: 0}
        for row in self.rows:
            counts[row["outcome"]] += 1
        counts[REMOVED] = len(self.removed)
        return counts

    def preview(self) -> dict[str, Any]:
        return {
            "school": {"id": self.school.pk, "name": self.school.short_name},
            "campaign": {"id": self.campaign.pk, "label": self.campaign.label},
            "rows": self.rows,
            "removed": self.removed,
            "counts": self.counts,
            "fingerprint": self.fingerprint,
        }


def _fingerprint(classes: list[SchoolClass], dated: set[int], assigned: set[int]) -> str:
    state = sorted(
        (c.pk, c.grade, c.letter, c.number, c.pupils, c.pupils_ovz, c.pk in dated, c.pk in assigned)
        for c in classes
    )
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()


def _numbers(rows: list[FileRow], existing: dict[tuple[int, str], SchoolClass]) -> dict[int, int]:
    """Excel row → the class's number: the given one, else its current one if free, else the
    next free one of the grade."""
    given: dict[int, set[int]] = {}
    for r in rows:
        if r.data.number is not None:
            given.setdefault(r.data.grade, set()).add(r.data.number)
    numbers: dict[int, int] = {}
    for r in rows:
        if r.data.number is not None:
            numbers[r.row] = r.data.number
    for r in rows:
        if r.data.number is not None:
            continue
        taken = given.setdefault(r.data.grade, set())
        current = existing.get((r.data.grade, r.data.letter))
        if current is not None and current.number not in taken:
            number = current.number
        else:
            try:
                number = rules.next_free_number(taken, r.data.grade)
            except ClassesError as exc:
                raise UploadError([CellError(r.row, 3, exc.message)]) from exc
        taken.add(number)
        numbers[r.row] = number
    return numbers


def register_plan(
    *, actor: Actor, school: School, campaign: Campaign, content: bytes
) -> RegisterPlan:
    """Read a register file against the school's current register (``UploadError`` listing every
    problem by row and column)."""
    grades = register_services.campaign_grades(campaign)
    rows = read_rows(content, grades=grades, campaign_label=campaign.label)
    classes = list(
        SchoolClass.objects.for_actor(actor, A.EDIT_CLASSES)
        .filter(school=school, campaign=campaign, is_active=True)
        .order_by("grade", "number")
    )
    works = ClassWork.objects.for_actor(actor, A.EDIT_CLASSES).filter(
        school_class__in=[c.pk for c in classes]
    )
    dated = set(works.filter(date__isnull=False).values_list("school_class_id", flat=True))
    assigned = set(works.filter(run__isnull=False).values_list("school_class_id", flat=True))
    existing = {(c.grade, c.letter): c for c in classes}
    numbers = _numbers(rows, existing)
    plan = RegisterPlan(
        school=school, campaign=campaign, fingerprint=_fingerprint(classes, dated, assigned)
    )
    in_file: set[int] = set()
    for r in rows:
        data, number = r.data, numbers[r.row]
        current = existing.get((data.grade, data.letter))
        entry: dict[str, Any] = {
            "row": r.row,
            "label": f"{data.grade}{data.letter}",
            "grade": data.grade,
            "number": number,
            "pupils": data.pupils,
            "pupils_ovz": data.pupils_ovz,
            "changes": [],
        }
        if current is None:
            entry["outcome"] = CREATED
            plan.to_create.append((data, number))
        else:
            in_file.add(current.pk)
            new = {"number": number, "pupils": data.pupils, "pupils_ovz": data.pupils_ovz}
            entry["changes"] = [
                f"{FIELD_LABELS[k]}: {getattr(current, k)} → {v}"
                for k, v in new.items()
                if getattr(current, k) != v
            ]
            entry["outcome"] = CHANGED if entry["changes"] else UNCHANGED
            if entry["changes"]:
                plan.to_change.append((current, data, number))
        plan.rows.append(entry)
    errors: list[CellError] = []
    for c in classes:
        if c.pk in in_file:
            continue
        if c.pk in dated:
            errors.append(CellError(0, 0, ClassesError("register_locked", label=c.label).message))
            continue
        plan.removed.append(
            {
                "label": c.label,
                "number": c.number,
                "pupils": c.pupils,
                "pupils_ovz": c.pupils_ovz,
                "kept_inactive": c.pk in assigned,
            }
        )
        plan.to_remove.append(c)
    if errors:
        raise UploadError(errors)
    return plan


class ClassRegisterImport(ImportKind):
    """A school's class register file (the school organizer's)."""

    code = register_services.IMPORT_KIND
    action = A.EDIT_CLASSES
    label = "реестру классов"
    folder = "class-register"
    audit = ImportAudit(
        upload=ClassesAudit.REGISTER_UPLOAD,
        rejected=ClassesAudit.REGISTER_UPLOAD_REJECTED,
        apply=ClassesAudit.REGISTER_APPLY,
        discard=ClassesAudit.REGISTER_DISCARD,
    )

    def target(self, *, actor: Any, **params: Any) -> Target:
        """The school (404 out of scope) and the current campaign the file is for."""
        school = School.objects.for_actor(actor, A.EDIT_CLASSES).get(pk=params["school_id"])
        campaign = register_services.campaign_for_write(
            actor=actor, campaign_id=params.get("campaign_id")
        )
        return Target(
            scope=school_unit_scope(school),
            obj=school,
            details={"school_id": school.pk, "campaign_id": campaign.pk},
            data=(school, campaign),
        )

    def stage(self, *, actor: Any, target: Target, content: bytes, name: str) -> Staged:
        school, campaign = target.data
        plan = register_plan(actor=actor, school=school, campaign=campaign, content=content)
        return Staged(preview=plan.preview(), counts={"counts": plan.counts})

    def plan(self, *, actor: Any, batch: ImportBatch) -> RegisterPlan:
        """Lock the school, read the stored file again; stale if the register changed."""
        school = (
            School.objects.for_actor(actor, A.EDIT_CLASSES)
            .select_for_update()
            .get(pk=int(batch.preview["school"]["id"]))
        )
        campaign = register_services.campaign_for_write(
            actor=actor, campaign_id=int(batch.preview["campaign"]["id"])
        )
        plan = register_plan(
            actor=actor, school=school, campaign=campaign, content=import_file(batch)
        )
        if plan.fingerprint != batch.preview.get("fingerprint"):
            raise ImportStaleError(what=STALE_WHAT)
        return plan

    def write(self, *, actor: Any, batch: ImportBatch, plan: Any) -> Applied:
        """Remove, then change (numbers moved aside first, so two classes may swap them), then
        create."""
        for school_class in plan.to_remove:
            register_services.class_drop(actor=actor, school_class=school_class)
        for school_class, _, number in plan.to_change:
            if school_class.number != number:
                school_class.number = 1000 + school_class.number  # aside, inside this transaction
                school_class.save(update_fields=["number"])
        for school_class, data, number in plan.to_change:
            school_class.number = number
            school_class.pupils = data.pupils
            school_class.pupils_ovz = data.pupils_ovz
            school_class.full_clean()
            school_class.save(update_fields=["number", "pupils", "pupils_ovz", "updated_at"])
        for data, number in plan.to_create:
            register_services.class_new(
                school=plan.school, campaign=plan.campaign, data=data, number=number
            )
        counts = plan.counts
        return Applied(
            message=APPLIED.format(**counts),
            details={
                "school_id": plan.school.pk,
                "campaign_id": plan.campaign.pk,
                "counts": counts,
            },
        )


CLASS_REGISTER = ClassRegisterImport()
