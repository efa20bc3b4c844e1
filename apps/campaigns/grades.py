"""The campaign's grade configuration for the assignment of subjects to classes (docs/classes.md).

* ``CampaignGrade`` rows: the grades that take part and how many subjects the federal assignment
  adds to each of their classes;
* ``Work.participation`` (compulsory or assigned) and ``Work.computer_allowed``.

Edited by the federal operator (``MANAGE_CAMPAIGNS``: it is campaign data, next to the works).
The classes app sits above campaigns in the layers; it hands down, from its ``AppConfig.ready``,
how a campaign's grades are used (``grade_usage_source_register``): a grade with classes in the
schools' registers cannot be removed, and the works' participation is fixed once the assignment
is published.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from apps.campaigns.audit import CampaignsAudit
from apps.campaigns.messages import CampaignError, CampaignInvalidError
from apps.campaigns.models import Campaign, CampaignGrade, Participation, Work
from apps.core.services import audit_record
from apps.registration.access import A, Actor

MIN_GRADE, MAX_GRADE = 1, 11
MAX_ASSIGNED = 10


@dataclass(frozen=True)
class GradeUsage:
    """How the classes app uses a campaign's grades."""

    grades_with_classes: frozenset[int] = frozenset()
    assignment_published: bool = False


GradeUsageSource = Callable[[int], GradeUsage]
_usage_source: GradeUsageSource | None = None


def grade_usage_source_register(source: GradeUsageSource) -> None:
    """Set the reader of the classes' use of grades (the classes app, from its ``ready``)."""
    global _usage_source
    _usage_source = source


def grade_usage(campaign_id: int) -> GradeUsage:
    return _usage_source(campaign_id) if _usage_source is not None else GradeUsage()


# --- reads ------------------------------------------------------------------------------------


@dataclass
class GradeConfig:
    """One grade of a campaign with its works and the check of its pool."""

    grade: int
    assigned_count: int
    compulsory: list[Work] = field(default_factory=list)
    assigned: list[Work] = field(default_factory=list)

    @property
    def pool_ok(self) -> bool:
        return len(self.assigned) >= self.assigned_count

    @property
    def problem(self) -> str:
        if self.pool_ok:
            return ""
        return (
            f"{self.grade} класс: предметов по распределению — {len(self.assigned)}, "
            f"а каждому классу нужно {self.assigned_count}."
        )


def campaign_grades(
    *, actor: Actor, campaign_id: int, action: str = A.VIEW_CAMPAIGNS
) -> dict[int, int]:
    """Grade → subjects assigned per class, for the campaign's taking-part grades."""
    campaign = Campaign.objects.for_actor(actor, action).get(pk=campaign_id)
    rows = CampaignGrade.objects.for_actor(actor, action).filter(campaign=campaign)
    return dict(rows.order_by("grade").values_list("grade", "assigned_count"))


def grade_config_list(
    *, actor: Actor, campaign_id: int, action: str = A.VIEW_CAMPAIGNS
) -> list[GradeConfig]:
    """Per taking-part grade: the count, its compulsory and assigned works (by subject)."""
    grades = campaign_grades(actor=actor, campaign_id=campaign_id, action=action)
    configs = {g: GradeConfig(g, n) for g, n in grades.items()}
    works = (
        Work.objects.for_actor(actor, action)
        .filter(campaign_id=campaign_id, grade__in=list(configs))
        .select_related("subject")
        .order_by("grade", "subject__name")
    )
    for work in works:
        config = configs[work.grade]
        if work.participation == Participation.ASSIGNED:
            config.assigned.append(work)
        else:
            config.compulsory.append(work)
    return [configs[g] for g in sorted(configs)]


def campaign_first_period_start(*, actor: Actor, campaign_id: int) -> Any:
    """The first day of the earliest period among the campaign's works (None without works)."""
    works = Work.objects.for_actor(actor, A.VIEW_CAMPAIGNS).filter(campaign_id=campaign_id)
    return works.order_by("period_start").values_list("period_start", flat=True).first()


