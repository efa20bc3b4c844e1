"""Participants per class and work: in its application the school confirms how many of a class's
pupils write each of the class's works, and the form (paper, or computer where the work allows
it). ``ClassWork.participants`` None means «not confirmed yet».

The applications app calls the write (it has already decided the application may change now)
and derives its lines per work from the confirmed numbers. The rules here are the class's own:
a number from 1 to the class's pupils, a known form, computer only where allowed, no change of
form once the class's day has begun in the school's zone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from apps.campaigns import schedule
from apps.campaigns.selectors import school_zone
from apps.classes.audit import ClassesAudit
from apps.classes.messages import ClassesInvalidError
from apps.classes.models import ClassWork
from apps.classes.selectors import class_works_of_school
from apps.core.services import audit_record
from apps.registration.access import Actor
from apps.registration.models import School
from apps.registration.services import school_unit_scope

_INT_RE = re.compile(r"^[+-]?\d+$")
_FORMS = {
    **{value: value for value in ClassWork.Form.values},
    **{str(label).casefold(): value for value, label in ClassWork.Form.choices},
}


@dataclass(frozen=True)
class ParticipationInput:
    """One class work as the school sends it: raw participants (a number or a form's string)
    and the form (``None``: keep the current one)."""

    class_work_id: int
    participants: Any
    form: Any = None


@dataclass(frozen=True)
class ParticipationProblem:
    """A refused value: which class work, which field («participants» or «form») and why."""

    class_work_id: int
    field: str
    message: str


class ParticipationInvalidError(ClassesInvalidError):
    """Numbers or forms that break the class's rules (400); ``problems`` name each class and
    work. Nothing is saved."""

    def __init__(self, problems: Sequence[ParticipationProblem]) -> None:
        self.problems = list(problems)
        super().__init__(
            "participation_invalid",
            details=[
                {"class_work": p.class_work_id, "field": p.field, "message": p.message}
                for p in self.problems
            ],
            count=len(self.problems),
        )

    def by_class_work(self) -> dict[int, list[ParticipationProblem]]:
        found: dict[int, list[ParticipationProblem]] = {}
        for problem in self.problems:
            found.setdefault(problem.class_work_id, []).append(problem)
        return found


def class_work_title(class_work: ClassWork) -> str:
    """«Класс 4А, «Математика, 4 класс»» — how every message names a class's work."""
    work = class_work.work
    return f"Класс {class_work.school_class.label}, «{work.subject.name}, {work.grade} класс»"


def parse_participants(raw: Any, class_work: ClassWork) -> tuple[int | None, str]:
    """(number, error) for a class's work: a whole number from 1 to the class's pupils."""
    title = class_work_title(class_work)
    pupils = class_work.school_class.pupils
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, f"{title}: укажите число участников (от 1 до {pupils})."
    if isinstance(raw, bool):
        return None, f"{title}: число участников — целое число."
    if isinstance(raw, int):
        number = raw
    else:
        value = str(raw).strip().replace("\u00a0", "").replace(" ", "")
        if not _INT_RE.match(value):
            return None, f"{title}: число участников — целое число, указано «{str(raw)[:40]}»."
        number = int(value)
    if number < 0:
        return None, f"{title}: число участников не может быть отрицательным (указано {number})."
    if number < 1:
        return None, f"{title}: укажите не меньше 1 участника (указано {number})."
    if number > pupils:
        return None, (
            f"{title}: участников ({number}) больше, чем обучающихся в классе по реестру "
            f"({pupils})."
        )
    return number, ""


def parse_form(raw: Any, class_work: ClassWork, *, zone: str, now: dt.datetime) -> tuple[str, str]:
    """(form, error): paper or computer (computer only where the work allows it); the form no
    longer changes once the class's day has begun in the school's zone."""
    title = class_work_title(class_work)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return class_work.form, ""
    form = _FORMS.get(str(raw).strip().casefold())
    if form is None:
        return class_work.form, (
            f"{title}: форма проведения — «бумажная» или «компьютерная», указано «{str(raw)[:40]}»."
        )
    if form == ClassWork.Form.COMPUTER and not class_work.work.computer_allowed:
        return class_work.form, f"{title}: работу нельзя проводить в компьютерной форме."
    day = class_work.date
    if form != class_work.form and day is not None and now >= schedule.day_frozen_at(zone, day):
        return class_work.form, (
            f"{title}: день проведения {day.strftime('%d.%m.%Y')} уже наступил; форму "
            "проведения изменить нельзя."
        )
    return form, ""


def class_works_participation_set(
    *,
    actor: Actor,
    school_id: int,
    campaign_id: int,
    rows: Sequence[ParticipationInput],
    action: str,
) -> list[ClassWork]:
    """Confirm participants (and the form) of the named class works of a school, in the
    caller's transaction; returns the class works that changed.

    ``action`` is the caller's (the applications app passes its edit action). A class work the
    actor does not see among the school's (another school's, an assigned work before it is
    visible) raises ``ClassWork.DoesNotExist`` (404); any bad value raises
    ``ParticipationInvalidError`` naming every class and work, and nothing is saved.
    """
    school: School = School.objects.for_actor(actor, action).get(pk=school_id)
    wanted = {row.class_work_id: row for row in rows}
    found = {
        cw.pk: cw
        for cw in class_works_of_school(
            actor=actor, school_id=school.pk, campaign_id=campaign_id, action=action
        )
        .filter(pk__in=list(wanted))
        .select_for_update(of=("self",))
    }
    if set(wanted) - set(found):
        raise ClassWork.DoesNotExist
    zone, now = school_zone(school), timezone.now()
    problems: list[ParticipationProblem] = []
    changed: list[tuple[ClassWork, int | None, str]] = []
    for class_work_id, row in wanted.items():
        class_work = found[class_work_id]
        number, error = parse_participants(row.participants, class_work)
        if error:
            problems.append(ParticipationProblem(class_work_id, "participants", error))
        form, form_error = parse_form(row.form, class_work, zone=zone, now=now)
        if form_error:
            problems.append(ParticipationProblem(class_work_id, "form", form_error))
        if (
            not error
            and not form_error
            and (number, form)
            != (
                class_work.participants,
                class_work.form,
            )
        ):
            changed.append((class_work, class_work.participants, class_work.form))
            class_work.participants, class_work.form = number, form
    if problems:
        raise ParticipationInvalidError(problems)
    for class_work, _old_participants, _old_form in changed:
        class_work.save(update_fields=["participants", "form", "updated_at"])
    if changed:
        audit_record(
            actor=actor,
            action=ClassesAudit.CLASS_PARTICIPANTS_SET,
            target=school,
            scope=school_unit_scope(school),
            details={
                "campaign": campaign_id,
                "changes": [
                    {
                        "class": cw.school_class.label,
                        "work": f"{cw.work.subject.name}, {cw.work.grade} класс",
                        "participants": [old_participants, cw.participants],
                        "form": [old_form, cw.form],
                    }
                    for cw, old_participants, old_form in changed[:100]
                ],
            },
        )
    return [cw for cw, _p, _f in changed]