# --- writes -----------------------------------------------------------------------------------


def _grade_errors(grades: Mapping[Any, Any]) -> list[str]:
    errors: list[str] = []
    for raw_grade, raw_count in grades.items():
        try:
            grade = int(raw_grade)
        except (TypeError, ValueError):
            errors.append(f"параллель «{raw_grade}» — не число")
            continue
        if not MIN_GRADE <= grade <= MAX_GRADE:
            errors.append(f"параллель {grade} — допустимы {MIN_GRADE}–{MAX_GRADE}")
            continue
        if isinstance(raw_count, bool) or not isinstance(raw_count, int):
            errors.append(f"{grade} класс: число предметов по распределению — не целое число")
        elif not 0 <= raw_count <= MAX_ASSIGNED:
            errors.append(
                f"{grade} класс: число предметов по распределению {raw_count} — "
                f"допустимо от 0 до {MAX_ASSIGNED}"
            )
    return errors


@transaction.atomic
def campaign_grades_save(
    *, actor: Actor, campaign_id: int, grades: Mapping[int, int]
) -> dict[int, int]:
    """Set the grades that take part and the number of assigned subjects per class of each.

    A grade left out is removed from the campaign, unless classes of it are in the registers.
    """
    campaign = (
        Campaign.objects.for_actor(actor, A.MANAGE_CAMPAIGNS)
        .select_for_update()
        .get(pk=campaign_id)
    )
    errors = _grade_errors(grades)
    if errors:
        raise CampaignInvalidError("grades_invalid", errors="; ".join(errors))
    wanted = {int(g): int(n) for g, n in grades.items()}
    current = dict(
        CampaignGrade.objects.filter(campaign=campaign).values_list("grade", "assigned_count")
    )
    removed = set(current) - set(wanted)
    in_use = sorted(removed & grade_usage(campaign.pk).grades_with_classes)
    if in_use:
        raise CampaignError("grade_in_use", grades=", ".join(str(g) for g in in_use))
    CampaignGrade.objects.filter(campaign=campaign, grade__in=removed).delete()
    for grade, count in sorted(wanted.items()):
        if current.get(grade) == count:
            continue
        row = CampaignGrade.objects.filter(campaign=campaign, grade=grade).first()
        row = row or CampaignGrade(campaign=campaign, grade=grade)
        row.assigned_count = count
        row.full_clean()
        row.save()
    audit_record(
        actor=actor,
        action=CampaignsAudit.GRADES_SAVE,
        target=campaign,
        details={
            "campaign_id": campaign.pk,
            "before": {str(g): n for g, n in sorted(current.items())},
            "after": {str(g): n for g, n in sorted(wanted.items())},
        },
    )
    return dict(sorted(wanted.items()))


@transaction.atomic
def work_participation_set(
    *, actor: Actor, work_id: int, participation: str, computer_allowed: bool
) -> Work:
    """Make a work compulsory or part of its grade's assigned pool; allow it on computer.

    The participation is fixed once the campaign's assignment is published.
    """
    work = (
        Work.objects.for_actor(actor, A.MANAGE_CAMPAIGNS)
        .select_related("subject")
        .select_for_update(of=("self",))
        .get(pk=work_id)
    )
    title = f"{work.subject.name}, {work.grade} класс"
    if participation not in Participation.values:
        raise CampaignInvalidError("participation_invalid")
    if participation != work.participation and grade_usage(work.campaign_id).assignment_published:
        raise CampaignError("participation_locked", work=title)
    before = {"participation": work.participation, "computer_allowed": work.computer_allowed}
    work.participation = participation
    work.computer_allowed = bool(computer_allowed)
    work.save(update_fields=["participation", "computer_allowed", "updated_at"])
    audit_record(
        actor=actor,
        action=CampaignsAudit.WORK_PARTICIPATION_SET,
        target=work,
        details={
            "work": title,
            "work_id": work.pk,
            "campaign_id": work.campaign_id,
            "before": before,
            "after": {"participation": participation, "computer_allowed": work.computer_allowed},
        },
    )
    return work
